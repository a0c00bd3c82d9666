//! The store settings that shape a sale in Salesforce, end to end: when the
//! Order is created, whether Opportunities and contact roles are, the stages
//! along the way, the CloseDate, the order status map (and that nothing
//! reopens a closed Opportunity), the integration mode, and a payment that
//! arrives before its checkout and order. Each asserts what the sandbox holds.

use forcesync::pb::{self, get_sync_status_request::Entity};
use serde_json::Value;

use crate::helpers::sync::{SyncSetup, by_order, checkout, connected_store_with, field, jane, order, payment};
use crate::helpers::test_engine;

const ORDER: &str = "100000123";

async fn store(settings: pb::StoreSettings, paths: Vec<&str>) -> SyncSetup {
    connected_store_with(test_engine(), settings, paths).await
}

fn cart() -> Entity {
    Entity::CartId("77".into())
}

/// Starts checkout for cart 77 and waits until it is written.
async fn start(setup: &SyncSetup) {
    setup.sync().start_checkout(checkout("e1", "77", jane(), 1)).await.expect("checkout");
    setup.caught_up(cart()).await;
}

/// Places order 100000123 from cart 77 and waits until it is written.
async fn place(setup: &SyncSetup) {
    setup.sync().place_order(order("e2", ORDER, "77", jane(), 2)).await.expect("order");
    setup.caught_up(by_order(ORDER)).await;
}

/// Pays order 100000123 (invoice of 2025-03-04) and waits until it is written.
async fn pay(setup: &SyncSetup) {
    setup.sync().record_payment(payment("e3", ORDER, "2025-03-04", 3)).await.expect("payment");
    let status = setup.caught_up(by_order(ORDER)).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
}

/// The sale's only Opportunity.
async fn opportunity(setup: &SyncSetup) -> Value {
    let mut all = setup.records("Opportunity").await;
    assert_eq!(all.len(), 1, "{all:?}");
    all.remove(0)
}

async fn count(setup: &SyncSetup, object: &str) -> usize {
    setup.records(object).await.len()
}

#[tokio::test]
async fn stages_follow_the_sale_and_a_paid_only_order_waits_for_payment() {
    let settings = pb::StoreSettings {
        abandoned_cart_stage: "Qualification".into(),
        draft_stage: "Perception Analysis".into(),
        ..Default::default()
    };
    let setup = store(settings, vec!["abandoned_cart_stage", "draft_stage"]).await;
    start(&setup).await;
    assert_eq!(field(&opportunity(&setup).await, "StageName"), "Qualification", "abandoned cart stage");
    place(&setup).await;
    assert_eq!(field(&opportunity(&setup).await, "StageName"), "Perception Analysis", "draft stage");
    assert_eq!(count(&setup, "Order").await, 0, "PAID_ONLY (the default): no Order before payment");
    pay(&setup).await;
    let opportunity = opportunity(&setup).await;
    assert_eq!(field(&opportunity, "StageName"), "Closed Won", "converted stage");
    let orders = setup.records("Order").await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(field(&orders[0], "Status"), "Draft");
    assert_eq!(field(&orders[0], "OpportunityId"), field(&opportunity, "Id"));
    assert_eq!(count(&setup, "OrderItem").await, 3);
}

#[tokio::test]
async fn every_order_creates_a_draft_order_once_placed() {
    let settings = pb::StoreSettings { create_order: pb::CreateOrderMode::EveryOrder as i32, ..Default::default() };
    let setup = store(settings, vec!["create_order"]).await;
    start(&setup).await;
    assert_eq!(count(&setup, "Order").await, 0, "a cart is no order");
    place(&setup).await;
    let orders = setup.records("Order").await;
    assert_eq!(orders.len(), 1, "{orders:?}");
    assert_eq!(field(&orders[0], "Status"), "Draft");
    assert_eq!(field(&orders[0], "OpportunityId"), field(&opportunity(&setup).await, "Id"));
    assert_eq!(count(&setup, "OrderItem").await, 3);
    pay(&setup).await;
    assert_eq!((count(&setup, "Order").await, count(&setup, "OrderItem").await), (1, 3), "still one Order");
}

#[tokio::test]
async fn never_creates_no_order_even_when_paid() {
    let settings = pb::StoreSettings { create_order: pb::CreateOrderMode::Never as i32, ..Default::default() };
    let setup = store(settings, vec!["create_order"]).await;
    start(&setup).await;
    place(&setup).await;
    pay(&setup).await;
    assert_eq!(field(&opportunity(&setup).await, "StageName"), "Closed Won");
    assert_eq!((count(&setup, "Order").await, count(&setup, "OrderItem").await), (0, 0));
}

