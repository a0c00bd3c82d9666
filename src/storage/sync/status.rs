//! The read side the API serves: one entity's status by alias, and received
//! events listed newest first with filters.

use crate::domain::sync::{EntityFacts, EntityKind, EventKind};
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

/// Which events to list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub state: Option<EntityState>,
    pub kind: Option<EventKind>,
    pub received_after: Option<i64>,
    pub received_before: Option<i64>,
    /// Only events with a sequence below this one (paging, newest first).
    pub before_sequence: Option<i64>,
}

/// One received event and the state of its entity.
#[derive(Debug, Clone, PartialEq)]
pub struct EventInfo {
    pub event_id: String,
    pub sequence: i64,
    pub kind: Option<EventKind>,
    pub received_at: i64,
    pub applied: bool,
    pub entity: Option<String>,
    pub entity_state: Option<EntityState>,
    pub last_error: Option<RecordedError>,
}

fn parse_error(json: Option<String>) -> Result<Option<RecordedError>, StorageError> {
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

/// A received event and its entity, as listed.
#[derive(sqlx::FromRow)]
struct EventRow {
    event_id: String,
    seq: i64,
    kind: String,
    received_at: i64,
    applied: bool,
    entity: Option<String>,
    entity_state: Option<String>,
    last_error: Option<String>,
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

    /// Up to `limit` events of a store, newest first.
    pub async fn list_events(
        &self,
        store_id: i64,
        filter: &EventFilter,
        limit: i64,
    ) -> Result<Vec<EventInfo>, StorageError> {
        let rows: Vec<EventRow> = with_pool!(self, |pool| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT v.event_id, v.seq, v.kind, v.received_at, v.applied_at IS NOT NULL AS applied, \
                 e.label AS entity, e.state AS entity_state, e.last_error FROM sync_events v LEFT JOIN sync_entities e ON e.id = v.entity_id WHERE v.store_id = ",
            );
            query.push_bind(store_id);
            if let Some(state) = filter.state {
                query.push(" AND e.state = ").push_bind(state.as_str());
            }
            if let Some(kind) = filter.kind {
                query.push(" AND v.kind = ").push_bind(kind.as_str());
            }
            if let Some(after) = filter.received_after {
                query.push(" AND v.received_at >= ").push_bind(after);
            }
            if let Some(before) = filter.received_before {
                query.push(" AND v.received_at < ").push_bind(before);
            }
            if let Some(sequence) = filter.before_sequence {
                query.push(" AND v.seq < ").push_bind(sequence);
            }
            query.push(" ORDER BY v.seq DESC LIMIT ").push_bind(limit);
            query.build_query_as().fetch_all(pool).await?
        });
        rows.into_iter()
            .map(|row| {
                Ok(EventInfo {
                    event_id: row.event_id,
                    sequence: row.seq,
                    kind: EventKind::parse(&row.kind),
                    received_at: row.received_at,
                    applied: row.applied,
                    entity: row.entity,
                    entity_state: row.entity_state.as_deref().and_then(EntityState::parse),
                    last_error: parse_error(row.last_error)?,
                })
            })
            .collect()
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
