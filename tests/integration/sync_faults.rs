//! Correctness under Salesforce faults and limits, end to end: sales synced
//! while the sandbox injects 500s, 503s, dropped connections, writes committed
//! with their answer lost, row locks and expired sessions (each alone and all
//! together), and while the daily API allocation is spent and then restored.
//! Every test ends with the sandbox holding exactly one Account, Contact,
//! Opportunity (Closed Won), contact role and Order with its three items per
//! sale: no duplicates. The sale builders and the exact-records check are
//! shared with `sync_restart`.

use std::collections::BTreeMap;
use std::time::Duration;

use forcesync::pb::{self, get_sync_status_request::Entity};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::sync::{SyncSetup, checkout, connected_store, order, payment};

/// Longest wait for an outcome; tests go on as soon as it is there.
pub const PATIENCE: Duration = Duration::from_secs(90);

/// The buyer of sale `n`: a customer of their own.
pub fn buyer(n: u32) -> pb::Customer {
    pb::Customer {
        customer_id: format!("{}", 500 + n),
        email: format!("buyer{n}@example.com"),
        first_name: "Buyer".into(),
        last_name: format!("Number{n}"),
        phone: String::new(),
        ..Default::default()
    }
}

pub fn cart_id(n: u32) -> String {
    format!("{}", 700 + n)
}

pub fn order_id(n: u32) -> String {
    format!("1000005{n:02}")
}

/// Sale `n`'s checkout request (its first event).
pub fn sale_checkout(n: u32) -> pb::StartCheckoutRequest {
    checkout(&format!("s{n}-checkout"), &cart_id(n), buyer(n), 1)
}

/// Sale `n`'s order request (its second event).
pub fn sale_order(n: u32) -> pb::PlaceOrderRequest {
    order(&format!("s{n}-order"), &order_id(n), &cart_id(n), buyer(n), 2)
}

/// Sale `n`'s payment request (its third event).
pub fn sale_payment(n: u32) -> pb::RecordPaymentRequest {
    payment(&format!("s{n}-paid"), &order_id(n), "2025-03-04", 3)
}

/// Sale `n`'s checkout as a SubmitEvents entry.
pub fn checkout_event(n: u32) -> pb::SyncEvent {
    pb::SyncEvent { event: Some(pb::sync_event::Event::Checkout(sale_checkout(n))) }
}

/// Sale `n`'s order and payment as SubmitEvents entries.
pub fn order_events(n: u32) -> [pb::SyncEvent; 2] {
    use pb::sync_event::Event;
    [
        pb::SyncEvent { event: Some(Event::Order(sale_order(n))) },
        pb::SyncEvent { event: Some(Event::Payment(sale_payment(n))) },
    ]
}

/// Sale `n`'s checkout (its first event).
pub async fn start_sale(setup: &SyncSetup, n: u32) {
    setup.sync().start_checkout(sale_checkout(n)).await.expect("checkout");
}

/// Sale `n`'s order and payment (its second and third events).
pub async fn finish_sale(setup: &SyncSetup, n: u32) {
    let mut sync = setup.sync();
    sync.place_order(sale_order(n)).await.expect("order");
    sync.record_payment(sale_payment(n)).await.expect("payment");
}

