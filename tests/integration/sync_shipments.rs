//! Shipments end to end (SQLite, and PostgreSQL when FORCESYNC_TEST_PG is
//! set): RecordShipment and SubmitEvents through gRPC, the stepped engine
//! writing the sandbox's Order, and what the sandbox then holds and counts.
//! Shipments that wait or do not apply are in `sync_shipments_waits`.

use forcesync::engine::{Engine, TestClock};
use forcesync::pb::{self, sync_event::Event};
use forcesync::sandbox::schema::custom::CustomFieldSpec;
use forcesync::sandbox::{CustomSchema, SandboxConfig};
use reqwest::Method;
use serde_json::Value;

use crate::helpers::sandbox::spawn_sandbox_with_schema;
use crate::helpers::sync::{SyncSetup, at, by_order, checkout, field, jane, order};
use crate::helpers::{postgres, settle, spawn_app_with, stepped_engine};

pub const ORDER: &str = "100000123";

/// forcesync's default org plus a 20-character tracking field, a datetime
/// ship date, a number field and the Order status `Shipped`.
pub fn shipment_schema() -> CustomSchema {
    let mut schema = CustomSchema::default_forcesync();
    let order = schema.objects.iter_mut().find(|o| o.name == "Order").expect("Order");
    let mut short = CustomFieldSpec::new("Short_Tracking__c", "Text");
    short.length = Some(20);
    let mut count = CustomFieldSpec::new("Ship_Count__c", "Number");
    (count.precision, count.scale) = (Some(18), Some(0));
    order.fields.extend([short, CustomFieldSpec::new("Shipped_At__c", "DateTime"), count]);
    order.picklist_values.entry("Status".into()).or_default().push("Shipped".into());
    schema
}

/// Orders created when placed, the three shipment fields (tracking in `tracking_field`) and status `Shipped`.
pub fn shipment_settings(tracking_field: &str, ship_date_field: &str) -> (pb::StoreSettings, Vec<&'static str>) {
    let settings = pb::StoreSettings {
        create_order: pb::CreateOrderMode::EveryOrder as i32,
        shipment: Some(pb::ShipmentSettings {
            tracking_number_field: tracking_field.into(),
            carrier_field: "Carrier__c".into(),
            ship_date_field: ship_date_field.into(),
            shipped_status: "Shipped".into(),
        }),
        ..Default::default()
    };
    let paths = vec![
        "create_order",
        "shipment.tracking_number_field",
        "shipment.carrier_field",
        "shipment.ship_date_field",
        "shipment.shipped_status",
    ];
    (settings, paths)
}

/// A stepped server on each backend (SQLite, then PostgreSQL when set), connected to a shipment org.
pub struct Stepped {
    pub setup: SyncSetup,
    engine: Engine,
    clock: TestClock,
}

pub async fn backends() -> Vec<Option<String>> {
    let mut urls = vec![None];
    urls.extend(postgres::fresh_database().await.map(Some));
    urls
}

pub async fn stepped(database_url: Option<String>, settings: pb::StoreSettings, paths: Vec<&str>) -> Stepped {
    let clock = TestClock::ahead_of_wall_clock();
    let sandbox = spawn_sandbox_with_schema(SandboxConfig::demo(), shipment_schema()).await;
    let app = spawn_app_with(database_url, stepped_engine(&clock)).await;
    let (_, token) = app.create_store("main").await;
    let setup = SyncSetup { app, sandbox, token };
    setup.connect(settings, paths).await;
    let engine = setup.app.server.engine().expect("engine");
    Stepped { setup, engine, clock }
}

impl Stepped {
    pub async fn settle(&self) {
        settle(&self.engine, &self.clock, stepped_engine(&self.clock).retry_max).await;
    }

    pub async fn status(&self) -> pb::GetSyncStatusResponse {
        let request = pb::GetSyncStatusRequest { entity: Some(by_order(ORDER)) };
        self.setup.sync().get_sync_status(request).await.expect("status").into_inner()
    }

    /// The one Order the sandbox holds.
    pub async fn order(&self) -> Value {
        let orders = self.setup.records("Order").await;
        assert_eq!(orders.len(), 1, "{orders:?}");
        orders[0].clone()
    }

    pub async fn counters(&self) -> Value {
        self.setup.sandbox.control(Method::GET, "/counters", None).await
    }

    /// Checkout and order (placed day 2) of order 100000123, synced.
    pub async fn placed(&self) {
        let mut sync = self.setup.sync();
        sync.start_checkout(checkout("c1", "77", jane(), 1)).await.expect("checkout");
        sync.place_order(order("o1", ORDER, "77", jane(), 2)).await.expect("order");
        self.settle().await;
        assert_eq!(self.status().await.state, pb::SyncState::Synced as i32);
    }
}

