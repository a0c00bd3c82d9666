//! The change queue a store pulls: changes after its acknowledged cursor,
//! oldest first, leased to the puller for a while and delivered again once
//! the lease runs out unacknowledged (with the same change id); kept until
//! acknowledged. An acknowledgement covers every change up to a cursor, with
//! a result per change (an error text is kept and shown), and for a
//! downloaded order the store's own order number.

use crate::storage::{Storage, StorageError, with_pool, write_tx};

/// A queued change as stored.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoredChange {
    pub id: i64,
    pub kind: String,
    pub object: String,
    pub sf_id: String,
    pub modstamp: i64,
    pub payload: String,
    pub created_at: i64,
    pub deliveries: i64,
}

/// The store's result for one change.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AckResult {
    pub change_id: i64,
    /// Why the store could not apply it (kept and shown; the change is acknowledged all the same).
    pub error: Option<String>,
    /// For a downloaded order: the store's own order number.
    pub store_order_id: Option<String>,
}

/// Why an acknowledgement was refused.
#[derive(Debug, thiserror::Error)]
pub enum ChangeAckError {
    #[error("change {0} was never delivered to the store: pull it first")]
    NotDelivered(i64),
    #[error("change {0} is not one of this store's changes")]
    Unknown(i64),
    #[error("change {0} is not an order download: it takes no store order id")]
    NotADownload(i64),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl Storage {
    /// Leases and returns up to `limit` of the store's unacknowledged changes
    /// whose lease is free, oldest first, until `now + lease`.
    pub async fn pull_changes(
        &self,
        store_id: i64,
        limit: i64,
        lease: i64,
        now: i64,
    ) -> Result<Vec<StoredChange>, StorageError> {
        let changes = write_tx!(self, |tx| {
            let mut changes: Vec<StoredChange> = sqlx::query_as(
                "SELECT id, kind, object, sf_id, modstamp, payload, created_at, deliveries FROM sync_changes \
                 WHERE store_id = $1 AND acked_at IS NULL AND (leased_until IS NULL OR leased_until <= $2) \
                 ORDER BY id LIMIT $3",
            )
            .bind(store_id)
            .bind(now)
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            if let (Some(first), Some(last)) = (changes.first(), changes.last()) {
                sqlx::query(
                    "UPDATE sync_changes SET leased_until = $2, deliveries = deliveries + 1 WHERE store_id = $1 \
                     AND id BETWEEN $3 AND $4 AND acked_at IS NULL AND (leased_until IS NULL OR leased_until <= $5)",
                )
                .bind(store_id)
                .bind(now + lease)
                .bind(first.id)
                .bind(last.id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            for change in &mut changes {
                change.deliveries += 1;
            }
            changes
        });
        Ok(changes)
    }

    /// Acknowledges every delivered change up to `through` with `results`
    /// (changes without one are ok). Acknowledging again is a no-op.
    pub async fn ack_changes(
        &self,
        store_id: i64,
        through: i64,
        results: &[AckResult],
        now: i64,
    ) -> Result<i64, ChangeAckError> {
        let mut write = self.begin_write().await?;
        let acked = crate::storage::with_tx!(write, |tx| {
            let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM sync_changes WHERE store_id = $1")
                .bind(store_id)
                .fetch_one(&mut *tx)
                .await
                .map_err(StorageError::from)?;
            if newest.is_none_or(|newest| through > newest) {
                return Err(ChangeAckError::NotDelivered(through));
            }
            let never: Option<i64> = sqlx::query_scalar(
                "SELECT MIN(id) FROM sync_changes WHERE store_id = $1 AND id <= $2 AND acked_at IS NULL AND deliveries = 0",
            )
            .bind(store_id)
            .bind(through)
            .fetch_one(&mut *tx)
            .await
            .map_err(StorageError::from)?;
            if let Some(id) = never {
                return Err(ChangeAckError::NotDelivered(id));
            }
            for result in results {
                let kind: Option<String> =
                    sqlx::query_scalar("SELECT kind FROM sync_changes WHERE store_id = $1 AND id = $2")
                        .bind(store_id)
                        .bind(result.change_id)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(StorageError::from)?;
                let Some(kind) = kind else { return Err(ChangeAckError::Unknown(result.change_id)) };
                if let Some(order_id) = &result.store_order_id {
                    if kind != "order_downloaded" {
                        return Err(ChangeAckError::NotADownload(result.change_id));
                    }
                    sqlx::query(
                        "UPDATE change_downloads SET store_order_id = $3 WHERE store_id = $1 AND change_id = $2 \
                         AND store_order_id IS NULL",
                    )
                    .bind(store_id)
                    .bind(result.change_id)
                    .bind(order_id)
                    .execute(&mut *tx)
                    .await
                    .map_err(StorageError::from)?;
                }
                if let Some(error) = &result.error {
                    sqlx::query(
                        "UPDATE sync_changes SET result_error = $3 WHERE store_id = $1 AND id = $2 AND acked_at IS NULL",
                    )
                    .bind(store_id)
                    .bind(result.change_id)
                    .bind(error)
                    .execute(&mut *tx)
                    .await
                    .map_err(StorageError::from)?;
                }
            }
            let acked = sqlx::query(
                "UPDATE sync_changes SET acked_at = $3, leased_until = NULL WHERE store_id = $1 AND id <= $2 \
                 AND acked_at IS NULL",
            )
            .bind(store_id)
            .bind(through)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(StorageError::from)?
            .rows_affected();
            sqlx::query(
                "INSERT INTO change_cursors (store_id, acked_through) VALUES ($1, $2) ON CONFLICT (store_id) \
                 DO UPDATE SET acked_through = CASE WHEN excluded.acked_through > change_cursors.acked_through \
                 THEN excluded.acked_through ELSE change_cursors.acked_through END",
            )
            .bind(store_id)
            .bind(through)
            .execute(&mut *tx)
            .await
            .map_err(StorageError::from)?;
            i64::try_from(acked).unwrap_or(i64::MAX)
        });
        write.commit().await?;
        Ok(acked)
    }

    /// The store's acknowledged cursor (0 before any acknowledgement).
    pub async fn change_cursor(&self, store_id: i64) -> Result<i64, StorageError> {
        let cursor: Option<i64> = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT acked_through FROM change_cursors WHERE store_id = $1")
                .bind(store_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(cursor.unwrap_or_default())
    }

    /// Unacknowledged changes of the store, and the newest change id.
    pub async fn change_backlog(&self, store_id: i64) -> Result<(i64, i64), StorageError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT COUNT(*) FILTER (WHERE acked_at IS NULL), COALESCE(MAX(id), 0) FROM sync_changes \
                 WHERE store_id = $1",
            )
            .bind(store_id)
            .fetch_one(pool)
            .await?
        }))
    }

    /// The error texts the store gave for its changes, newest first.
    pub async fn change_errors(&self, store_id: i64, limit: i64) -> Result<Vec<(i64, String)>, StorageError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, result_error FROM sync_changes WHERE store_id = $1 AND result_error IS NOT NULL \
                 ORDER BY id DESC LIMIT $2",
            )
            .bind(store_id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }
}
