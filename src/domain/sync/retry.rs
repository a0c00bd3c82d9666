//! What a failed attempt means for its entity, pure: a transient failure is
//! retried after an exponential backoff with jitter and parked after too many
//! in a row; a data or configuration failure parks at once; an org that
//! cannot take work (its API allocation spent, or not answering at all)
//! defers the work without counting an attempt (the store's pause holds it
//! back, so an outage longer than the backoffs parks nothing). The caller
//! classifies the error and draws the jitter.

use std::time::Duration;

use super::job_state::{Outcome, RecordedError};

/// How failed attempts are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryRules {
    /// The first retry's wait; each further one doubles it.
    pub base: Duration,
    /// The longest wait.
    pub max: Duration,
    /// Failed attempts in a row after which the entity is parked.
    pub max_attempts: i64,
}

/// A failed attempt, by what it calls for.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// Worth repeating: 5xx, timeouts, lock errors, an expired session, a key race.
    Transient(RecordedError),
    /// Needs a person: data, configuration, permission or login errors.
    Permanent(RecordedError),
    /// The org cannot take any work now (its daily allocation is spent, or it
    /// is not answering): the store pauses until it can.
    OrgBlocked,
}

/// The wait before retry `attempt` (1 = the first): `base × 2^(attempt−1)`,
/// capped at `max`, then scaled by a jitter factor in [0.5, 1.0] drawn from
/// `jitter` (0–1), so entities that failed together do not retry together.
pub fn backoff(base: Duration, max: Duration, attempt: u32, jitter: f64) -> Duration {
    let exponent = attempt.saturating_sub(1).min(20);
    let raw = base.saturating_mul(1u32 << exponent).min(max);
    raw.mul_f64(0.5 + 0.5 * jitter.clamp(0.0, 1.0))
}

/// The outcome of an entity that had failed `attempts` times in a row
/// failing again with `failure` at `now`.
pub fn after_failure(failure: Failure, attempts: i64, rules: &RetryRules, jitter: f64, now: i64) -> Outcome {
    match failure {
        // Due again at once: the store's pause holds it back, and ends with its cause.
        Failure::OrgBlocked => Outcome::Deferred { retry_at: now },
        Failure::Permanent(error) => Outcome::Parked(error),
        Failure::Transient(mut error) => {
            let attempt = attempts.saturating_add(1);
            if attempt >= rules.max_attempts {
                error.remedy = Some(format!(
                    "Gave up after {attempt} attempts in a row. {} Retry with RetryFailed once Salesforce answers again.",
                    error.remedy.unwrap_or_default()
                ));
                return Outcome::Parked(error);
            }
            let delay = backoff(rules.base, rules.max, u32::try_from(attempt).unwrap_or(u32::MAX), jitter);
            let delay = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
            Outcome::Retry { error, retry_at: now.saturating_add(delay) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_700_000_000_000;

    fn rules() -> RetryRules {
        RetryRules { base: Duration::from_secs(2), max: Duration::from_secs(300), max_attempts: 12 }
    }

    fn error(code: &str) -> RecordedError {
        RecordedError {
            code: code.into(),
            message: "it failed".into(),
            fields: Vec::new(),
            remedy: Some("Check the org.".into()),
            class: "transient".into(),
        }
    }

    #[test]
    fn backoff_doubles_from_the_base_up_to_the_cap() {
        let (base, max) = (Duration::from_millis(100), Duration::from_millis(500));
        let waits: Vec<u128> = (1..=5).map(|attempt| backoff(base, max, attempt, 1.0).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 500, 500]);
        assert_eq!(backoff(base, max, 0, 1.0), base, "attempt 0 waits like the first retry");
        assert_eq!(backoff(base, max, u32::MAX, 1.0), max, "no overflow far out");
    }

    #[test]
    fn jitter_scales_the_wait_between_half_and_all_of_it() {
        let (base, max) = (Duration::from_millis(400), Duration::from_secs(10));
        assert_eq!(backoff(base, max, 1, 0.0), Duration::from_millis(200));
        assert_eq!(backoff(base, max, 1, 0.5), Duration::from_millis(300));
        assert_eq!(backoff(base, max, 1, 1.0), Duration::from_millis(400));
        assert_eq!(backoff(base, max, 1, -3.0), Duration::from_millis(200), "clamped below");
        assert_eq!(backoff(base, max, 1, 7.0), Duration::from_millis(400), "clamped above");
    }

    #[test]
    fn a_transient_failure_is_retried_after_its_backoff() {
        let outcome = after_failure(Failure::Transient(error("UNABLE_TO_LOCK_ROW")), 0, &rules(), 1.0, NOW);
        assert_eq!(outcome, Outcome::Retry { error: error("UNABLE_TO_LOCK_ROW"), retry_at: NOW + 2_000 });
        let third = after_failure(Failure::Transient(error("UNABLE_TO_LOCK_ROW")), 2, &rules(), 0.0, NOW);
        assert_eq!(third, Outcome::Retry { error: error("UNABLE_TO_LOCK_ROW"), retry_at: NOW + 4_000 });
    }

    #[test]
    fn the_last_allowed_transient_failure_parks_with_a_remedy() {
        let below = after_failure(Failure::Transient(error("SERVER_UNAVAILABLE")), 10, &rules(), 1.0, NOW);
        assert!(matches!(below, Outcome::Retry { retry_at, .. } if retry_at == NOW + 300_000), "{below:?}");
        let Outcome::Parked(parked) =
            after_failure(Failure::Transient(error("SERVER_UNAVAILABLE")), 11, &rules(), 1.0, NOW)
        else {
            panic!("the twelfth failure in a row parks")
        };
        assert_eq!(parked.code, "SERVER_UNAVAILABLE");
        assert_eq!(
            parked.remedy.as_deref(),
            Some(
                "Gave up after 12 attempts in a row. Check the org. Retry with RetryFailed once Salesforce answers again."
            )
        );
    }

    #[test]
    fn a_permanent_failure_parks_at_once_as_it_is() {
        let outcome = after_failure(Failure::Permanent(error("REQUIRED_FIELD_MISSING")), 0, &rules(), 0.5, NOW);
        assert_eq!(outcome, Outcome::Parked(error("REQUIRED_FIELD_MISSING")));
    }

    #[test]
    fn a_blocked_org_defers_to_now_whatever_the_attempts() {
        for attempts in [0, 5, 11, 40] {
            let outcome = after_failure(Failure::OrgBlocked, attempts, &rules(), 0.5, NOW);
            assert_eq!(outcome, Outcome::Deferred { retry_at: NOW }, "after {attempts} attempts");
        }
    }
}
