//! Pauses: a spent daily API allocation pauses the store without a storm of
//! refused calls, and no pause outlives its cause: the store resumes once the
//! budget is back even when its session expired meanwhile, and at once when
//! its configuration is fixed. The engine is stepped by hand and its clock
//! moved by the test, so every count is exact and nothing waits out a pause.

use forcesync::pb;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

use forcesync::engine::{EngineConfig, StepReport, TestClock};

use crate::helpers::sync::{SyncSetup, connected_store_with};
use crate::helpers::{settle, stepped_engine};
use crate::sync_faults::{assert_exact_sales, count, counters, finish_sale, orders, queue_faults, start_sale, synced};

const HOUR: Duration = Duration::from_secs(3600);

/// The daily allocation spent: the store pauses (no storm of refused calls,
/// no attempts spent), is checked once per pause (1, 2, 4, 8 minutes, then
/// every 15) by the engine's clock, and syncs everything exactly once when
/// the allocation is raised. The engine is stepped; nothing waits.
#[tokio::test]
async fn a_spent_api_allocation_pauses_the_store_until_it_is_raised() {
    let clock = TestClock::ahead_of_wall_clock();
    let config = stepped_engine(&clock);
    let setup = connected_store_with(config.clone(), pb::StoreSettings::default(), Vec::new()).await;
    let engine = setup.app.server.engine().expect("engine");
    let used = count(&counters(&setup).await, "/api_usage/used");
    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "daily_api_limit": used }))).await;
    for n in 0..5 {
        start_sale(&setup, n).await;
        finish_sale(&setup, n).await;
    }
    let calls = async |name: &str| count(&counters(&setup).await, &format!("/calls/{name}"));
    // Test Connection looked at `/limits` too.
    let limits_before = calls("limits").await;

    // The five sales are leased together: the batch's first call is refused, the store pauses.
    let first = engine.step().await;
    assert_eq!((first.folded, first.claimed, first.deferred), (15, 5, 5), "{first:?}");
    assert_eq!(calls("rejected_limit").await, 1);
    assert_pending(&setup).await;

    // One `/limits` check per pause, none in between, and nothing else. While the allocation is spent the
    // sandbox refuses `/limits` too, so each check is one refused call.
    for checks in 0..6 {
        let wait = config.pause_after(checks);
        clock.advance(wait - Duration::from_millis(1));
        let early = engine.step().await;
        assert_eq!(early, StepReport::default(), "before pause {checks} ran out");
        clock.advance(Duration::from_millis(1));
        let check = engine.step().await;
        assert_eq!(check, StepReport { checked: 1, ..StepReport::default() }, "when pause {checks} ran out");
        assert_eq!(calls("rejected_limit").await, checks as u64 + 2, "one check per pause");
    }
    assert_eq!(config.pause_after(5), Duration::from_secs(15 * 60), "the checks reached the longest pause");
    assert_pending(&setup).await;
    assert_eq!(setup.records("Opportunity").await.len(), 0, "nothing is written without budget");

    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "daily_api_limit": used + 100_000 }))).await;
    clock.advance(config.pause);
    let drained = engine.drain().await;
    assert_eq!((drained.checked, drained.resumed, drained.synced), (1, 1, 5), "{drained:?}");
    assert_eq!((drained.retried, drained.parked, drained.deferred), (0, 0, 0), "{drained:?}");
    synced(&setup, orders(0..5), 3).await;
    assert_exact_sales(&setup, 5).await;
    let refused_and_checked = (calls("rejected_limit").await, calls("limits").await - limits_before);
    assert_eq!(refused_and_checked, (7, 1), "one more check found the budget");
}

/// Every sale pending with its three events, no attempt spent.
async fn assert_pending(setup: &SyncSetup) {
    let mut client = setup.sync();
    for entity in orders(0..5) {
        let request = pb::GetSyncStatusRequest { entity: Some(entity) };
        let status = client.get_sync_status(request).await.expect("status").into_inner();
        let seen = (status.state, status.attempts, status.event_count);
        assert_eq!(seen, (pb::SyncState::Pending as i32, 0, 3), "{status:?}");
    }
}

