//! The engine's notion of now: the wall clock in production, a clock tests
//! move by hand ([`TestClock`]) so pauses and backoffs run out when a test
//! says so, not after a sleep. The engine reads it once per step and passes
//! `now` down to storage and the pure rules.

use std::fmt::Debug;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// Now, in the Unix milliseconds the tables use.
pub trait Clock: Send + Sync + Debug {
    fn now_millis(&self) -> i64;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_millis(&self) -> i64 {
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
    }
}

/// A clock that stands still until [`TestClock::advance`] moves it. Cheap to
/// clone: clones share one time.
#[derive(Debug, Clone)]
pub struct TestClock {
    now: Arc<AtomicI64>,
}

impl TestClock {
    /// A clock at `millis`.
    pub fn at(millis: i64) -> Self {
        Self { now: Arc::new(AtomicI64::new(millis)) }
    }

    /// A clock an hour ahead of the wall clock. Storage calls made outside the
    /// engine (intake, tests' own folds) stamp with the wall clock, so starting
    /// ahead makes such work due at once, however long a test's setup took.
    pub fn ahead_of_wall_clock() -> Self {
        Self::at(SystemClock.now_millis().saturating_add(3_600_000))
    }

    /// Moves the clock on by `by`.
    pub fn advance(&self, by: Duration) {
        let by = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.now.fetch_add(by, Ordering::SeqCst);
    }
}

impl Clock for TestClock {
    fn now_millis(&self) -> i64 {
        self.now.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_clock_moves_only_when_advanced_and_clones_share_it() {
        let clock = TestClock::at(1_000);
        let shared = clock.clone();
        assert_eq!(clock.now_millis(), 1_000);
        shared.advance(Duration::from_secs(90));
        assert_eq!(clock.now_millis(), 91_000);
    }

    #[test]
    fn the_system_clock_reads_the_wall_clock() {
        let wall = chrono::Utc::now().timestamp_millis();
        assert!((SystemClock.now_millis() - wall).abs() < 60_000);
        assert!(TestClock::ahead_of_wall_clock().now_millis() > wall);
    }
}
