//! Retention on SQLite, and on PostgreSQL when FORCESYNC_TEST_PG is set: old
//! events of entities Salesforce holds and old sync-log rows are pruned;
//! events of work not yet synced, and newer ones, are kept; entities stay.

use std::sync::Arc;

use forcesync::domain::sync::{CustomerSave, EventPayload};
use forcesync::storage::sync::{EntityState, EventFilter, Intake, LogLine, Outcome, Pruned, RecordedError};
use tokio::sync::Notify;

use crate::sync_storage::{at, backends, checkout, event, jane, now};

#[tokio::test]
async fn only_old_events_of_synced_work_and_old_log_rows_are_pruned() {
    for (db, store, _dir) in backends().await {
        let backend = db.backend_name();
        let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
        let saved = event("c1", EventPayload::Customer(CustomerSave { customer: jane(), at: at(1) }));
        intake.submit(store, &[saved, checkout("s1", "77")]).await.expect(backend);
        db.fold_events(100, 0, now()).await.expect(backend);
        let line = LogLine { level: "info", entity: "customer:42".into(), message: "Account upserted".into() };
        db.append_sync_log(store, &[line], 100).await.expect(backend);

        // The customer is synced; the sale failed and waits for its retry: not in Salesforce yet.
        let claimed = db.claim_entities("w1", 10, 60_000, now()).await.expect(backend);
        for entity in &claimed {
            let outcome = if entity.label == "customer:42" {
                Outcome::Synced
            } else {
                let error = RecordedError {
                    code: "UNABLE_TO_LOCK_ROW".into(),
                    message: "locked".into(),
                    fields: Vec::new(),
                    remedy: None,
                    class: "transient".into(),
                };
                Outcome::Retry { error, retry_at: now() + 60_000 }
            };
            db.finish_entity("w1", entity, &outcome, now()).await.expect(backend);
        }

        let received_before = now() + 1;
        assert_eq!(db.prune_before(0, 500).await.expect(backend), Pruned::default(), "{backend}: nothing that old");
        let pruned = db.prune_before(received_before, 500).await.expect(backend);
        assert_eq!(
            pruned,
            Pruned { events: 1, log_rows: 1, changes: 0 },
            "{backend}: the synced customer's event and the log row"
        );

        let events = db.list_events(store, &EventFilter::default(), 10).await.expect(backend);
        let ids: Vec<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
        assert_eq!(ids, ["s1"], "{backend}: the unsynced sale's event is kept");
        let customer = db.entity_status(store, "customer:42").await.expect(backend).expect("the entity stays");
        assert_eq!(customer.state, EntityState::Synced, "{backend}");
        assert!(db.sync_log(store, 10).await.expect(backend).is_empty(), "{backend}: log pruned");

        // A newer event of a synced entity makes it pending again: its old events wait with it.
        let again = event("c2", EventPayload::Customer(CustomerSave { customer: jane(), at: at(2) }));
        intake.submit(store, &[again]).await.expect(backend);
        db.fold_events(100, 0, now()).await.expect(backend);
        let pruned = db.prune_before(now() + 1, 500).await.expect(backend);
        assert_eq!(pruned.events, 0, "{backend}: the customer has changes Salesforce does not hold yet");
    }
}

fn customer_save(id: &str, key: &str, hour: u32) -> forcesync::domain::sync::NewEvent {
    let customer = forcesync::domain::lifecycle::Customer { key: key.into(), ..jane() };
    event(id, EventPayload::Customer(CustomerSave { customer, at: at(hour) }))
}

/// Pruning starts from the synced entities: a large unsynced backlog received
/// first is neither pruned nor in the way of the synced work's old events.
#[tokio::test]
async fn events_of_synced_work_behind_a_large_unsynced_backlog_are_pruned_and_the_backlog_is_kept() {
    const BACKLOG: usize = 400;
    for (db, store, _dir) in backends().await {
        let backend = db.backend_name();
        let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
        let backlog: Vec<_> = (0..BACKLOG).map(|n| customer_save(&format!("b{n}"), &format!("b{n}"), 1)).collect();
        for chunk in backlog.chunks(200) {
            intake.submit(store, chunk).await.expect(backend);
        }
        // 30 customers received after the backlog, 5 of them saved twice: 35 events.
        let mut later: Vec<_> = (0..30).map(|n| customer_save(&format!("s{n}"), &format!("s{n}"), 1)).collect();
        later.extend((0..5).map(|n| customer_save(&format!("s{n}-again"), &format!("s{n}"), 2)));
        intake.submit(store, &later).await.expect(backend);
        while db.fold_events(1_000, 0, now()).await.expect(backend) > 0 {}

        // Salesforce takes the later customers; the backlog's fail and wait for their retry.
        let claimed = db.claim_entities("w1", 1_000, 60_000, now()).await.expect(backend);
        assert_eq!(claimed.len(), BACKLOG + 30, "{backend}");
        for entity in &claimed {
            let outcome = if entity.label.starts_with("customer:s") {
                Outcome::Synced
            } else {
                let error = RecordedError {
                    code: "SERVER_UNAVAILABLE".into(),
                    message: "down".into(),
                    fields: Vec::new(),
                    remedy: None,
                    class: "transient".into(),
                };
                Outcome::Retry { error, retry_at: now() + 60_000 }
            };
            db.finish_entity("w1", entity, &outcome, now()).await.expect(backend);
        }

        let cutoff = now() + 1;
        let first = db.prune_before(cutoff, 7).await.expect(backend);
        assert!(first.events >= 7, "{backend}: the first batch prunes past the backlog: {first:?}");
        let mut pruned = first.events;
        loop {
            let batch = db.prune_before(cutoff, 7).await.expect(backend).events;
            if batch == 0 {
                break;
            }
            pruned += batch;
            assert!(pruned <= 35, "{backend}: only the synced customers' events: {pruned}");
        }
        assert_eq!(pruned, 35, "{backend}: every event of the synced customers");
        let left = db.list_events(store, &EventFilter::default(), 1_000).await.expect(backend);
        assert_eq!(left.len(), BACKLOG, "{backend}: the unsynced backlog is kept");
        assert!(left.iter().all(|e| e.event_id.starts_with('b')), "{backend}");
        let kept = db.entity_status(store, "customer:b0").await.expect(backend).expect("entity");
        assert_eq!(kept.state, EntityState::Pending, "{backend}");
        let synced = db.entity_status(store, "customer:s0").await.expect(backend).expect("the entity stays");
        assert_eq!(synced.state, EntityState::Synced, "{backend}");

        // Once the backlog syncs, its events go too.
        let retried = db.claim_entities("w2", 1_000, 60_000, now() + 120_000).await.expect(backend);
        assert_eq!(retried.len(), BACKLOG, "{backend}");
        for entity in &retried {
            db.finish_entity("w2", entity, &Outcome::Synced, now()).await.expect(backend);
        }
        while db.prune_before(now() + 1, 500).await.expect(backend).events > 0 {}
        assert!(db.list_events(store, &EventFilter::default(), 10).await.expect(backend).is_empty(), "{backend}");
    }
}
