//! The sync queue's storage contract on SQLite, and on PostgreSQL when
//! FORCESYNC_TEST_PG is set: durable intake with duplicates, folding into
//! entities (and merging two into one sale), leases, outcomes, dependencies,
//! requeueing and the trimmed sync log.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use forcesync::domain::lifecycle::{Customer, LifecycleEvent, LineItem, Money, Payment};
use forcesync::domain::settings::StoreSettings;
use forcesync::domain::sync::{CustomerSave, EventId, EventPayload, NewEvent};
use forcesync::storage::sync::{EntityState, Intake, IntakeError, LogLine, Outcome, RecordedError};
use forcesync::storage::{Actor, Storage};
use tokio::sync::Notify;

use crate::helpers::postgres;

/// Now by the wall clock, which folding stamps entities with.
pub fn now() -> i64 {
    Utc::now().timestamp_millis()
}

pub async fn backends() -> Vec<(Storage, i64, tempfile::TempDir)> {
    backends_with_urls().await.into_iter().map(|(storage, _, store_id, dir)| (storage, store_id, dir)).collect()
}

/// A fresh database per backend (SQLite, and PostgreSQL when set), each with
/// store `main`, with the URL it was opened with (for tests that need raw SQL).
pub async fn backends_with_urls() -> Vec<(Storage, String, i64, tempfile::TempDir)> {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut urls = vec![(Storage::default_sqlite_url(dir.path()), dir)];
    if let Some(url) = postgres::fresh_database().await {
        urls.push((url, tempfile::tempdir().expect("temp dir")));
    }
    let mut all = Vec::new();
    for (url, dir) in urls {
        let storage = Storage::connect(&url).await.expect("connect");
        storage.migrate().await.expect("migrate");
        storage.create_store("main", "Main", &StoreSettings::default(), &Actor::Admin).await.expect("store");
        let store_id = storage.store_id("main").await.expect("store id");
        all.push((storage, url, store_id, dir));
    }
    all
}

pub fn jane() -> Customer {
    Customer {
        key: "42".into(),
        email: "jane@example.com".into(),
        first_name: "Jane".into(),
        last_name: "Doe".into(),
        phone: None,
        profile: Default::default(),
    }
}

pub fn event(id: &str, payload: EventPayload) -> NewEvent {
    NewEvent::from_payload(EventId::parse(id).expect("id"), payload)
}

pub fn at(hour: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 3, 1, hour, 0, 0).single().expect("time")
}

pub fn checkout(id: &str, cart: &str) -> NewEvent {
    checkout_by(id, cart, jane())
}

/// A checkout of `cart` (one item, 1.00) by `customer`.
pub fn checkout_by(id: &str, cart: &str, customer: Customer) -> NewEvent {
    let items = vec![LineItem {
        sku: "A".into(),
        name: "A".into(),
        quantity: 1.0,
        unit_price: Money { minor: 100, exponent: 2 },
        details: Default::default(),
    }];
    let total = Money { minor: 100, exponent: 2 };
    event(
        id,
        EventPayload::Lifecycle(LifecycleEvent::CheckoutStarted {
            cart_id: cart.into(),
            customer,
            items,
            total,
            at: at(9),
        }),
    )
}

pub fn paid(id: &str, order: &str) -> NewEvent {
    let payment =
        Payment { invoice_id: "i1".into(), paid_on: at(11).date_naive(), amount: Money { minor: 100, exponent: 2 } };
    event(id, EventPayload::Lifecycle(LifecycleEvent::OrderPaid { order_id: order.into(), payment, at: at(11) }))
}

pub fn placed(id: &str, order: &str, cart: &str) -> NewEvent {
    event(
        id,
        EventPayload::Lifecycle(LifecycleEvent::OrderPlaced {
            order_id: order.into(),
            cart_id: Some(cart.into()),
            customer: jane(),
            items: Vec::new(),
            total: Money { minor: 100, exponent: 2 },
            status: "pending".into(),
            at: at(10),
            details: Default::default(),
        }),
    )
}

