//! The Sync API's contract, end to end: repeated event ids, bad input and
//! tokens, GetSyncStatus against what the sandbox holds, ListSyncEvents paging
//! and filters, customers and products on their own, adopting an existing
//! Contact, PreviewPlan (writes nothing), RetryFailed after parking, and the
//! sync log trimmed to its database limit.

use forcesync::engine::EngineConfig;
use forcesync::pb::sync_service_client::SyncServiceClient;
use forcesync::pb::{self, get_sync_status_request::Entity, sync_event::Event};
use reqwest::Method;
use serde_json::{Value, json};
use tonic::Code;

use crate::helpers::sync::{
    by_order, catalog, checkout, connected_store, connected_store_with, customer_save, eventually, field, jane, order,
    payment, sale_events,
};
use crate::helpers::{Bearer, error_reason, test_engine, violated_fields};

const ORDER: &str = "100000123";

#[tokio::test]
async fn a_repeated_event_id_is_acknowledged_as_a_duplicate_and_has_no_second_effect() {
    let setup = connected_store().await;
    let mut sync = setup.sync();
    let first = sync.start_checkout(checkout("e1", "77", jane(), 1)).await.expect("checkout").into_inner().ack;
    let again = sync.start_checkout(checkout("e1", "77", jane(), 1)).await.expect("again").into_inner().ack;
    let (first, again) = (first.expect("ack"), again.expect("ack"));
    assert!(!first.duplicate && again.duplicate, "{first:?} {again:?}");
    assert_eq!((again.event_id.as_str(), again.sequence), ("e1", first.sequence));

    let mut changed = checkout("e1", "77", jane(), 1);
    changed.total = "80.00".into();
    let refused = sync.start_checkout(changed).await.expect_err("same id, other content");
    assert_eq!(refused.code(), Code::AlreadyExists, "{refused:?}");
    assert_eq!(error_reason(&refused), "EVENT_ID_REUSED");

    setup.caught_up(Entity::CartId("77".into())).await;
    assert_eq!(setup.sale_records().await, [1, 1, 1, 1, 0, 0]);
    let opportunity = &setup.records("Opportunity").await[0];
    assert_eq!(opportunity["Amount"], json!(79.48), "the original event's total");
}

#[tokio::test]
async fn submit_events_twice_is_all_duplicates() {
    let setup = connected_store().await;
    let mut sync = setup.sync();
    let request = || pb::SubmitEventsRequest { events: sale_events() };
    let first = sync.submit_events(request()).await.expect("submit").into_inner().acks;
    let again = sync.submit_events(request()).await.expect("again").into_inner().acks;
    let ids: Vec<&str> = first.iter().map(|ack| ack.event_id.as_str()).collect();
    assert_eq!(ids, ["e1", "e2", "e3"], "one ack per event, in request order");
    assert!(first.windows(2).all(|pair| pair[0].sequence < pair[1].sequence), "{first:?}");
    assert!(first.iter().all(|ack| !ack.duplicate) && again.iter().all(|ack| ack.duplicate), "{again:?}");
    let sequences = |acks: &[pb::EventAck]| acks.iter().map(|ack| ack.sequence).collect::<Vec<_>>();
    assert_eq!(sequences(&again), sequences(&first));

    let status = setup.caught_up(by_order(ORDER)).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    assert_eq!(setup.sale_records().await, [1, 1, 1, 1, 1, 3]);
}

