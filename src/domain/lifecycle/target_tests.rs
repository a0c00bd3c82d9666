//! Every rule of DESIGN.md §3 and every lifecycle setting, in isolation.

use super::fixtures::*;
use super::*;
use crate::domain::settings::{CreateOpportunity, CreateOrder, SalesCycleDays, StoreSettings};

fn stage_of(settings: &StoreSettings, events: &[LifecycleEvent]) -> Option<String> {
    target_of(settings, events).opportunity.map(|o| o.stage)
}

fn every_order() -> StoreSettings {
    StoreSettings { create_order: CreateOrder::EveryOrder, ..StoreSettings::default() }
}

#[test]
fn checkout_opens_an_abandoned_cart_opportunity_keyed_by_the_cart() {
    let target = target_of(&StoreSettings::default(), &[checkout(at(1, 9))]);
    let opportunity = target.opportunity.expect("opportunity");
    assert_eq!(opportunity.key, "main:cart:77");
    assert_eq!(opportunity.name, "Jane Doe – Cart 77");
    assert_eq!(opportunity.stage, "Prospecting");
    assert_eq!(opportunity.close_date, date(3, 31));
    assert_eq!(opportunity.amount, Some(money(1999)));
    assert_eq!(opportunity.account_key.as_deref(), Some("main:customer:42"));
    let role = target.contact_role.expect("contact role");
    assert_eq!((role.opportunity_key.as_str(), role.contact_key.as_str()), ("main:cart:77", "main:customer:42"));
    assert_eq!(role.role, "Decision Maker");
    assert_eq!(target.customer.map(|c| c.key), Some("main:customer:42".into()));
    assert_eq!(target.order, None);
}

#[test]
fn placing_moves_to_the_draft_stage_with_the_order_total() {
    let target = target_of(&StoreSettings::default(), &[checkout(at(1, 9)), placed(at(2, 10))]);
    let opportunity = target.opportunity.expect("opportunity");
    assert_eq!((opportunity.key.as_str(), opportunity.stage.as_str()), ("main:cart:77", "Needs Analysis"));
    assert_eq!(opportunity.name, "Jane Doe – Order 100000123");
    assert_eq!(opportunity.amount, Some(money(4549)));
    assert_eq!(opportunity.close_date, date(3, 31), "CloseDate counts from the first event");
    assert_eq!(target.order, None, "PAID_ONLY waits for the payment");
}

#[test]
fn an_order_without_a_cart_keys_the_opportunity_by_the_order() {
    let LifecycleEvent::OrderPlaced { order_id, customer, items, total, status, at, .. } = placed(at(2, 10)) else {
        unreachable!()
    };
    let no_cart = LifecycleEvent::OrderPlaced {
        order_id,
        cart_id: None,
        customer,
        items,
        total,
        status,
        at,
        details: Default::default(),
    };
    let target = target_of(&every_order(), &[no_cart]);
    let key = target.opportunity.map(|o| o.key);
    assert_eq!(key.as_deref(), Some("main:order:100000123"));
    assert_eq!(target.order.and_then(|o| o.opportunity_key), key);
}

#[test]
fn every_order_creates_a_draft_order_with_numbered_items_once_placed() {
    let order = target_of(&every_order(), &[placed(at(2, 10))]).order.expect("order");
    assert_eq!(order.key, "main:order:100000123");
    assert_eq!(order.account_key, "main:customer:42");
    assert_eq!(order.opportunity_key.as_deref(), Some("main:cart:77"));
    assert_eq!((order.status.as_str(), order.effective_date), ("Draft", date(3, 2)));
    let keys: Vec<&str> = order.items.iter().map(|i| i.key.as_str()).collect();
    assert_eq!(keys, ["main:orderitem:100000123:1", "main:orderitem:100000123:2"]);
    assert_eq!((order.items[1].sku.as_str(), order.items[1].quantity), ("MUG-2", 2.0));
    assert_eq!((order.items[1].product_key.as_str(), order.items[1].unit_price), ("main:product:MUG-2", money(1275)));
    assert_eq!(target_of(&every_order(), &[checkout(at(1, 9))]).order, None, "no order before it is placed");
}

