//! Each store's capture run: which stores are due (no lease, not backing off,
//! not paused), the lease one process takes before polling, and the backoff.
//! Every store has a run once the engine has looked at it; a store that is
//! not in bidirectional mode is looked at again a minute later, for free.

use crate::storage::{Storage, StorageError, with_pool};

impl Storage {
    /// Stores whose capture is due by `now`: never looked at, or due and not leased, and not paused.
    pub async fn due_change_stores(&self, now: i64) -> Result<Vec<i64>, StorageError> {
        let ids: Vec<i64> = with_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT s.id FROM stores s LEFT JOIN change_runs r ON r.store_id = s.id \
                 WHERE (r.store_id IS NULL OR (r.next_run_at <= $1 AND (r.locked_until IS NULL OR r.locked_until <= $1))) \
                 AND NOT EXISTS (SELECT 1 FROM sync_pauses p WHERE p.store_id = s.id) ORDER BY s.id",
            )
            .bind(now)
            .fetch_all(pool)
            .await?
        });
        Ok(ids)
    }

    /// Takes the store's capture lease until `now + lease`; false when another
    /// process holds it or the store is not due.
    pub async fn lease_changes(&self, store_id: i64, owner: &str, lease: i64, now: i64) -> Result<bool, StorageError> {
        let _turn = self.write_turn().await;
        let taken = with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO change_runs (store_id, next_run_at, locked_until, lease_owner) VALUES ($1, $4, $3, $2) \
                 ON CONFLICT (store_id) DO UPDATE SET locked_until = excluded.locked_until, \
                 lease_owner = excluded.lease_owner \
                 WHERE change_runs.next_run_at <= $4 AND (change_runs.locked_until IS NULL OR change_runs.locked_until <= $4)",
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

    /// Makes the capture of store `code` due now (tests, operators).
    pub async fn wake_changes_of(&self, code: &str) -> Result<(), StorageError> {
        let _turn = self.write_turn().await;
        with_pool!(self, |pool| {
            sqlx::query(
                "UPDATE change_runs SET next_run_at = 0 WHERE store_id = (SELECT id FROM stores WHERE code = $1)",
            )
            .bind(code)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Makes the store's capture due now (a settings change, a test).
    pub async fn wake_changes(&self, store_id: i64) -> Result<(), StorageError> {
        let _turn = self.write_turn().await;
        with_pool!(self, |pool| {
            sqlx::query("UPDATE change_runs SET next_run_at = 0 WHERE store_id = $1")
                .bind(store_id)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// How far a stream of the store was read (a SystemModstamp in Unix ms)
    /// and when forcesync last read it (its own clock), if it was.
    pub async fn change_watermark(
        &self,
        store_id: i64,
        stream: &str,
    ) -> Result<Option<(i64, Option<i64>)>, StorageError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as("SELECT watermark, polled_at FROM change_watermarks WHERE store_id = $1 AND stream = $2")
                .bind(store_id)
                .bind(stream)
                .fetch_optional(pool)
                .await?
        }))
    }
}
