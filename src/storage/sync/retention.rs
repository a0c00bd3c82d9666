//! Retention: received events, sync-log rows and changes the store
//! acknowledged (bidirectional mode) older than the retention
//! are deleted in small batches (each its own short write, so the intake is
//! never held up for long). An event is deleted only once Salesforce holds
//! everything its entity knows (the entity is synced at its latest version);
//! what has not reached Salesforce is never pruned. Entities stay: they hold
//! the Ids of what was written, which later updates need.

use crate::storage::{Storage, StorageError, with_pool};

/// What one pruning batch deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    pub events: u64,
    pub log_rows: u64,
    /// Changes the store acknowledged (never one it has not).
    pub changes: u64,
}

impl Pruned {
    /// Whether any kind filled its batch (there may be more).
    pub fn full(&self, batch: i64) -> bool {
        let batch = u64::try_from(batch).unwrap_or_default();
        self.events >= batch || self.log_rows >= batch || self.changes >= batch
    }
}

impl Storage {
    /// Deletes up to `batch` events received before `cutoff` whose entity is
    /// synced at its latest version (or that named no entity), and up to
    /// `batch` sync-log rows written before `cutoff`, and up to `batch`
    /// changes acknowledged before `cutoff`.
    pub async fn prune_before(&self, cutoff: i64, batch: i64) -> Result<Pruned, StorageError> {
        const EVENTS: &str = "DELETE FROM sync_events WHERE seq IN (SELECT v.seq FROM sync_events v \
            LEFT JOIN sync_entities e ON e.id = v.entity_id \
            WHERE v.received_at < $1 AND v.applied_at IS NOT NULL \
            AND (v.entity_id IS NULL OR (e.state = 'synced' AND e.synced_version = e.version)) \
            ORDER BY v.seq LIMIT $2)";
        const LOG: &str =
            "DELETE FROM sync_log WHERE id IN (SELECT id FROM sync_log WHERE at < $1 ORDER BY id LIMIT $2)";
        let events = {
            let _turn = self.write_turn().await;
            with_pool!(self, |pool| sqlx::query(EVENTS).bind(cutoff).bind(batch).execute(pool).await?.rows_affected())
        };
        let log_rows = {
            let _turn = self.write_turn().await;
            with_pool!(self, |pool| sqlx::query(LOG).bind(cutoff).bind(batch).execute(pool).await?.rows_affected())
        };
        const CHANGES: &str = "DELETE FROM sync_changes WHERE id IN (SELECT id FROM sync_changes \
            WHERE acked_at IS NOT NULL AND acked_at < $1 ORDER BY id LIMIT $2)";
        let changes = {
            let _turn = self.write_turn().await;
            with_pool!(self, |pool| sqlx::query(CHANGES).bind(cutoff).bind(batch).execute(pool).await?.rows_affected())
        };
        Ok(Pruned { events, log_rows, changes })
    }
}
