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
}
