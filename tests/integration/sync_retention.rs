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
