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

type EntityRow = (i64, String, String, i64, Option<String>, i64, Option<String>, i64, i64);

impl Storage {
    /// The entity an alias (`cart:77`, `customer:42`, ...) names in a store, if
    /// any. While the store has received events not yet folded, a synced or
    /// waiting entity reads as pending (one of them may be its).
    pub async fn entity_status(&self, store_id: i64, alias: &str) -> Result<Option<EntityStatus>, StorageError> {
        let row: Option<EntityRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT e.id, e.kind, e.state, e.attempts, e.last_error, e.next_run_at, e.waiting_reason, \
                 e.updated_at, e.event_count FROM sync_aliases a JOIN sync_entities e ON e.id = a.entity_id \
                 WHERE a.store_id = $1 AND a.alias = $2",
            )
            .bind(store_id)
            .bind(alias)
            .fetch_optional(pool)
            .await?
        });
        let Some((id, kind, state, attempts, last_error, next_run_at, waiting_reason, updated_at, event_count)) = row
        else {
            return Ok(None);
        };
        // Received events not yet folded may belong to this entity: until they are, it is not settled.
        let (unfolded,): (bool,) = with_pool!(self, |pool| {
            sqlx::query_as("SELECT EXISTS (SELECT 1 FROM sync_events WHERE store_id = $1 AND applied_at IS NULL)")
                .bind(store_id)
                .fetch_one(pool)
                .await?
        });
        let mut state = EntityState::parse(&state).ok_or_else(|| corrupt("entity state", &state))?;
        if unfolded && matches!(state, EntityState::Synced | EntityState::Waiting) {
            state = EntityState::Pending;
        }
        let aliases: Vec<(String,)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT alias FROM sync_aliases WHERE entity_id = $1 ORDER BY alias")
                .bind(id)
                .fetch_all(pool)
                .await?
        });
        Ok(Some(EntityStatus {
            id,
            kind: EntityKind::parse(&kind).ok_or_else(|| corrupt("entity kind", &kind))?,
            state,
            aliases: aliases.into_iter().map(|(alias,)| alias).collect(),
            attempts,
            last_error: parse_error(last_error)?,
            next_run_at,
            waiting_reason,
            updated_at,
            event_count,
            records: self.entity_records(id).await?,
            store_pause: self.store_pause(store_id).await?,
        }))
    }

    /// The store's sync pause: until when, and why.
    pub async fn store_pause(&self, store_id: i64) -> Result<Option<(i64, String)>, StorageError> {
        let pause = with_pool!(self, |pool| {
            sqlx::query_as("SELECT paused_until, reason FROM sync_pauses WHERE store_id = $1")
                .bind(store_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(pause)
    }

    /// Up to `limit` events of a store, newest first.
    pub async fn list_events(
        &self,
        store_id: i64,
        filter: &EventFilter,
        limit: i64,
    ) -> Result<Vec<EventInfo>, StorageError> {
        type Row = (String, i64, String, i64, bool, Option<String>, Option<String>, Option<String>);
        let rows: Vec<Row> = with_pool!(self, |pool| {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT v.event_id, v.seq, v.kind, v.received_at, v.applied_at IS NOT NULL, e.label, e.state, \
                 e.last_error FROM sync_events v LEFT JOIN sync_entities e ON e.id = v.entity_id WHERE v.store_id = ",
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
            .map(|(event_id, sequence, kind, received_at, applied, entity, state, error)| {
                Ok(EventInfo {
                    event_id,
                    sequence,
                    kind: EventKind::parse(&kind),
                    received_at,
                    applied,
                    entity,
                    entity_state: state.as_deref().and_then(EntityState::parse),
                    last_error: parse_error(error)?,
                })
            })
            .collect()
    }

    /// The facts of every entity these aliases name, merged (for a dry run).
    pub async fn entity_facts(&self, store_id: i64, aliases: &[String]) -> Result<Option<EntityFacts>, StorageError> {
        let mut merged: Option<EntityFacts> = None;
        for alias in aliases {
            let row: Option<(String,)> = with_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT e.facts FROM sync_aliases a JOIN sync_entities e ON e.id = a.entity_id \
                     WHERE a.store_id = $1 AND a.alias = $2",
                )
                .bind(store_id)
                .bind(alias)
                .fetch_optional(pool)
                .await?
            });
            if let Some((json,)) = row {
                let facts: EntityFacts = serde_json::from_str(&json).map_err(|e| corrupt("facts", e))?;
                match &mut merged {
                    Some(existing) => existing.merge(&facts),
                    None => merged = Some(facts),
                }
            }
        }
        Ok(merged)
    }

    /// The id and code of the store an unrevoked token hash belongs to.
    pub async fn store_by_token(&self, hash: &[u8]) -> Result<Option<(i64, String)>, StorageError> {
        const SQL: &str = "SELECT s.id, s.code FROM store_tokens t JOIN stores s ON s.id = t.store_id \
                           WHERE t.token_hash = $1 AND t.revoked_at IS NULL";
        Ok(with_pool!(self, |pool| sqlx::query_as(SQL).bind(hash.to_vec()).fetch_optional(pool).await?))
    }

    /// The code of a store by id.
    pub async fn store_code(&self, store_id: i64) -> Result<String, StorageError> {
        let row: Option<(String,)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT code FROM stores WHERE id = $1").bind(store_id).fetch_optional(pool).await?
        });
        row.map(|(code,)| code).ok_or_else(|| StorageError::StoreNotFound(format!("#{store_id}")))
    }

    /// The id of a store by code.
    pub async fn store_id(&self, code: &str) -> Result<i64, StorageError> {
        let row: Option<(i64,)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT id FROM stores WHERE code = $1").bind(code).fetch_optional(pool).await?
        });
        row.map(|(id,)| id).ok_or_else(|| StorageError::StoreNotFound(code.to_owned()))
    }

    /// Entities of a store by state, for progress reports and tests.
    pub async fn entity_counts(&self, store_id: i64) -> Result<Vec<(String, i64)>, StorageError> {
        Ok(with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT state, COUNT(*) FROM sync_entities WHERE store_id = $1 GROUP BY state ORDER BY state",
            )
            .bind(store_id)
            .fetch_all(pool)
            .await?
        }))
    }
}
