//! Claims skip paused stores: a paused store's backlog is never leased, the
//! other stores' work still is, and with every store paused a claim finds
//! nothing (without walking the backlog). SQLite, and PostgreSQL when
//! FORCESYNC_TEST_PG is set.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use forcesync::domain::lifecycle::Customer;
use forcesync::domain::settings::StoreSettings;
use forcesync::domain::sync::{CustomerSave, EventId, EventPayload, NewEvent};
use forcesync::storage::sync::Intake;
use forcesync::storage::{Actor, Storage};
use tokio::sync::Notify;

use crate::helpers::postgres;

const HOUR: i64 = 3_600_000;

fn customer_saved(id: usize) -> NewEvent {
    let customer = Customer {
        key: id.to_string(),
        email: format!("c{id}@example.com"),
        first_name: "C".into(),
        last_name: format!("Number {id}"),
        phone: None,
        profile: Default::default(),
    };
    let at = Utc.with_ymd_and_hms(2025, 3, 1, 9, 0, 0).single().expect("time");
    let event_id = EventId::parse(&format!("c{id}")).expect("id");
    NewEvent::from_payload(event_id, EventPayload::Customer(CustomerSave { customer, at }))
}

/// Two stores with `per_store` customers each, folded and due now.
async fn two_stores(url: &str, per_store: usize) -> (Storage, i64, i64) {
    let db = Storage::connect(url).await.expect("connect");
    db.migrate().await.expect("migrate");
    let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
    let mut ids = Vec::new();
    for code in ["paused", "open"] {
        db.create_store(code, code, &StoreSettings::default(), &Actor::Admin).await.expect("store");
        let store = db.store_id(code).await.expect("store id");
        let events: Vec<NewEvent> = (0..per_store).map(customer_saved).collect();
        intake.submit(store, &events).await.expect("submit");
        ids.push(store);
    }
    while db.fold_events(1_000, 0, crate::sync_storage::now()).await.expect("fold") > 0 {}
    (db, ids[0], ids[1])
}

#[tokio::test]
async fn claims_take_only_the_work_of_stores_that_are_not_paused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut urls = vec![Storage::default_sqlite_url(dir.path())];
    urls.extend(postgres::fresh_database().await);
    for url in urls {
        let (db, paused, open) = two_stores(&url, 30).await;
        let backend = db.backend_name();
        let now = Utc::now().timestamp_millis();
        db.pause_store(paused, now + HOUR, "REQUEST_LIMIT_EXCEEDED", 0).await.expect("pause");

        let claimed = db.claim_entities("w1", 100, 60_000, now).await.expect("claim");
        assert_eq!(claimed.len(), 30, "{backend}: the open store's customers");
        assert!(claimed.iter().all(|e| e.store_id == open), "{backend}: nothing of the paused store");

        db.pause_store(open, now + HOUR, "REQUEST_LIMIT_EXCEEDED", 0).await.expect("pause");
        db.release_leases("w1").await.expect("release");
        let none = db.claim_entities("w2", 100, 60_000, now).await.expect("claim");
        assert!(none.is_empty(), "{backend}: every store paused, nothing to lease: {}", none.len());

        db.resume_store(paused).await.expect("resume");
        let resumed = db.claim_entities("w3", 100, 60_000, now).await.expect("claim");
        assert_eq!(resumed.len(), 30, "{backend}: the resumed store's backlog");
        assert!(resumed.iter().all(|e| e.store_id == paused), "{backend}");
    }
}
