//! What forcesync last wrote to each Salesforce record it owns: the record
//! Id and a hash of the values, so an unchanged record is not sent again and
//! status can name the Ids. Records found in the org (a Contact matched by
//! email, its Account) are marked `matched`: they are addressed by Id.

use std::collections::HashMap;

use crate::domain::write_plan::entity_writes::KnownRecord;
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
    /// Last written by a customer's own entity (read, never written: the entity is `entity_id`'s).
    #[sqlx(default)]
    pub kept_by_customer: bool,
}

impl WrittenRecord {
    /// What the write planner knows of it.
    pub fn known(&self) -> KnownRecord {
        KnownRecord {
            id: self.id.clone(),
            body_hash: self.body_hash.clone(),
            matched: self.matched,
            kept_by_customer: self.kept_by_customer,
        }
    }
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
                    "SELECT r.object, r.ext_key, r.sf_id, r.body_hash, r.matched, r.written_at, r.pins, r.downloaded, \
                     COALESCE(e.kind = 'customer', FALSE) AS kept_by_customer \
                     FROM sync_records r LEFT JOIN sync_entities e ON e.id = r.entity_id WHERE r.store_id = ",
                );
                query.push_bind(store_id).push(" AND r.ext_key IN ");
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
        insert_records(&mut tx, store_id, &[(entity_id, records)], now_millis()).await?;
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

/// Writes the records of several entities (each `(entity_id, records)`,
/// shared ones with `entity_id` `None`) into `sync_records` within `tx`,
/// replacing what was recorded for the same external keys, one statement per
/// chunk. A key written twice (two entities of a batch matched the same
/// Contact) is sent once, as the later write over the earlier one: the same
/// row as writing them one after the other, and no statement touches a row
/// twice (which PostgreSQL refuses).
pub(super) async fn insert_records(
    tx: &mut Tx<'_>,
    store_id: i64,
    groups: &[(Option<i64>, &[WrittenRecord])],
    now: i64,
) -> Result<(), StorageError> {
    let rows = one_row_per_key(groups);
    for chunk in rows.chunks(CHUNK) {
        with_tx!(tx, |conn| {
            let mut query = sqlx::QueryBuilder::new(
                "INSERT INTO sync_records (store_id, object, ext_key, sf_id, body_hash, matched, entity_id, written_at, body) ",
            );
            query.push_values(chunk, |mut row, (entity_id, record)| {
                row.push_bind(store_id)
                    .push_bind(record.object.clone())
                    .push_bind(record.key.clone())
                    .push_bind(record.id.clone())
                    .push_bind(record.body_hash.clone())
                    .push_bind(record.matched)
                    .push_bind(*entity_id)
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

/// The rows to write, one per (object, key), in first-seen order: a later
/// write of a key replaces the earlier's values, keeping the earlier's
/// entity and body where the later has none (as the upsert's `COALESCE`s would).
fn one_row_per_key<'r>(
    groups: &[(Option<i64>, &'r [WrittenRecord])],
) -> Vec<(Option<i64>, std::borrow::Cow<'r, WrittenRecord>)> {
    use std::borrow::Cow;
    let mut rows: Vec<(Option<i64>, Cow<'r, WrittenRecord>)> = Vec::new();
    let mut index: HashMap<(&'r str, &'r str), usize> = HashMap::new();
    for (entity_id, records) in groups {
        for record in records.iter() {
            match index.get(&(record.object.as_str(), record.key.as_str())) {
                Some(&at) => {
                    let (earlier_entity, earlier) = &rows[at];
                    let mut merged = record.clone();
                    merged.body = record.body.clone().or_else(|| earlier.body.clone());
                    rows[at] = (entity_id.or(*earlier_entity), Cow::Owned(merged));
                }
                None => {
                    index.insert((record.object.as_str(), record.key.as_str()), rows.len());
                    rows.push((*entity_id, Cow::Borrowed(record)));
                }
            }
        }
    }
    rows
}
