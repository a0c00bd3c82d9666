//! A batch's outcomes recorded together: for every entity a worker finished,
//! the records it wrote ([`super::records`]) and its finish
//! ([`super::finish`]), and the wake of the entities blocked on them
//! ([`super::blocked`]), in one write transaction of a few set-based
//! statements. One commit per batch instead of two per entity: on
//! PostgreSQL each commit waits for the WAL flush, which made recording a
//! 500-entity batch take longer than sending it.

use crate::domain::sync::Outcome;
use crate::storage::{Storage, StorageError, now_millis};

use super::blocked::wake_dependents_in;
use super::finish::finish_all_in;
use super::jobs::ClaimedEntity;
use super::records::{WrittenRecord, insert_records};

/// One finished entity of a batch.
#[derive(Debug, Clone, Copy)]
pub struct FinishedEntity<'a> {
    pub entity: &'a ClaimedEntity,
    pub outcome: &'a Outcome,
    /// The records its work wrote (or matched) in Salesforce.
    pub records: &'a [WrittenRecord],
}

impl Storage {
    /// Records every entity's written records (stamped by the wall clock, as
    /// [`Storage::record_writes`] does) and its finish at `now`, all or
    /// nothing. If the transaction fails, each entity is recorded on its own,
    /// so one entity's failure does not keep the others' outcomes unwritten;
    /// returns the entities (by index) whose outcome could not be recorded,
    /// with why. Their lease runs out and they are worked again (as possibly
    /// sent), so nothing is lost.
    pub async fn record_outcomes(
        &self,
        owner: &str,
        store_id: i64,
        finished: &[FinishedEntity<'_>],
        now: i64,
    ) -> Vec<(usize, StorageError)> {
        let Err(error) = self.record_in_one_tx(owner, store_id, finished, now).await else { return Vec::new() };
        tracing::warn!(%error, entities = finished.len(), "could not record a batch's outcomes together; one by one");
        let mut failed = Vec::new();
        for (index, done) in finished.iter().enumerate() {
            if let Err(error) = self.record_in_one_tx(owner, store_id, std::slice::from_ref(done), now).await {
                failed.push((index, error));
            }
        }
        failed
    }

    /// Records `finished` (their written records, finishes and the wake of
    /// their dependents) in one write transaction.
    pub(super) async fn record_in_one_tx(
        &self,
        owner: &str,
        store_id: i64,
        finished: &[FinishedEntity<'_>],
        now: i64,
    ) -> Result<(), StorageError> {
        let written_at = now_millis();
        let mut tx = self.begin_write().await?;
        let records: Vec<(Option<i64>, &[WrittenRecord])> =
            finished.iter().map(|done| (Some(done.entity.id), done.records)).collect();
        insert_records(&mut tx, store_id, &records, written_at).await?;
        let finishes: Vec<(&ClaimedEntity, &Outcome)> =
            finished.iter().map(|done| (done.entity, done.outcome)).collect();
        finish_all_in(&mut tx, owner, &finishes, now).await?;
        let ids: Vec<i64> = finished.iter().map(|done| done.entity.id).collect();
        wake_dependents_in(&mut tx, store_id, &ids).await?;
        tx.commit().await
    }
}
