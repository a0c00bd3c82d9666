//! What forcesync last wrote to each Salesforce record it owns: the record
//! Id and a hash of the values, so an unchanged record is not sent again and
//! status can name the Ids. Records found in the org (a Contact matched by
//! email, its Account) are marked `matched`: they are addressed by Id.

use std::collections::HashMap;

use crate::storage::{Storage, StorageError, Tx, now_millis, with_pool, with_tx};

/// One record forcesync wrote (or matched); also the `sync_records` row.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct WrittenRecord {
    pub object: String,
    #[sqlx(rename = "ext_key")]
    pub key: String,
    #[sqlx(rename = "sf_id")]
    pub id: String,
    pub body_hash: Vec<u8>,
    pub matched: bool,
    pub written_at: i64,
    /// The planned body written, kept for bidirectional stores (JSON).
    #[sqlx(default)]
    pub body: Option<String>,
    /// Fields Salesforce won in a conflict: `{"version": v, "fields": {...}}` (JSON).
    #[sqlx(default)]
    pub pins: Option<String>,
    /// An Order downloaded from Salesforce: the store's sale updates its header only.
    #[sqlx(default)]
    pub downloaded: bool,
}

const CHUNK: usize = 400;

impl Storage {
    /// The records of `store_id` with these external keys, by (object, key).
    pub async fn written_records(
        &self,
        store_id: i64,
        keys: &[String],
    ) -> Result<HashMap<(String, String), WrittenRecord>, StorageError> {
        let mut found = HashMap::new();
        for chunk in keys.chunks(CHUNK) {
            let rows: Vec<WrittenRecord> = with_pool!(self, |pool| {
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT object, ext_key, sf_id, body_hash, matched, written_at, pins, downloaded FROM sync_records \
                     WHERE store_id = ",
                );
                query.push_bind(store_id).push(" AND ext_key IN ");
                query.push_tuples(chunk, |mut row, key| {
                    row.push_bind(key.clone());
                });
                query.build_query_as().fetch_all(pool).await?
            });
            for record in rows {
                found.insert((record.object.clone(), record.key.clone()), record);
            }
        }
        Ok(found)
    }

    /// Remembers what was written (or matched), in one transaction.
    pub async fn record_writes(
        &self,
        store_id: i64,
        entity_id: Option<i64>,
        records: &[WrittenRecord],
    ) -> Result<(), StorageError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        insert_records(&mut tx, store_id, entity_id, records, now_millis()).await?;
        tx.commit().await
    }

    /// The records an entity wrote, for status.
    pub async fn entity_records(&self, entity_id: i64) -> Result<Vec<WrittenRecord>, StorageError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT object, ext_key, sf_id, body_hash, matched, written_at FROM sync_records \
                 WHERE entity_id = $1 ORDER BY written_at, object",
            )
            .bind(entity_id)
            .fetch_all(pool)
            .await?
        }))
    }
}

/// Writes `records` (one entity's, or shared ones with `entity_id` `None`)
/// into `sync_records` within `tx`, replacing what was recorded for the same
/// external keys. One statement per chunk: the keys of one entity's records
/// are distinct, so no statement updates a row twice.
pub(super) async fn insert_records(
    tx: &mut Tx<'_>,
    store_id: i64,
    entity_id: Option<i64>,
    records: &[WrittenRecord],
    now: i64,
) -> Result<(), StorageError> {
    for chunk in records.chunks(CHUNK) {
        with_tx!(tx, |conn| {
            let mut query = sqlx::QueryBuilder::new(
                "INSERT INTO sync_records (store_id, object, ext_key, sf_id, body_hash, matched, entity_id, written_at, body) ",
            );
            query.push_values(chunk, |mut row, record| {
                row.push_bind(store_id)
                    .push_bind(record.object.clone())
                    .push_bind(record.key.clone())
                    .push_bind(record.id.clone())
                    .push_bind(record.body_hash.clone())
                    .push_bind(record.matched)
                    .push_bind(entity_id)
                    .push_bind(now)
                    .push_bind(record.body.clone());
            });
            query.push(
                " ON CONFLICT (store_id, object, ext_key) DO UPDATE SET sf_id = excluded.sf_id, \
                 body_hash = excluded.body_hash, matched = excluded.matched, \
                 entity_id = COALESCE(excluded.entity_id, sync_records.entity_id), written_at = excluded.written_at, \
                 body = COALESCE(excluded.body, sync_records.body)",
            );
            query.build().execute(conn).await?;
        });
    }
    Ok(())
}
