//! Inventory sync end to end: levels sent through InventoryService, the
//! engine stepped with a test clock, and what the sandbox then holds (with
//! its request counters for the calls a push made). A custom quantity field
//! `Warehouse_Qty__c` (Number(5, 0), so 1,000,000 is refused) is added to
//! Product2 through the sandbox schema. Each flow runs on SQLite and, when
//! FORCESYNC_TEST_PG is set, on PostgreSQL.

use std::collections::BTreeMap;
use std::time::Duration;

use forcesync::engine::{Engine, EngineConfig, InventoryReport, TestClock};
use forcesync::pb::inventory_service_client::InventoryServiceClient;
use forcesync::pb::{self, InventoryIssueKind};
use forcesync::salesforce::bulk::PollPolicy;
use forcesync::sandbox::schema::custom::CustomFieldSpec;
use forcesync::sandbox::{CustomSchema, SandboxConfig};
use reqwest::Method;
use serde_json::{Value, json};
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

use crate::helpers::sandbox::spawn_sandbox_with_schema;
use crate::helpers::sync::SyncSetup;
use crate::helpers::{Bearer, postgres, spawn_app_with, stepped_engine, violated_fields};

pub type InventoryClient = InventoryServiceClient<InterceptedService<Channel, Bearer>>;

pub const QTY: &str = "Warehouse_Qty__c";

/// A store on `database` (None: SQLite) connected to a sandbox whose Product2
/// has `Warehouse_Qty__c`, with inventory enabled on it; the engine is stepped.
pub async fn inventory_store(database: Option<String>, clock: &TestClock, create_missing: bool) -> SyncSetup {
    let mut schema = CustomSchema::default_forcesync();
    let mut qty = CustomFieldSpec::new(QTY, "Number");
    (qty.precision, qty.scale) = (Some(5), Some(0));
    if let Some(product) = schema.objects.iter_mut().find(|o| o.name == "Product2") {
        product.fields.push(qty);
    }
    let sandbox = spawn_sandbox_with_schema(SandboxConfig::demo(), schema).await;
    let engine = EngineConfig {
        bulk_poll: PollPolicy {
            interval: Duration::from_millis(20),
            max_interval: Duration::from_millis(200),
            max_polls: 500,
        },
        ..stepped_engine(clock)
    };
    let app = spawn_app_with(database, engine).await;
    let (_, token) = app.create_store("main").await;
    let setup = SyncSetup { app, sandbox, token };
    let settings = pb::StoreSettings {
        inventory: Some(pb::InventorySettings {
            enabled: true,
            object: "Product2".into(),
            quantity_field: QTY.into(),
            match_field: "ProductCode".into(),
            create_missing,
        }),
        ..Default::default()
    };
    let paths = vec!["inventory.enabled", "inventory.quantity_field", "inventory.create_missing"];
    setup.connect(settings, paths).await;
    setup
}

/// SQLite, and PostgreSQL when FORCESYNC_TEST_PG is set.
pub async fn databases() -> Vec<Option<String>> {
    let mut all = vec![None];
    all.extend(postgres::fresh_database().await.map(Some));
    all
}

pub fn inventory(setup: &SyncSetup) -> InventoryClient {
    InventoryServiceClient::with_interceptor(setup.app.channel.clone(), Bearer::new(&setup.token))
}

pub fn engine(setup: &SyncSetup) -> Engine {
    setup.app.server.engine().expect("engine")
}

/// 2026-01-01 plus `minutes`.
pub fn at(minutes: i64) -> Option<prost_types::Timestamp> {
    Some(prost_types::Timestamp { seconds: 1_767_225_600 + minutes * 60, nanos: 0 })
}

pub fn level(sku: &str, quantity: &str, minute: i64) -> pb::StockLevel {
    pb::StockLevel { sku: sku.into(), quantity: quantity.into(), as_of: at(minute) }
}

pub async fn update(setup: &SyncSetup, event_id: &str, levels: Vec<pb::StockLevel>) -> pb::UpdateInventoryResponse {
    let request = pb::UpdateInventoryRequest { event_id: event_id.into(), levels, full_snapshot: false };
    inventory(setup).update_inventory(request).await.expect("update inventory").into_inner()
}

pub async fn status(setup: &SyncSetup) -> pb::GetInventoryStatusResponse {
    let request = pb::GetInventoryStatusRequest { page_size: 1000, ..Default::default() };
    inventory(setup).get_inventory_status(request).await.expect("status").into_inner()
}

