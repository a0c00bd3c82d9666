//! Parked entities listed a page at a time (by id, through the store/state
//! index), optionally only those whose last error has one code, for the web
//! console's parked items page.

use crate::domain::sync::{EntityKind, RecordedError};
use crate::storage::{Storage, StorageError, with_pool};

use super::corrupt;

/// Rows read per query while filtering by error code.
const SCAN: i64 = 500;
/// Rows one page may read while filtering, so a rare code costs a bounded walk.
const SCAN_LIMIT: i64 = 10_000;

/// One parked entity.
#[derive(Debug, Clone, PartialEq)]
pub struct ParkedEntity {
    pub id: i64,
    pub kind: EntityKind,
    pub label: String,
    pub attempts: i64,
    pub updated_at: i64,
    pub error: Option<RecordedError>,
}

/// A page of parked entities; `next_after` continues the walk when set.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParkedPage {
    pub entities: Vec<ParkedEntity>,
    pub next_after: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    kind: String,
    label: String,
    attempts: i64,
    updated_at: i64,
    last_error: Option<String>,
}

impl Storage {
    /// Up to `limit` parked entities of a store with ids above `after`,
    /// oldest first, only those whose last error has `code` when given.
    pub async fn parked_entities(
        &self,
        store_id: i64,
        code: Option<&str>,
        after: i64,
        limit: i64,
    ) -> Result<ParkedPage, StorageError> {
        let mut page = ParkedPage::default();
        let (mut cursor, mut scanned) = (after, 0);
        loop {
            let batch = if code.is_some() { SCAN } else { limit + 1 };
            let rows: Vec<Row> = with_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT id, kind, label, attempts, updated_at, last_error FROM sync_entities \
                     WHERE store_id = $1 AND state = 'parked' AND id > $2 ORDER BY id LIMIT $3",
                )
                .bind(store_id)
                .bind(cursor)
                .bind(batch)
                .fetch_all(pool)
                .await?
            });
            let full = rows.len() as i64 == batch;
            for row in rows {
                cursor = row.id;
                scanned += 1;
                let entity = parse(row)?;
                if code.is_none_or(|code| entity.error.as_ref().is_some_and(|e| e.code == code)) {
                    if page.entities.len() as i64 == limit {
                        page.next_after = page.entities.last().map(|e| e.id);
                        return Ok(page);
                    }
                    page.entities.push(entity);
                }
            }
            if !full {
                return Ok(page);
            }
            if scanned >= SCAN_LIMIT {
                page.next_after = Some(cursor);
                return Ok(page);
            }
        }
    }
}

fn parse(row: Row) -> Result<ParkedEntity, StorageError> {
    let error = row
        .last_error
        .map(|json| serde_json::from_str::<RecordedError>(&json).map_err(|e| corrupt("recorded error", e)))
        .transpose()?;
    Ok(ParkedEntity {
        id: row.id,
        kind: EntityKind::parse(&row.kind).ok_or_else(|| corrupt("entity kind", &row.kind))?,
        label: row.label,
        attempts: row.attempts,
        updated_at: row.updated_at,
        error,
    })
}
