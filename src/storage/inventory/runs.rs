//! Each store's push run: which stores are due (pending levels, no lease, no
//! backoff, no store pause), the lease one process takes before pushing, the
//! backoff after a failed push, and the record of every push.

use crate::storage::{Storage, StorageError, with_pool, write_tx};

/// Pushes kept per store (the oldest are deleted as new ones are recorded).
pub const PUSHES_KEPT: i64 = 1_000;

/// One push, as recorded and as GetInventoryStatus shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct PushRecord {
    pub started_at: i64,
    pub finished_at: i64,
    pub method: String,
    pub rows_total: i64,
    pub written: i64,
    pub unchanged: i64,
    pub unmatched: i64,
    pub failed: i64,
    pub created: i64,
    pub api_calls: i64,
    pub error: Option<String>,
}

impl Storage {
    /// Stores with pending levels that are due by `now`: not leased, not
    /// backing off, not paused (a pause lasts until the engine's pause check
    /// finds its cause gone), and whose newest level has waited `linger`.
    pub async fn due_inventory_stores(&self, now: i64, linger: i64) -> Result<Vec<i64>, StorageError> {
        let ids: Vec<i64> = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT r.store_id FROM inventory_runs r WHERE r.next_run_at <= $1 \
                 AND (r.locked_until IS NULL OR r.locked_until <= $1) \
                 AND NOT EXISTS (SELECT 1 FROM sync_pauses p WHERE p.store_id = r.store_id) \
                 AND EXISTS (SELECT 1 FROM inventory_levels l WHERE l.store_id = r.store_id AND l.state = 'pending') \
                 AND NOT EXISTS (SELECT 1 FROM inventory_levels l WHERE l.store_id = r.store_id \
                     AND l.state = 'pending' AND l.updated_at > $2) \
                 ORDER BY r.store_id",
            )
            .bind(now)
            .bind(now - linger)
            .fetch_all(pool)
            .await?
        });
        Ok(ids)
    }

    /// Takes the store's push lease until `now + lease`; false when another
    /// process holds it (or the store is not due).
    pub async fn lease_inventory(
        &self,
        store_id: i64,
        owner: &str,
        lease: i64,
        now: i64,
    ) -> Result<bool, StorageError> {
        let _turn = self.write_turn().await;
        let taken = with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE inventory_runs SET locked_until = $3, lease_owner = $2 WHERE store_id = $1 \
                 AND next_run_at <= $4 AND (locked_until IS NULL OR locked_until <= $4)",
            )
            .bind(store_id)
            .bind(owner)
            .bind(now + lease)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(taken == 1)
    }

    /// Records a push, keeping the store's newest [`PUSHES_KEPT`] pushes and
    /// the event ids of UpdateInventory calls received since `forget_before`.
    pub async fn record_push(&self, store_id: i64, push: &PushRecord, forget_before: i64) -> Result<(), StorageError> {
        write_tx!(self, |tx| {
            sqlx::query(
                "DELETE FROM inventory_pushes WHERE store_id = $1 AND id <= \
                 (SELECT id FROM inventory_pushes WHERE store_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)",
            )
            .bind(store_id)
            .bind(PUSHES_KEPT - 1)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM inventory_updates WHERE store_id = $1 AND received_at < $2")
                .bind(store_id)
                .bind(forget_before)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO inventory_pushes (store_id, started_at, finished_at, method, rows_total, written, \
                 unchanged, unmatched, failed, created, api_calls, error) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(store_id)
            .bind(push.started_at)
            .bind(push.finished_at)
            .bind(&push.method)
            .bind(push.rows_total)
            .bind(push.written)
            .bind(push.unchanged)
            .bind(push.unmatched)
            .bind(push.failed)
            .bind(push.created)
            .bind(push.api_calls)
            .bind(&push.error)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }
}
