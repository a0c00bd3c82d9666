//! Orders downloaded from Salesforce: which were delivered (each once), the
//! store's own order number once it acknowledges one, and the stamp that
//! gives the Salesforce Order forcesync's key — after which the store's
//! events for that order address the same Order, as a record forcesync
//! adopted (written by Id, never created again).

use std::collections::HashSet;

use crate::storage::{Storage, StorageError, now_millis, with_pool, write_tx};

const CHUNK: usize = 400;

/// A downloaded order the store acknowledged with its own number, not yet stamped.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct AckedDownload {
    pub sf_id: String,
    pub store_order_id: String,
}

impl Storage {
    /// Which of these Orders were downloaded already.
    pub async fn downloaded_orders(&self, store_id: i64, sf_ids: &[String]) -> Result<HashSet<String>, StorageError> {
        let mut found = HashSet::new();
        for chunk in sf_ids.chunks(CHUNK) {
            let ids: Vec<String> = with_pool!(self, |pool| {
                let mut query = sqlx::QueryBuilder::new("SELECT sf_id FROM change_downloads WHERE store_id = ");
                query.push_bind(store_id).push(" AND sf_id IN ");
                query.push_tuples(chunk, |mut row, id| {
                    row.push_bind(id.clone());
                });
                query.build_query_scalar().fetch_all(pool).await?
            });
            found.extend(ids);
        }
        Ok(found)
    }

    /// Acknowledged downloads still to stamp, oldest first.
    pub async fn acked_downloads(&self, store_id: i64, limit: i64) -> Result<Vec<AckedDownload>, StorageError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT sf_id, store_order_id FROM change_downloads WHERE store_id = $1 \
                 AND store_order_id IS NOT NULL AND stamped_at IS NULL ORDER BY change_id LIMIT $2",
            )
            .bind(store_id)
            .bind(limit)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The Order now carries forcesync's `key`: remembered as an adopted,
    /// downloaded record of the store's sale, so that sale's writes update it.
    pub async fn mark_stamped(&self, store_id: i64, sf_id: &str, key: &str) -> Result<(), StorageError> {
        let now = now_millis();
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO sync_records (store_id, object, ext_key, sf_id, body_hash, matched, downloaded, written_at) \
                 VALUES ($1, 'Order', $2, $3, $4, TRUE, TRUE, $5) \
                 ON CONFLICT (store_id, object, ext_key) DO UPDATE SET sf_id = excluded.sf_id, matched = TRUE, \
                 downloaded = TRUE",
            )
            .bind(store_id)
            .bind(key)
            .bind(sf_id)
            .bind(Vec::<u8>::new())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE change_downloads SET stamped_at = $3, stamp_error = NULL WHERE store_id = $1 AND sf_id = $2",
            )
            .bind(store_id)
            .bind(sf_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        });
        Ok(())
    }

    /// Why a stamp failed, kept for status; the stamp is tried again on the next run.
    pub async fn stamp_failed(&self, store_id: i64, sf_id: &str, error: &str) -> Result<(), StorageError> {
        let _turn = self.write_turn().await;
        with_pool!(self, |pool| {
            sqlx::query("UPDATE change_downloads SET stamp_error = $3 WHERE store_id = $1 AND sf_id = $2")
                .bind(store_id)
                .bind(sf_id)
                .bind(error)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
