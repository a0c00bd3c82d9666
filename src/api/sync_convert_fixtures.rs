//! Requests and values shared by the converter tests.

pub(super) use chrono::{DateTime, NaiveDate, Utc};

use super::*;
pub(super) use crate::domain::lifecycle::{self as lc, Money};

pub(super) fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).expect("valid")
}

pub(super) fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_600_000_000, 250).expect("valid")
}

pub(super) fn timestamp() -> Option<prost_types::Timestamp> {
    Some(prost_types::Timestamp { seconds: 1_600_000_000, nanos: 250 })
}

pub(super) fn id(raw: &str) -> EventId {
    EventId::parse(raw).expect("valid event id")
}

pub(super) fn money(minor: i64, exponent: u8) -> Money {
    Money { minor, exponent }
}

/// Runs one converter on a fresh collector.
pub(super) fn run<T>(convert: impl FnOnce(&mut Violations) -> Option<T>) -> Result<T, Vec<FieldViolation>> {
    let mut v = Violations::default();
    let value = convert(&mut v);
    v.finish(|| value)
}

/// The fields a converter refused, in the order reported.
pub(super) fn fields<T: std::fmt::Debug>(result: Result<T, Vec<FieldViolation>>) -> Vec<String> {
    result.expect_err("should be refused").into_iter().map(|violation| violation.field).collect()
}

pub(super) fn pb_customer() -> pb::Customer {
    pb::Customer {
        customer_id: "42".into(),
        email: " Ann@Example.com ".into(),
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        phone: "+1 555 0100".into(),
        ..Default::default()
    }
}

pub(super) fn customer() -> Customer {
    Customer {
        key: "42".into(),
        email: "Ann@Example.com".into(),
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        phone: Some("+1 555 0100".into()),
        profile: Default::default(),
    }
}

pub(super) fn pb_items() -> Vec<pb::LineItem> {
    vec![
        pb::LineItem {
            sku: "WB-01".into(),
            name: "Water bottle".into(),
            quantity: 2.0,
            unit_price: "19.90".into(),
            ..Default::default()
        },
        pb::LineItem {
            sku: "CAP/RED".into(),
            name: String::new(),
            quantity: 0.5,
            unit_price: "5".into(),
            ..Default::default()
        },
    ]
}

pub(super) fn items() -> Vec<lc::LineItem> {
    vec![
        lc::LineItem {
            sku: "WB-01".into(),
            name: "Water bottle".into(),
            quantity: 2.0,
            unit_price: money(1990, 2),
            details: Default::default(),
        },
        lc::LineItem {
            sku: "CAP/RED".into(),
            name: "CAP/RED".into(),
            quantity: 0.5,
            unit_price: money(5, 0),
            details: Default::default(),
        },
    ]
}

pub(super) fn customer_req() -> pb::UpsertCustomerRequest {
    pb::UpsertCustomerRequest { event_id: "e-1".into(), customer: Some(pb_customer()), occur_time: timestamp() }
}

pub(super) fn products_req() -> pb::UpsertProductsRequest {
    let product = |sku: &str, name: &str, price: &str, active| pb::Product {
        sku: sku.into(),
        name: name.into(),
        price: price.into(),
        active,
    };
    pb::UpsertProductsRequest {
        event_id: "e-2".into(),
        products: vec![product("WB-01", "Water bottle", "19.90", None), product("A/B", "Old cap", "0", Some(false))],
        occur_time: None,
    }
}

pub(super) fn checkout_req() -> pb::StartCheckoutRequest {
    pb::StartCheckoutRequest {
        event_id: "e-3".into(),
        cart_id: "77".into(),
        customer: Some(pb_customer()),
        items: pb_items(),
        total: "42.30".into(),
        occur_time: timestamp(),
    }
}

pub(super) fn order_req() -> pb::PlaceOrderRequest {
    pb::PlaceOrderRequest {
        event_id: "e-4".into(),
        order_id: "100000123".into(),
        cart_id: "77".into(),
        customer: Some(pb_customer()),
        items: pb_items(),
        total: "42.30".into(),
        status: "pending".into(),
        occur_time: timestamp(),
        ..Default::default()
    }
}

pub(super) fn payment_req() -> pb::RecordPaymentRequest {
    pb::RecordPaymentRequest {
        event_id: "e-5".into(),
        order_id: "100000123".into(),
        invoice_id: "INV-9".into(),
        invoice_date: "2026-01-31".into(),
        amount: "42.3".into(),
        occur_time: timestamp(),
    }
}

pub(super) fn status_req() -> pb::UpdateOrderStatusRequest {
    pb::UpdateOrderStatusRequest {
        event_id: "e-6".into(),
        order_id: "100000123".into(),
        status: "canceled".into(),
        occur_time: None,
    }
}

pub(super) fn lifecycle_event(event_id: &str, event: LifecycleEvent) -> (EventId, EventPayload) {
    (id(event_id), EventPayload::Lifecycle(event))
}

/// A converted event's id and payload (its digest is checked on its own).
pub(super) fn content(
    result: Result<NewEvent, Vec<FieldViolation>>,
) -> Result<(EventId, EventPayload), Vec<FieldViolation>> {
    result.map(|event| (event.event_id, event.payload))
}