#[tokio::test]
async fn intake_commits_once_and_answers_duplicates_with_the_original() {
    for (db, store, _dir) in backends().await {
        let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
        let first = intake.submit(store, &[checkout("e1", "77"), checkout("e1", "77")]).await.expect("submit");
        let (a, b) = (first[0].as_ref().expect("first"), first[1].as_ref().expect("repeat in the same batch"));
        assert!(!a.duplicate && b.duplicate && a.sequence == b.sequence, "{a:?} {b:?}");
        let again = intake.submit(store, &[checkout("e1", "77")]).await.expect("submit");
        let again = again[0].as_ref().expect("duplicate");
        assert!(again.duplicate && again.sequence == a.sequence && again.received_at == a.received_at);
        let reused = intake.submit(store, &[checkout("e1", "78")]).await.expect("submit");
        assert!(matches!(&reused[0], Err(IntakeError::EventIdReused { sequence, .. }) if *sequence == a.sequence));
        let listed = db.list_events(store, &Default::default(), 10).await.expect("list");
        assert_eq!(listed.len(), 1, "{}: one event stored", db.backend_name());
    }
}

#[tokio::test]
async fn an_order_linking_a_cart_merges_two_sales_into_one() {
    for (db, store, _dir) in backends().await {
        let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
        intake.submit(store, &[checkout("e1", "77"), paid("e2", "9")]).await.expect("submit");
        assert_eq!(db.fold_events(100, 0, now()).await.expect("fold"), 2);
        let cart = db.entity_status(store, "cart:77").await.expect("status").expect("cart sale");
        let order = db.entity_status(store, "order:9").await.expect("status").expect("order sale");
        assert_ne!(cart.id, order.id, "nothing links them yet");
        intake.submit(store, &[placed("e3", "9", "77")]).await.expect("submit");
        db.fold_events(100, 0, now()).await.expect("fold");
        let merged = db.entity_status(store, "order:9").await.expect("status").expect("sale");
        assert_eq!(merged.id, cart.id, "{}: the later sale joins the earlier", db.backend_name());
        assert_eq!(merged.aliases, ["cart:77", "order:9"]);
        assert_eq!(merged.event_count, 3);
        assert_eq!(merged.state, EntityState::Pending);
    }
}

#[tokio::test]
async fn leases_outcomes_dependencies_and_requeueing() {
    for (db, store, _dir) in backends().await {
        let backend = db.backend_name();
        let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
        let save = EventPayload::Customer(CustomerSave { customer: jane(), at: at(8) });
        intake.submit(store, &[event("c1", save), checkout("e1", "77")]).await.expect("submit");
        db.fold_events(100, 0, now()).await.expect("fold");

        let claimed = db.claim_entities("w1", 10, 60_000, now()).await.expect("claim");
        let labels: Vec<&str> = claimed.iter().map(|e| e.label.as_str()).collect();
        assert_eq!(labels, ["customer:42"], "{backend}: the sale waits for its pending customer");
        assert!(db.claim_entities("w2", 10, 60_000, now()).await.expect("claim").is_empty(), "{backend}: leased");
        db.finish_entity("w1", &claimed[0], &Outcome::Synced, now()).await.expect("finish");

        let sale = db.claim_entities("w2", 10, 60_000, now()).await.expect("claim");
        assert_eq!(sale.len(), 1, "{backend}: the customer is synced, the sale may go");
        assert!(!sale[0].uncertain);
        assert_eq!(db.release_leases("w2").await.expect("release"), 1);
        let again = db.claim_entities("w3", 10, 60_000, now()).await.expect("claim");
        assert!(again[0].uncertain, "{backend}: a released lease may have reached Salesforce");

        let error = RecordedError {
            code: "REQUIRED_FIELD_MISSING".into(),
            message: "Required fields are missing: [LastName]".into(),
            fields: vec!["LastName".into()],
            remedy: Some("fill it".into()),
            class: "data".into(),
        };
        db.finish_entity("w3", &again[0], &Outcome::Parked(error), now()).await.expect("park");
        let parked = db.entity_status(store, "cart:77").await.expect("status").expect("sale");
        assert_eq!((parked.state, parked.attempts), (EntityState::Parked, 1), "{backend}");
        assert_eq!(parked.last_error.map(|e| e.code).as_deref(), Some("REQUIRED_FIELD_MISSING"));
        assert_eq!(db.retry_parked(store, None, Some("OTHER_CODE")).await.expect("retry"), 0);
        assert_eq!(db.retry_parked(store, None, Some("REQUIRED_FIELD_MISSING")).await.expect("retry"), 1);
        let requeued = db.entity_status(store, "cart:77").await.expect("status").expect("sale");
        assert_eq!((requeued.state, requeued.attempts), (EntityState::Pending, 0), "{backend}");
    }
}

