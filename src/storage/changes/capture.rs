//! What capture reads of the records forcesync synced, found by their
//! Salesforce Ids (with their entity, and its facts when the store has a
//! change of it not yet written), and what one poll page writes back in one
//! transaction: the new changes, the records' new known values (what makes
//! a repeated read of the same state no change),
//! the orders downloaded and the stream's watermark.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::domain::sync::EntityFacts;
use crate::storage::{Storage, StorageError, with_pool, write_tx};

use super::corrupt;

const CHUNK: usize = 400;

/// A synced record as capture sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureRecord {
    pub object: String,
    pub key: String,
    pub sf_id: String,
    /// The planned body forcesync last wrote (bidirectional stores only).
    pub body: Option<Map<String, Value>>,
    /// The watched fields' values last seen in Salesforce.
    pub sf_values: Option<Map<String, Value>>,
    pub sf_modstamp: Option<i64>,
    pub pins: Option<Value>,
    pub downloaded: bool,
    pub entity_id: Option<i64>,
    pub aliases: Vec<String>,
    /// The entity's facts when it has a version not yet written (the store's pending change).
    pub pending: Option<(EntityFacts, i64)>,
    /// When the entity last changed (Unix ms).
    pub entity_updated_at: Option<i64>,
}

impl CaptureRecord {
    /// What forcesync knows of the record's values: what it last saw, overlaid
    /// with what it wrote (a written field is newer than any earlier sight of
    /// it, and one delivered to the store is written back into the body).
    pub fn known(&self) -> Map<String, Value> {
        let mut known = self.sf_values.clone().unwrap_or_default();
        if let Some(body) = &self.body {
            known.extend(body.clone());
        }
        known
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    object: String,
    ext_key: String,
    sf_id: String,
    body: Option<String>,
    sf_values: Option<String>,
    sf_modstamp: Option<i64>,
    pins: Option<String>,
    downloaded: bool,
    entity_id: Option<i64>,
    facts: Option<String>,
    version: Option<i64>,
    synced_version: Option<i64>,
    updated_at: Option<i64>,
}

fn object_of(text: Option<String>, what: &str) -> Result<Option<Map<String, Value>>, StorageError> {
    text.map(|t| serde_json::from_str::<Map<String, Value>>(&t).map_err(|e| corrupt(what, e))).transpose()
}

/// A change to queue.
#[derive(Debug, Clone, PartialEq)]
pub struct NewChange {
    pub kind: &'static str,
    pub object: String,
    pub sf_id: String,
    pub modstamp: i64,
    pub payload: String,
    /// An order downloaded: remembered so it is delivered once.
    pub download: bool,
}

/// A record's new known values after a poll.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordUpdate {
    pub object: String,
    pub key: String,
    pub sf_values: String,
    pub sf_modstamp: i64,
    /// A new planned body and its hash (fields delivered to the store), so
    /// the store's echo of them is recognised as already written.
    pub body: Option<(String, Vec<u8>)>,
    /// Fields Salesforce won in a conflict, for the entity's pending version.
    pub pins: Option<String>,
}

/// One poll page's writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaptureWrite {
    pub changes: Vec<NewChange>,
    pub records: Vec<RecordUpdate>,
    /// The stream read and how far (a SystemModstamp in Unix ms).
    pub watermark: Option<(String, i64)>,
}

