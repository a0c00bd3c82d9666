//! Test fixtures: one sale (cart 77 → order 100000123) and helpers.

use super::*;
use crate::domain::settings::{OrderStatusRule, PicklistValue, StoreSettings};
use crate::domain::store::StoreCode;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};

pub const CART: &str = "77";
pub const ORDER: &str = "100000123";

pub fn store() -> StoreCode {
    StoreCode::parse("main").expect("valid store code")
}

/// 2025-03-`day` at `hour`:00 UTC.
pub fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, day, hour, 0, 0).single().expect("valid time")
}

pub fn date(month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, month, day).expect("valid date")
}

pub fn money(minor: i64) -> Money {
    Money { minor, exponent: 2 }
}

pub fn jane() -> Customer {
    Customer {
        key: "42".into(),
        email: "jane@example.com".into(),
        first_name: "Jane".into(),
        last_name: "Doe".into(),
        phone: Some("+1 555 0100".into()),
        profile: Default::default(),
    }
}

pub fn item(sku: &str, quantity: f64, price_minor: i64) -> LineItem {
    LineItem {
        sku: sku.into(),
        name: format!("Product {sku}"),
        quantity,
        unit_price: money(price_minor),
        details: Default::default(),
    }
}

pub fn checkout(at: DateTime<Utc>) -> LifecycleEvent {
    LifecycleEvent::CheckoutStarted {
        cart_id: CART.into(),
        customer: jane(),
        items: vec![item("WB-01", 1.0, 1999)],
        total: money(1999),
        at,
    }
}

pub fn placed(at: DateTime<Utc>) -> LifecycleEvent {
    LifecycleEvent::OrderPlaced {
        order_id: ORDER.into(),
        cart_id: Some(CART.into()),
        customer: jane(),
        items: vec![item("WB-01", 1.0, 1999), item("MUG-2", 2.0, 1275)],
        total: money(4549),
        status: "pending".into(),
        at,
        details: Default::default(),
    }
}

pub fn paid(at: DateTime<Utc>, paid_on: NaiveDate) -> LifecycleEvent {
    let payment = Payment { invoice_id: "INV-1".into(), paid_on, amount: money(4549) };
    LifecycleEvent::OrderPaid { order_id: ORDER.into(), payment, at }
}

pub fn status(status: &str, at: DateTime<Utc>) -> LifecycleEvent {
    LifecycleEvent::OrderStatusChanged { order_id: ORDER.into(), status: status.into(), at }
}

/// Checkout (day 1), placed (day 2), paid (day 3, invoiced day 4), canceled (day 5).
pub fn whole_sale() -> Vec<LifecycleEvent> {
    vec![checkout(at(1, 9)), placed(at(2, 10)), paid(at(3, 11), date(3, 4)), status("canceled", at(5, 12))]
}

pub fn facts(events: &[LifecycleEvent]) -> LifecycleFacts {
    let mut facts = LifecycleFacts::default();
    for event in events {
        facts.absorb(event);
    }
    facts
}

pub fn picklist(value: &str) -> PicklistValue {
    PicklistValue::parse(value).expect("valid picklist value")
}

pub fn status_rule(store_status: &str, order_status: Option<&str>, stage: Option<&str>) -> OrderStatusRule {
    OrderStatusRule {
        store_status: store_status.into(),
        order_status: order_status.map(picklist),
        opportunity_stage: stage.map(picklist),
    }
}

/// The target of `events` with the default closed stages.
pub fn target_of(settings: &StoreSettings, events: &[LifecycleEvent]) -> Target {
    target(settings, &store(), &facts(events), &ClosedStages::defaults(settings))
}

/// Merging the facts of `events` split in two at every ordering gives
/// `expected`, and merging the second half (and the result itself) again
/// changes nothing.
pub fn assert_grouping_does_not_matter(events: &[LifecycleEvent], expected: &LifecycleFacts) {
    let parts: Vec<LifecycleFacts> = events.iter().map(LifecycleFacts::from_event).collect();
    let join = |facts: &[LifecycleFacts]| {
        let mut joined = LifecycleFacts::default();
        facts.iter().for_each(|f| joined.merge(f));
        joined
    };
    for ordering in permutations(&parts) {
        let (left, right) = ordering.split_at(2);
        let (mut a, b) = (join(left), join(right));
        a.merge(&b);
        assert_eq!(&a, expected, "grouping does not matter");
        let snapshot = a.clone();
        a.merge(&snapshot);
        a.merge(&b);
        assert_eq!(&a, expected, "merging again changes nothing");
    }
}

/// Every ordering of `items`.
pub fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut all = Vec::new();
    for index in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(index);
        for mut tail in permutations(&rest) {
            tail.insert(0, first.clone());
            all.push(tail);
        }
    }
    all
}

/// Shipment `id` of order 100000123, shipped 2025-03-`day` (recorded that day at `hour`), with one
/// parcel per (number, carrier) and the given (sku, quantity) lines (none: the whole order).
pub fn shipped(id: &str, day: u32, hour: u32, parcels: &[(&str, &str)], lines: &[(&str, f64)]) -> LifecycleEvent {
    let tracking = parcels.iter().map(|(number, carrier)| Tracking {
        number: (*number).into(),
        carrier: (*carrier).into(),
        url: None,
    });
    let lines = lines.iter().map(|(sku, quantity)| ShippedLine { sku: (*sku).into(), quantity: *quantity });
    let shipment = Shipment {
        shipment_id: id.into(),
        tracking: tracking.collect(),
        shipped_on: date(3, day),
        lines: lines.collect(),
    };
    LifecycleEvent::Shipped { order_id: ORDER.into(), shipment, at: at(day, hour) }
}
