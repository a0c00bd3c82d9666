//! RecordShipment converts to the exact shipment, and every bad field is named by its path.

use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::domain::FieldViolation;
use crate::domain::sync::{EventId, EventPayload};

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).expect("valid")
}

fn parcel(number: &str, carrier: &str, url: &str) -> pb::ShipmentTracking {
    pb::ShipmentTracking { number: number.into(), carrier: carrier.into(), url: url.into() }
}

fn request() -> pb::RecordShipmentRequest {
    pb::RecordShipmentRequest {
        event_id: "ship-1".into(),
        order_id: "100000123".into(),
        shipment_id: "S1".into(),
        tracking: vec![parcel(" 1Z999 ", "UPS", "https://ups.example/1Z999"), parcel("JD01", "DHL", "")],
        ship_date: "2025-03-05".into(),
        lines: vec![pb::ShipmentLine { sku: "WB-01".into(), quantity: 1.0 }],
        occur_time: Some(prost_types::Timestamp { seconds: 1_600_000_000, nanos: 0 }),
    }
}

fn run(req: &pb::RecordShipmentRequest) -> Result<NewEvent, Vec<FieldViolation>> {
    let mut v = Violations::default();
    let event = record_shipment(req, now(), &mut v);
    v.finish(|| event)
}

fn fields(req: &pb::RecordShipmentRequest) -> Vec<String> {
    run(req).expect_err("should be refused").into_iter().map(|violation| violation.field).collect()
}

#[test]
fn a_shipment_converts() {
    let event = run(&request()).expect("valid");
    assert_eq!(event.event_id, EventId::parse("ship-1").expect("id"));
    let shipment = Shipment {
        shipment_id: "S1".into(),
        tracking: vec![
            Tracking { number: "1Z999".into(), carrier: "UPS".into(), url: Some("https://ups.example/1Z999".into()) },
            Tracking { number: "JD01".into(), carrier: "DHL".into(), url: None },
        ],
        shipped_on: NaiveDate::from_ymd_opt(2025, 3, 5).expect("date"),
        lines: vec![ShippedLine { sku: "WB-01".into(), quantity: 1.0 }],
    };
    let at = DateTime::from_timestamp(1_600_000_000, 0).expect("valid");
    let want = LifecycleEvent::Shipped { order_id: "100000123".into(), shipment, at };
    assert_eq!(event.payload, EventPayload::Lifecycle(want));
}

#[test]
fn a_whole_order_shipment_has_no_lines_and_defaults_its_time() {
    let req = pb::RecordShipmentRequest { lines: Vec::new(), occur_time: None, ..request() };
    let EventPayload::Lifecycle(LifecycleEvent::Shipped { shipment, at, .. }) = run(&req).expect("valid").payload
    else {
        panic!("a shipment")
    };
    assert!(shipment.lines.is_empty());
    assert_eq!(at, now());
}

#[test]
fn every_bad_field_is_named_by_its_path() {
    let mut req = request();
    req.event_id.clear();
    req.order_id = "a/b".into();
    req.shipment_id = String::new();
    req.tracking[1].number = "  ".into();
    req.tracking[0].carrier = "x".repeat(81);
    req.tracking[0].url = "ftp://example.com/x".into();
    req.ship_date = "2025-02-30".into();
    req.lines =
        vec![pb::ShipmentLine { sku: "A".into(), quantity: 0.0 }, pb::ShipmentLine { sku: "A".into(), quantity: 1.0 }];
    req.occur_time = Some(prost_types::Timestamp { seconds: 0, nanos: -1 });
    assert_eq!(
        fields(&req),
        [
            "event_id",
            "order_id",
            "shipment_id",
            "tracking[0].carrier",
            "tracking[0].url",
            "tracking[1].number",
            "ship_date",
            "lines[0].quantity",
            "lines[1].sku",
            "occur_time",
        ]
    );
}

#[test]
fn tracking_entries_are_required_and_limited() {
    assert_eq!(fields(&pb::RecordShipmentRequest { tracking: Vec::new(), ..request() }), ["tracking"]);
    let many = vec![parcel("1", "UPS", ""); MAX_TRACKING + 1];
    assert_eq!(fields(&pb::RecordShipmentRequest { tracking: many, ..request() }), ["tracking"]);
    let at_limit = vec![parcel(&"9".repeat(255), &"c".repeat(80), ""); MAX_TRACKING];
    assert!(run(&pb::RecordShipmentRequest { tracking: at_limit, ..request() }).is_ok());
    let long = vec![parcel(&"9".repeat(256), "UPS", "")];
    assert_eq!(fields(&pb::RecordShipmentRequest { tracking: long, ..request() }), ["tracking[0].number"]);
    let control = vec![parcel("1Z\u{7}9", "UPS", "")];
    assert_eq!(fields(&pb::RecordShipmentRequest { tracking: control, ..request() }), ["tracking[0].number"]);
    for bad in ["example.com/x", "https://", "https://a b", "javascript:alert(1)"] {
        let req = pb::RecordShipmentRequest { tracking: vec![parcel("1", "UPS", bad)], ..request() };
        assert_eq!(fields(&req), ["tracking[0].url"], "{bad:?}");
    }
}

#[test]
fn a_ship_date_is_required() {
    assert_eq!(fields(&pb::RecordShipmentRequest { ship_date: String::new(), ..request() }), ["ship_date"]);
    assert_eq!(fields(&pb::RecordShipmentRequest { ship_date: "05.03.2025".into(), ..request() }), ["ship_date"]);
}

#[test]
fn inside_submit_events_paths_carry_the_event_and_kind() {
    let event = pb::SyncEvent {
        event: Some(pb::sync_event::Event::Shipment(pb::RecordShipmentRequest {
            shipment_id: String::new(),
            ..request()
        })),
    };
    let refused = super::super::sync_convert::submit_events(&pb::SubmitEventsRequest { events: vec![event] }, now());
    let fields: Vec<String> = refused.expect_err("refused").into_iter().map(|v| v.field).collect();
    assert_eq!(fields, ["events[0].shipment.shipment_id"]);
}