/// Shipment `id` of order 100000123 shipped on 2025-03-`day`, with `(number, carrier)` parcels and `(sku, qty)` lines.
pub fn shipment(
    event_id: &str,
    id: &str,
    day: u32,
    parcels: &[(&str, &str)],
    lines: &[(&str, f64)],
) -> pb::RecordShipmentRequest {
    pb::RecordShipmentRequest {
        event_id: event_id.into(),
        order_id: ORDER.into(),
        shipment_id: id.into(),
        tracking: parcels
            .iter()
            .map(|(number, carrier)| pb::ShipmentTracking {
                number: (*number).into(),
                carrier: (*carrier).into(),
                url: String::new(),
            })
            .collect(),
        ship_date: format!("2025-03-{day:02}"),
        lines: lines
            .iter()
            .map(|(sku, quantity)| pb::ShipmentLine { sku: (*sku).into(), quantity: *quantity })
            .collect(),
        occur_time: at(i64::from(day)),
    }
}

fn count(counters: &Value, pointer: &str) -> u64 {
    counters.pointer(pointer).and_then(Value::as_u64).unwrap_or_default()
}

#[tokio::test]
async fn partial_shipments_accumulate_and_the_status_waits_for_the_rest() {
    for url in backends().await {
        let (settings, paths) = shipment_settings("Tracking_Number__c", "Ship_Date__c");
        let s = stepped(url, settings, paths).await;
        s.placed().await;
        assert_eq!(field(&s.order().await, "Status"), "Draft");
        let mut sync = s.setup.sync();

        // First shipment: the Order's describe (once per connection) and one graph.
        let before = s.counters().await;
        sync.record_shipment(shipment("sh1", "S1", 6, &[("1Z1", "UPS")], &[("WB-01", 2.0)])).await.expect("S1");
        s.settle().await;
        let after = s.counters().await;
        let used = count(&after, "/api_usage/used") - count(&before, "/api_usage/used");
        let graphs = count(&after, "/calls/composite_graph") - count(&before, "/calls/composite_graph");
        assert_eq!((used, graphs), (2, 1), "describe Order + one graph: {after}");
        let order = s.order().await;
        assert_eq!((field(&order, "Tracking_Number__c"), field(&order, "Status")), ("1Z1", "Draft"));

        // Second, shipped a day earlier, through SubmitEvents: one batched call, nothing else.
        let before = after;
        let second = shipment("sh2", "S2", 5, &[("JD2", "DHL"), ("JD3", "DHL")], &[("CAP-7", 1.0)]);
        let events = vec![pb::SyncEvent { event: Some(Event::Shipment(second)) }];
        sync.submit_events(pb::SubmitEventsRequest { events }).await.expect("S2");
        s.settle().await;
        let after = s.counters().await;
        let used = count(&after, "/api_usage/used") - count(&before, "/api_usage/used");
        let graphs = count(&after, "/calls/composite_graph") - count(&before, "/calls/composite_graph");
        assert_eq!((used, graphs), (1, 1), "a shipment for a synced order costs one graph: {after}");
        let order = s.order().await;
        assert_eq!(field(&order, "Tracking_Number__c"), "JD2, JD3, 1Z1", "by ship date, then shipment id");
        assert_eq!(field(&order, "Carrier__c"), "DHL, UPS");
        assert_eq!(field(&order, "Ship_Date__c"), "2025-03-06", "the latest ship date");
        assert_eq!(field(&order, "Status"), "Draft", "TEE-3 has not shipped");

        let last = shipment("sh3", "S3", 8, &[("1Z4", "UPS")], &[("TEE-3", 3.0)]);
        let preview =
            pb::PreviewPlanRequest { event: Some(pb::SyncEvent { event: Some(Event::Shipment(last.clone())) }) };
        let writes = sync.preview_plan(preview).await.expect("preview").into_inner().writes;
        let sent: Vec<&pb::PlannedWrite> = writes.iter().filter(|w| w.skipped_reason.is_empty()).collect();
        assert_eq!(sent.len(), 1, "only the Order changes: {writes:?}");
        let body: Value = serde_json::from_str(&sent[0].body_json).expect("json");
        assert_eq!((sent[0].object.as_str(), &body["Status"]), ("Order", &Value::from("Shipped")), "{body}");
        assert_eq!(body["Tracking_Number__c"], "JD2, JD3, 1Z1, 1Z4");
        sync.record_shipment(last).await.expect("S3");
        s.settle().await;
        let order = s.order().await;
        assert_eq!(field(&order, "Tracking_Number__c"), "JD2, JD3, 1Z1, 1Z4");
        assert_eq!((field(&order, "Ship_Date__c"), field(&order, "Status")), ("2025-03-08", "Shipped"));
        assert_eq!(s.setup.sale_records().await, [1, 1, 1, 1, 1, 3], "nothing else was written twice");
        let status = s.status().await;
        assert_eq!((status.state, status.event_count), (pb::SyncState::Synced as i32, 5));
    }
}

