//! Finishing leased work on SQLite, and on PostgreSQL when FORCESYNC_TEST_PG
//! is set: events folded while an entity is leased are not lost, a retry
//! keeps its backoff, a finish by a worker that lost its lease does nothing,
//! an entity merged into another while leased stays merged, and leases are
//! renewed only for their owner's live work, so a slow org never hands a
//! sale to a second worker.

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

/// Renewing extends only the renewing owner's live leases: another worker
/// cannot take a renewed entity, and a finished one is no longer renewed.
#[tokio::test]
async fn only_the_owners_live_leases_are_renewed() {
    for (db, store, _dir) in backends().await {
        let backend = db.backend_name();
        let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
        let saved = event("c1", EventPayload::Customer(CustomerSave { customer: jane(), at: at(1) }));
        intake.submit(store, &[saved]).await.expect("submit");
        let start = now();
        db.fold_events(100, 0, start).await.expect("fold");
        let leased = db.claim_entities("w1", 10, 1_000, start).await.expect("claim").remove(0);
        assert_eq!(db.renew_leases("w2", start + 60_000).await.expect(backend), 0, "{backend}: not w2's");
        assert_eq!(db.renew_leases("w1", start + 60_000).await.expect(backend), 1, "{backend}");
        let taken = db.claim_entities("w2", 10, 1_000, start + 2_000).await.expect("claim");
        assert!(taken.is_empty(), "{backend}: the renewed lease holds past its first end");
        db.finish_entity("w1", &leased, &Outcome::Synced, start + 2_000).await.expect("finish");
        assert_eq!(db.renew_leases("w1", start + 120_000).await.expect(backend), 0, "{backend}: finished");
    }
}

/// Renewing and releasing an owner's leases read only leased entities: the
/// lease keeper renews every third of a lease while holding SQLite's write
/// turn, so a scan of the whole queue there would hold up every caller's
/// answer for as long as the queue is large.
#[tokio::test]
async fn renewing_and_releasing_leases_read_only_leased_entities() {
    for (db, _store, _dir) in backends().await {
        let Some([renew, release]) = db.lease_plans().await.expect("plans") else { continue };
        for (what, plan) in [("renew", renew), ("release", release)] {
            assert!(
                plan.iter().any(|step| step.contains("USING INDEX sync_entities_leased")),
                "{what} leases: {plan:?}"
            );
        }
    }
}

/// A Salesforce call that takes longer than a lease does not hand the
/// entity to another worker: the engine renews its leases while it works, so
/// a sale against a slow org (every call 4 leases long) costs exactly the API
/// calls it costs against a fast one; a second worker taking over the sale
/// would look its records up and send again.
#[tokio::test]
async fn leases_are_renewed_while_a_slow_org_answers() {
    let lease = std::time::Duration::from_millis(300);
    let fast = api_calls_for_one_sale(lease, 0).await;
    let slow = api_calls_for_one_sale(lease, 4 * lease.as_millis() as u64).await;
    assert_eq!(slow, fast, "API calls for one sale, slow org vs fast org");
}

/// The API calls one sale (its three events sent at once) takes to sync, with a fresh store and org.
async fn api_calls_for_one_sale(lease: std::time::Duration, latency_ms: u64) -> u64 {
    use forcesync::pb;

    use crate::helpers::sync::connected_store_with;
    use crate::sync_faults::{assert_exact_sales, checkout_event, count, counters, order_events, orders, synced};

    let engine = forcesync::engine::EngineConfig { lease, ..crate::helpers::test_engine() };
    let setup = connected_store_with(engine, pb::StoreSettings::default(), Vec::new()).await;
    let latency = serde_json::json!({ "latency_ms": latency_ms });
    setup.sandbox.control(reqwest::Method::PATCH, "/settings", Some(latency)).await;
    let before = count(&counters(&setup).await, "/api_usage/used");
    let events = std::iter::once(checkout_event(0)).chain(order_events(0)).collect();
    setup.sync().submit_events(pb::SubmitEventsRequest { events }).await.expect("submit");
    synced(&setup, orders(0..1), 3).await;
    assert_exact_sales(&setup, 1).await;
    count(&counters(&setup).await, "/api_usage/used") - before
}
