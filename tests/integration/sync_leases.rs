//! Finishing leased work on SQLite, and on PostgreSQL when FORCESYNC_TEST_PG
//! is set: events folded while an entity is leased are not lost, a retry
//! keeps its backoff, a finish by a worker that lost its lease does nothing,
//! and an entity merged into another while leased stays merged.

use std::sync::Arc;

use forcesync::domain::sync::{CustomerSave, EventPayload};
use forcesync::storage::sync::{EntityState, Intake, Outcome, RecordedError};
use tokio::sync::Notify;

use crate::sync_storage::{at, backends, checkout, event, jane, now, paid, placed};

/// Events folded while an entity is leased are not lost: any outcome leaves
/// it pending (a retry keeps its backoff), and the next claim takes the new
/// version. A finish whose lease another worker took over changes nothing.
#[tokio::test]
async fn events_folded_during_a_lease_keep_the_entity_pending() {
    for (db, store, _dir) in backends().await {
        let backend = db.backend_name();
        let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
        let saved =
            |n: u32| event(&format!("c{n}"), EventPayload::Customer(CustomerSave { customer: jane(), at: at(n) }));
        let status = async || db.entity_status(store, "customer:42").await.expect("status").expect("customer");
        intake.submit(store, &[saved(1)]).await.expect("submit");
        db.fold_events(100, 0, now()).await.expect("fold");
        let first = db.claim_entities("w1", 10, 60_000, now()).await.expect("claim").remove(0);
        intake.submit(store, &[saved(2)]).await.expect("submit");
        db.fold_events(100, 0, now()).await.expect("fold");
        db.finish_entity("w1", &first, &Outcome::Synced, now()).await.expect("finish");
        let after = status().await;
        assert_eq!((after.state, after.event_count, after.attempts), (EntityState::Pending, 2, 0), "{backend}");

        let second = db.claim_entities("w2", 10, 60_000, now()).await.expect("claim").remove(0);
        assert_eq!(second.version, first.version + 1, "{backend}: the folded event's version");
        assert!(!second.uncertain, "{backend}: the first attempt's success was recorded");
        intake.submit(store, &[saved(3)]).await.expect("submit");
        db.fold_events(100, 0, now()).await.expect("fold");
        let later = now() + 3_600_000;
        let error = RecordedError {
            code: "UNABLE_TO_LOCK_ROW".into(),
            message: "unable to obtain exclusive access to this record".into(),
            fields: Vec::new(),
            remedy: None,
            class: "transient".into(),
        };
        db.finish_entity("w2", &second, &Outcome::Retry { error, retry_at: later }, now()).await.expect("retry");
        let after = status().await;
        assert_eq!((after.state, after.attempts, after.next_run_at), (EntityState::Pending, 1, later), "{backend}");
        assert!(db.claim_entities("w3", 10, 60_000, now()).await.expect("claim").is_empty(), "{backend}: backing off");

        let third = db.claim_entities("w3", 10, 60_000, later).await.expect("claim").remove(0);
        assert_eq!((third.version, third.uncertain), (second.version + 1, true), "{backend}");
        db.finish_entity("w2", &second, &Outcome::Synced, later).await.expect("stale finish");
        assert_eq!(status().await.attempts, 1, "{backend}: w2 no longer holds the lease");
        db.finish_entity("w3", &third, &Outcome::Synced, later).await.expect("finish");
        let after = status().await;
        assert_eq!((after.state, after.attempts, after.event_count), (EntityState::Synced, 0, 3), "{backend}");
    }
}

/// A payment arrives before its order: it starts an entity of its own, which
/// is leased when the order links it to its cart's sale and it is merged
/// there. Its finish must not revive it.
#[tokio::test]
async fn an_entity_merged_while_leased_stays_merged() {
    for (db, store, _dir) in backends().await {
        let backend = db.backend_name();
        let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
        intake.submit(store, &[checkout("e1", "77"), paid("p1", "9")]).await.expect("submit");
        db.fold_events(100, 0, now()).await.expect("fold");
        let claimed = db.claim_entities("w1", 10, 60_000, now()).await.expect("claim");
        let payment = claimed.iter().find(|e| e.label == "order:9").expect("the payment's entity is due").clone();
        intake.submit(store, &[placed("o1", "9", "77")]).await.expect("submit");
        db.fold_events(100, 0, now()).await.expect("fold");
        let merged = |counts: &[(String, i64)]| counts.iter().find(|(state, _)| state == "merged").map(|c| c.1);
        assert_eq!(merged(&db.entity_counts(store).await.expect("counts")), Some(1), "{backend}");

        db.finish_entity("w1", &payment, &Outcome::Synced, now()).await.expect("finish");
        assert_eq!(merged(&db.entity_counts(store).await.expect("counts")), Some(1), "{backend}: still merged");
        let sale = db.entity_status(store, "order:9").await.expect("status").expect("sale");
        assert_eq!((sale.state, sale.event_count), (EntityState::Pending, 3), "{backend}: the sale goes on");
    }
}
