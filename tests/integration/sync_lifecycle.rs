//! The sale lifecycle end to end: events through the Sync API, the engine
//! writing to the in-process sandbox, and what the sandbox then holds.

use forcesync::pb;
use serde_json::Value;

use crate::helpers::sync::{by_order, checkout, connected_store, jane, order, payment};

fn field<'a>(record: &'a Value, name: &str) -> &'a str {
    record.get(name).and_then(Value::as_str).unwrap_or_default()
}

#[tokio::test]
async fn cart_order_and_payment_leave_exactly_one_of_each_record() {
    let setup = connected_store().await;
    let mut sync = setup.sync();
    sync.start_checkout(checkout("e1", "77", jane(), 1)).await.expect("checkout");
    sync.place_order(order("e2", "100000123", "77", jane(), 2)).await.expect("order");
    sync.record_payment(payment("e3", "100000123", "2025-03-04", 3)).await.expect("payment");

    let status = setup.settled(by_order("100000123")).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");

    let accounts = setup.records("Account").await;
    let contacts = setup.records("Contact").await;
    let opportunities = setup.records("Opportunity").await;
    let roles = setup.records("OpportunityContactRole").await;
    let orders = setup.records("Order").await;
    let items = setup.records("OrderItem").await;
    assert_eq!((accounts.len(), contacts.len(), opportunities.len(), roles.len()), (1, 1, 1, 1));
    assert_eq!((orders.len(), items.len()), (1, 3));

    let (account, contact, opportunity, order) = (&accounts[0], &contacts[0], &opportunities[0], &orders[0]);
    assert_eq!(field(account, "Name"), "Jane Doe");
    assert_eq!(field(contact, "Email"), "jane@example.com");
    assert_eq!(field(contact, "AccountId"), field(account, "Id"));
    assert_eq!(field(opportunity, "StageName"), "Closed Won");
    assert_eq!(field(opportunity, "CloseDate"), "2025-03-31", "opened 2025-03-01 plus the 30-day sales cycle");
    assert_eq!(field(opportunity, "AccountId"), field(account, "Id"));
    assert_eq!(field(&roles[0], "Role"), "Decision Maker");
    assert_eq!(field(&roles[0], "ContactId"), field(contact, "Id"));
    assert_eq!(field(&roles[0], "OpportunityId"), field(opportunity, "Id"));
    assert_eq!(field(order, "OpportunityId"), field(opportunity, "Id"));
    assert_eq!(field(order, "AccountId"), field(account, "Id"));
    assert!(items.iter().all(|item| field(item, "OrderId") == field(order, "Id")));
    let ids: Vec<&str> = status.records.iter().map(|r| r.object.as_str()).collect();
    assert!(ids.contains(&"Opportunity") && ids.contains(&"Order"), "{ids:?}");
}
