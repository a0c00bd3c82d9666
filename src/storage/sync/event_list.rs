//! Received events listed newest first with filters (`ListSyncEvents`), and
//! the plan the database makes for that query (for tests that pin it).

use crate::domain::sync::EventKind;
use crate::storage::{Backend, Storage, StorageError, with_pool};

use super::status::parse_error;
use super::{EntityState, PlanRow, RecordedError, explain_sqlite, plan_steps};

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

/// A value bound to the list query.
enum Arg {
    Int(i64),
    Text(&'static str),
}

/// The list query's text (`$n` placeholders) and its arguments in order.
struct ListQuery {
    sql: String,
    args: Vec<Arg>,
}

impl ListQuery {
    fn push(&mut self, condition: &str, arg: Arg) {
        self.args.push(arg);
        self.sql.push_str(&condition.replace('?', &format!("${}", self.args.len())));
    }
}

/// Binds a [`ListQuery`]'s arguments onto `$query` (any backend's query type).
macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Int(value) => query.bind(*value),
                Arg::Text(value) => query.bind(*value),
            };
        }
        query
    }};
}

/// How the list query reaches a store's events (SQLite only: its planner has
/// no statistics, so the access path is chosen here; PostgreSQL's planner
/// chooses from its own).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Access {
    /// The planner's choice (PostgreSQL).
    Planner,
    /// Newest first through `(store_id, seq)`, or `(store_id, kind, seq)`
    /// with a kind: stops after one page of matches.
    Newest,
    /// The few events whose entity is in the filtered state, through the
    /// entities' `(store_id, state)` index, sorted.
    FewInState,
    /// The few events received in the filtered time range, sorted.
    FewInRange,
}

/// Below this many matching rows (counted through an index, never past it)
/// a state or time filter is selective: its rows are read and sorted instead
/// of walking the store's events newest first past the ones that miss.
#[doc(hidden)]
pub const SELECTIVE_ROWS: i64 = 1_000;

fn list_query(store_id: i64, filter: &EventFilter, limit: i64, access: Access) -> ListQuery {
    let select = "SELECT v.event_id, v.seq, v.kind, v.received_at, v.applied_at IS NOT NULL AS applied, \
                  e.label AS entity, e.state AS entity_state, e.last_error FROM ";
    let events = match (access, filter.kind) {
        (Access::Newest, Some(_)) => "sync_events v INDEXED BY sync_events_kind",
        (Access::Newest, None) => "sync_events v INDEXED BY sync_events_store",
        (Access::FewInState, _) => "sync_events v INDEXED BY sync_events_entity",
        (Access::FewInRange, _) => "sync_events v INDEXED BY sync_events_received",
        (Access::Planner, _) => "sync_events v",
    };
    let mut query = ListQuery { sql: select.into(), args: Vec::new() };
    match (access, filter.state) {
        // Entities of one state first (an entity's events are its store's): SQLite keeps a CROSS JOIN's order.
        (Access::FewInState, _) => {
            query.sql.push_str(&format!(
                "sync_entities e INDEXED BY sync_entities_store_state CROSS JOIN {events} WHERE v.entity_id = e.id AND "
            ));
            query.push("e.store_id = ? AND ", Arg::Int(store_id));
        }
        // Events first, each one's entity looked up (the state filter keeps only events with one).
        (Access::Newest, Some(_)) => {
            query.sql.push_str(&format!("{events} CROSS JOIN sync_entities e ON e.id = v.entity_id WHERE "));
        }
        _ => query.sql.push_str(&format!("{events} LEFT JOIN sync_entities e ON e.id = v.entity_id WHERE ")),
    }
    query.push("v.store_id = ?", Arg::Int(store_id));
    if let Some(state) = filter.state {
        query.push(" AND e.state = ?", Arg::Text(state.as_str()));
    }
    if let Some(kind) = filter.kind {
        query.push(" AND v.kind = ?", Arg::Text(kind.as_str()));
    }
    if let Some(after) = filter.received_after {
        query.push(" AND v.received_at >= ?", Arg::Int(after));
    }
    if let Some(before) = filter.received_before {
        query.push(" AND v.received_at < ?", Arg::Int(before));
    }
    if let Some(sequence) = filter.before_sequence {
        query.push(" AND v.seq < ?", Arg::Int(sequence));
    }
    query.push(" ORDER BY v.seq DESC LIMIT ?", Arg::Int(limit));
    query
}