#[tokio::test]
async fn no_opportunity_when_create_opportunity_is_never() {
    let never = pb::CreateOpportunityMode::Never as i32;
    let setup =
        store(pb::StoreSettings { create_opportunity: never, ..Default::default() }, vec!["create_opportunity"]).await;
    start(&setup).await;
    place(&setup).await;
    pay(&setup).await;
    assert_eq!((count(&setup, "Opportunity").await, count(&setup, "OpportunityContactRole").await), (0, 0));
    let (accounts, orders) = (setup.records("Account").await, setup.records("Order").await);
    assert_eq!((accounts.len(), count(&setup, "Contact").await, orders.len()), (1, 1, 1));
    assert_eq!(field(&orders[0], "OpportunityId"), "", "{:?}", orders[0]);
    assert_eq!(field(&orders[0], "AccountId"), field(&accounts[0], "Id"));
}

#[tokio::test]
async fn contact_roles_off_write_no_role() {
    let roles = pb::ContactRoleSettings { enabled: false, role: "Decision Maker".into() };
    let setup =
        store(pb::StoreSettings { contact_roles: Some(roles), ..Default::default() }, vec!["contact_roles"]).await;
    start(&setup).await;
    place(&setup).await;
    assert_eq!(count(&setup, "Opportunity").await, 1);
    assert_eq!(count(&setup, "OpportunityContactRole").await, 0);
}

#[tokio::test]
async fn a_custom_contact_role_is_used() {
    let roles = pb::ContactRoleSettings { enabled: true, role: "Economic Buyer".into() };
    let setup =
        store(pb::StoreSettings { contact_roles: Some(roles), ..Default::default() }, vec!["contact_roles"]).await;
    start(&setup).await;
    let roles = setup.records("OpportunityContactRole").await;
    assert_eq!(roles.len(), 1, "{roles:?}");
    assert_eq!(field(&roles[0], "Role"), "Economic Buyer");
    assert_eq!(field(&roles[0], "ContactId"), field(&setup.records("Contact").await[0], "Id"));
}

#[tokio::test]
async fn without_conversion_a_paid_opportunity_stays_in_the_draft_stage() {
    let convert = pb::ConvertOpportunitySettings { enabled: false, converted_stage: "Closed Won".into() };
    let settings = pb::StoreSettings { convert_opportunity: Some(convert), ..Default::default() };
    let setup = store(settings, vec!["convert_opportunity"]).await;
    start(&setup).await;
    place(&setup).await;
    pay(&setup).await;
    assert_eq!(field(&opportunity(&setup).await, "StageName"), "Needs Analysis");
    assert_eq!(count(&setup, "Order").await, 1, "the paid order is still created");
}

#[tokio::test]
async fn close_date_is_opened_plus_the_sales_cycle() {
    let setup = store(pb::StoreSettings { sales_cycle_days: 10, ..Default::default() }, vec!["sales_cycle_days"]).await;
    start(&setup).await;
    assert_eq!(field(&opportunity(&setup).await, "CloseDate"), "2025-03-11", "opened 2025-03-01 plus 10 days");
    place(&setup).await;
    pay(&setup).await;
    assert_eq!(field(&opportunity(&setup).await, "CloseDate"), "2025-03-11", "the invoice date is not used");
}

#[tokio::test]
async fn the_invoice_date_becomes_the_close_date() {
    let settings = pb::StoreSettings { invoice_date_as_close_date: true, ..Default::default() };
    let setup = store(settings, vec!["invoice_date_as_close_date"]).await;
    start(&setup).await;
    place(&setup).await;
    assert_eq!(field(&opportunity(&setup).await, "CloseDate"), "2025-03-31", "not paid yet: the sales cycle");
    pay(&setup).await;
    assert_eq!(field(&opportunity(&setup).await, "CloseDate"), "2025-03-04");
}