/// Polls until each entity is SYNCED with `events` events applied; fails at once if one is parked.
pub async fn synced(setup: &SyncSetup, entities: impl IntoIterator<Item = Entity>, events: i64) {
    let mut client = setup.sync();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    for entity in entities {
        loop {
            let request = pb::GetSyncStatusRequest { entity: Some(entity.clone()) };
            let status = client.get_sync_status(request).await.map(tonic::Response::into_inner).ok();
            if let Some(status) = &status {
                assert_ne!(status.state, pb::SyncState::Parked as i32, "{entity:?} parked: {status:?}");
                if status.state == pb::SyncState::Synced as i32 && status.event_count == events {
                    break;
                }
            }
            assert!(tokio::time::Instant::now() < deadline, "{entity:?} not synced after {PATIENCE:?}: {status:?}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

pub fn carts(sales: std::ops::Range<u32>) -> impl Iterator<Item = Entity> {
    sales.map(|n| Entity::CartId(cart_id(n)))
}

pub fn orders(sales: std::ops::Range<u32>) -> impl Iterator<Item = Entity> {
    sales.map(|n| Entity::OrderId(order_id(n)))
}

fn text<'a>(record: &'a Value, name: &str) -> &'a str {
    record.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// The sandbox holds exactly sales `0..sales`, each paid: one Account,
/// Contact, Closed Won Opportunity, contact role and Order with its three
/// items per sale, linked to each other; and three products with one entry each.
pub async fn assert_exact_sales(setup: &SyncSetup, sales: u32) {
    let dump = setup.sandbox.control(Method::GET, "/dump", None).await;
    let all = |object: &str| dump.get(object).and_then(Value::as_array).cloned().unwrap_or_default();
    let expected: [(&str, u32); 8] = [
        ("Account", sales),
        ("Contact", sales),
        ("Opportunity", sales),
        ("OpportunityContactRole", sales),
        ("Order", sales),
        ("OrderItem", 3 * sales),
        ("Product2", 3),
        ("PricebookEntry", 3),
    ];
    let counts: Vec<(&str, usize)> = expected.iter().map(|(object, _)| (*object, all(object).len())).collect();
    let wanted: Vec<(&str, usize)> = expected.iter().map(|(object, n)| (*object, *n as usize)).collect();
    assert_eq!(counts, wanted, "records in the sandbox");

    let only = |object: &str, field: &str, value: &str| -> Value {
        let found: Vec<Value> = all(object).into_iter().filter(|r| text(r, field) == value).collect();
        assert_eq!(found.len(), 1, "{object} with {field} = {value}: {found:?}");
        found.into_iter().next().unwrap_or_default()
    };
    for n in 0..sales {
        let account = only("Account", "Name", &format!("Buyer Number{n}"));
        let contact = only("Contact", "Email", &format!("buyer{n}@example.com"));
        assert_eq!(text(&contact, "AccountId"), text(&account, "Id"), "sale {n}");
        let opportunity = only("Opportunity", "AccountId", text(&account, "Id"));
        assert_eq!(text(&opportunity, "StageName"), "Closed Won", "sale {n}");
        let role = only("OpportunityContactRole", "OpportunityId", text(&opportunity, "Id"));
        assert_eq!(text(&role, "ContactId"), text(&contact, "Id"), "sale {n}");
        let order = only("Order", "OpportunityId", text(&opportunity, "Id"));
        assert_eq!(text(&order, "AccountId"), text(&account, "Id"), "sale {n}");
        let items: Vec<Value> =
            all("OrderItem").into_iter().filter(|i| text(i, "OrderId") == text(&order, "Id")).collect();
        let mut entries: Vec<&str> = items.iter().map(|i| text(i, "PricebookEntryId")).collect();
        entries.sort_unstable();
        entries.dedup();
        assert_eq!((items.len(), entries.len()), (3, 3), "sale {n}: one item per product: {items:?}");
    }
}

pub async fn counters(setup: &SyncSetup) -> Value {
    setup.sandbox.control(Method::GET, "/counters", None).await
}

pub fn count(counters: &Value, pointer: &str) -> u64 {
    counters.pointer(pointer).and_then(Value::as_u64).unwrap_or_default()
}

/// Makes the sandbox's next matching calls fail with each `(kind, count)`, in order.
pub async fn queue_faults(setup: &SyncSetup, faults: &[(&str, usize)]) {
    for (kind, count) in faults {
        setup.sandbox.control(Method::POST, "/faults/queue", Some(json!({ "kind": kind, "count": count }))).await;
    }
}

/// Sale 0 synced without faults (so the price book, products and entries
/// exist and later requests are the sales' own), then sales 1–5: their
/// checkouts with `faults` queued (their first calls look Contacts up by
/// email), then their orders and payments with `faults` queued again (their
/// first calls are the composite graphs that create the Orders and items).
/// Every queued fault must have been injected.
/// Returns the sandbox's counters after sale 0 and at the end.
pub async fn five_sales_under(setup: &SyncSetup, faults: &[(&str, usize)]) -> (Value, Value) {
    start_sale(setup, 0).await;
    finish_sale(setup, 0).await;
    synced(setup, orders(0..1), 3).await;
    let before = counters(setup).await;

    queue_faults(setup, faults).await;
    for n in 1..6 {
        start_sale(setup, n).await;
    }
    synced(setup, carts(1..6), 1).await;
    queue_faults(setup, faults).await;
    for n in 1..6 {
        finish_sale(setup, n).await;
    }
    synced(setup, orders(0..6), 3).await;

    let after = every_fault_injected_twice(setup, faults).await;
    assert_exact_sales(setup, 6).await;
    (before, after)
}

/// Asserts that the sandbox injected each of `faults` twice (queued once per
/// round of five sales); returns its counters.
pub async fn every_fault_injected_twice(setup: &SyncSetup, faults: &[(&str, usize)]) -> Value {
    let after = counters(setup).await;
    let mut queued: BTreeMap<&str, u64> = BTreeMap::new();
    for (kind, count) in faults {
        *queued.entry(kind).or_default() += 2 * *count as u64;
    }
    for (kind, times) in queued {
        assert_eq!(count(&after, &format!("/faults_injected/{kind}")), times, "{kind} injected: {after}");
    }
    after
}

#[tokio::test]
async fn http_500s_are_retried_without_duplicates() {
    five_sales_under(&connected_store().await, &[("http_500", 2)]).await;
}

#[tokio::test]
async fn http_503s_are_retried_without_duplicates() {
    five_sales_under(&connected_store().await, &[("http_503", 2)]).await;
}

#[tokio::test]
async fn dropped_connections_are_retried_without_duplicates() {
    five_sales_under(&connected_store().await, &[("drop_connection", 2)]).await;
}

#[tokio::test]
async fn row_locks_are_retried_without_duplicates() {
    five_sales_under(&connected_store().await, &[("unable_to_lock_row", 2)]).await;
}

#[tokio::test]
async fn an_expired_session_logs_in_again() {
    let (before, after) = five_sales_under(&connected_store().await, &[("expire_session", 2)]).await;
    let logins = count(&after, "/calls/soap") - count(&before, "/calls/soap");
    let expired = count(&after, "/faults_injected/expire_session");
    assert!(logins >= expired, "a login after each of the {expired} expired sessions: {logins}");
}

#[tokio::test]
async fn every_fault_at_once_leaves_exact_records() {
    let faults = [
        ("http_500", 1),
        ("timeout_after_commit", 1),
        ("drop_connection", 1),
        ("unable_to_lock_row", 1),
        ("http_503", 1),
        ("expire_session", 1),
        ("timeout_after_commit", 2),
    ];
    five_sales_under(&connected_store().await, &faults).await;
}

/// Records an attempt made without recording them (its answer lost, its worker
/// gone before the outcome was written) already exist under forcesync's keys:
/// the sale adopts them and updates them without the fields Salesforce takes
/// only on create (the contact role's OpportunityId); nothing is parked and
/// nothing duplicated.
#[tokio::test]
async fn records_made_by_an_unrecorded_attempt_are_updated_without_create_only_fields() {
    let setup = connected_store().await;
    let session = setup.sandbox.session().await;
    let create = async |object: &str, body: Value| -> String {
        let (status, _, reply) =
            setup.sandbox.rest(Method::POST, &format!("sobjects/{object}"), &session, Some(body)).await;
        assert_eq!(status, reqwest::StatusCode::CREATED, "{object}: {reply}");
        reply["id"].as_str().expect("id").to_owned()
    };
    let account = create("Account", json!({"Name": "Jane Doe", "ForceSync_Key__c": "main:customer:42"})).await;
    let contact = create(
        "Contact",
        json!({"LastName": "Doe", "Email": "jane@example.com", "AccountId": account, "ForceSync_Key__c": "main:customer:42"}),
    )
    .await;
    let opportunity = create(
        "Opportunity",
        json!({"Name": "Cart 77", "StageName": "Prospecting", "CloseDate": "2025-04-01", "AccountId": account,
               "ForceSync_Key__c": "main:cart:77"}),
    )
    .await;
    create(
        "OpportunityContactRole",
        json!({"OpportunityId": opportunity, "ContactId": contact, "Role": "Decision Maker",
               "ForceSync_Key__c": "main:cart:77:role"}),
    )
    .await;

    setup.sync().start_checkout(checkout("e1", "77", crate::helpers::sync::jane(), 1)).await.expect("checkout");
    let status = setup.caught_up(Entity::CartId("77".into())).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "not parked: {status:?}");
    assert_eq!(setup.sale_records().await, [1, 1, 1, 1, 0, 0], "nothing duplicated");
}
