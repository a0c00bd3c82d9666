//! What a handled entity tells the process log and the metrics: one line
//! per entity (store, entity label and id, outcome) and the records written.

use crate::domain::sync::Outcome;
use crate::metrics::StoreLabel;
use crate::storage::sync::WrittenRecord;

use super::store_batch::Finished;

/// Counts records written to Salesforce, by object (not those only found there).
pub(super) fn count_written(store: &StoreLabel, records: &[WrittenRecord]) {
    for record in records.iter().filter(|record| !record.matched) {
        crate::metrics::global().records_written(store, &record.object, 1);
    }
}

/// One log line per entity handled: the store, the entity (label and id) and what became of it.
pub(super) fn log_outcome(store: &StoreLabel, done: &Finished) {
    let (entity, entity_id, records) = (&done.entity.label, done.entity.id, done.records.len());
    match &done.outcome {
        Outcome::Synced => tracing::info!(store = %store, %entity, entity_id, records, "entity synced"),
        Outcome::Parked(error) => {
            tracing::warn!(store = %store, %entity, entity_id, code = %error.code, "entity parked")
        }
        Outcome::Retry { error, .. } => {
            tracing::info!(store = %store, %entity, entity_id, code = %error.code, "entity to be retried")
        }
        Outcome::Waiting(_) => tracing::info!(store = %store, %entity, entity_id, "entity waits for another"),
        Outcome::Deferred { .. } => tracing::info!(store = %store, %entity, entity_id, "entity deferred"),
    }
}
