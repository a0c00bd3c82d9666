//! What a failed write means for its entity, by error class: transient and
//! session errors retry with exponential backoff and jitter (parked after too
//! many in a row); a spent API allocation defers the work and pauses the
//! store; data, configuration, permission and login errors park the entity
//! with Salesforce's reason and a remedy, to be retried once fixed.

use crate::salesforce::retry::RetryPolicy;
use crate::salesforce::{Error, ErrorClass};
use crate::storage::now_millis;
use crate::storage::sync::{ClaimedEntity, Outcome, RecordedError};

use super::EngineConfig;
use super::worker::millis;

/// The error as stored on the entity (never holds secrets: Salesforce's own text).
pub(super) fn recorded(error: &Error) -> RecordedError {
    RecordedError {
        code: error.code.clone(),
        message: error.message.clone(),
        fields: error.fields.clone(),
        remedy: error.remedy(),
        class: error.class.as_str().to_owned(),
    }
}

/// Whether the error spends the org's daily allocation (so the store pauses),
/// rather than a short concurrency limit.
pub(super) fn pauses_store(error: &Error) -> bool {
    error.class == ErrorClass::Limit && !error.message.contains("ConcurrentPerOrgLongTxn")
}

/// The outcome of `entity` failing with `error`.
pub(super) fn outcome_for(error: &Error, entity: &ClaimedEntity, config: &EngineConfig) -> Outcome {
    let now = now_millis();
    match error.class {
        _ if pauses_store(error) => Outcome::Deferred { retry_at: now + millis(config.pause) },
        ErrorClass::Transient | ErrorClass::Session | ErrorClass::Limit => {
            let attempt = entity.attempts + 1;
            if attempt >= config.max_attempts {
                let mut parked = recorded(error);
                parked.remedy = Some(format!(
                    "Gave up after {attempt} attempts in a row. {} Retry with RetryFailed once Salesforce answers again.",
                    parked.remedy.unwrap_or_default()
                ));
                return Outcome::Parked(parked);
            }
            let policy =
                RetryPolicy { max_attempts: u32::MAX, base_delay: config.retry_base, max_delay: config.retry_max };
            let delay = policy.delay(u32::try_from(attempt).unwrap_or(u32::MAX), RetryPolicy::jitter());
            Outcome::Retry { error: recorded(error), retry_at: now + millis(delay) }
        }
        ErrorClass::Data | ErrorClass::Config | ErrorClass::Auth | ErrorClass::Permission => {
            Outcome::Parked(recorded(error))
        }
    }
}
