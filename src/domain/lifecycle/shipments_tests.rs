//! Shipments: how they accumulate, when an order is completely shipped, what
//! they set on the Order, and that their facts merge in any order.

use super::fixtures::*;
use super::shipment_target::{
    WAITING_FOR_ORDER, WAITING_FOR_PAYMENT, notes, shipment_target, waiting_after_write, waiting_reason,
};
use super::*;
use crate::domain::settings::{ApiName, CreateOrder, StoreSettings};

/// Tracking, carrier and date fields and the shipped status, on an every-order store.
fn settings() -> StoreSettings {
    let mut settings = StoreSettings { create_order: CreateOrder::EveryOrder, ..StoreSettings::default() };
    let name = |raw| ApiName::parse(raw).ok();
    settings.shipment.tracking_number_field = name("Tracking_Number__c");
    settings.shipment.carrier_field = name("Carrier__c");
    settings.shipment.ship_date_field = name("Ship_Date__c");
    settings.shipment.shipped_status = Some(picklist("Shipped"));
    settings
}

/// The placed order (WB-01 ×1, MUG-2 ×2) and two partial shipments, the second re-recorded later.
fn partial_sale() -> Vec<LifecycleEvent> {
    vec![
        placed(at(2, 10)),
        shipped("S2", 6, 9, &[("1Z2", "UPS"), ("JD7", "DHL")], &[("MUG-2", 1.0)]),
        shipped("S1", 5, 9, &[("1Z1", "UPS")], &[("WB-01", 1.0)]),
        shipped("S2", 6, 12, &[("1Z2", "UPS"), ("JD8", "DHL")], &[("MUG-2", 1.0)]),
    ]
}

fn order_fields(settings: &StoreSettings, events: &[LifecycleEvent]) -> (Vec<(String, String)>, String) {
    let order = target_of(settings, events).order.expect("an order");
    (order.shipment.map(|s| s.fields).unwrap_or_default(), order.status)
}

fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
    fields.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
}

#[test]
fn shipments_accumulate_by_ship_date_then_id_with_the_latest_date() {
    let (fields, status) = order_fields(&settings(), &partial_sale());
    let want = [("Tracking_Number__c", "1Z1, 1Z2, JD8"), ("Carrier__c", "UPS, DHL"), ("Ship_Date__c", "2025-03-06")];
    assert_eq!(fields, pairs(&want), "S2's later recording replaced its first; carriers once each");
    assert_eq!(status, "Draft", "MUG-2 has 1 of 2 shipped: not complete");
}

#[test]
fn equal_ship_dates_order_by_shipment_id() {
    let events = [
        placed(at(2, 10)),
        shipped("B", 5, 9, &[("222", "DHL")], &[("WB-01", 1.0)]),
        shipped("A", 5, 11, &[("111", "UPS")], &[("MUG-2", 1.0)]),
    ];
    let (fields, _) = order_fields(&settings(), &events);
    assert_eq!(fields[0], ("Tracking_Number__c".to_owned(), "111, 222".to_owned()));
    assert_eq!(fields[1], ("Carrier__c".to_owned(), "UPS, DHL".to_owned()));
}

#[test]
fn the_status_is_set_only_once_everything_ordered_has_shipped() {
    let mut events = partial_sale();
    assert_eq!(order_fields(&settings(), &events).1, "Draft");
    events.push(shipped("S3", 8, 9, &[("1Z3", "UPS")], &[("MUG-2", 1.0)]));
    let (fields, status) = order_fields(&settings(), &events);
    assert_eq!(status, "Shipped", "the rest shipped");
    assert_eq!(fields[2], ("Ship_Date__c".to_owned(), "2025-03-08".to_owned()));
    let whole = [placed(at(2, 10)), shipped("S1", 5, 9, &[("1Z1", "UPS")], &[])];
    assert_eq!(order_fields(&settings(), &whole).1, "Shipped", "a shipment without lines ships the whole order");
    let mut no_status = settings();
    no_status.shipment.shipped_status = None;
    assert_eq!(order_fields(&no_status, &whole).1, "Draft", "no shipped_status: the status is left alone");
}

#[test]
fn accumulation_alone_reports_completeness_and_order() {
    let ordered = [item("A", 2.0, 100), item("B", 1.0, 100), item("A", 1.0, 100)];
    let shipment = |id: &str, day, lines: &[(&str, f64)]| {
        let LifecycleEvent::Shipped { shipment, .. } = shipped(id, day, 9, &[("N", "C")], lines) else {
            unreachable!("a shipment")
        };
        shipment
    };
    let first = shipment("2", 4, &[("A", 2.0)]);
    let second = shipment("1", 5, &[("A", 1.0), ("B", 1.0)]);
    let partial = shipments::accumulate([&first], &ordered).expect("shipped");
    assert!(!partial.complete, "A is ordered 3 times in two lines");
    let all = shipments::accumulate([&second, &first], &ordered).expect("shipped");
    assert!(all.complete);
    assert_eq!((all.shipment_ids, all.ship_date), (vec!["2".to_owned(), "1".to_owned()], date(3, 5)));
    assert_eq!(all.tracking_numbers, "N", "the same number twice is listed once");
    assert!(shipments::accumulate([], &ordered).is_none());
    assert!(!shipments::accumulate([&first], &[]).expect("shipped").complete, "no known lines: not complete by lines");
}