#[test]
fn paid_only_creates_the_order_when_placed_and_paid() {
    let settings = StoreSettings::default();
    assert_eq!(target_of(&settings, &[paid(at(3, 9), date(3, 3))]).order, None, "waits for the placed facts");
    let target = target_of(&settings, &[placed(at(2, 10)), paid(at(3, 9), date(3, 3))]);
    assert_eq!(target.order.map(|o| o.key), Some("main:order:100000123".into()));
}

#[test]
fn never_creates_no_order() {
    let settings = StoreSettings { create_order: CreateOrder::Never, ..StoreSettings::default() };
    let target = target_of(&settings, &whole_sale());
    assert_eq!(target.order, None);
    assert!(target.opportunity.is_some());
}

#[test]
fn no_opportunities_means_no_role_and_an_order_without_opportunity() {
    let settings = StoreSettings { create_opportunity: CreateOpportunity::Never, ..every_order() };
    let target = target_of(&settings, &whole_sale());
    assert_eq!((target.opportunity, target.contact_role), (None, None));
    let order = target.order.expect("order");
    assert_eq!(order.opportunity_key, None);
    assert!(target.customer.is_some(), "the customer is still synced");
}

#[test]
fn contact_roles_follow_their_setting() {
    let mut settings = StoreSettings::default();
    settings.contact_roles.role = picklist("Economic Buyer");
    let role = target_of(&settings, &[checkout(at(1, 9))]).contact_role.map(|r| r.role);
    assert_eq!(role.as_deref(), Some("Economic Buyer"));
    settings.contact_roles.enabled = false;
    assert_eq!(target_of(&settings, &[checkout(at(1, 9))]).contact_role, None);
    let settings = StoreSettings::default();
    assert_eq!(target_of(&settings, &[paid(at(3, 9), date(3, 3))]).contact_role, None, "no buyer known yet");
}

#[test]
fn payment_converts_unless_conversion_is_off() {
    let events = [checkout(at(1, 9)), placed(at(2, 10)), paid(at(3, 9), date(3, 3))];
    assert_eq!(stage_of(&StoreSettings::default(), &events).as_deref(), Some("Closed Won"));
    let mut settings = StoreSettings::default();
    settings.convert_opportunity.converted_stage = picklist("Closed - Paid");
    assert_eq!(stage_of(&settings, &events).as_deref(), Some("Closed - Paid"));
    settings.convert_opportunity.enabled = false;
    assert_eq!(stage_of(&settings, &events).as_deref(), Some("Needs Analysis"));
}

#[test]
fn a_payment_alone_still_ends_converted_keyed_by_the_order() {
    let target = target_of(&StoreSettings::default(), &[paid(at(3, 9), date(3, 3))]);
    let opportunity = target.opportunity.expect("opportunity");
    assert_eq!((opportunity.key.as_str(), opportunity.stage.as_str()), ("main:order:100000123", "Closed Won"));
    assert_eq!((opportunity.amount, opportunity.account_key), (Some(money(4549)), None));
}

#[test]
fn payment_before_checkout_still_ends_converted() {
    let settings = StoreSettings::default();
    let target = target_of(&settings, &[paid(at(3, 9), date(3, 3)), checkout(at(1, 9))]);
    let opportunity = target.opportunity.expect("opportunity");
    assert_eq!((opportunity.key.as_str(), opportunity.stage.as_str()), ("main:cart:77", "Closed Won"));
}

#[test]
fn a_mapped_status_stage_overrides_open_stages() {
    let mut settings = StoreSettings::default();
    settings.order_status_map.push(status_rule("processing", Some("Activated"), Some("Value Proposition")));
    let events = [checkout(at(1, 9)), placed(at(2, 10)), status("Processing", at(3, 9))];
    assert_eq!(stage_of(&settings, &events).as_deref(), Some("Value Proposition"));
    let with_payment = [placed(at(2, 10)), status("processing", at(3, 9)), paid(at(4, 9), date(3, 4))];
    assert_eq!(stage_of(&settings, &with_payment).as_deref(), Some("Closed Won"), "never reopened");
    let unmapped = [placed(at(2, 10)), status("holded", at(3, 9))];
    assert_eq!(stage_of(&settings, &unmapped).as_deref(), Some("Needs Analysis"));
}

