//! What a failed write means for its entity, by error class: transient and
//! session errors retry with exponential backoff and jitter (parked after too
//! many in a row); an org that cannot take work (its API allocation spent,
//! or not answering: [`StoreBlock`]) defers the work and pauses the store;
//! data, configuration, permission and login errors park the entity with
//! Salesforce's reason and a remedy, to be retried once fixed.

use crate::domain::settings::{ExternalIdFields, KEYED_OBJECTS};
use crate::domain::sync::retry::after_failure;
use crate::domain::sync::{Failure, Outcome, RecordedError};
use crate::salesforce::retry::RetryPolicy;
use crate::salesforce::{Error, ErrorClass};
use crate::storage::sync::ClaimedEntity;

use super::EngineConfig;

/// A database failure met mid-run, as a transient error: the work is tried again.
pub(super) fn storage_error(error: crate::storage::StorageError) -> Error {
    Error::new("FORCESYNC_STORAGE", error.to_string(), None).with_class(ErrorClass::Transient)
}

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

/// Why a whole store's work stops, not one entity's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum StoreBlock {
    /// The org's daily API allocation is spent (not a short concurrency limit).
    Budget,
    /// Salesforce is not answering at all ([`Error::is_outage`]).
    Outage,
}

/// What, if anything, `error` says about the whole store.
pub(super) fn store_block(error: &Error) -> Option<StoreBlock> {
    if error.class == ErrorClass::Limit && !error.message.contains("ConcurrentPerOrgLongTxn") {
        Some(StoreBlock::Budget)
    } else if error.is_outage() {
        Some(StoreBlock::Outage)
    } else {
        None
    }
}

/// Whether the error stops the whole store (so it pauses) rather than one entity.
pub(super) fn pauses_store(error: &Error) -> bool {
    store_block(error).is_some()
}

/// Two upserts of one new key at once can collide on the key's uniqueness;
/// the retry finds the record the other created and updates it.
fn is_key_race(error: &Error, key_fields: &ExternalIdFields) -> bool {
    let names_a_key = |object: &str| error.message.contains(&format!("{} duplicates", key_fields.field_for(object)));
    error.code == "DUPLICATE_VALUE" && KEYED_OBJECTS.into_iter().any(names_a_key)
}

/// The outcome of `entity` failing with `error`, now by the engine's clock
/// (the rules are `domain::sync::retry`'s).
pub(super) fn outcome_for(
    error: &Error,
    entity: &ClaimedEntity,
    config: &EngineConfig,
    key_fields: &ExternalIdFields,
) -> Outcome {
    let class = if is_key_race(error, key_fields) { ErrorClass::Transient } else { error.class };
    let failure = match class {
        _ if pauses_store(error) => Failure::OrgBlocked,
        ErrorClass::Transient | ErrorClass::Session | ErrorClass::Limit => Failure::Transient(recorded(error)),
        ErrorClass::Data | ErrorClass::Config | ErrorClass::Auth | ErrorClass::Permission => {
            Failure::Permanent(recorded(error))
        }
    };
    after_failure(failure, entity.attempts, &config.retry_rules(), RetryPolicy::jitter(), config.clock.now_millis())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::sync::{CustomerSave, EntityFacts};

    fn entity(attempts: i64) -> ClaimedEntity {
        let customer = crate::domain::lifecycle::Customer {
            key: "42".into(),
            email: "jane@example.com".into(),
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            phone: None,
            profile: Default::default(),
        };
        let facts = EntityFacts::Customer(CustomerSave { customer, at: chrono::Utc::now() });
        ClaimedEntity {
            id: 1,
            store_id: 1,
            label: "customer:42".into(),
            facts,
            version: 1,
            attempts,
            uncertain: false,
            pending_since: None,
        }
    }

    #[test]
    fn errors_decide_retry_park_or_pause() {
        let config = EngineConfig::default();
        let transient = Error::new("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access", Some(400));
        assert!(
            matches!(outcome_for(&transient, &entity(0), &config, &ExternalIdFields::default()), Outcome::Retry { retry_at, .. } if retry_at > config.clock.now_millis())
        );
        let last = entity(config.max_attempts - 1);
        let Outcome::Parked(parked) = outcome_for(&transient, &last, &config, &ExternalIdFields::default()) else {
            panic!("parked after too many")
        };
        assert!(parked.remedy.is_some_and(|r| r.contains("RetryFailed")));

        let spent = Error::new("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", Some(403));
        assert!(pauses_store(&spent));
        assert!(matches!(
            outcome_for(&spent, &entity(0), &config, &ExternalIdFields::default()),
            Outcome::Deferred { .. }
        ));
        assert_eq!(store_block(&spent), Some(StoreBlock::Budget));
        // An outage, at the last attempt: deferred, never parked, however long it lasts.
        let down = Error::new("SERVER_UNAVAILABLE", "Server is unavailable", Some(503));
        assert_eq!(store_block(&down), Some(StoreBlock::Outage));
        assert!(matches!(outcome_for(&down, &last, &config, &ExternalIdFields::default()), Outcome::Deferred { .. }));
        let concurrent = Error::new("REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.", Some(403));
        assert!(
            !pauses_store(&concurrent)
                && matches!(
                    outcome_for(&concurrent, &entity(0), &config, &ExternalIdFields::default()),
                    Outcome::Retry { .. }
                )
        );

        let data = Error::new("REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName]", Some(400))
            .with_fields(vec!["LastName".into()]);
        let Outcome::Parked(parked) = outcome_for(&data, &entity(0), &config, &ExternalIdFields::default()) else {
            panic!("data errors park")
        };
        assert_eq!(
            (parked.code.as_str(), parked.fields.as_slice(), parked.class.as_str()),
            ("REQUIRED_FIELD_MISSING", &["LastName".to_owned()][..], "data")
        );

        let race = Error::new(
            "DUPLICATE_VALUE",
            "duplicate value found: ForceSync_Key__c duplicates value on record with id: 001",
            Some(400),
        );
        assert!(
            matches!(outcome_for(&race, &entity(0), &config, &ExternalIdFields::default()), Outcome::Retry { .. }),
            "a key race is retried"
        );
        let other = Error::new("DUPLICATE_VALUE", "duplicate value found: Email__c duplicates value", Some(400));
        assert!(matches!(outcome_for(&other, &entity(0), &config, &ExternalIdFields::default()), Outcome::Parked(_)));
    }
}
