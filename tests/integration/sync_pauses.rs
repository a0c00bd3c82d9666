//! Pauses: a spent daily API allocation pauses the store without a storm of
//! refused calls, and no pause outlives its cause: the store resumes once the
//! budget is back even when its session expired meanwhile, and at once when
//! its configuration is fixed.

use forcesync::pb;
use reqwest::Method;
use serde_json::json;
use std::time::Duration;

use forcesync::engine::EngineConfig;

use crate::helpers::sync::connected_store_with;
use crate::helpers::test_engine;
use crate::sync_faults::{
    PATIENCE, assert_exact_sales, count, counters, finish_sale, orders, queue_faults, start_sale, synced,
};

const HOUR: Duration = Duration::from_secs(3600);

/// The daily allocation spent: the store pauses (no storm of refused calls,
/// no attempts spent), then syncs everything exactly once when it is raised.
#[tokio::test]
async fn a_spent_api_allocation_pauses_the_store_until_it_is_raised() {
    let engine = test_engine();
    let setup = connected_store_with(engine.clone(), pb::StoreSettings::default(), Vec::new()).await;
    let used = count(&counters(&setup).await, "/api_usage/used");
    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "daily_api_limit": used }))).await;
    let started = tokio::time::Instant::now();
    for n in 0..5 {
        start_sale(&setup, n).await;
        finish_sale(&setup, n).await;
    }

    // Watch the paused store for a few pauses after the first refusal (the engine rechecks `/limits` once per
    // pause): every sale stays pending with no attempt spent, nothing reaches the org, no storm of refused calls.
    let mut client = setup.sync();
    let (deadline, mut refused_at) = (started + PATIENCE, None);
    let refused = loop {
        let refused = count(&counters(&setup).await, "/calls/rejected_limit");
        let mut pending = 0;
        for entity in orders(0..5) {
            let request = pb::GetSyncStatusRequest { entity: Some(entity) };
            let Ok(status) = client.get_sync_status(request).await.map(tonic::Response::into_inner) else { continue };
            assert_eq!((status.state, status.attempts), (pb::SyncState::Pending as i32, 0), "{status:?}");
            pending += usize::from(status.event_count == 3);
        }
        if refused > 0 && refused_at.is_none() {
            refused_at = Some(tokio::time::Instant::now());
        }
        if pending == 5 && refused_at.is_some_and(|at: tokio::time::Instant| at.elapsed() >= 3 * engine.pause) {
            break refused;
        }
        assert!(tokio::time::Instant::now() < deadline, "{pending} sales pending, {refused} calls refused");
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert_eq!(setup.records("Opportunity").await.len(), 0, "nothing is written without budget");
    // A storm refuses every entity's calls at every retry; a paused store makes one `/limits` check per pause,
    // after at most a call or two per worker that found the allocation spent.
    let checks = started.elapsed().as_millis() / engine.pause.as_millis() + 1;
    let allowance = u64::try_from(checks).unwrap_or(u64::MAX) + 2 * engine.workers as u64;
    assert!(refused <= allowance, "{refused} refused calls in {:?}: more than {allowance}", started.elapsed());

    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "daily_api_limit": used + 100_000 }))).await;
    synced(&setup, orders(0..5), 3).await;
    assert_exact_sales(&setup, 5).await;
    let refused = count(&counters(&setup).await, "/calls/rejected_limit");
    assert!(refused <= allowance + 1, "{refused} refused calls in all");
}

/// Budget spent, the session expired during the pause (and the first new
/// session expires too), budget restored: everything syncs once, promptly,
/// although a pause may last an hour: a check that fails for another reason
/// than the spent budget ends the pause instead of starting another.
#[tokio::test]
async fn a_pause_ends_when_the_budget_returns_even_if_the_session_expired_meanwhile() {
    let engine = EngineConfig { pause_first: Duration::from_millis(50), pause: HOUR, ..test_engine() };
    let setup = connected_store_with(engine, pb::StoreSettings::default(), Vec::new()).await;
    let used = count(&counters(&setup).await, "/api_usage/used");
    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "daily_api_limit": used }))).await;
    for n in 0..3 {
        start_sale(&setup, n).await;
        finish_sale(&setup, n).await;
    }
    let refused = || async { count(&counters(&setup).await, "/calls/rejected_limit") };
    let deadline = tokio::time::Instant::now() + PATIENCE;
    while refused().await < 2 {
        assert!(tokio::time::Instant::now() < deadline, "the spent allocation was never met and rechecked");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    setup.sandbox.control(Method::DELETE, "/sessions", None).await;
    queue_faults(&setup, &[("expire_session", 2)]).await;
    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "daily_api_limit": used + 100_000 }))).await;
    synced(&setup, orders(0..3), 3).await;
    assert_exact_sales(&setup, 3).await;
}

/// A store that cannot connect (its password was removed) pauses; saving
/// credentials ends the pause at once, though the next check is an hour away.
#[tokio::test]
async fn fixing_the_configuration_ends_a_pause_at_once() {
    let engine = EngineConfig { pause_first: HOUR, pause: HOUR, ..test_engine() };
    let setup = connected_store_with(engine, pb::StoreSettings::default(), Vec::new()).await;
    let mut config = setup.app.config(&setup.token);
    let secret = |value: &str| pb::CredentialValue { kind: pb::CredentialKind::Password as i32, value: value.into() };
    let set = |value: &str| pb::SetCredentialsRequest { store_code: "main".into(), credentials: vec![secret(value)] };
    config.set_credentials(set("")).await.expect("remove the password");
    start_sale(&setup, 0).await;
    finish_sale(&setup, 0).await;
    let mut sync = setup.sync();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let request = pb::GetSyncStatusRequest { entity: orders(0..1).next() };
        let status = sync.get_sync_status(request).await.map(tonic::Response::into_inner);
        if status.as_ref().is_ok_and(|s| s.event_count == 3 && s.waiting_reason.contains("password is not set")) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the sale never waited for the store: {status:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    config.set_credentials(set(crate::helpers::sandbox::PASSWORD)).await.expect("restore the password");
    synced(&setup, orders(0..1), 3).await;
    assert_exact_sales(&setup, 1).await;
}
