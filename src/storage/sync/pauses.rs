//! Store pauses: a store whose org cannot take work (its API budget spent,
//! Salesforce not answering, or the store unable to connect) has its work
//! held back until the engine's check after `paused_until` (by its clock)
//! finds the cause gone and deletes the pause: a pause that ran out still
//! holds the work, so no claim races the check.

use crate::storage::{Storage, StorageError, with_pool};

/// A store whose pause has run out, with the checks that found it still blocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, sqlx::FromRow)]
pub struct ExpiredPause {
    pub store_id: i64,
    pub checks: i64,
}

impl Storage {
    /// Pauses a store's work until `until` (its org ran out of API budget, or
    /// it cannot connect); `checks` counts the checks that found it still blocked.
    pub async fn pause_store(&self, store_id: i64, until: i64, reason: &str, checks: i64) -> Result<(), StorageError> {
        let _turn = self.write_turn().await;
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO sync_pauses (store_id, paused_until, reason, checks) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (store_id) DO UPDATE SET paused_until = $2, reason = $3, checks = $4",
            )
            .bind(store_id)
            .bind(until)
            .bind(reason)
            .bind(checks)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Resumes a paused store's work now.
    pub async fn resume_store(&self, store_id: i64) -> Result<(), StorageError> {
        let _turn = self.write_turn().await;
        with_pool!(self, |pool| {
            sqlx::query("DELETE FROM sync_pauses WHERE store_id = $1").bind(store_id).execute(pool).await?;
        });
        Ok(())
    }

    /// Stores whose pause has run out by `now`: the engine checks their cause
    /// before resuming.
    pub async fn expired_pauses(&self, now: i64) -> Result<Vec<ExpiredPause>, StorageError> {
        let rows = with_pool!(self, |pool| {
            sqlx::query_as("SELECT store_id, checks FROM sync_pauses WHERE paused_until <= $1 ORDER BY store_id")
                .bind(now)
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }
}
