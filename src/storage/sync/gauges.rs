//! What `/metrics` reads from the database at scrape time, per store: entities
//! by state, the oldest pending change, the fold lag and the store's pause.
//! Every figure is an indexed probe or an index range count
//! (`sync_entities_store_state`, `sync_entities_pending_since`, the partial
//! index of unfolded events), so a scrape stays fast with millions of rows.

use crate::storage::{Storage, StorageError, with_pool};

/// Stores read per scrape at most.
pub const MAX_STORES: i64 = 1_000;

/// One store's figures.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoreGauges {
    pub code: String,
    pub pending: i64,
    pub waiting: i64,
    pub parked: i64,
    /// When the oldest pending entity became pending (Unix ms), if any.
    pub oldest_pending_since: Option<i64>,
    /// Received events not yet folded into entities (the fold lag).
    pub unfolded: i64,
    /// When the oldest of those was received (Unix ms), if any.
    pub oldest_unfolded_at: Option<i64>,
    pub pause_reason: Option<String>,
}

impl Storage {
    /// The figures of up to [`MAX_STORES`] stores, by store id.
    pub async fn store_gauges(&self) -> Result<Vec<StoreGauges>, StorageError> {
        let count = |state: &str| {
            format!("(SELECT COUNT(*) FROM sync_entities e WHERE e.store_id = s.id AND e.state = '{state}') AS {state}")
        };
        let sql = format!(
            "SELECT s.code, {}, {}, {}, \
             (SELECT MIN(e.pending_since) FROM sync_entities e WHERE e.store_id = s.id AND e.state = 'pending') \
               AS oldest_pending_since, \
             (SELECT COUNT(*) FROM {u} WHERE u.store_id = s.id AND u.applied_at IS NULL) AS unfolded, \
             (SELECT u.received_at FROM {u} WHERE u.store_id = s.id AND u.applied_at IS NULL ORDER BY u.seq LIMIT 1) \
               AS oldest_unfolded_at, \
             p.reason AS pause_reason \
             FROM stores s LEFT JOIN sync_pauses p ON p.store_id = s.id ORDER BY s.id LIMIT $1",
            count("pending"),
            count("waiting"),
            count("parked"),
            u = self.unfolded_events("u"),
        );
        let rows = with_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(MAX_STORES).fetch_all(pool).await?
        });
        Ok(rows)
    }
}