/// Counts up to [`SELECTIVE_ROWS`] events of entities in `state` (entities first, index only).
const FEW_IN_STATE: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM sync_entities e INDEXED BY sync_entities_store_state \
     CROSS JOIN sync_events v INDEXED BY sync_events_entity \
     WHERE e.store_id = $1 AND e.state = $2 AND v.entity_id = e.id LIMIT $3) AS few";

/// Counts up to [`SELECTIVE_ROWS`] events received in `[after, before)` (index only).
const FEW_IN_RANGE: &str = "SELECT COUNT(*) FROM (SELECT 1 FROM sync_events INDEXED BY sync_events_received \
     WHERE store_id = $1 AND received_at >= $2 AND received_at < $3 LIMIT $4) AS few";

impl Storage {
    /// How [`Storage::list_events`] reads: on SQLite, a selective state filter
    /// (fewer than [`SELECTIVE_ROWS`] events of entities in that state), then a
    /// selective time range, is read and sorted; anything else is walked newest
    /// first. Each count reads at most [`SELECTIVE_ROWS`] index entries.
    async fn list_access(&self, store_id: i64, filter: &EventFilter) -> Result<Access, StorageError> {
        let Backend::Sqlite(pool) = &self.backend else { return Ok(Access::Planner) };
        if let Some(state) = filter.state {
            let few: i64 = sqlx::query_scalar(FEW_IN_STATE)
                .bind(store_id)
                .bind(state.as_str())
                .bind(SELECTIVE_ROWS)
                .fetch_one(pool)
                .await?;
            if few < SELECTIVE_ROWS {
                return Ok(Access::FewInState);
            }
        }
        if filter.received_after.is_some() || filter.received_before.is_some() {
            let few: i64 = sqlx::query_scalar(FEW_IN_RANGE)
                .bind(store_id)
                .bind(filter.received_after.unwrap_or(i64::MIN))
                .bind(filter.received_before.unwrap_or(i64::MAX))
                .bind(SELECTIVE_ROWS)
                .fetch_one(pool)
                .await?;
            if few < SELECTIVE_ROWS {
                return Ok(Access::FewInRange);
            }
        }
        Ok(Access::Newest)
    }

    /// Up to `limit` events of a store, newest first.
    pub async fn list_events(
        &self,
        store_id: i64,
        filter: &EventFilter,
        limit: i64,
    ) -> Result<Vec<EventInfo>, StorageError> {
        let access = self.list_access(store_id, filter).await?;
        let ListQuery { sql, args } = list_query(store_id, filter, limit, access);
        let rows: Vec<EventRow> = with_pool!(self, |pool| {
            bind_args!(sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())), &args).fetch_all(pool).await?
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

    /// The plan the database makes for [`Storage::list_events`] with these
    /// arguments, one line per step: SQLite's `EXPLAIN QUERY PLAN` details,
    /// PostgreSQL's `EXPLAIN` text. For tests that pin the plan.
    #[doc(hidden)]
    pub async fn list_events_plan(
        &self,
        store_id: i64,
        filter: &EventFilter,
        limit: i64,
    ) -> Result<Vec<String>, StorageError> {
        let access = self.list_access(store_id, filter).await?;
        let ListQuery { sql, args } = list_query(store_id, filter, limit, access);
        Ok(match &self.backend {
            Backend::Sqlite(pool) => {
                let rows: Vec<PlanRow> =
                    bind_args!(sqlx::query_as(explain_sqlite(&sql)), &args).fetch_all(pool).await?;
                plan_steps(rows)
            }
            Backend::Postgres(pool) => {
                let sql = format!("EXPLAIN {sql}");
                bind_args!(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)), &args).fetch_all(pool).await?
            }
        })
    }
}