#[test]
fn only_configured_fields_are_written() {
    let mut settings = settings();
    settings.shipment.carrier_field = None;
    settings.shipment.ship_date_field = None;
    let (fields, _) = order_fields(&settings, &partial_sale());
    assert_eq!(fields, pairs(&[("Tracking_Number__c", "1Z1, 1Z2, JD8")]));
    let sale = facts(&partial_sale());
    assert_eq!(shipment_target(&StoreSettings::default().shipment, &sale), None, "nothing configured, nothing set");
    assert_eq!(shipment_target(&settings.shipment, &facts(&[placed(at(2, 10))])), None, "no shipments");
}

#[test]
fn the_order_write_carries_the_shipment_fields() {
    let ops = plan(&Target::default(), &target_of(&settings(), &partial_sale()));
    let order = ops.iter().find(|op| op.object() == "Order").expect("Order write");
    assert_eq!(order.body()["Tracking_Number__c"], "1Z1, 1Z2, JD8");
    assert_eq!(order.body()["Ship_Date__c"], "2025-03-06");
    let without = plan(&Target::default(), &target_of(&settings(), &[placed(at(2, 10))]));
    let order = without.iter().find(|op| op.object() == "Order").expect("Order write");
    assert!(order.body().get("Tracking_Number__c").is_none(), "no shipment, no shipment fields");
}

#[test]
fn every_ordering_and_repetition_of_shipments_gives_the_same_facts() {
    let mut events = partial_sale();
    events.push(paid(at(3, 11), date(3, 4)));
    let expected = facts(&events);
    for ordering in permutations(&events) {
        assert_eq!(facts(&ordering), expected, "{ordering:?}");
        let mut repeated = ordering.clone();
        repeated.extend(ordering.iter().rev().cloned());
        assert_eq!(facts(&repeated), expected, "repeated {ordering:?}");
    }
    assert_grouping_does_not_matter(&events, &expected);
}

#[test]
fn a_shipment_alone_waits_for_its_order() {
    let only = facts(&[shipped("S1", 5, 9, &[("1Z1", "UPS")], &[])]);
    assert_eq!(only.order_id(), Some(ORDER));
    assert_eq!(waiting_reason(&only, "buyer"), WAITING_FOR_ORDER);
    assert_eq!(waiting_reason(&facts(&[paid(at(3, 11), date(3, 4))]), "buyer"), "buyer");
    assert_eq!(notes(&settings(), &only), ["shipment S1 waiting for order 100000123 to be placed"]);
}

#[test]
fn notes_say_why_shipments_are_not_written() {
    let events = partial_sale();
    assert!(notes(&settings(), &facts(&events)).is_empty(), "written: no note");
    let never = StoreSettings { create_order: CreateOrder::Never, ..settings() };
    assert_eq!(
        notes(&never, &facts(&events)),
        ["shipments S1, S2 not applicable: create_order is NEVER, so order 100000123 has no Salesforce Order to \
          write them to"]
    );
    assert!(target_of(&never, &events).order.is_none());
    let paid_only = StoreSettings { create_order: CreateOrder::PaidOnly, ..settings() };
    let unpaid = notes(&paid_only, &facts(&events));
    assert!(unpaid[0].starts_with("shipments S1, S2 waiting for the Salesforce Order"), "{unpaid:?}");
    let mut with_payment = events.clone();
    with_payment.push(paid(at(3, 11), date(3, 4)));
    assert!(notes(&paid_only, &facts(&with_payment)).is_empty());
    let unconfigured = StoreSettings { create_order: CreateOrder::EveryOrder, ..StoreSettings::default() };
    assert!(notes(&unconfigured, &facts(&events))[0].contains("no shipment setting is configured"));
}

#[test]
fn with_paid_only_an_unpaid_shipped_order_waits_after_its_other_writes() {
    let paid_only = StoreSettings { create_order: CreateOrder::PaidOnly, ..settings() };
    let events = partial_sale();
    assert_eq!(waiting_after_write(&paid_only, &facts(&events)), Some(WAITING_FOR_PAYMENT));
    assert!(target_of(&paid_only, &events).opportunity.is_some(), "the rest of the sale is still written");
    let mut paid_too = events.clone();
    paid_too.push(paid(at(3, 11), date(3, 4)));
    assert_eq!(waiting_after_write(&paid_only, &facts(&paid_too)), None);
    assert_eq!(waiting_after_write(&settings(), &facts(&events)), None, "every order has its Order");
    let never = StoreSettings { create_order: CreateOrder::Never, ..settings() };
    assert_eq!(waiting_after_write(&never, &facts(&events)), None, "not applicable, not waiting");
    assert_eq!(waiting_after_write(&paid_only, &facts(&[placed(at(2, 10))])), None, "no shipments");
}
