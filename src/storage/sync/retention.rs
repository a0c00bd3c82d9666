//! Retention: received events, sync-log rows and changes the store
//! acknowledged (bidirectional mode) older than the retention
//! are deleted in small batches (each its own short write, so the intake is
//! never held up for long). An event is deleted only once Salesforce holds
//! everything its entity knows (the entity is synced at its latest version);
//! what has not reached Salesforce is never pruned. Entities stay: they hold
//! the Ids of what was written, which later updates need.
//!
//! Each batch costs O(rows pruned), however large the unsynced backlog: it
//! does not walk the events (oldest first, the backlog's come first) but
//! starts from the entities. Each entity keeps when its oldest retained event
//! was received (`oldest_event_at`, kept by the fold and by merges, see
//! [`super::fold_write`]); a partial index holds only synced entities (at
//! their latest version) by that time, so a batch reads the synced entities
//! with an event past the retention, oldest first, deletes those events by
//! entity (`sync_events_entity`) and looks each one's oldest retained event
//! up again. Events that named no entity have their own partial index.
//! A pending, waiting or parked entity is never in the index: its events,
//! old or new, are never read by a pruning batch.

use crate::storage::{Storage, StorageError, with_pool, with_tx};

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
    /// Deletes the events received before `cutoff` of up to `batch`
    /// entities synced at their latest version, and up to `batch` such events
    /// that named no entity, and up to `batch` sync-log rows written before
    /// `cutoff`, and up to `batch` changes acknowledged before `cutoff`.
    pub async fn prune_before(&self, cutoff: i64, batch: i64) -> Result<Pruned, StorageError> {
        /// The entities to prune: synced at their latest version, with an
        /// event older than `cutoff` (the terms of `sync_entities_prunable`).
        const PRUNABLE: &str = "SELECT id FROM sync_entities WHERE state = 'synced' AND synced_version = version \
            AND oldest_event_at IS NOT NULL AND oldest_event_at < $1 ORDER BY oldest_event_at LIMIT $2";
        /// Each pruned entity's oldest event left; followed by their ids, then `)`.
        const OLDEST_LEFT: &str = "UPDATE sync_entities SET oldest_event_at = (SELECT MIN(v.received_at) \
            FROM sync_events v WHERE v.entity_id = sync_entities.id) WHERE id IN (";
        const UNNAMED: &str = "DELETE FROM sync_events WHERE seq IN (SELECT seq FROM sync_events \
            WHERE entity_id IS NULL AND applied_at IS NOT NULL AND received_at < $1 ORDER BY received_at LIMIT $2)";
        let events = {
            let mut tx = self.begin_write().await?;
            let deleted = with_tx!(tx, |conn| {
                let ids: Vec<(i64,)> = sqlx::query_as(PRUNABLE).bind(cutoff).bind(batch).fetch_all(&mut *conn).await?;
                let mut deleted = 0;
                if !ids.is_empty() {
                    let mut delete = sqlx::QueryBuilder::new("DELETE FROM sync_events WHERE received_at < ");
                    delete.push_bind(cutoff).push(" AND entity_id IN (");
                    let mut list = delete.separated(", ");
                    for (id,) in &ids {
                        list.push_bind(*id);
                    }
                    delete.push(")");
                    deleted = delete.build().execute(&mut *conn).await?.rows_affected();
                    let mut oldest = sqlx::QueryBuilder::new(OLDEST_LEFT);
                    let mut list = oldest.separated(", ");
                    for (id,) in &ids {
                        list.push_bind(*id);
                    }
                    oldest.push(")");
                    oldest.build().execute(&mut *conn).await?;
                }
                deleted + sqlx::query(UNNAMED).bind(cutoff).bind(batch).execute(&mut *conn).await?.rows_affected()
            });
            tx.commit().await?;
            deleted
        };
        const LOG: &str =
            "DELETE FROM sync_log WHERE id IN (SELECT id FROM sync_log WHERE at < $1 ORDER BY id LIMIT $2)";
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
