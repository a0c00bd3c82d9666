//! Per-store runs of the engine's tasks beside the entity queue (inventory
//! pushes, change capture): one row per store holding the lease one process
//! takes before working on the store, when it is due again and how many runs
//! in a row failed (for the backoff). Each task's own module decides when a
//! store is due and takes the lease; giving it back is the same for all.

use crate::storage::{Storage, StorageError, with_pool};

/// The table of one kind of run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunTable {
    Inventory,
    Changes,
}

impl RunTable {
    fn name(self) -> &'static str {
        match self {
            Self::Inventory => "inventory_runs",
            Self::Changes => "change_runs",
        }
    }
}

impl Storage {
    /// Gives `owner`'s lease of the store's run back: due again at
    /// `next_run_at` after `attempts` failed runs in a row (0 after one that finished).
    pub async fn release_run(
        &self,
        table: RunTable,
        store_id: i64,
        owner: &str,
        next_run_at: i64,
        attempts: i64,
    ) -> Result<(), StorageError> {
        let sql = format!(
            "UPDATE {} SET locked_until = NULL, lease_owner = NULL, next_run_at = $3, attempts = $4 \
             WHERE store_id = $1 AND lease_owner = $2",
            table.name()
        );
        let _turn = self.write_turn().await;
        with_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(store_id)
                .bind(owner)
                .bind(next_run_at)
                .bind(attempts)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Failed runs in a row for the store (0 when it has no run yet).
    pub async fn run_attempts(&self, table: RunTable, store_id: i64) -> Result<i64, StorageError> {
        let sql = format!("SELECT attempts FROM {} WHERE store_id = $1", table.name());
        let attempts: Option<i64> = with_pool!(self, |pool| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone())).bind(store_id).fetch_optional(pool).await?
        });
        Ok(attempts.unwrap_or_default())
    }
}