/// Creates Product2 records with these codes in the sandbox (collections of 200).
pub async fn seed_products(setup: &SyncSetup, codes: &[String]) {
    let session = setup.sandbox.session().await;
    for chunk in codes.chunks(200) {
        let records: Vec<Value> = chunk
            .iter()
            .map(|code| json!({ "attributes": { "type": "Product2" }, "Name": code, "ProductCode": code }))
            .collect();
        let body = json!({ "allOrNone": true, "records": records });
        let (status, _, answer) = setup.sandbox.rest(Method::POST, "composite/sobjects", &session, Some(body)).await;
        assert!(status.is_success(), "{answer}");
    }
}

/// ProductCode → (Id, quantity held in Warehouse_Qty__c) of every Product2.
pub async fn held(setup: &SyncSetup) -> BTreeMap<String, (String, Option<f64>)> {
    let text = |record: &Value, name: &str| record.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
    setup
        .records("Product2")
        .await
        .iter()
        .filter(|r| r.get("IsDeleted").and_then(Value::as_bool) != Some(true))
        .map(|r| (text(r, "ProductCode"), (text(r, "Id"), r.get(QTY).and_then(Value::as_f64))))
        .collect()
}

pub fn quantity(held: &BTreeMap<String, (String, Option<f64>)>, code: &str) -> Option<f64> {
    held.get(code).and_then(|(_, q)| *q)
}

/// Steps inventory (and the engine's pause checks) until no level is
/// pending, moving the clock past every backoff; returns all reports.
pub async fn settle_inventory(setup: &SyncSetup, clock: &TestClock) -> InventoryReport {
    let engine = engine(setup);
    let mut total = InventoryReport::default();
    for _ in 0..50 {
        engine.step().await;
        total += engine.step_inventory().await;
        if status(setup).await.pending == 0 {
            return total;
        }
        clock.advance(Duration::from_secs(20 * 60));
    }
    panic!("levels still pending: {total:?} {:?}", status(setup).await);
}

fn codes(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}-{i:04}")).collect()
}

#[tokio::test]
async fn matched_unmatched_and_refused_skus_late_levels_and_unchanged_levels() {
    for database in databases().await {
        let clock = TestClock::ahead_of_wall_clock();
        let setup = inventory_store(database, &clock, false).await;
        seed_products(&setup, &codes("P", 3)).await;
        let sent = update(
            &setup,
            "inv-1",
            vec![
                level("P-0000", "10", 1),
                level("P-0001", "1000000", 1),
                level("P-0002", "7", 1),
                level("NOPE", "3", 1),
            ],
        )
        .await;
        assert_eq!((sent.accepted, sent.superseded, sent.duplicate), (4, 0, false));
        let before = setup.api_calls().await;
        let report = engine(&setup).step_inventory().await;
        assert_eq!((report.written, report.unmatched, report.failed), (2, 1, 1), "{report:?}");
        // One SOQL IN query finds the three records, one collections call writes them.
        assert_eq!(setup.api_calls().await - before, 2);
        let now = held(&setup).await;
        assert_eq!(quantity(&now, "P-0000"), Some(10.0));
        assert_eq!(quantity(&now, "P-0001"), None, "refused: out of the field's range");
        assert_eq!(quantity(&now, "P-0002"), Some(7.0));
        assert!(!now.contains_key("NOPE"), "unmatched SKUs are not created");

        let read = status(&setup).await;
        let push = read.last_push.clone().expect("a push");
        assert_eq!((push.rows, push.written, push.unmatched, push.failed, push.unchanged), (4, 2, 1, 1, 0));
        assert_eq!((push.method.as_str(), push.api_calls), ("collections", 2));
        assert_eq!((read.pending, read.unmatched, read.failed), (0, 1, 1));
        let issues: Vec<(&str, i32, &str)> =
            read.issues.iter().map(|i| (i.sku.as_str(), i.kind, i.error_code.as_str())).collect();
        assert_eq!(
            issues,
            [
                ("NOPE", InventoryIssueKind::Unmatched as i32, ""),
                ("P-0001", InventoryIssueKind::Failed as i32, "NUMBER_OUTSIDE_VALID_RANGE")
            ]
        );

        // A late level older than the one held changes nothing; an equal level costs no call.
        let late = update(&setup, "inv-2", vec![level("P-0002", "99", 0)]).await;
        assert_eq!((late.accepted, late.superseded), (0, 1));
        let same = update(&setup, "inv-3", vec![level("P-0000", "10.0", 5)]).await;
        assert_eq!(same.accepted, 1);
        let before = setup.api_calls().await;
        let report = engine(&setup).step_inventory().await;
        assert_eq!((report.pushes, report.unchanged, report.written), (1, 1, 0), "{report:?}");
        assert_eq!(setup.api_calls().await - before, 0, "an unchanged level costs no API call");
        assert_eq!(quantity(&held(&setup).await, "P-0002"), Some(7.0));
        assert_eq!(status(&setup).await.last_push.expect("push").unchanged, 1);

        // Levels of one SKU pending together coalesce into one write of the latest.
        update(&setup, "inv-4", vec![level("P-0000", "11", 6)]).await;
        update(&setup, "inv-5", vec![level("P-0000", "12", 8), level("P-0000", "13", 7)]).await;
        let report = engine(&setup).step_inventory().await;
        assert_eq!((report.rows, report.written), (1, 1), "{report:?}");
        assert_eq!(quantity(&held(&setup).await, "P-0000"), Some(12.0));

        // The sync log records each push.
        let storage = &setup.app.server.storage;
        let log = storage.sync_log(storage.store_id("main").await.expect("store"), 100).await.expect("log");
        let pushes = log.iter().filter(|(_, _, entity, _)| entity == "inventory").count();
        assert_eq!(pushes, 3, "{log:#?}");
    }
}

