//! A registered customer's Account and Contact are kept by the customer's own
//! saves. A sale carries a copy of its customer as it was when the sale
//! happened; once the customer's own entity has written the records, the
//! sale does not send that copy again: it would put older values back (the
//! sale syncs after its customer, so it would always win) and spend two
//! records of every order's graph. A sale whose customer has no entity of its
//! own (a guest) still writes them.

use forcesync::pb::{self, get_sync_status_request::Entity, sync_event::Event};

use crate::helpers::sync::{by_order, checkout, connected_store, customer_save, field, jane, order, payment};

const ORDER: &str = "100000123";

fn event(event: Event) -> pb::SyncEvent {
    pb::SyncEvent { event: Some(event) }
}

/// Jane with her phone changed after the sale.
fn jane_moved() -> pb::Customer {
    pb::Customer { phone: "+1 555 0199".into(), ..jane() }
}

#[tokio::test]
async fn a_sale_synced_after_a_newer_customer_save_leaves_the_customers_records_as_the_save_wrote_them() {
    let setup = connected_store().await;
    let events = vec![
        event(Event::Customer(customer_save("c1", jane()))),
        event(Event::Checkout(checkout("e1", "77", jane(), 1))),
        event(Event::Order(order("e2", ORDER, "77", jane(), 2))),
        event(Event::Payment(payment("e3", ORDER, "2025-03-04", 3))),
        event(Event::Customer(customer_save("c2", jane_moved()))),
    ];
    setup.sync().submit_events(pb::SubmitEventsRequest { events }).await.expect("submit");

    let sale = setup.caught_up(by_order(ORDER)).await;
    assert_eq!(sale.state, pb::SyncState::Synced as i32, "{sale:?}");
    let customer = setup.settled(Entity::CustomerId("42".into())).await;
    assert_eq!(customer.state, pb::SyncState::Synced as i32, "{customer:?}");

    let contacts = setup.records("Contact").await;
    let accounts = setup.records("Account").await;
    assert_eq!((contacts.len(), accounts.len()), (1, 1), "{contacts:?} {accounts:?}");
    assert_eq!(field(&contacts[0], "Phone"), "+1 555 0199", "the customer's latest save: {:?}", contacts[0]);
    assert_eq!(field(&accounts[0], "Phone"), "+1 555 0199", "the customer's latest save: {:?}", accounts[0]);

    let sale_objects: Vec<&str> = sale.records.iter().map(|r| r.object.as_str()).collect();
    assert!(
        !sale_objects.contains(&"Account") && !sale_objects.contains(&"Contact"),
        "the customer's records are the customer's, not written by the sale: {sale_objects:?}"
    );
    assert_eq!(setup.sale_records().await, [1, 1, 1, 1, 1, 3]);
}

#[tokio::test]
async fn a_sale_writes_its_customer_when_no_customer_entity_has() {
    let setup = connected_store().await;
    let events = vec![
        event(Event::Checkout(checkout("e1", "77", jane(), 1))),
        event(Event::Order(order("e2", ORDER, "77", jane(), 2))),
    ];
    setup.sync().submit_events(pb::SubmitEventsRequest { events }).await.expect("submit");
    let sale = setup.caught_up(by_order(ORDER)).await;
    assert_eq!(sale.state, pb::SyncState::Synced as i32, "{sale:?}");
    let contacts = setup.records("Contact").await;
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    assert_eq!(field(&contacts[0], "Phone"), "+1 555 0100");

    // The customer's own save arrives later: it takes the records over, and the sale's next change leaves them.
    let mut sync = setup.sync();
    sync.upsert_customer(customer_save("c2", jane_moved())).await.expect("customer");
    setup.settled(Entity::CustomerId("42".into())).await;
    sync.record_payment(payment("e3", ORDER, "2025-03-04", 3)).await.expect("payment");
    let paid = setup.caught_up(by_order(ORDER)).await;
    assert_eq!(paid.state, pb::SyncState::Synced as i32, "{paid:?}");
    let contacts = setup.records("Contact").await;
    assert_eq!(field(&contacts[0], "Phone"), "+1 555 0199", "{:?}", contacts[0]);
    assert_eq!(setup.sale_records().await, [1, 1, 1, 1, 1, 3]);
}
