//! Bidirectional mode, continued: an order created in Salesforce is
//! downloaded once and complete, acknowledged with the store's number and
//! stamped, after which the store's own events for it update that same
//! Order; deletions; a late commit with an older SystemModstamp; a change
//! not acknowledged comes back with the same id; a store-to-Salesforce
//! store receives nothing.

use std::time::Duration;

use forcesync::pb::{self, ChangeKind, ConflictPolicy};
use reqwest::Method;
use serde_json::json;

use crate::changes::{Bidi, bidirectional, bidirectional_on, human_session, id};
use crate::helpers::postgres;
use crate::helpers::sync::{self, connected_store, customer_save, jane, payment};

/// A complete order made by a person in Salesforce: Account, Contact,
/// product with its standard price, Order with one line, activated.
async fn salesforce_order(b: &Bidi) -> String {
    let (sandbox, session) = (&b.setup.sandbox, &b.human);
    let account = sandbox.create(session, "Account", json!({"Name": "Globex", "Phone": "+1 555 0900"})).await;
    let contact =
        json!({"AccountId": account, "FirstName": "Hank", "LastName": "Scorpio", "Email": "hank@globex.test"});
    let contact = sandbox.create(session, "Contact", contact).await;
    let product = sandbox.create(session, "Product2", json!({"Name": "Hammock", "ProductCode": "HM-1"})).await;
    let (_, books) = sandbox.query(session, "SELECT Id FROM Pricebook2 WHERE IsStandard = true").await;
    let book = books["records"][0]["Id"].as_str().expect("standard book").to_owned();
    let entry = json!({"Pricebook2Id": book, "Product2Id": product, "UnitPrice": 120, "IsActive": true});
    let entry = sandbox.create(session, "PricebookEntry", entry).await;
    let order = json!({"AccountId": account, "EffectiveDate": chrono::Utc::now().format("%Y-%m-%d").to_string(),
        "Status": "Draft", "Pricebook2Id": book, "BillToContactId": contact, "ShippingCity": "Cypress Creek"});
    let order = sandbox.create(session, "Order", order).await;
    let line = json!({"OrderId": order, "PricebookEntryId": entry, "Quantity": 2, "UnitPrice": 120});
    sandbox.create(session, "OrderItem", line).await;
    b.edit("Order", &order, json!({"Status": "Activated"})).await;
    order
}

#[tokio::test]
async fn an_order_made_in_salesforce_is_downloaded_once_and_the_stores_events_update_it() {
    order_download(None).await;
}

#[tokio::test]
async fn an_order_made_in_salesforce_is_downloaded_once_and_the_stores_events_update_it_on_postgres() {
    let Some(url) = postgres::fresh_database().await else { return };
    order_download(Some(url)).await;
}

async fn order_download(database_url: Option<String>) {
    let b = bidirectional_on(database_url, ConflictPolicy::LatestWins, "Status = 'Activated'").await;
    let order_id = salesforce_order(&b).await;
    b.capture().await;
    let changes = b.pull().await;
    assert_eq!(changes.len(), 1, "{changes:#?}");
    let download = &changes[0];
    assert_eq!((download.kind(), download.salesforce_id.as_str()), (ChangeKind::OrderDownloaded, order_id.as_str()));
    let order = download.order.clone().expect("the order");
    assert_eq!(order.status, "Activated");
    assert_eq!(order.account.as_ref().map(|a| a.name.as_str()), Some("Globex"));
    assert_eq!(order.bill_to.as_ref().map(|c| c.email.as_str()), Some("hank@globex.test"));
    assert_eq!(order.shipping_address.as_ref().map(|a| a.city.as_str()), Some("Cypress Creek"));
    let lines: Vec<(&str, &str)> =
        order.items.iter().map(|i| (i.product_code.as_str(), i.unit_price.as_str())).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].0, "HM-1");
    assert!(order.items[0].quantity.starts_with('2'), "{:?}", order.items[0]);

    b.capture().await;
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let again = b.pull().await;
    assert_eq!(
        again.iter().map(|c| (c.change_id, c.delivery_count)).collect::<Vec<_>>(),
        [(download.change_id, 2)],
        "not acknowledged: delivered again with the same id, and downloaded only once"
    );

    let result =
        pb::AckResult { change_id: download.change_id, store_order_id: "200000001".into(), ..Default::default() };
    b.ack(download.change_id, vec![result]).await;
    assert_eq!(b.capture().await.stamped, 1);
    assert_eq!(b.only("Order").await["ForceSync_Key__c"], "main:order:200000001");

    // The store imported it as its order 200000001; its events now follow.
    let mut client = b.setup.sync();
    client.place_order(sync::order("o1", "200000001", "", jane(), 2)).await.expect("order");
    client.record_payment(payment("o2", "200000001", "2025-03-04", 3)).await.expect("payment");
    b.sync().await;
    let counts = b.setup.counts().await;
    assert_eq!(counts.get("Order"), Some(&1), "one Order in the end: {counts:?}");
    assert_eq!(counts.get("OrderItem"), Some(&1), "its line is Salesforce's: {counts:?}");
    assert_eq!(counts.get("Opportunity"), None, "no Opportunity for a downloaded order: {counts:?}");
    let stored = b.only("Order").await;
    assert_eq!(id(&stored), order_id);
    assert_eq!(stored["ForceSync_Key__c"], "main:order:200000001");
    b.capture().await;
    assert!(b.pull().await.is_empty(), "forcesync's own update is no change, and no second download");
}

