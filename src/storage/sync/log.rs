//! The sync log: what the engine did, per store, kept to the store's
//! database log limit (the oldest rows are trimmed).

use crate::storage::{Storage, StorageError, now_millis, with_pool, write_tx};

/// One line of the sync log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub level: &'static str,
    /// The entity's label, e.g. `cart:77`.
    pub entity: String,
    pub message: String,
}

/// Which log lines to list (the console's filters and paging).
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub level: Option<String>,
    /// An entity label, e.g. `order:100000123`.
    pub entity: Option<String>,
    /// Only lines older than this id (paging, newest first).
    pub before_id: Option<i64>,
}

/// One stored log line.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize)]
pub struct LogEntry {
    pub id: i64,
    pub at: i64,
    pub level: String,
    pub entity: String,
    pub message: String,
}

#[derive(sqlx::FromRow)]
struct LogRow {
    at: i64,
    level: String,
    entity: String,
    message: String,
}

impl Storage {
    /// Appends `lines` and trims the store's log to its newest `keep` rows.
    pub async fn append_sync_log(&self, store_id: i64, lines: &[LogLine], keep: i64) -> Result<(), StorageError> {
        if lines.is_empty() {
            return Ok(());
        }
        let now = now_millis();
        write_tx!(self, |tx| {
            let mut query = sqlx::QueryBuilder::new("INSERT INTO sync_log (store_id, at, level, entity, message) ");
            query.push_values(lines, |mut row, line| {
                row.push_bind(store_id)
                    .push_bind(now)
                    .push_bind(line.level)
                    .push_bind(line.entity.clone())
                    .push_bind(line.message.clone());
            });
            query.build().execute(&mut *tx).await?;
            sqlx::query(
                "DELETE FROM sync_log WHERE store_id = $1 AND id <= \
                 (SELECT id FROM sync_log WHERE store_id = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)",
            )
            .bind(store_id)
            .bind(keep)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// The newest `limit` log lines of a store, newest first: (at, level, entity, message).
    pub async fn sync_log(
        &self,
        store_id: i64,
        limit: i64,
    ) -> Result<Vec<(i64, String, String, String)>, StorageError> {
        let rows: Vec<LogRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT at, level, entity, message FROM sync_log WHERE store_id = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(store_id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(|row| (row.at, row.level, row.entity, row.message)).collect())
    }

    /// Up to `limit` log lines of a store matching `filter`, newest first.
    /// Walks the (store, id) index; the log is kept to the store's limit.
    pub async fn sync_log_page(
        &self,
        store_id: i64,
        filter: &LogFilter,
        limit: i64,
    ) -> Result<Vec<LogEntry>, StorageError> {
        Ok(with_pool!(self, |pool| {
            let mut query =
                sqlx::QueryBuilder::new("SELECT id, at, level, entity, message FROM sync_log WHERE store_id = ");
            query.push_bind(store_id);
            if let Some(level) = &filter.level {
                query.push(" AND level = ").push_bind(level.clone());
            }
            if let Some(entity) = &filter.entity {
                query.push(" AND entity = ").push_bind(entity.clone());
            }
            if let Some(before) = filter.before_id {
                query.push(" AND id < ").push_bind(before);
            }
            query.push(" ORDER BY id DESC LIMIT ").push_bind(limit);
            query.build_query_as().fetch_all(pool).await?
        }))
    }
}