#[tokio::test]
async fn a_cancel_closes_lost_and_no_late_event_reopens_it() {
    let rule = |store_status: &str, order_status: &str, stage: &str| pb::OrderStatusMapping {
        store_status: store_status.into(),
        order_status: order_status.into(),
        opportunity_stage: stage.into(),
    };
    let map = vec![rule("canceled", "Cancelled", "Closed Lost"), rule("processing", "", "Value Proposition")];
    let setup =
        store(pb::StoreSettings { order_status_map: map, ..Default::default() }, vec!["order_status_map"]).await;
    start(&setup).await;
    place(&setup).await;
    pay(&setup).await;
    let status = |event_id: &str, status: &str, day| pb::UpdateOrderStatusRequest {
        event_id: event_id.into(),
        order_id: ORDER.into(),
        status: status.into(),
        occur_time: crate::helpers::sync::at(day),
    };
    let mut sync = setup.sync();
    sync.update_order_status(status("e4", "canceled", 4)).await.expect("cancel");
    setup.caught_up(by_order(ORDER)).await;
    let orders = setup.records("Order").await;
    assert_eq!(field(&opportunity(&setup).await, "StageName"), "Closed Lost");
    assert_eq!((orders.len(), field(&orders[0], "Status")), (1, "Cancelled"));

    // A later "processing" (mapped to an open stage) and the payment sent again.
    sync.update_order_status(status("e5", "processing", 5)).await.expect("processing");
    sync.record_payment(payment("e6", ORDER, "2025-03-06", 6)).await.expect("payment again");
    let settled = setup.caught_up(by_order(ORDER)).await;
    assert_eq!(settled.state, pb::SyncState::Synced as i32, "{settled:?}");
    let orders = setup.records("Order").await;
    assert_eq!(field(&opportunity(&setup).await, "StageName"), "Closed Lost", "a closed Opportunity stays closed");
    assert_eq!((orders.len(), field(&orders[0], "Status")), (1, "Cancelled"));
}

/// The sandbox's records without the values each org picks (Ids, audit fields).
async fn comparable(setup: &SyncSetup) -> Vec<(String, Vec<Value>)> {
    let objects = ["Account", "Contact", "Opportunity", "OpportunityContactRole", "Order", "OrderItem"];
    let audit = ["CreatedDate", "LastModifiedDate", "SystemModstamp", "OrderNumber", "attributes"];
    let mut out = Vec::new();
    for object in objects {
        let mut records: Vec<Value> = setup.records(object).await;
        for record in &mut records {
            if let Value::Object(fields) = record {
                fields.retain(|name, _| !name.ends_with("Id") && !audit.contains(&name.as_str()));
            }
        }
        records.sort_by_key(|record| field(record, "ForceSync_Key__c").to_owned());
        out.push((object.to_owned(), records));
    }
    out
}

#[tokio::test]
async fn bidirectional_mode_writes_the_same_records() {
    let mut seen = Vec::new();
    for mode in [pb::IntegrationMode::StoreToSalesforce, pb::IntegrationMode::Bidirectional] {
        let setup =
            store(pb::StoreSettings { integration_mode: mode as i32, ..Default::default() }, vec!["integration_mode"])
                .await;
        start(&setup).await;
        place(&setup).await;
        pay(&setup).await;
        seen.push(comparable(&setup).await);
    }
    assert!(seen[0].iter().all(|(_, records)| !records.is_empty()), "{:?}", seen[0]);
    assert_eq!(seen[0], seen[1]);
}

#[tokio::test]
async fn a_payment_before_its_checkout_and_order_waits_then_closes_won() {
    let setup = store(pb::StoreSettings::default(), Vec::new()).await;
    let mut sync = setup.sync();
    sync.record_payment(payment("e3", ORDER, "2025-03-04", 3)).await.expect("payment");
    let waiting = setup.reaches(by_order(ORDER), pb::SyncState::Waiting).await;
    assert!(!waiting.waiting_reason.is_empty(), "{waiting:?}");
    assert_eq!(count(&setup, "Opportunity").await, 0, "nothing is written without a buyer");

    sync.start_checkout(checkout("e1", "77", jane(), 1)).await.expect("checkout");
    sync.place_order(order("e2", ORDER, "77", jane(), 2)).await.expect("order");
    let status = setup.caught_up(by_order(ORDER)).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    assert!(status.aliases.contains(&"cart:77".to_owned()), "{:?}", status.aliases);
    assert_eq!(status.event_count, 3, "every event of the sale is applied to it");
    assert_eq!(setup.settled(cart()).await.aliases, status.aliases, "one sale, found by either alias");
    let opportunity = opportunity(&setup).await;
    assert_eq!(field(&opportunity, "StageName"), "Closed Won");
    assert_eq!(field(&opportunity, "CloseDate"), "2025-03-31", "opened on the checkout's day");
    assert_eq!((count(&setup, "Order").await, count(&setup, "OpportunityContactRole").await), (1, 1));
}
