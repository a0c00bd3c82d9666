//! What is checked before a shipment is written: RecordShipment's fields
//! (every bad one named by its path, nothing stored), and Test Connection's
//! shipment checks against the org (missing field, wrong type, inactive
//! status, and a pass), each failure with its remedy.

use forcesync::pb::{self, CheckStatus, sync_event::Event};
use forcesync::sandbox::{CustomSchema, SandboxConfig};
use prost_types::FieldMask;

use crate::helpers::sandbox::{PASSWORD, TOKEN, USER, spawn_sandbox_with_schema};
use crate::helpers::sync::connected_store;
use crate::helpers::{spawn_app, violated_fields};
use crate::sync_shipments::{shipment, shipment_schema, shipment_settings};

#[tokio::test]
async fn bad_shipments_are_refused_naming_every_field_by_path() {
    let setup = connected_store().await;
    let mut sync = setup.sync();
    let mut bad = shipment("sh1", "S1", 5, &[("1Z1", "UPS"), (" ", "")], &[("WB-01", 0.0)]);
    bad.shipment_id = "a/b".into();
    bad.ship_date = "2025-13-01".into();
    bad.tracking[0].url = "not a url".into();
    let refused = sync.record_shipment(bad.clone()).await.expect_err("refused");
    assert_eq!(
        violated_fields(&refused),
        [
            "shipment_id",
            "tracking[0].url",
            "tracking[1].number",
            "tracking[1].carrier",
            "ship_date",
            "lines[0].quantity"
        ]
    );
    let empty = pb::RecordShipmentRequest { tracking: Vec::new(), ..shipment("sh2", "S2", 5, &[], &[]) };
    assert_eq!(violated_fields(&sync.record_shipment(empty).await.expect_err("refused")), ["tracking"]);

    let good = shipment("sh3", "S3", 5, &[("1Z1", "UPS")], &[]);
    let events = [good, bad].map(|r| pb::SyncEvent { event: Some(Event::Shipment(r)) }).to_vec();
    let refused = sync.submit_events(pb::SubmitEventsRequest { events }).await.expect_err("refused");
    let fields = violated_fields(&refused);
    assert!(fields.contains(&"events[1].shipment.tracking[1].number".to_owned()), "{fields:?}");
    assert!(fields.iter().all(|f| f.starts_with("events[1].shipment.")), "{fields:?}");
    let listed = sync.list_sync_events(pb::ListSyncEventsRequest::default()).await.expect("list").into_inner();
    assert!(listed.events.is_empty(), "nothing stored: {:?}", listed.events);
}

/// Test Connection of the sandbox org `schema` with `shipment` settings (orders created when placed).
async fn test_connection(schema: CustomSchema, shipment: pb::ShipmentSettings) -> pb::TestConnectionResponse {
    let sandbox = spawn_sandbox_with_schema(SandboxConfig::demo(), schema).await;
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let connection =
        pb::ConnectionSettings { login_url: sandbox.server.url.clone(), username: USER.into(), ..Default::default() };
    let (_, mut paths) = shipment_settings("", "");
    paths.extend(["connection.login_url", "connection.username"]);
    let settings = pb::StoreSettings {
        connection: Some(connection),
        create_order: pb::CreateOrderMode::EveryOrder as i32,
        shipment: Some(shipment),
        ..Default::default()
    };
    let secret = |kind: pb::CredentialKind, value: &str| pb::CredentialValue { kind: kind as i32, value: value.into() };
    let request = pb::TestConnectionRequest {
        store_code: "main".into(),
        settings: Some(settings),
        update_mask: Some(FieldMask { paths: paths.into_iter().map(str::to_owned).collect() }),
        credentials: vec![
            secret(pb::CredentialKind::Password, PASSWORD),
            secret(pb::CredentialKind::SecurityToken, TOKEN),
        ],
        apply: false,
        etag: String::new(),
    };
    app.config(&token).test_connection(request).await.expect("test connection").into_inner()
}