#[tokio::test]
async fn bad_input_and_foreign_tokens_are_refused() {
    let setup = connected_store().await;
    let mut sync = setup.sync();
    let mut bad = checkout("", "77", pb::Customer { email: "not-an-email".into(), ..jane() }, 1);
    bad.items[1].quantity = 0.0;
    bad.total = "12,50".into();
    let status = sync.start_checkout(bad).await.expect_err("invalid");
    let mut fields = violated_fields(&status);
    fields.sort();
    assert_eq!(fields, ["customer.email", "event_id", "items[1].quantity", "total"]);

    let mut events = sale_events();
    if let Some(Event::Order(order)) = &mut events[1].event {
        order.order_id.clear();
    }
    let status = sync.submit_events(pb::SubmitEventsRequest { events }).await.expect_err("invalid batch");
    assert_eq!(violated_fields(&status), ["events[1].order.order_id"]);
    let status = sync.get_sync_status(pb::GetSyncStatusRequest { entity: None }).await.expect_err("no entity");
    assert_eq!(violated_fields(&status), ["entity"]);
    for (page_size, page_token, field) in [(-1, "", "page_size"), (0, "garbage", "page_token")] {
        let list = pb::ListSyncEventsRequest { page_size, page_token: page_token.into(), ..Default::default() };
        let status = sync.list_sync_events(list).await.expect_err(field);
        assert_eq!(violated_fields(&status), [field]);
    }

    for bearer in [Bearer::none(), Bearer::new("fs_not_a_real_token")] {
        let mut stranger = SyncServiceClient::with_interceptor(setup.app.channel.clone(), bearer);
        let status = stranger.start_checkout(checkout("x1", "77", jane(), 1)).await.expect_err("no access");
        assert_eq!(status.code(), Code::Unauthenticated, "{status:?}");
    }

    let (_, other_token) = setup.app.create_store("other").await;
    let mut other = SyncServiceClient::with_interceptor(setup.app.channel.clone(), Bearer::new(&other_token));
    other.start_checkout(checkout("o1", "88", jane(), 1)).await.expect("other store's checkout");
    let cart = || pb::GetSyncStatusRequest { entity: Some(Entity::CartId("88".into())) };
    eventually("the other store's cart", async || other.get_sync_status(cart()).await.ok()).await;
    let status = sync.get_sync_status(cart()).await.expect_err("another store's entity");
    assert_eq!(status.code(), Code::NotFound, "{status:?}");
    let mine = sync.list_sync_events(pb::ListSyncEventsRequest::default()).await.expect("list").into_inner().events;
    assert!(mine.is_empty(), "store main sees none of store other's events: {mine:?}");
}

#[tokio::test]
async fn status_names_the_records_the_sandbox_holds() {
    let setup = connected_store().await;
    let status = setup.paid_sale().await;
    assert_eq!(status.kind, pb::EntityKind::Sale as i32);
    assert_eq!(status.aliases, ["cart:77", "order:100000123"]);
    assert_eq!(status.event_count, 3);
    let objects: Vec<&str> = status.records.iter().map(|r| r.object.as_str()).collect();
    let lines = objects.iter().filter(|object| **object == "OrderItem").count();
    assert_eq!((objects.len(), lines), (8, 3), "Account, Contact, Opportunity, role, Order, 3 lines: {objects:?}");
    for record in &status.records {
        let held = setup.records(&record.object).await;
        let found: Vec<&Value> = held.iter().filter(|r| field(r, "ForceSync_Key__c") == record.external_key).collect();
        assert_eq!(found.len(), 1, "{record:?} in {held:?}");
        assert_eq!(field(found[0], "Id"), record.id, "{record:?}");
        assert!(record.write_time.is_some(), "{record:?}");
    }
    let unknown = setup.sync().get_sync_status(pb::GetSyncStatusRequest { entity: Some(by_order("999")) }).await;
    assert_eq!(unknown.expect_err("never received").code(), Code::NotFound);
}

