//! The read side GetInventoryStatus serves: the last push, counts by state,
//! and the unmatched and failed SKUs, paged by SKU.

use crate::storage::{Storage, StorageError, with_pool};

use super::PushRecord;

/// A store's levels by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InventoryCounts {
    pub pending: i64,
    pub unmatched: i64,
    pub failed: i64,
}

/// An unmatched or failed SKU.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct IssueRow {
    pub sku: String,
    pub state: String,
    pub desired_qty: String,
    pub desired_as_of: i64,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
}

impl Storage {
    /// The store's most recent push.
    pub async fn last_push(&self, store_id: i64) -> Result<Option<PushRecord>, StorageError> {
        let row: Option<PushRecord> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT started_at, finished_at, method, rows_total, written, unchanged, unmatched, failed, created, \
                 api_calls, error FROM inventory_pushes WHERE store_id = $1 ORDER BY id DESC LIMIT 1",
            )
            .bind(store_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row)
    }

    /// How many of the store's levels are pending, unmatched and failed.
    pub async fn inventory_counts(&self, store_id: i64) -> Result<InventoryCounts, StorageError> {
        let rows: Vec<(String, i64)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT state, COUNT(*) FROM inventory_levels WHERE store_id = $1 GROUP BY state")
                .bind(store_id)
                .fetch_all(pool)
                .await?
        });
        let mut counts = InventoryCounts::default();
        for (state, count) in rows {
            match state.as_str() {
                "pending" => counts.pending = count,
                "unmatched" => counts.unmatched = count,
                "failed" => counts.failed = count,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// Up to `limit` SKUs in `states`, after SKU `after`, by SKU.
    pub async fn inventory_issues(
        &self,
        store_id: i64,
        states: &[&str],
        after: &str,
        limit: i64,
    ) -> Result<Vec<IssueRow>, StorageError> {
        let first = states.first().copied().unwrap_or("unmatched");
        let second = states.get(1).copied().unwrap_or(first);
        let rows: Vec<IssueRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT sku, state, desired_qty, desired_as_of, error_code, error_message FROM inventory_levels \
                 WHERE store_id = $1 AND state IN ($2, $3) AND sku > $4 ORDER BY sku LIMIT $5",
            )
            .bind(store_id)
            .bind(first)
            .bind(second)
            .bind(after)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows)
    }
}