#[tokio::test]
async fn a_tracking_value_longer_than_its_field_is_reported_not_cut() {
    for url in backends().await {
        let (settings, paths) = shipment_settings("Short_Tracking__c", "Ship_Date__c");
        let s = stepped(url, settings, paths).await;
        s.placed().await;
        let mut sync = s.setup.sync();
        sync.record_shipment(shipment("sh1", "S1", 5, &[("1Z999AA10123456784", "UPS")], &[("WB-01", 1.0)]))
            .await
            .expect("S1");
        s.settle().await;
        assert_eq!(field(&s.order().await, "Short_Tracking__c"), "1Z999AA10123456784", "18 characters fit");

        sync.record_shipment(shipment("sh2", "S2", 6, &[("1Z999AA10123456785", "UPS")], &[("CAP-7", 1.0)]))
            .await
            .expect("S2");
        s.settle().await;
        let status = s.status().await;
        assert_eq!(status.state, pb::SyncState::Parked as i32, "{status:?}");
        let error = status.last_error.expect("an error");
        assert_eq!(
            (error.code.as_str(), error.fields.as_slice()),
            ("STRING_TOO_LONG", &["Short_Tracking__c".to_owned()][..])
        );
        assert!(error.message.contains("Order.Short_Tracking__c holds at most 20 characters"), "{error:?}");
        assert!(error.message.contains("38 characters"), "{error:?}");
        assert!(error.remedy.contains("lengthen the field"), "{error:?}");
        let order = s.order().await;
        assert_eq!(field(&order, "Short_Tracking__c"), "1Z999AA10123456784", "nothing cut, nothing half-written");
        assert_eq!(field(&order, "Ship_Date__c"), "2025-03-05", "the whole Order update was held back");

        let listed = sync
            .list_sync_events(pb::ListSyncEventsRequest { kind: pb::EventKind::Shipment as i32, ..Default::default() });
        let events = listed.await.expect("list").into_inner().events;
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].event_id, "sh2");
        assert_eq!(events[0].sync_state, pb::SyncState::Parked as i32);
        assert_eq!(events[0].last_error.as_ref().map(|e| e.code.as_str()), Some("STRING_TOO_LONG"));
    }
}

#[tokio::test]
async fn a_repeated_shipment_event_is_a_duplicate_with_one_effect() {
    for url in backends().await {
        let (settings, paths) = shipment_settings("Tracking_Number__c", "Ship_Date__c");
        let s = stepped(url, settings, paths).await;
        s.placed().await;
        let mut sync = s.setup.sync();
        let request = shipment("sh1", "S1", 5, &[("1Z1", "UPS")], &[("WB-01", 1.0)]);
        let first = sync.record_shipment(request.clone()).await.expect("first").into_inner().ack.expect("ack");
        let again = sync.record_shipment(request.clone()).await.expect("again").into_inner().ack.expect("ack");
        assert!(!first.duplicate && again.duplicate, "{first:?} {again:?}");
        assert_eq!(first.sequence, again.sequence);
        let events = vec![pb::SyncEvent { event: Some(Event::Shipment(request)) }];
        let batch = sync.submit_events(pb::SubmitEventsRequest { events }).await.expect("batch").into_inner();
        assert!(batch.acks[0].duplicate, "the same request inside SubmitEvents is the same event");
        s.settle().await;
        let status = s.status().await;
        assert_eq!((status.state, status.event_count), (pb::SyncState::Synced as i32, 3), "{status:?}");
        assert_eq!(field(&s.order().await, "Tracking_Number__c"), "1Z1");
    }
}

#[tokio::test]
async fn shipments_of_several_orders_share_one_batched_call() {
    let (settings, paths) = shipment_settings("Tracking_Number__c", "Ship_Date__c");
    let s = stepped(None, settings, paths).await;
    let mut sync = s.setup.sync();
    let orders = ["100000201", "100000202", "100000203"];
    for (n, id) in orders.iter().enumerate() {
        sync.place_order(order(&format!("o{n}"), id, &format!("9{n}"), jane(), 2)).await.expect("order");
    }
    s.settle().await;
    // Warm the connection's Order describe with a first shipment.
    let first =
        pb::RecordShipmentRequest { order_id: orders[0].into(), ..shipment("w0", "W0", 4, &[("0", "UPS")], &[]) };
    sync.record_shipment(first).await.expect("warm-up");
    s.settle().await;

    let before = s.counters().await;
    let events = orders
        .iter()
        .enumerate()
        .map(|(n, id)| {
            let request = shipment(&format!("sh{n}"), &format!("S{n}"), 5, &[(&format!("1Z{n}"), "UPS")], &[]);
            pb::SyncEvent {
                event: Some(Event::Shipment(pb::RecordShipmentRequest { order_id: (*id).into(), ..request })),
            }
        })
        .collect();
    sync.submit_events(pb::SubmitEventsRequest { events }).await.expect("shipments");
    s.settle().await;
    let after = s.counters().await;
    let used = count(&after, "/api_usage/used") - count(&before, "/api_usage/used");
    let graphs = count(&after, "/calls/composite_graph") - count(&before, "/calls/composite_graph");
    assert_eq!((used, graphs), (1, 1), "three orders' shipments in one composite graph request: {after}");
    let mut written: Vec<String> =
        s.setup.records("Order").await.iter().map(|o| field(o, "Tracking_Number__c").to_owned()).collect();
    written.sort();
    assert_eq!(written, ["0, 1Z0", "1Z1", "1Z2"]);
}