#[tokio::test]
async fn events_are_listed_newest_first_in_pages_and_filtered() {
    let setup = connected_store().await;
    let mut sync = setup.sync();
    sync.upsert_customer(customer_save("ev1", jane())).await.expect("customer");
    sync.upsert_products(catalog("ev2")).await.expect("products");
    sync.start_checkout(checkout("ev3", "77", jane(), 1)).await.expect("checkout");
    sync.place_order(order("ev4", ORDER, "77", jane(), 2)).await.expect("order");
    sync.record_payment(payment("ev5", ORDER, "2025-03-04", 3)).await.expect("payment");

    let (mut seen, mut token, mut pages) = (Vec::new(), String::new(), 0);
    loop {
        let request = pb::ListSyncEventsRequest { page_size: 2, page_token: token.clone(), ..Default::default() };
        let page = sync.list_sync_events(request).await.expect("page").into_inner();
        assert!(page.events.len() <= 2, "{page:?}");
        seen.extend(page.events);
        pages += 1;
        token = page.next_page_token;
        if token.is_empty() {
            break;
        }
        assert!(pages < 10, "the page tokens never end");
    }
    let ids: Vec<&str> = seen.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!((ids, pages), (vec!["ev5", "ev4", "ev3", "ev2", "ev1"], 3), "newest first, no repeats");
    assert!(seen.windows(2).all(|pair| pair[0].sequence > pair[1].sequence));

    let filtered = |kind: pb::EventKind, state: pb::SyncState| pb::ListSyncEventsRequest {
        kind: kind as i32,
        state: state as i32,
        ..Default::default()
    };
    let ids = |events: Vec<pb::SyncEventInfo>| events.into_iter().map(|e| e.event_id).collect::<Vec<_>>();
    let checkouts = sync.list_sync_events(filtered(pb::EventKind::Checkout, pb::SyncState::Unspecified)).await;
    assert_eq!(ids(checkouts.expect("by kind").into_inner().events), ["ev3"]);

    sync.record_payment(payment("ev6", "999", "2025-03-04", 3)).await.expect("payment of an unknown order");
    setup.reaches(by_order("999"), pb::SyncState::Waiting).await;
    setup.caught_up(by_order(ORDER)).await;
    setup.settled(Entity::CustomerId("42".into())).await;
    setup.settled(Entity::Sku("WB-01".into())).await;
    let waiting = sync.list_sync_events(filtered(pb::EventKind::Unspecified, pb::SyncState::Waiting)).await;
    assert_eq!(ids(waiting.expect("by state").into_inner().events), ["ev6"]);
    let synced = sync.list_sync_events(filtered(pb::EventKind::Unspecified, pb::SyncState::Synced)).await;
    assert_eq!(ids(synced.expect("by state").into_inner().events), ["ev5", "ev4", "ev3", "ev2", "ev1"]);
}

#[tokio::test]
async fn customers_and_products_sync_on_their_own_and_orders_reuse_them() {
    let setup = connected_store().await;
    let before = setup.counts().await;
    let mut sync = setup.sync();
    sync.upsert_customer(customer_save("c1", jane())).await.expect("customer");
    sync.upsert_products(catalog("p1")).await.expect("products");
    setup.settled(Entity::CustomerId("42".into())).await;
    for sku in ["WB-01", "CAP-7", "TEE-3"] {
        let status = setup.settled(Entity::Sku(sku.into())).await;
        assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    }
    let after = setup.counts().await;
    let added = |object: &str| after.get(object).unwrap_or(&0) - before.get(object).unwrap_or(&0);
    assert_eq!([added("Account"), added("Contact"), added("Product2"), added("PricebookEntry")], [1, 1, 3, 3]);
    let standard = setup.records("Pricebook2").await.into_iter().find(|b| b["IsStandard"] == json!(true));
    let standard = field(&standard.expect("a standard price book"), "Id").to_owned();
    let entries = setup.records("PricebookEntry").await;
    let products = setup.records("Product2").await;
    for product in products.iter().filter(|p| field(p, "ForceSync_Key__c").starts_with("main:product:")) {
        let mine: Vec<&Value> = entries.iter().filter(|e| field(e, "Product2Id") == field(product, "Id")).collect();
        assert_eq!(mine.len(), 1, "{product:?}: {mine:?}");
        assert_eq!(field(mine[0], "Pricebook2Id"), standard);
    }

    setup.paid_sale().await;
    let now = setup.counts().await;
    for object in ["Account", "Contact", "Product2", "PricebookEntry"] {
        assert_eq!(now.get(object), after.get(object), "{object}: the sale reuses what exists");
    }
    let entry_ids: Vec<&str> = entries.iter().map(|e| field(e, "Id")).collect();
    let lines = setup.records("OrderItem").await;
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|line| entry_ids.contains(&field(line, "PricebookEntryId"))), "{lines:?}");
}

