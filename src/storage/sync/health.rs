//! A store's sync health at a glance, for the web console: how much work is
//! behind (counted up to a cap, so a huge backlog costs no more than a
//! bounded index walk), how long the oldest due work has waited, and the
//! store's pause. Every query walks an index.

use crate::storage::{Backend, Storage, StorageError, with_pool};

/// Counts stop here: the console shows "10000+" beyond.
pub const HEALTH_COUNT_CAP: i64 = 10_000;

/// Where a store's sync stands.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StoreHealth {
    /// Received events not yet folded into entities (capped).
    pub unfolded: i64,
    /// Entities waiting to be written (capped).
    pub pending: i64,
    /// Entities waiting for another one (capped).
    pub waiting: i64,
    /// Entities parked after a failure (capped).
    pub parked: i64,
    /// When the oldest work became due (the oldest unfolded event's receipt,
    /// or the due time of the pending entity due first), unix ms.
    pub oldest_due_at: Option<i64>,
    /// The store's sync pause: until when, and why.
    pub pause: Option<(i64, String)>,
}

#[derive(sqlx::FromRow)]
struct PauseRow {
    paused_until: i64,
    reason: String,
}

impl Storage {
    /// The store's sync health (see [`StoreHealth`]).
    pub async fn store_health(&self, store_id: i64) -> Result<StoreHealth, StorageError> {
        let count_state = |state: &'static str| async move {
            let n: i64 = with_pool!(self, |pool| {
                sqlx::query_scalar(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM sync_entities WHERE store_id = $1 AND state = $2 LIMIT $3) c",
                )
                .bind(store_id)
                .bind(state)
                .bind(HEALTH_COUNT_CAP + 1)
                .fetch_one(pool)
                .await?
            });
            Ok::<i64, StorageError>(n)
        };
        let unfolded_sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM {} WHERE v.store_id = $1 AND v.applied_at IS NULL LIMIT $2) c",
            self.unfolded_events("v")
        );
        let unfolded: i64 = with_pool!(self, |pool| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(unfolded_sql.clone()))
                .bind(store_id)
                .bind(HEALTH_COUNT_CAP + 1)
                .fetch_one(pool)
                .await?
        });
        let oldest_event_sql = format!(
            "SELECT v.received_at FROM {} WHERE v.store_id = $1 AND v.applied_at IS NULL ORDER BY v.seq LIMIT 1",
            self.unfolded_events("v")
        );
        let oldest_event: Option<i64> = with_pool!(self, |pool| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(oldest_event_sql.clone()))
                .bind(store_id)
                .fetch_optional(pool)
                .await?
        });
        // Walks the due index in order (SQLite would otherwise sort the store's whole backlog).
        let due_index = match self.backend {
            Backend::Sqlite(_) => " INDEXED BY sync_entities_due",
            Backend::Postgres(_) => "",
        };
        let first_due_sql = format!(
            "SELECT next_run_at FROM sync_entities{due_index} WHERE state = 'pending' AND store_id = $1 \
             ORDER BY next_run_at LIMIT 1"
        );
        let first_due: Option<i64> = with_pool!(self, |pool| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(first_due_sql.clone())).bind(store_id).fetch_optional(pool).await?
        });
        let pause: Option<PauseRow> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT paused_until, reason FROM sync_pauses WHERE store_id = $1")
                .bind(store_id)
                .fetch_optional(pool)
                .await?
        });
        let oldest_due_at = match (oldest_event, first_due) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Ok(StoreHealth {
            unfolded,
            pending: count_state("pending").await?,
            waiting: count_state("waiting").await?,
            parked: count_state("parked").await?,
            oldest_due_at,
            pause: pause.map(|p| (p.paused_until, p.reason)),
        })
    }

    /// The newest error line of the store's sync log: (at, entity, message).
    pub async fn last_sync_error(&self, store_id: i64) -> Result<Option<(i64, String, String)>, StorageError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            at: i64,
            entity: String,
            message: String,
        }
        let row: Option<Row> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT at, entity, message FROM sync_log WHERE store_id = $1 AND level = 'error' \
                 ORDER BY id DESC LIMIT 1",
            )
            .bind(store_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(|r| (r.at, r.entity, r.message)))
    }
}
