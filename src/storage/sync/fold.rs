//! The fold task's side of folding received events into entities, no
//! Salesforce call inside: one transaction per store reads a batch of its
//! unfolded events and hands them to [`super::fold_write`], which reads the
//! aliases they name and those aliases' entities, plans the fold in memory
//! (`domain::sync::folding`) and writes the plan back in a few multi-row
//! statements. On SQLite the intake's writer already folds what it commits
//! (`intake/sqlite_writer.rs`), so this finds only what is left (events
//! stored before an upgrade, or while the engine was stepped by a test); on
//! PostgreSQL it folds everything.
//!
//! PostgreSQL replicas fold different stores at once: each store's fold
//! takes that store's advisory lock with *try*, so a store another replica is
//! folding is skipped, not waited for. One store's events are folded by one
//! transaction at a time, in sequence order, which keeps every entity's order.

use crate::domain::sync::folding::RoutedEvent;
use crate::domain::sync::{EventPayload, route};
use crate::storage::{Backend, Storage, StorageError, with_pool, with_tx};

use super::corrupt;

/// Takes a store's fold lock on PostgreSQL if it is free. Advisory locks are
/// database-wide, so the key names the schema too: forcesync instances in
/// different schemas of one database never hold each other up.
const FOLD_LOCK: &str =
    "SELECT pg_try_advisory_xact_lock(hashtextextended('forcesync.fold.' || current_schema() || '.' || $1::text, 0))";

#[derive(sqlx::FromRow)]
struct UnappliedEvent {
    seq: i64,
    payload: String,
}

impl Storage {
    /// Folds up to `limit` received events into their entities, store by
    /// store; returns how many. New or changed entities become due
    /// `linger_ms` after `now` (unless already scheduled), so events arriving
    /// together are written together.
    pub async fn fold_events(&self, limit: i64, linger_ms: i64, now: i64) -> Result<usize, StorageError> {
        let mut folded = 0;
        for store_id in self.stores_with_unapplied_events().await? {
            let left = limit - i64::try_from(folded).unwrap_or(i64::MAX);
            if left <= 0 {
                break;
            }
            folded += self.fold_store(store_id, left, linger_ms, now).await?;
        }
        Ok(folded)
    }

    /// Received events not yet folded, across all stores (the fold lag).
    pub async fn unapplied_events(&self) -> Result<i64, StorageError> {
        const SQL: &str = "SELECT COUNT(*) FROM sync_events WHERE applied_at IS NULL";
        let (count,): (i64,) = with_pool!(self, |pool| sqlx::query_as(SQL).fetch_one(pool).await?);
        Ok(count)
    }

    /// Events received so far, of every store (what `bench ingest` waits for).
    pub async fn received_events(&self) -> Result<i64, StorageError> {
        const SQL: &str = "SELECT COUNT(*) FROM sync_events";
        let (count,): (i64,) = with_pool!(self, |pool| sqlx::query_as(SQL).fetch_one(pool).await?);
        Ok(count)
    }

    /// One probe per store (the unapplied-events index), not a scan of the backlog.
    async fn stores_with_unapplied_events(&self) -> Result<Vec<i64>, StorageError> {
        let sql = format!(
            "SELECT s.id FROM stores s WHERE EXISTS \
             (SELECT 1 FROM {} WHERE e.store_id = s.id AND e.applied_at IS NULL) ORDER BY s.id",
            self.unfolded_events("e")
        );
        let rows: Vec<(i64,)> =
            with_pool!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Folds up to `limit` of one store's events in one transaction; 0 when
    /// another replica is folding the store.
    async fn fold_store(&self, store_id: i64, limit: i64, linger_ms: i64, now: i64) -> Result<usize, StorageError> {
        let started = std::time::Instant::now();
        let is_postgres = matches!(self.backend, Backend::Postgres(_));
        let read_events = format!(
            "SELECT u.seq, u.payload FROM {} WHERE u.store_id = $1 AND u.applied_at IS NULL ORDER BY u.seq LIMIT $2",
            self.unfolded_events("u")
        );
        let mut write = self.begin_write().await?;
        let events: Vec<UnappliedEvent> = with_tx!(write, |tx| {
            let mine = !is_postgres || {
                let (locked,): (bool,) = sqlx::query_as(FOLD_LOCK).bind(store_id).fetch_one(&mut *tx).await?;
                locked
            };
            if mine {
                sqlx::query_as(sqlx::AssertSqlSafe(read_events.clone()))
                    .bind(store_id)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?
            } else {
                Vec::new()
            }
        });
        let routed = events
            .iter()
            .map(|event| {
                let payload: EventPayload =
                    serde_json::from_str(&event.payload).map_err(|e| corrupt("event payload", e))?;
                Ok(RoutedEvent { seq: event.seq, routes: route(&payload) })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        super::fold_write::apply_fold(&mut write, store_id, &routed, linger_ms, now).await?;
        write.commit().await?;
        let folded = events.len();
        tracing::debug!(store_id, folded, micros = started.elapsed().as_micros() as u64, "folded received events");
        Ok(folded)
    }
}
