//! An outage (Salesforce answers 503, the version list included) pauses the
//! store instead of failing each entity on its own: the first batch's 503
//! defers its work without counting an attempt, the store is then checked
//! with the free version list on the retry schedule (2 s doubling to 300 s)
//! and nothing else is sent, however long the outage lasts (no claim takes
//! the store's work before a check resumes it), so no entity is parked by it; when Salesforce answers again the next check resumes the
//! store and everything syncs exactly once. The engine is stepped and its
//! clock moved by the test; the client makes one attempt per call, so every
//! count is exact.

use std::time::Duration;

use forcesync::engine::{EngineConfig, StepReport, TestClock};
use forcesync::pb;
use forcesync::salesforce::retry::RetryPolicy;
use reqwest::Method;
use serde_json::json;

use crate::helpers::stepped_engine;
use crate::helpers::sync::{SyncSetup, connected_store_retrying};
use crate::sync_faults::{assert_exact_sales, count, counters, finish_sale, orders, start_sale, synced};

const SALES: u32 = 5;
/// Transient failures in a row that would park an entity: far fewer than the outage's checks.
const MAX_ATTEMPTS: i64 = 3;
/// Checks that find the org still down: past the retry cap, and past `MAX_ATTEMPTS`.
const CHECKS_WHILE_DOWN: i64 = 9;

fn config(clock: &TestClock) -> EngineConfig {
    EngineConfig {
        retry_base: Duration::from_secs(2),
        retry_max: Duration::from_secs(300),
        max_attempts: MAX_ATTEMPTS,
        ..stepped_engine(clock)
    }
}

#[tokio::test]
async fn an_outage_pauses_the_store_and_parks_nothing_however_long_it_lasts() {
    let clock = TestClock::ahead_of_wall_clock();
    let config = config(&clock);
    let one_attempt = RetryPolicy { max_attempts: 1, ..RetryPolicy::default() };
    let setup = connected_store_retrying(config.clone(), one_attempt).await;
    let engine = setup.app.server.engine().expect("engine");
    for n in 0..SALES {
        start_sale(&setup, n).await;
        finish_sale(&setup, n).await;
    }
    setup.sandbox.control(Method::PATCH, "/faults", Some(json!({ "http_503": 1.0 }))).await;
    let used = async || count(&counters(&setup).await, "/api_usage/used");
    let probes = async || count(&counters(&setup).await, "/calls/versions");

    let first = engine.step().await;
    assert_eq!((first.claimed, first.deferred, first.retried, first.parked), (5, 5, 0, 0), "{first:?}");
    let (used_down, probes_down) = (used().await, probes().await);
    assert_waiting_for_the_org(&setup).await;

    for checks in 0..CHECKS_WHILE_DOWN {
        let wait = config.outage_pause_after(checks);
        clock.advance(wait - Duration::from_millis(1));
        assert_eq!(engine.step().await, StepReport::default(), "before check {checks}");
        clock.advance(Duration::from_millis(1));
        // A pause that ran out still holds the work until its check resumes the store: another
        // worker's claim (in a replica, or a worker of this engine) finds nothing.
        let storage = &setup.app.server.storage;
        let early = storage.claim_entities("another worker", 500, 30_000, engine.now()).await.expect("claim");
        assert!(early.is_empty(), "claimed before the check {checks}: {early:?}");
        let check = engine.step().await;
        assert_eq!(check, StepReport { checked: 1, ..StepReport::default() }, "check {checks}");
        assert_eq!(probes().await, probes_down + checks as u64 + 1, "one free probe per check");
    }
    assert_eq!(config.outage_pause_after(CHECKS_WHILE_DOWN - 1), config.retry_max, "the checks reached the cap");
    assert_eq!(used().await, used_down, "no counted call while the org is down");
    assert_waiting_for_the_org(&setup).await;
    assert_eq!(setup.records("Opportunity").await.len(), 0);

    setup.sandbox.control(Method::DELETE, "/faults", None).await;
    clock.advance(config.retry_max);
    let drained = engine.drain().await;
    assert_eq!((drained.checked, drained.resumed, drained.synced), (1, 1, 5), "{drained:?}");
    assert_eq!((drained.retried, drained.parked, drained.deferred), (0, 0, 0), "{drained:?}");
    synced(&setup, orders(0..SALES), 3).await;
    assert_exact_sales(&setup, SALES).await;
}

/// Every sale pending with its three events, no attempt spent, and the
/// outage named as what it waits for.
async fn assert_waiting_for_the_org(setup: &SyncSetup) {
    let mut client = setup.sync();
    for entity in orders(0..SALES) {
        let request = pb::GetSyncStatusRequest { entity: Some(entity) };
        let status = client.get_sync_status(request).await.expect("status").into_inner();
        let seen = (status.state, status.attempts, status.event_count);
        assert_eq!(seen, (pb::SyncState::Pending as i32, 0, 3), "{status:?}");
        assert!(status.waiting_reason.contains("SERVER_UNAVAILABLE"), "{status:?}");
    }
}