#[tokio::test]
async fn an_existing_contact_with_the_same_email_is_adopted() {
    let setup = connected_store().await;
    let session = setup.sandbox.session().await;
    let create = async |object: &str, body: Value| {
        setup.sandbox.rest(Method::POST, &format!("sobjects/{object}"), &session, Some(body)).await
    };
    let (status, _, account) = create("Account", json!({"Name": "Doe Household"})).await;
    assert!(status.is_success(), "{account}");
    let account_id = account["id"].as_str().expect("account id").to_owned();
    let contact = json!({"FirstName": "Jane", "LastName": "Doe", "Email": "jane@example.com", "AccountId": account_id});
    let (status, _, contact) = create("Contact", contact).await;
    assert!(status.is_success(), "{contact}");
    let contact_id = contact["id"].as_str().expect("contact id").to_owned();

    setup.sync().upsert_customer(customer_save("c1", jane())).await.expect("customer");
    let status = setup.settled(Entity::CustomerId("42".into())).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    setup.paid_sale().await;

    let (contacts, accounts) = (setup.records("Contact").await, setup.records("Account").await);
    assert_eq!((contacts.len(), accounts.len()), (1, 1), "no second Contact or Account: {contacts:?}");
    assert_eq!(field(&contacts[0], "Id"), contact_id);
    assert_eq!(field(&contacts[0], "ForceSync_Key__c"), "main:customer:42");
    assert_eq!(field(&accounts[0], "Name"), "Doe Household", "an adopted Account is never renamed");
    assert_eq!(field(&setup.records("Opportunity").await[0], "AccountId"), account_id);
    assert_eq!(field(&setup.records("Order").await[0], "AccountId"), account_id);
    assert_eq!(field(&setup.records("OpportunityContactRole").await[0], "ContactId"), contact_id);
}

#[tokio::test]
async fn preview_lists_the_writes_and_writes_nothing() {
    let setup = connected_store().await;
    let mut sync = setup.sync();
    let preview = |event| pb::PreviewPlanRequest { event: Some(pb::SyncEvent { event: Some(event) }) };
    let (before, calls) = (setup.counts().await, setup.api_calls().await);
    let plan = sync.preview_plan(preview(Event::Checkout(checkout("e1", "77", jane(), 1)))).await;
    let plan = plan.expect("preview").into_inner();
    let objects: Vec<&str> = plan.writes.iter().map(|w| w.object.as_str()).collect();
    assert_eq!(objects, ["Account", "Contact", "Opportunity", "OpportunityContactRole"], "parents first");
    assert!(plan.writes.iter().all(|w| w.skipped_reason.is_empty()), "{plan:?}");
    let opportunity: Value = serde_json::from_str(&plan.writes[2].body_json).expect("JSON body");
    assert_eq!(opportunity["StageName"], json!("Prospecting"));
    assert_eq!(plan.writes[2].external_key, "main:cart:77");
    assert_eq!((setup.counts().await, setup.api_calls().await), (before, calls), "a preview writes nothing");
    let none = sync.list_sync_events(pb::ListSyncEventsRequest::default()).await.expect("list").into_inner();
    assert!(none.events.is_empty(), "a preview stores no event: {none:?}");

    setup.paid_sale().await;
    let (before, calls) = (setup.counts().await, setup.api_calls().await);
    let plan = sync.preview_plan(preview(Event::Payment(payment("e3", ORDER, "2025-03-04", 3)))).await;
    let plan = plan.expect("preview").into_inner();
    assert_eq!(plan.writes.len(), 8, "{plan:?}");
    let reasons: Vec<&str> = plan.writes.iter().map(|w| w.skipped_reason.as_str()).collect();
    assert!(reasons.iter().all(|r| *r == "already written with these values"), "{plan:?}");
    assert_eq!((setup.counts().await, setup.api_calls().await), (before, calls), "a preview writes nothing");
}