/// Once an attempt may have reached Salesforce unrecorded, the entity stays
/// uncertain through every outcome that learns nothing (deferred, waiting)
/// until a success records what it wrote.
#[tokio::test]
async fn an_uncertain_entity_stays_uncertain_until_it_is_synced() {
    for (db, store, _dir) in backends().await {
        let backend = db.backend_name();
        let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
        let saved =
            |n: u32| event(&format!("c{n}"), EventPayload::Customer(CustomerSave { customer: jane(), at: at(n) }));
        intake.submit(store, &[saved(1)]).await.expect("submit");
        db.fold_events(100, 0, now()).await.expect("fold");
        let claim = async |owner: &str| db.claim_entities(owner, 10, 60_000, now()).await.expect("claim").remove(0);

        assert!(!claim("w1").await.uncertain, "{backend}: a first attempt knows nothing is out there");
        // The worker stopped mid-call (as on shutdown; a killed one's lease runs out).
        db.release_leases("w1").await.expect("release");
        let claimed = claim("w2").await;
        assert!(claimed.uncertain, "{backend}: a released lease may have reached Salesforce");
        db.finish_entity("w2", &claimed, &Outcome::Deferred { retry_at: 0 }, now()).await.expect("defer");
        let claimed = claim("w3").await;
        assert!(claimed.uncertain, "{backend}: a deferred attempt learned nothing");
        db.finish_entity("w3", &claimed, &Outcome::Waiting("its customer".into()), now()).await.expect("wait");
        intake.submit(store, &[saved(2)]).await.expect("submit");
        db.fold_events(100, 0, now()).await.expect("fold");
        let claimed = claim("w4").await;
        assert!(claimed.uncertain, "{backend}: nor did a waiting one");
        db.finish_entity("w4", &claimed, &Outcome::Synced, now()).await.expect("synced");
        intake.submit(store, &[saved(3)]).await.expect("submit");
        db.fold_events(100, 0, now()).await.expect("fold");
        assert!(!claim("w5").await.uncertain, "{backend}: a success recorded what was written");
    }
}

#[tokio::test]
async fn the_sync_log_keeps_the_newest_rows() {
    for (db, store, _dir) in backends().await {
        for round in 0..4 {
            let lines: Vec<LogLine> = (0..3)
                .map(|i| LogLine {
                    level: "info",
                    entity: format!("cart:{round}"),
                    message: format!("line {round}.{i}"),
                })
                .collect();
            db.append_sync_log(store, &lines, 5).await.expect("append");
        }
        let kept = db.sync_log(store, 100).await.expect("log");
        let messages: Vec<&str> = kept.iter().map(|(_, _, _, message)| message.as_str()).collect();
        assert_eq!(messages, ["line 3.2", "line 3.1", "line 3.0", "line 2.2", "line 2.1"], "{}", db.backend_name());
    }
}

/// RetryFailed reads parked entities a page at a time: more than a page of
/// them, parked with two error codes, are requeued by code exactly.
#[tokio::test]
async fn retry_failed_by_code_requeues_exactly_its_entities_across_pages() {
    for (db, store, _dir) in backends().await {
        let backend = db.backend_name();
        let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
        let price = Money { minor: 100, exponent: 2 };
        let product = |n: usize| forcesync::domain::sync::ProductSave {
            sku: format!("SKU-{n}"),
            name: format!("P{n}"),
            price,
            active: true,
            at: at(8),
        };
        for (id, range) in [("p1", 0..1_000), ("p2", 1_000..1_201)] {
            intake
                .submit(store, &[event(id, EventPayload::Products(range.map(product).collect()))])
                .await
                .expect("submit");
        }
        while db.fold_events(1_000, 0, now()).await.expect("fold") > 0 {}
        let claimed = db.claim_entities("w", 2_000, 60_000, now()).await.expect("claim");
        assert_eq!(claimed.len(), 1_201, "{backend}");
        for (n, entity) in claimed.iter().enumerate() {
            let code = if n % 3 == 0 { "CODE_A" } else { "CODE_B" };
            let error = RecordedError {
                code: code.into(),
                message: "refused".into(),
                fields: Vec::new(),
                remedy: None,
                class: "data".into(),
            };
            db.finish_entity("w", entity, &Outcome::Parked(error), now()).await.expect("park");
        }
        assert_eq!(db.retry_parked(store, None, Some("CODE_A")).await.expect("retry"), 401, "{backend}");
        assert_eq!(db.retry_parked(store, None, Some("CODE_A")).await.expect("retry"), 0, "{backend}: done once");
        assert_eq!(db.retry_parked(store, None, None).await.expect("retry"), 800, "{backend}: the rest");
    }
}