/// Budget spent, the session expired during the pause (and the first new
/// session expires too), budget restored: everything syncs once at the next
/// check, though the pause could grow to an hour: a check that fails for
/// another reason than the spent budget ends the pause instead of starting
/// another. Stepped with the engine's clock.
#[tokio::test]
async fn a_pause_ends_when_the_budget_returns_even_if_the_session_expired_meanwhile() {
    let clock = TestClock::ahead_of_wall_clock();
    let config = EngineConfig { pause: HOUR, ..stepped_engine(&clock) };
    let setup = connected_store_with(config.clone(), pb::StoreSettings::default(), Vec::new()).await;
    let engine = setup.app.server.engine().expect("engine");
    let used = count(&counters(&setup).await, "/api_usage/used");
    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "daily_api_limit": used }))).await;
    for n in 0..3 {
        start_sale(&setup, n).await;
        finish_sale(&setup, n).await;
    }
    let refused = async || count(&counters(&setup).await, "/calls/rejected_limit");
    let first = engine.step().await;
    assert_eq!((first.claimed, first.deferred, refused().await), (3, 3, 1), "{first:?}");
    clock.advance(config.pause_after(0));
    let check = engine.step().await;
    assert_eq!((check.checked, check.resumed, refused().await), (1, 0, 2), "still spent: {check:?}");

    setup.sandbox.control(Method::DELETE, "/sessions", None).await;
    queue_faults(&setup, &[("expire_session", 2)]).await;
    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "daily_api_limit": used + 100_000 }))).await;
    clock.advance(config.pause_after(1));
    // The expired sessions fail a call or two: those sales retry after their backoff.
    let settled = settle(&engine, &clock, config.retry_max).await;
    assert_eq!((settled.checked, settled.resumed, settled.parked), (1, 1, 0), "{settled:?}");
    assert_eq!(settled.synced, 3, "{settled:?}");
    synced(&setup, orders(0..3), 3).await;
    assert_exact_sales(&setup, 3).await;
}

/// A store that cannot connect (its password was removed) pauses; saving
/// credentials ends the pause at once, though the next check is an hour away
/// (the engine's clock does not move in this test).
#[tokio::test]
async fn fixing_the_configuration_ends_a_pause_at_once() {
    let clock = TestClock::ahead_of_wall_clock();
    let engine_config = EngineConfig { pause_first: HOUR, pause: HOUR, ..stepped_engine(&clock) };
    let setup = connected_store_with(engine_config, pb::StoreSettings::default(), Vec::new()).await;
    let engine = setup.app.server.engine().expect("engine");
    let mut config = setup.app.config(&setup.token);
    let secret = |value: &str| pb::CredentialValue { kind: pb::CredentialKind::Password as i32, value: value.into() };
    let set = |value: &str| pb::SetCredentialsRequest { store_code: "main".into(), credentials: vec![secret(value)] };
    config.set_credentials(set("")).await.expect("remove the password");
    start_sale(&setup, 0).await;
    finish_sale(&setup, 0).await;
    let paused = engine.step().await;
    assert_eq!((paused.claimed, paused.deferred), (1, 1), "{paused:?}");
    let request = pb::GetSyncStatusRequest { entity: orders(0..1).next() };
    let status = setup.sync().get_sync_status(request).await.expect("status").into_inner();
    assert_eq!((status.state, status.attempts), (pb::SyncState::Pending as i32, 0), "{status:?}");
    assert!(status.waiting_reason.contains("password is not set"), "{status:?}");
    assert_eq!(engine.step().await, StepReport::default(), "paused for an hour");

    config.set_credentials(set(crate::helpers::sandbox::PASSWORD)).await.expect("restore the password");
    let drained = engine.drain().await;
    assert_eq!((drained.checked, drained.claimed, drained.synced), (0, 1, 1), "{drained:?}");
    synced(&setup, orders(0..1), 3).await;
    assert_exact_sales(&setup, 1).await;
}