#[tokio::test]
async fn repeated_event_ids_are_duplicates_and_bad_fields_are_named_by_path() {
    let clock = TestClock::ahead_of_wall_clock();
    let setup = inventory_store(None, &clock, false).await;
    let first = update(&setup, "inv-1", vec![level("A", "1", 1)]).await;
    let again = update(&setup, "inv-1", vec![level("A", "1", 1)]).await;
    assert!(again.duplicate && !first.duplicate);
    assert_eq!((again.accepted, again.receive_time), (first.accepted, first.receive_time));
    let reused =
        pb::UpdateInventoryRequest { event_id: "inv-1".into(), levels: vec![level("A", "2", 1)], full_snapshot: false };
    let status = inventory(&setup).update_inventory(reused).await.expect_err("reused id");
    assert_eq!(status.code(), tonic::Code::AlreadyExists);

    let bad = pb::UpdateInventoryRequest {
        event_id: String::new(),
        levels: vec![level("OK", "1", 1), level("", "1", 1), level("B", "1.2.3", 1), level("C\n", "-", 1)],
        full_snapshot: false,
    };
    let status = inventory(&setup).update_inventory(bad).await.expect_err("invalid");
    assert_eq!(
        violated_fields(&status),
        ["event_id", "levels[1].sku", "levels[2].quantity", "levels[3].sku", "levels[3].quantity"]
    );
    let page = pb::GetInventoryStatusRequest { page_size: -1, page_token: "nope".into(), ..Default::default() };
    let status = inventory(&setup).get_inventory_status(page).await.expect_err("invalid");
    assert_eq!(violated_fields(&status), ["page_size"]);

    let anonymous = InventoryServiceClient::with_interceptor(setup.app.channel.clone(), Bearer::none());
    let status = anonymous.clone().get_inventory_status(pb::GetInventoryStatusRequest::default()).await;
    assert_eq!(status.expect_err("no token").code(), tonic::Code::Unauthenticated);
}

#[tokio::test]
async fn unmatched_and_failed_skus_are_listed_in_pages() {
    for database in databases().await {
        let clock = TestClock::ahead_of_wall_clock();
        let setup = inventory_store(database, &clock, false).await;
        seed_products(&setup, &codes("P", 2)).await;
        let mut levels: Vec<pb::StockLevel> = codes("X", 5).iter().map(|sku| level(sku, "1", 1)).collect();
        levels.push(level("P-0000", "1000000", 1));
        levels.push(level("P-0001", "4", 1));
        update(&setup, "inv-1", levels).await;
        engine(&setup).step_inventory().await;

        let mut client = inventory(&setup);
        let (mut seen, mut token, mut pages) = (Vec::new(), String::new(), 0);
        loop {
            let request = pb::GetInventoryStatusRequest { page_size: 2, page_token: token, ..Default::default() };
            let page = client.get_inventory_status(request).await.expect("page").into_inner();
            assert_eq!((page.unmatched, page.failed), (5, 1));
            seen.extend(page.issues.into_iter().map(|i| i.sku));
            pages += 1;
            token = page.next_page_token;
            if token.is_empty() {
                break;
            }
        }
        assert_eq!(pages, 3);
        assert_eq!(seen, ["P-0000", "X-0000", "X-0001", "X-0002", "X-0003", "X-0004"]);
        let failed = pb::GetInventoryStatusRequest { kind: InventoryIssueKind::Failed as i32, ..Default::default() };
        let failed = client.get_inventory_status(failed).await.expect("failed").into_inner();
        assert_eq!(failed.issues.iter().map(|i| i.sku.as_str()).collect::<Vec<_>>(), ["P-0000"]);
        assert!(failed.issues[0].error_message.contains("outside of valid range"), "{:?}", failed.issues);
    }
}
