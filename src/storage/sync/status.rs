//! The read side the API serves: one entity's status by alias (received
//! events listed newest first with filters are [`super::event_list`]).

use crate::domain::sync::{EntityFacts, EntityKind};
use crate::storage::{Storage, StorageError, with_pool};

use super::records::WrittenRecord;
use super::{EntityState, RecordedError, corrupt};

/// Where one entity stands.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityStatus {
    pub id: i64,
    pub kind: EntityKind,
    pub state: EntityState,
    pub aliases: Vec<String>,
    pub attempts: i64,
    pub last_error: Option<RecordedError>,
    pub next_run_at: i64,
    pub waiting_reason: Option<String>,
    pub updated_at: i64,
    pub event_count: i64,
    pub records: Vec<WrittenRecord>,
    /// The store's sync pause, if one holds its work back: until when, and why.
    pub store_pause: Option<(i64, String)>,
}

pub(super) fn parse_error(json: Option<String>) -> Result<Option<RecordedError>, StorageError> {
    json.map(|json| serde_json::from_str(&json).map_err(|e| corrupt("recorded error", e))).transpose()
}

/// An entity found by alias, with what its status needs from the store:
/// whether received events wait to be folded, and the store's sync pause.
#[derive(sqlx::FromRow)]
struct EntityRow {
    id: i64,
    kind: String,
    state: String,
    attempts: i64,
    last_error: Option<String>,
    next_run_at: i64,
    waiting_reason: Option<String>,
    updated_at: i64,
    event_count: i64,
    unfolded: bool,
    paused_until: Option<i64>,
    pause_reason: Option<String>,
}

/// How many entities of a store are in one state.
#[derive(sqlx::FromRow)]
struct StateCount {
    state: String,
    count: i64,
}

impl Storage {
    /// The entity an alias (`cart:77`, `customer:42`, ...) names in a store, if
    /// any, with the store's sync pause. While the store has received events
    /// not yet folded, a synced or waiting entity reads as pending (one of
    /// them may be its).
    pub async fn entity_status(&self, store_id: i64, alias: &str) -> Result<Option<EntityStatus>, StorageError> {
        let sql = format!(
            "SELECT e.id, e.kind, e.state, e.attempts, e.last_error, e.next_run_at, e.waiting_reason, \
             e.updated_at, e.event_count, \
             EXISTS (SELECT 1 FROM {} WHERE v.store_id = $1 AND v.applied_at IS NULL) AS unfolded, \
             p.paused_until, p.reason AS pause_reason \
             FROM sync_aliases a JOIN sync_entities e ON e.id = a.entity_id \
             LEFT JOIN sync_pauses p ON p.store_id = a.store_id WHERE a.store_id = $1 AND a.alias = $2",
            self.unfolded_events("v")
        );
        let row: Option<EntityRow> = with_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).bind(store_id).bind(alias).fetch_optional(pool).await?
        });
        let Some(row) = row else {
            return Ok(None);
        };
        let mut state = EntityState::parse(&row.state).ok_or_else(|| corrupt("entity state", &row.state))?;
        // Received events not yet folded may belong to this entity: until they are, it is not settled.
        if row.unfolded && matches!(state, EntityState::Synced | EntityState::Waiting) {
            state = EntityState::Pending;
        }
        let aliases: Vec<String> = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT alias FROM sync_aliases WHERE entity_id = $1 ORDER BY alias")
                .bind(row.id)
                .fetch_all(pool)
                .await?
        });
        Ok(Some(EntityStatus {
            id: row.id,
            kind: EntityKind::parse(&row.kind).ok_or_else(|| corrupt("entity kind", &row.kind))?,
            state,
            aliases,
            attempts: row.attempts,
            last_error: parse_error(row.last_error)?,
            next_run_at: row.next_run_at,
            waiting_reason: row.waiting_reason,
            updated_at: row.updated_at,
            event_count: row.event_count,
            records: self.entity_records(row.id).await?,
            store_pause: row.paused_until.zip(row.pause_reason),
        }))
    }

    /// The facts of every entity these aliases name, merged (for a dry run).
    pub async fn entity_facts(&self, store_id: i64, aliases: &[String]) -> Result<Option<EntityFacts>, StorageError> {
        let mut merged: Option<EntityFacts> = None;
        for alias in aliases {
            let facts: Option<String> = with_pool!(self, |pool| {
                sqlx::query_scalar(
                    "SELECT e.facts FROM sync_aliases a JOIN sync_entities e ON e.id = a.entity_id \
                     WHERE a.store_id = $1 AND a.alias = $2",
                )
                .bind(store_id)
                .bind(alias)
                .fetch_optional(pool)
                .await?
            });
            if let Some(json) = facts {
                let facts: EntityFacts = serde_json::from_str(&json).map_err(|e| corrupt("facts", e))?;
                match &mut merged {
                    Some(existing) => existing.merge(&facts),
                    None => merged = Some(facts),
                }
            }
        }
        Ok(merged)
    }

    /// Entities of a store by state, for progress reports and tests.
    pub async fn entity_counts(&self, store_id: i64) -> Result<Vec<(String, i64)>, StorageError> {
        const SQL: &str =
            "SELECT state, COUNT(*) AS count FROM sync_entities WHERE store_id = $1 GROUP BY state ORDER BY state";
        let rows: Vec<StateCount> = with_pool!(self, |pool| sqlx::query_as(SQL).bind(store_id).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|row| (row.state, row.count)).collect())
    }
}
