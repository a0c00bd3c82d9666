//! Write transactions through the storage seam, on SQLite and on PostgreSQL
//! when FORCESYNC_TEST_PG is set: Test Connection's apply writes settings,
//! credentials and its audit row at once or nothing at all, a configuration
//! change ends the store's sync pause, failed writes leave no audit row, and
//! an entity's status carries the store's pause from the same read.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use forcesync::domain::lifecycle::Customer;
use forcesync::domain::settings::StoreSettings;
use forcesync::domain::sync::{CustomerSave, EventId, EventPayload, NewEvent};
use forcesync::storage::sync::{EntityState, ExpiredPause, Intake};
use forcesync::storage::{Actor, CredentialKind, StorageError};
use tokio::sync::Notify;

use crate::storage::backends;

fn kinds(statuses: &[forcesync::storage::CredentialStatus]) -> Vec<CredentialKind> {
    statuses.iter().map(|s| s.kind).collect()
}

#[tokio::test]
async fn apply_writes_settings_credentials_and_audit_at_once_or_nothing() {
    for (db, _dir) in backends().await {
        let backend = db.backend_name();
        db.create_store("main", "Main", &StoreSettings::default(), &Actor::Admin).await.expect(backend);
        let store_id = db.store_id("main").await.expect(backend);
        db.pause_store(store_id, 0, "password is not set", 2).await.expect(backend);
        let expired = db.expired_pauses(crate::sync_storage::now()).await.expect(backend);
        assert_eq!(expired, [ExpiredPause { store_id, checks: 2 }], "{backend}: paused");

        let changed = StoreSettings { invoice_date_as_close_date: true, ..StoreSettings::default() };
        let fields = vec!["invoice_date_as_close_date".to_owned()];
        let actor = Actor::StoreToken("tok1".into());
        let secret = [(CredentialKind::Password, Some(vec![1, 2, 3]))];
        let saved = db.apply_config("main", 1, &changed, &secret, &fields, &actor).await.expect(backend);
        assert_eq!(saved.version, 2, "{backend}");
        assert_eq!(db.get_settings("main").await.expect(backend).settings, changed, "{backend}");
        assert_eq!(kinds(&db.credential_status("main").await.expect(backend)), [CredentialKind::Password]);
        let audit = db.list_audit("main", 10).await.expect(backend);
        assert_eq!((audit[0].action.as_str(), audit[0].actor.as_str()), ("test_connection_apply", "store-token:tok1"));
        assert_eq!(audit[0].fields, ["invoice_date_as_close_date", "password"], "{backend}");
        let expired = db.expired_pauses(crate::sync_storage::now()).await.expect(backend);
        assert!(expired.is_empty(), "{backend}: the change ended the pause");

        let other = [(CredentialKind::ClientSecret, Some(vec![4]))];
        let stale = db.apply_config("main", 1, &StoreSettings::default(), &other, &fields, &actor).await;
        assert!(matches!(stale, Err(StorageError::VersionConflict { expected: 1, current: 2 })), "{backend}");
        assert_eq!(db.get_settings("main").await.expect(backend).settings, changed, "{backend}: settings kept");
        assert_eq!(kinds(&db.credential_status("main").await.expect(backend)), [CredentialKind::Password]);
        assert_eq!(db.list_audit("main", 10).await.expect(backend).len(), audit.len(), "{backend}: no audit row");
        db.close().await;
    }
}

#[tokio::test]
async fn writes_to_a_missing_store_change_nothing_and_audit_nothing() {
    for (db, _dir) in backends().await {
        let backend = db.backend_name();
        let secret = [(CredentialKind::Password, Some(vec![1]))];
        let settings = StoreSettings::default();
        let missing = |result: Result<(), StorageError>| matches!(result, Err(StorageError::StoreNotFound(_)));
        assert!(missing(db.delete_store("nope", &Actor::Admin).await), "{backend}");
        assert!(missing(db.rotate_store_token("nope", &Actor::Admin).await.map(|_| ())), "{backend}");
        assert!(missing(db.set_credentials("nope", &secret, &Actor::Admin).await.map(|_| ())), "{backend}");
        let update = db.update_settings("nope", 1, &settings, &Actor::Admin, &[]).await;
        assert!(missing(update.map(|_| ())), "{backend}");
        assert_eq!(db.list_audit("nope", 10).await.expect(backend), [], "{backend}");
        db.close().await;
    }
}

#[tokio::test]
async fn an_entity_status_carries_the_store_pause_and_unfolded_events() {
    let customer = |id: &str, at_hour: u32| {
        let customer = Customer {
            key: "42".into(),
            email: "jane@example.com".into(),
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            phone: None,
            profile: Default::default(),
        };
        let at = Utc.with_ymd_and_hms(2025, 3, 1, at_hour, 0, 0).single().expect("time");
        NewEvent::from_payload(EventId::parse(id).expect("id"), EventPayload::Customer(CustomerSave { customer, at }))
    };
    for (db, _dir) in backends().await {
        let backend = db.backend_name();
        db.create_store("main", "Main", &StoreSettings::default(), &Actor::Admin).await.expect(backend);
        let store = db.store_id("main").await.expect(backend);
        let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
        intake.submit(store, &[customer("c1", 8)]).await.expect(backend);
        db.fold_events(100, 0, crate::sync_storage::now()).await.expect(backend);
        let status = db.entity_status(store, "customer:42").await.expect(backend).expect("entity");
        assert_eq!((status.state, status.store_pause), (EntityState::Pending, None), "{backend}");

        db.pause_store(store, 4_000_000_000_000, "REQUEST_LIMIT_EXCEEDED", 0).await.expect(backend);
        let status = db.entity_status(store, "customer:42").await.expect(backend).expect("entity");
        assert_eq!(status.store_pause, Some((4_000_000_000_000, "REQUEST_LIMIT_EXCEEDED".into())), "{backend}");
        db.resume_store(store).await.expect(backend);

        let now = crate::sync_storage::now();
        let claimed = db.claim_entities("w1", 10, 60_000, now).await.expect(backend);
        db.finish_entity("w1", &claimed[0], &forcesync::storage::sync::Outcome::Synced, now).await.expect(backend);
        let status = db.entity_status(store, "customer:42").await.expect(backend).expect("entity");
        assert_eq!((status.state, status.store_pause), (EntityState::Synced, None), "{backend}");
        intake.submit(store, &[customer("c2", 9)]).await.expect(backend);
        let status = db.entity_status(store, "customer:42").await.expect(backend).expect("entity");
        assert_eq!(status.state, EntityState::Pending, "{backend}: an unfolded event may be its");
        db.close().await;
    }
}