#[tokio::test]
async fn parked_work_syncs_after_retry_failed_without_duplicates() {
    let engine = EngineConfig { max_attempts: 3, ..test_engine() };
    let setup = connected_store_with(engine, pb::StoreSettings::default(), Vec::new()).await;
    let mut sync = setup.sync();
    sync.upsert_customer(customer_save("c1", jane())).await.expect("customer");
    setup.settled(Entity::CustomerId("42".into())).await;

    setup.sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "http_500", "count": 200}))).await;
    sync.start_checkout(checkout("e1", "77", jane(), 1)).await.expect("checkout");
    let parked = setup.caught_up(Entity::CartId("77".into())).await;
    assert_eq!(parked.state, pb::SyncState::Parked as i32, "{parked:?}");
    assert_eq!(parked.attempts, 3, "{parked:?}");
    let error = parked.last_error.expect("last error");
    assert_eq!((error.code.as_str(), error.error_class.as_str()), ("UNKNOWN_EXCEPTION", "transient"));
    assert!(error.remedy.contains("RetryFailed"), "{error:?}");
    assert_eq!(setup.records("Opportunity").await.len(), 0);

    setup.sandbox.control(Method::DELETE, "/faults", None).await;
    let requeued = sync.retry_failed(pb::RetryFailedRequest::default()).await.expect("retry").into_inner();
    assert_eq!(requeued.requeued, 1);
    let status = setup.settled(Entity::CartId("77".into())).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    assert!(status.last_error.is_none(), "{status:?}");
    assert_eq!(setup.sale_records().await, [1, 1, 1, 1, 0, 0]);
    let again = sync.retry_failed(pb::RetryFailedRequest::default()).await.expect("retry").into_inner();
    assert_eq!(again.requeued, 0, "nothing is parked any more");
}

#[tokio::test]
async fn the_sync_log_keeps_the_database_log_limit() {
    let logging = pb::LoggingSettings { enabled: true, database_logging: true, database_log_limit: 5 };
    let settings = pb::StoreSettings { logging: Some(logging), ..Default::default() };
    let setup = connected_store_with(test_engine(), settings, vec!["logging"]).await;
    let mut sync = setup.sync();
    // One at a time, so that customer 8's line is the last one appended.
    for n in 1..=8 {
        let customer = pb::Customer { customer_id: n.to_string(), email: format!("c{n}@example.com"), ..jane() };
        sync.upsert_customer(customer_save(&format!("c{n}"), customer)).await.expect("customer");
        let status = setup.settled(Entity::CustomerId(n.to_string())).await;
        assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    }
    assert_eq!(setup.records("Contact").await.len(), 8);
    let storage = forcesync::storage::Storage::connect(&setup.app.database_url).await.expect("database");
    let store_id = storage.store_id("main").await.expect("store id");
    // The log is appended just after the outcome is recorded: wait for the last line.
    let log = eventually("customer 8's log line", async || {
        let log = storage.sync_log(store_id, 100).await.expect("sync log");
        assert!(log.len() <= 5, "the log keeps at most 5 rows: {log:?}");
        log.iter().any(|(_, _, entity, _)| entity == "customer:8").then_some(log)
    })
    .await;
    assert_eq!(log.len(), 5, "8 entities logged, the newest 5 lines kept: {log:?}");
}
