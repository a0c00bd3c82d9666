//! Backoff by the engine's clock, stepped: a transient failure is retried
//! when its backoff has run out and not a moment before, and too many in a
//! row park the sale with a remedy. The test moves a `TestClock`; nothing
//! sleeps and nothing depends on how fast the machine is.

use std::time::Duration;

use forcesync::engine::{EngineConfig, StepReport, TestClock};
use forcesync::pb;

use crate::helpers::stepped_engine;
use crate::helpers::sync::{SyncSetup, connected_store_with};
use crate::sync_faults::{assert_exact_sales, finish_sale, orders, queue_faults, start_sale};

const BASE: Duration = Duration::from_secs(2);

/// Production backoff (2 s doubling, jitter between half and all of it) on a stepped engine.
fn config(clock: &TestClock, max_attempts: i64) -> EngineConfig {
    EngineConfig { retry_base: BASE, retry_max: Duration::from_secs(300), max_attempts, ..stepped_engine(clock) }
}

async fn status(setup: &SyncSetup) -> pb::GetSyncStatusResponse {
    let request = pb::GetSyncStatusRequest { entity: orders(0..1).next() };
    setup.sync().get_sync_status(request).await.expect("status").into_inner()
}

fn millis(time: Option<prost_types::Timestamp>) -> i64 {
    let time = time.expect("a time");
    time.seconds * 1000 + i64::from(time.nanos / 1_000_000)
}

#[tokio::test]
async fn a_transient_failure_is_retried_once_its_backoff_has_run_out() {
    let clock = TestClock::ahead_of_wall_clock();
    let setup = connected_store_with(config(&clock, 12), pb::StoreSettings::default(), Vec::new()).await;
    let engine = setup.app.server.engine().expect("engine");
    start_sale(&setup, 0).await;
    finish_sale(&setup, 0).await;
    queue_faults(&setup, &[("unable_to_lock_row", 1)]).await;

    let failed = engine.step().await;
    assert_eq!((failed.claimed, failed.retried), (1, 1), "{failed:?}");
    let after = status(&setup).await;
    assert_eq!((after.state, after.attempts), (pb::SyncState::Pending as i32, 1), "{after:?}");
    assert_eq!(after.last_error.map(|e| e.code).as_deref(), Some("UNABLE_TO_LOCK_ROW"));
    // The first retry waits the base, scaled by a jitter between half and all of it.
    let wait = millis(after.next_attempt_time) - engine.now();
    let half = i64::try_from(BASE.as_millis()).expect("ms") / 2;
    assert!((half..=2 * half).contains(&wait), "retry in {wait} ms");

    assert_eq!(engine.step().await, StepReport::default(), "not due yet");
    clock.advance(Duration::from_millis(u64::try_from(wait - 1).expect("ms")));
    assert_eq!(engine.step().await, StepReport::default(), "a millisecond early");
    clock.advance(Duration::from_millis(1));
    let retried = engine.drain().await;
    assert_eq!((retried.claimed, retried.synced), (1, 1), "{retried:?}");
    let after = status(&setup).await;
    assert_eq!((after.state, after.attempts), (pb::SyncState::Synced as i32, 0), "{after:?}");
    assert_exact_sales(&setup, 1).await;
}

#[tokio::test]
async fn too_many_transient_failures_in_a_row_park_the_sale_with_a_remedy() {
    let clock = TestClock::ahead_of_wall_clock();
    let setup = connected_store_with(config(&clock, 3), pb::StoreSettings::default(), Vec::new()).await;
    let engine = setup.app.server.engine().expect("engine");
    start_sale(&setup, 0).await;
    finish_sale(&setup, 0).await;
    // More than enough: every attempt's first write fails.
    queue_faults(&setup, &[("unable_to_lock_row", 10)]).await;

    for attempt in 1..=2 {
        let failed = engine.step().await;
        assert_eq!((failed.claimed, failed.retried), (1, 1), "attempt {attempt}: {failed:?}");
        assert_eq!(status(&setup).await.attempts, attempt);
        clock.advance(Duration::from_secs(300));
    }
    let last = engine.step().await;
    assert_eq!((last.claimed, last.parked), (1, 1), "{last:?}");
    let parked = status(&setup).await;
    assert_eq!((parked.state, parked.attempts), (pb::SyncState::Parked as i32, 3), "{parked:?}");
    let error = parked.last_error.expect("the error");
    assert_eq!(error.code, "UNABLE_TO_LOCK_ROW");
    assert!(error.remedy.starts_with("Gave up after 3 attempts in a row."), "{}", error.remedy);
    clock.advance(Duration::from_secs(3600));
    assert_eq!(engine.drain().await, StepReport::default(), "a parked sale waits for a person");
}