impl Storage {
    /// The synced records of `object` with these Salesforce Ids.
    pub async fn capture_records(
        &self,
        store_id: i64,
        object: &str,
        sf_ids: &[String],
    ) -> Result<Vec<CaptureRecord>, StorageError> {
        let mut found = Vec::new();
        for chunk in sf_ids.chunks(CHUNK) {
            let rows: Vec<Row> = with_pool!(self, |pool| {
                let mut query = sqlx::QueryBuilder::new(
                    "SELECT r.object, r.ext_key, r.sf_id, r.body, r.sf_values, r.sf_modstamp, r.pins, r.downloaded, \
                     r.entity_id, CASE WHEN e.version > e.synced_version THEN e.facts END AS facts, e.version, \
                     e.synced_version, e.updated_at FROM sync_records r LEFT JOIN sync_entities e ON e.id = r.entity_id \
                     WHERE r.store_id = ",
                );
                query
                    .push_bind(store_id)
                    .push(" AND r.object = ")
                    .push_bind(object.to_owned())
                    .push(" AND r.sf_id IN ");
                query.push_tuples(chunk, |mut row, id| {
                    row.push_bind(id.clone());
                });
                query.build_query_as().fetch_all(pool).await?
            });
            let entities: Vec<i64> = rows.iter().filter_map(|row| row.entity_id).collect();
            let mut aliases = self.aliases_of(&entities).await?;
            for row in rows {
                let aliases = row.entity_id.and_then(|entity| aliases.remove(&entity)).unwrap_or_default();
                let pending = match (row.facts, row.version, row.synced_version) {
                    (Some(facts), Some(version), Some(synced)) if version > synced => {
                        let facts: EntityFacts = serde_json::from_str(&facts).map_err(|e| corrupt("facts", e))?;
                        Some((facts, version))
                    }
                    _ => None,
                };
                found.push(CaptureRecord {
                    object: row.object,
                    key: row.ext_key,
                    sf_id: row.sf_id,
                    body: object_of(row.body, "record body")?,
                    sf_values: object_of(row.sf_values, "record values")?,
                    sf_modstamp: row.sf_modstamp,
                    pins: row.pins.map(|p| serde_json::from_str(&p).map_err(|e| corrupt("pins", e))).transpose()?,
                    downloaded: row.downloaded,
                    entity_id: row.entity_id,
                    aliases,
                    pending,
                    entity_updated_at: row.updated_at,
                });
            }
        }
        Ok(found)
    }

    /// The aliases of each of these entities, in one query.
    async fn aliases_of(&self, entities: &[i64]) -> Result<HashMap<i64, Vec<String>>, StorageError> {
        let mut found: HashMap<i64, Vec<String>> = HashMap::new();
        if entities.is_empty() {
            return Ok(found);
        }
        let rows: Vec<(i64, String)> = with_pool!(self, |pool| {
            let mut query = sqlx::QueryBuilder::new("SELECT entity_id, alias FROM sync_aliases WHERE entity_id IN ");
            query.push_tuples(entities, |mut row, id| {
                row.push_bind(*id);
            });
            query.push(" ORDER BY alias");
            query.build_query_as().fetch_all(pool).await?
        });
        for (entity, alias) in rows {
            found.entry(entity).or_default().push(alias);
        }
        Ok(found)
    }

    /// Writes one poll page's findings in one transaction; returns the changes queued.
    pub async fn apply_capture(&self, store_id: i64, write: &CaptureWrite, now: i64) -> Result<u64, StorageError> {
        let mut queued = 0;
        write_tx!(self, |tx| {
            for change in &write.changes {
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO sync_changes (store_id, kind, object, sf_id, modstamp, payload, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(store_id)
                .bind(change.kind)
                .bind(&change.object)
                .bind(&change.sf_id)
                .bind(change.modstamp)
                .bind(&change.payload)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else { continue };
                queued += 1;
                if change.download {
                    sqlx::query(
                        "INSERT INTO change_downloads (store_id, sf_id, change_id) VALUES ($1, $2, $3) \
                         ON CONFLICT (store_id, sf_id) DO NOTHING",
                    )
                    .bind(store_id)
                    .bind(&change.sf_id)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
            for record in &write.records {
                let (body, hash) = record.body.clone().unzip();
                sqlx::query(
                    "UPDATE sync_records SET sf_values = $4, sf_modstamp = $5, body = COALESCE($6, body), \
                     body_hash = COALESCE($7, body_hash), pins = COALESCE($8, pins) \
                     WHERE store_id = $1 AND object = $2 AND ext_key = $3",
                )
                .bind(store_id)
                .bind(&record.object)
                .bind(&record.key)
                .bind(&record.sf_values)
                .bind(record.sf_modstamp)
                .bind(body)
                .bind(hash)
                .bind(&record.pins)
                .execute(&mut *tx)
                .await?;
            }
            if let Some((stream, watermark)) = &write.watermark {
                sqlx::query(
                    "INSERT INTO change_watermarks (store_id, stream, watermark, polled_at) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (store_id, stream) DO UPDATE SET watermark = excluded.watermark, \
                     polled_at = excluded.polled_at",
                )
                .bind(store_id)
                .bind(stream)
                .bind(*watermark)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        });
        Ok(queued)
    }
}