#[test]
fn cancel_after_payment_closes_lost_and_cancels_the_order() {
    let target = target_of(&StoreSettings::default(), &whole_sale());
    assert_eq!(target.opportunity.map(|o| o.stage).as_deref(), Some("Closed Lost"));
    assert_eq!(target.order.map(|o| o.status).as_deref(), Some("Cancelled"));
}

#[test]
fn closed_opportunities_are_never_reopened_by_late_or_repeated_events() {
    let mut settings = StoreSettings::default();
    settings.order_status_map.push(status_rule("processing", Some("Activated"), Some("Value Proposition")));
    let converted = [placed(at(2, 10)), paid(at(3, 9), date(3, 3))];
    let mut late = converted.to_vec();
    late.extend([checkout(at(9, 9)), placed(at(9, 10)), status("processing", at(9, 11))]);
    assert_eq!(stage_of(&settings, &late).as_deref(), Some("Closed Won"));
    let reopened = [placed(at(2, 10)), status("canceled", at(3, 9)), status("processing", at(4, 9))];
    assert_eq!(stage_of(&settings, &reopened).as_deref(), Some("Closed Lost"));
    let target = target_of(&every_order(), &[placed(at(2, 10)), status("canceled", at(3, 9)), status("x", at(4, 9))]);
    assert_eq!(target.order.map(|o| o.status).as_deref(), Some("Cancelled"), "an unmapped status keeps it");
}

#[test]
fn every_ordering_of_the_sale_ends_in_the_same_target() {
    for settings in [StoreSettings::default(), every_order()] {
        let expected = target_of(&settings, &whole_sale());
        for ordering in permutations(&whole_sale()) {
            assert_eq!(target_of(&settings, &ordering), expected, "{ordering:?}");
        }
    }
}

#[test]
fn close_date_is_the_opening_date_plus_the_sales_cycle() {
    let mut settings = StoreSettings::default();
    for (days, expected) in [(1, date(3, 2)), (30, date(3, 31)), (365, ymd(2026, 3, 1))] {
        settings.sales_cycle_days = SalesCycleDays::parse(days).expect("valid");
        let close = target_of(&settings, &[checkout(at(1, 23))]).opportunity.map(|o| o.close_date);
        assert_eq!(close, Some(expected), "{days} days");
    }
    assert_eq!(close_date(date(12, 31), 3650), ymd(2035, 12, 29));
    assert_eq!(close_date(chrono::NaiveDate::MAX, 1), chrono::NaiveDate::MAX);
}

#[test]
fn invoice_date_becomes_the_close_date_of_a_converted_opportunity() {
    let mut settings = StoreSettings { invoice_date_as_close_date: true, ..StoreSettings::default() };
    let events = [checkout(at(1, 9)), placed(at(2, 10)), paid(at(3, 9), date(3, 4))];
    let close = |settings: &StoreSettings, events: &[LifecycleEvent]| {
        target_of(settings, events).opportunity.map(|o| o.close_date)
    };
    assert_eq!(close(&settings, &events), Some(date(3, 4)));
    assert_eq!(close(&settings, &events[..2]), Some(date(3, 31)), "not before payment");
    settings.convert_opportunity.enabled = false;
    assert_eq!(close(&settings, &events), Some(date(3, 31)), "not without conversion");
    assert_eq!(close(&StoreSettings::default(), &events), Some(date(3, 31)), "not when off");
}

#[test]
fn closed_stages_come_from_the_caller_or_the_settings() {
    let mut settings = StoreSettings::default();
    settings.order_status_map.push(status_rule("refunded", None, Some("Closed - Refunded")));
    let defaults = ClosedStages::defaults(&settings);
    for closed in ["Closed Won", "Closed Lost", "Closed - Refunded"] {
        assert!(defaults.contains(closed), "{closed}");
    }
    assert!(!defaults.contains("Needs Analysis"));
    settings.convert_opportunity.converted_stage = picklist("Won");
    let org = ClosedStages::new(["Won"]);
    let events = [placed(at(2, 10)), paid(at(3, 9), date(3, 3)), checkout(at(4, 9))];
    let stage = stage(&settings, &facts(&events), &org);
    assert_eq!(stage.as_deref(), Some("Won"));
    assert!(ClosedStages::defaults(&settings).contains("Won"));
}

/// A date in any year (the fixtures' `date` is in 2025).
fn ymd(year: i32, month: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(year, month, day).expect("valid date")
}
