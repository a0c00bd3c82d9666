//! Bounded exponential backoff with jitter, for transient failures of calls
//! that are safe to repeat.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 4, base_delay: Duration::from_millis(250), max_delay: Duration::from_secs(8) }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt` (1 = the first retry): base × 2^(attempt−1),
    /// capped, then scaled by a jitter factor in [0.5, 1.0] from `jitter` (0–1).
    pub fn delay(&self, attempt: u32, jitter: f64) -> Duration {
        crate::domain::sync::retry::backoff(self.base_delay, self.max_delay, attempt, jitter)
    }

    /// A random jitter in [0, 1).
    pub fn jitter() -> f64 {
        let mut bytes = [0u8; 4];
        if getrandom::fill(&mut bytes).is_err() {
            return 0.5;
        }
        f64::from(u32::from_le_bytes(bytes)) / (f64::from(u32::MAX) + 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(500),
        };
        assert_eq!(policy.delay(1, 1.0), Duration::from_millis(100));
        assert_eq!(policy.delay(2, 1.0), Duration::from_millis(200));
        assert_eq!(policy.delay(3, 1.0), Duration::from_millis(400));
        assert_eq!(policy.delay(4, 1.0), Duration::from_millis(500));
        assert_eq!(policy.delay(3, 0.0), Duration::from_millis(200));
        assert_eq!(policy.delay(40, 1.0), Duration::from_millis(500));
        let j = RetryPolicy::jitter();
        assert!((0.0..1.0).contains(&j));
    }
}