#[tokio::test]
async fn a_deleted_record_is_delivered_as_such() {
    let b = bidirectional(ConflictPolicy::LatestWins, "Status = 'Activated'").await;
    b.setup.sync().upsert_customer(customer_save("c0", jane())).await.expect("customer");
    b.sync().await;
    b.capture().await;
    let contact = id(&b.only("Contact").await);
    let (status, _, answer) =
        b.setup.sandbox.rest(Method::DELETE, &format!("sobjects/Contact/{contact}"), &b.human, None).await;
    assert!(status.is_success(), "{answer}");
    b.capture().await;
    let changes = b.pull().await;
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!(changes[0].kind(), ChangeKind::RecordDeleted);
    assert_eq!((changes[0].object.as_str(), changes[0].salesforce_id.as_str()), ("Contact", contact.as_str()));
    assert_eq!((changes[0].store_entity_kind.as_str(), changes[0].store_entity_id.as_str()), ("customer", "42"));
    b.ack(changes[0].change_id, Vec::new()).await;
    b.capture().await;
    assert!(b.pull().await.is_empty(), "reported once");
}

#[tokio::test]
async fn a_change_committed_late_with_an_older_stamp_is_still_caught() {
    let b = bidirectional(ConflictPolicy::LatestWins, "Status = 'Activated'").await;
    b.setup.sync().upsert_customer(customer_save("c0", jane())).await.expect("customer");
    b.sync().await;
    let (contact, account) = (id(&b.only("Contact").await), id(&b.only("Account").await));
    let late = |seconds: i64| Some(json!({"id": contact, "seconds": seconds}));
    // Written long enough ago that its later edit, though committed late, is still newer than that.
    b.setup.sandbox.control(Method::POST, "/late-commit", late(200)).await;
    b.capture().await;
    b.edit("Account", &account, json!({"Name": "Jane Doe Ltd"})).await;
    assert_eq!(b.capture().await.queued, 1, "the poll's watermark moves past this edit");
    b.edit("Contact", &contact, json!({"Email": "late@example.org"})).await;
    b.setup.sandbox.control(Method::POST, "/late-commit", late(100)).await;
    assert_eq!(b.capture().await.queued, 1, "caught within the overlap window");
    let changes = b.pull().await;
    let emails: Vec<&str> = changes
        .iter()
        .flat_map(|c| c.fields.iter())
        .filter(|f| f.field == "Email")
        .map(|f| f.new_value.as_str())
        .collect();
    assert_eq!(emails, ["late@example.org"], "{changes:#?}");
}

#[tokio::test]
async fn a_store_to_salesforce_store_receives_nothing() {
    let setup = connected_store().await;
    setup.sync().upsert_customer(customer_save("c0", jane())).await.expect("customer");
    setup.settled(pb::get_sync_status_request::Entity::CustomerId("42".into())).await;
    let human = human_session(&setup.sandbox).await;
    let contact = setup.records("Contact").await[0]["Id"].as_str().expect("Id").to_owned();
    let path = format!("sobjects/Contact/{contact}");
    let (status, _, _) =
        setup.sandbox.rest(Method::PATCH, &path, &human, Some(json!({"Email": "x@example.org"}))).await;
    assert!(status.is_success());
    let calls = setup.api_calls().await;
    setup.app.server.storage.wake_changes_of("main").await.expect("wake");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(setup.api_calls().await, calls, "no poll at all");
    let mut client = pb::change_service_client::ChangeServiceClient::with_interceptor(
        setup.app.channel.clone(),
        crate::helpers::Bearer::new(&setup.token),
    );
    let pulled = client.pull_changes(pb::PullChangesRequest::default()).await.expect("pull").into_inner();
    assert!(pulled.changes.is_empty() && pulled.pending == 0, "{pulled:?}");
}

#[tokio::test]
async fn a_record_purged_from_the_recycle_bin_during_a_long_gap_is_still_reported_deleted() {
    let b = bidirectional(ConflictPolicy::LatestWins, "Status = 'Activated'").await;
    b.setup.sync().upsert_customer(customer_save("c0", jane())).await.expect("customer");
    b.sync().await;
    b.capture().await;
    let contact = id(&b.only("Contact").await);
    let path = format!("sobjects/Contact/{contact}");
    let (status, _, answer) = b.setup.sandbox.rest(Method::DELETE, &path, &b.human, None).await;
    assert!(status.is_success(), "{answer}");
    // Emptied from the recycle bin before forcesync looks again, two days later: queryAll no longer sees it.
    b.setup.sandbox.control(Method::POST, "/purge", Some(json!({ "id": contact }))).await;
    let (_, rows) = b.setup.sandbox.query(&b.human, &format!("SELECT Id FROM Contact WHERE Id = '{contact}'")).await;
    assert_eq!(rows["totalSize"], 0);
    b.clock.advance(Duration::from_secs(2 * 86_400));
    b.capture().await;
    let changes = b.pull().await;
    assert_eq!(changes.len(), 1, "{changes:#?}");
    assert_eq!((changes[0].kind(), changes[0].salesforce_id.as_str()), (ChangeKind::RecordDeleted, contact.as_str()));
    b.ack(changes[0].change_id, Vec::new()).await;
    b.clock.advance(Duration::from_secs(2 * 86_400));
    b.capture().await;
    assert!(b.pull().await.is_empty(), "reported once");
}