fn check<'a>(response: &'a pb::TestConnectionResponse, name: &str) -> &'a pb::ConnectionCheck {
    response.checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no check {name}: {:#?}", response.checks))
}

fn fields(tracking: &str, carrier: &str, ship_date: &str, status: &str) -> pb::ShipmentSettings {
    pb::ShipmentSettings {
        tracking_number_field: tracking.into(),
        carrier_field: carrier.into(),
        ship_date_field: ship_date.into(),
        shipped_status: status.into(),
    }
}

#[tokio::test]
async fn test_connection_passes_for_fitting_fields_and_an_active_status() {
    let response =
        test_connection(shipment_schema(), fields("Tracking_Number__c", "Carrier__c", "Shipped_At__c", "Shipped"))
            .await;
    for name in ["shipment:tracking_number_field", "shipment:carrier_field", "shipment:ship_date_field"] {
        assert_eq!(check(&response, name).status(), CheckStatus::Pass, "{:#?}", response.checks);
    }
    assert!(check(&response, "shipment:tracking_number_field").message.contains("string field of 255 characters"));
    assert!(check(&response, "shipment:ship_date_field").message.contains("datetime"));
    assert_eq!(check(&response, "picklist:shipment.shipped_status").status(), CheckStatus::Pass);
    assert!(response.passed, "{:#?}", response.checks);
}

#[tokio::test]
async fn test_connection_names_a_missing_field_a_wrong_type_and_an_inactive_status() {
    // The default org: no Ship_Count__c, and no `Shipped` Order status.
    let mut schema = shipment_schema();
    let order = schema.objects.iter_mut().find(|o| o.name == "Order").expect("Order");
    order.picklist_values.clear();
    let response = test_connection(schema, fields("Missing__c", "Ship_Count__c", "Carrier__c", "Shipped")).await;
    assert!(!response.passed);

    let missing = check(&response, "shipment:tracking_number_field");
    assert_eq!(missing.status(), CheckStatus::Fail);
    assert!(
        missing.message.contains("Order.Missing__c (from shipment.tracking_number_field) does not exist"),
        "{missing:?}"
    );
    assert!(missing.remedy.contains("Create Order.Missing__c as Text(255)"), "{missing:?}");

    let number = check(&response, "shipment:carrier_field");
    assert_eq!(number.status(), CheckStatus::Fail);
    assert!(number.message.contains("is a double field, but it receives the carriers"), "{number:?}");
    assert!(number.remedy.contains("Set shipment.carrier_field to a string or textarea field"), "{number:?}");

    let text = check(&response, "shipment:ship_date_field");
    assert_eq!(text.status(), CheckStatus::Fail);
    assert!(text.message.contains("Order.Carrier__c (from shipment.ship_date_field) is a string field"), "{text:?}");
    assert!(text.message.contains("must be date or datetime"), "{text:?}");

    let status = check(&response, "picklist:shipment.shipped_status");
    assert_eq!(status.status(), CheckStatus::Fail);
    assert!(status.message.contains("\"Shipped\" (from shipment.shipped_status) is not an active Order.Status value"));
    assert!(status.remedy.contains("Add \"Shipped\" to Order.Status"), "{status:?}");
}

#[tokio::test]
async fn test_connection_names_a_field_the_user_cannot_edit() {
    // OrderNumber is an auto-number: it exists and is text, but nobody writes it.
    let response = test_connection(shipment_schema(), fields("OrderNumber", "", "", "")).await;
    let read_only = check(&response, "shipment:tracking_number_field");
    assert_eq!(read_only.status(), CheckStatus::Fail, "{read_only:?}");
    assert!(read_only.message.contains("cannot edit Order.OrderNumber"), "{read_only:?}");
    assert!(read_only.remedy.contains("edit access"), "{read_only:?}");
}
