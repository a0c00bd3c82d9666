//! Facts are a join-semilattice: order, grouping and repeats do not matter.

use super::fixtures::*;
use super::*;

#[test]
fn every_ordering_of_the_sale_gives_the_same_facts() {
    let events = whole_sale();
    let expected = facts(&events);
    let orderings = permutations(&events);
    assert_eq!(orderings.len(), 24);
    for ordering in orderings {
        assert_eq!(facts(&ordering), expected, "{ordering:?}");
        let mut repeated = ordering.clone();
        repeated.extend(ordering.iter().rev().cloned());
        repeated.push(ordering[0].clone());
        assert_eq!(facts(&repeated), expected, "repeated {ordering:?}");
    }
}

#[test]
fn merge_is_commutative_associative_and_idempotent() {
    assert_grouping_does_not_matter(&whole_sale(), &facts(&whole_sale()));
}

#[test]
fn order_data_supersede_cart_data_even_from_a_later_checkout() {
    let facts = facts(&[placed(at(2, 10)), checkout(at(9, 9))]);
    let basket = facts.basket().expect("basket");
    assert_eq!((basket.total, basket.items.len()), (money(4549), 2));
    assert_eq!((facts.cart_id(), facts.order_id()), (Some(CART), Some(ORDER)));
    assert_eq!(facts.checkout_at(), Some(at(9, 9)));
}

#[test]
fn among_checkouts_the_later_one_wins_and_the_earliest_time_is_kept() {
    let later = LifecycleEvent::CheckoutStarted {
        cart_id: CART.into(),
        customer: jane(),
        items: vec![item("WB-01", 3.0, 1999)],
        total: money(5997),
        at: at(2, 8),
    };
    for ordering in permutations(&[checkout(at(1, 9)), later]) {
        let facts = facts(&ordering);
        assert_eq!(facts.basket().map(|b| b.total), Some(money(5997)));
        assert_eq!(facts.checkout_at(), Some(at(1, 9)));
        assert_eq!(facts.opened_on(), Some(date(3, 1)));
    }
}

#[test]
fn the_first_payment_wins_and_ties_go_to_the_lower_invoice_id() {
    let payment = |invoice: &str, when| {
        let payment = Payment { invoice_id: invoice.into(), paid_on: date(3, 3), amount: money(100) };
        LifecycleEvent::OrderPaid { order_id: ORDER.into(), payment, at: when }
    };
    let events = [payment("INV-9", at(3, 9)), payment("INV-2", at(4, 9)), payment("INV-5", at(3, 9))];
    for ordering in permutations(&events) {
        assert_eq!(facts(&ordering).payment().map(|p| p.invoice_id.as_str()), Some("INV-5"));
    }
}

#[test]
fn the_latest_status_wins_and_ties_are_broken_by_the_status() {
    let events = [status("processing", at(3, 9)), status("canceled", at(4, 9)), status("holded", at(2, 9))];
    for ordering in permutations(&events) {
        assert_eq!(facts(&ordering).latest_status(), Some("canceled"));
    }
    let tied = [status("complete", at(3, 9)), status("closed", at(3, 9))];
    for ordering in permutations(&tied) {
        assert_eq!(facts(&ordering).latest_status(), Some("complete"));
    }
    let again = facts(&[status("processing", at(3, 9)), status("canceled", at(4, 9)), status("processing", at(5, 9))]);
    assert_eq!(again.latest_status(), Some("processing"), "a status seen again is current again");
}

#[test]
fn opened_on_is_the_earliest_event_date() {
    let facts = facts(&[paid(at(7, 23), date(3, 7)), status("processing", at(4, 1)), placed(at(5, 10))]);
    assert_eq!(facts.opened_on(), Some(date(3, 4)));
    assert_eq!(LifecycleFacts::default().opened_on(), None);
}

#[test]
fn facts_round_trip_through_json() {
    let facts = facts(&whole_sale());
    let json = serde_json::to_string(&facts).expect("serialize");
    assert_eq!(serde_json::from_str::<LifecycleFacts>(&json).expect("deserialize"), facts);
}

#[test]
fn money_and_customer_keys() {
    assert_eq!(Money { minor: 1999, exponent: 2 }.to_f64(), 19.99);
    assert_eq!(Money { minor: -5, exponent: 0 }.to_f64(), -5.0);
    assert_eq!(Customer::key_for(Some("42"), "x@y.z"), "42");
    assert_eq!(Customer::key_for(None, " Jane@Example.COM "), "guest:jane@example.com");
}
