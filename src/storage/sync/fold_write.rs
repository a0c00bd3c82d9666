//! Writing a fold: given one store's routed events (already stored, with
//! their sequence numbers), read the aliases they name and those aliases'
//! entities (two set-based queries), plan the fold in memory
//! (`domain::sync::folding`), and write the plan back in a few multi-row
//! statements, all inside the caller's transaction. It also keeps
//! retention's hint, each entity's oldest retained event (`oldest_event_at`,
//! see [`super::retention`]). The fold task calls it for events it reads
//! back. SQLite's intake writer folds what it inserts with the one-row forms
//! of these statements, on its own connection (`intake/sqlite_writer.rs`).

use std::collections::HashMap;

use crate::domain::sync::EntityFacts;
use crate::domain::sync::folding::{
    CreatedEntity, EntityRef, RoutedEvent, StoredEntity, UpdatedEntity, aliases_named, plan_fold,
};
use crate::storage::{StorageError, Tx, with_tx};

use super::{EntityState, corrupt};

/// Rows per multi-row statement: well under both backends' limits on bound parameters.
const ROWS_PER_STATEMENT: usize = 500;

#[derive(sqlx::FromRow)]
struct AliasRow {
    alias: String,
    entity_id: i64,
}

#[derive(sqlx::FromRow)]
struct EntityRow {
    id: i64,
    facts: String,
    event_count: i64,
}

#[derive(sqlx::FromRow)]
struct CreatedRow {
    id: i64,
    label: String,
}

/// Folds `routed` (one store's stored events, in sequence order) into their
/// entities within `write`. New or changed entities become due `linger_ms`
/// after `now` (unless already scheduled), so events arriving together are
/// written together; each event is marked applied to its entity.
pub(super) async fn apply_fold(
    write: &mut Tx<'_>,
    store_id: i64,
    routed: &[RoutedEvent],
    linger_ms: i64,
    now: i64,
) -> Result<(), StorageError> {
    if routed.is_empty() {
        return Ok(());
    }
    with_tx!(write, |tx| {
        // Read: the aliases the batch names, then their entities.
        let mut known: HashMap<String, i64> = HashMap::new();
        for chunk in aliases_named(routed).chunks(ROWS_PER_STATEMENT) {
            let mut query = sqlx::QueryBuilder::new("SELECT alias, entity_id FROM sync_aliases WHERE store_id = ");
            query.push_bind(store_id).push(" AND alias IN (");
            let mut list = query.separated(", ");
            for alias in chunk {
                list.push_bind(alias.clone());
            }
            query.push(")");
            let rows: Vec<AliasRow> = query.build_query_as().fetch_all(&mut *tx).await?;
            known.extend(rows.into_iter().map(|row| (row.alias, row.entity_id)));
        }
        let mut ids: Vec<i64> = known.values().copied().collect();
        ids.sort_unstable();
        ids.dedup();
        let mut stored = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(ROWS_PER_STATEMENT) {
            let mut query = sqlx::QueryBuilder::new("SELECT id, facts, event_count FROM sync_entities WHERE id IN (");
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            let rows: Vec<EntityRow> = query.build_query_as().fetch_all(&mut *tx).await?;
            for row in rows {
                stored.push(StoredEntity { id: row.id, facts: facts_of(&row.facts)?, event_count: row.event_count });
            }
        }
        let plan = plan_fold(routed, &known, stored).map_err(|e| corrupt("aliases", e))?;

        // Write: new entities (their ids come back by label, unique among them), merges, updates,
        // new aliases, and each event's entity.
        let mut created_id: HashMap<String, i64> = HashMap::with_capacity(plan.created.len());
        for chunk in plan.created.chunks(ROWS_PER_STATEMENT) {
            let mut query = sqlx::QueryBuilder::new("");
            insert_entities(&mut query, store_id, chunk, linger_ms, now)?;
            query.push(" RETURNING id, label");
            let rows: Vec<CreatedRow> = query.build_query_as().fetch_all(&mut *tx).await?;
            created_id.extend(rows.into_iter().map(|row| (row.label, row.id)));
        }
        let created: Vec<i64> = plan
            .created
            .iter()
            .map(|entity| created_id.get(&entity.label).copied())
            .collect::<Option<_>>()
            .ok_or_else(|| StorageError::Corrupt("a created entity came back without its label".into()))?;
        let id_of = |entity: EntityRef| match entity {
            EntityRef::Stored(id) => id,
            EntityRef::Created(n) => created[n],
        };
        for merge in &plan.merges {
            for (set, filter) in MERGE_STATEMENTS {
                let mut query = sqlx::QueryBuilder::new(set);
                query.push_bind(merge.into).push(filter).push_bind(merge.from);
                query.build().execute(&mut *tx).await?;
            }
        }
        for chunk in plan.updated.chunks(ROWS_PER_STATEMENT) {
            let mut query = sqlx::QueryBuilder::new("");
            update_entities(&mut query, chunk, linger_ms, now)?;
            query.build().execute(&mut *tx).await?;
        }
        for chunk in plan.aliases.chunks(ROWS_PER_STATEMENT) {
            let mut query = sqlx::QueryBuilder::new("INSERT INTO sync_aliases (store_id, alias, entity_id) ");
            query.push_values(chunk, |mut row, (alias, entity)| {
                row.push_bind(store_id).push_bind(alias.clone()).push_bind(id_of(*entity));
            });
            query.push(" ON CONFLICT (store_id, alias) DO NOTHING");
            query.build().execute(&mut *tx).await?;
        }
        for chunk in plan.applied.chunks(ROWS_PER_STATEMENT) {
            let mut query = sqlx::QueryBuilder::new("UPDATE sync_events SET applied_at = ");
            query.push_bind(now).push(", entity_id = v.column2 FROM (");
            query.push_values(chunk, |mut row, (seq, entity)| {
                row.push_bind(*seq).push_bind(entity.map(id_of));
            });
            query.push(") AS v WHERE sync_events.seq = v.column1");
            query.build().execute(&mut *tx).await?;
            let mut query = sqlx::QueryBuilder::new(NOTE_OLDEST_EVENTS);
            let mut list = query.separated(", ");
            for (seq, _) in chunk {
                list.push_bind(*seq);
            }
            query.push(
                ") GROUP BY v.entity_id) AS m WHERE sync_entities.id = m.entity_id \
                 AND (sync_entities.oldest_event_at IS NULL OR sync_entities.oldest_event_at > m.first)",
            );
            query.build().execute(&mut *tx).await?;
        }
        Ok(())
    })
}

/// Joining entity `from` into `into`: each statement's text before `into`'s
/// id, then before `from`'s. The survivor takes the other's aliases, records
/// and events.
/// The survivor's oldest retained event is looked up again (retention's
/// hint), and the merged one is no longer blocked on anything.
pub(super) const MERGE_STATEMENTS: [(&str, &str); 5] = [
    ("UPDATE sync_aliases SET entity_id = ", " WHERE entity_id = "),
    ("UPDATE sync_records SET entity_id = ", " WHERE entity_id = "),
    ("UPDATE sync_events SET entity_id = ", " WHERE entity_id = "),
    (
        "UPDATE sync_entities SET oldest_event_at = (SELECT MIN(v.received_at) FROM sync_events v \
         WHERE v.entity_id = sync_entities.id) WHERE id = ",
        " AND id <> ",
    ),
    (
        "UPDATE sync_entities SET state = 'merged', locked_until = NULL, blocked_on = NULL, merged_into = ",
        " WHERE id = ",
    ),
];

/// Retention's hint: each entity's oldest retained event
/// (`oldest_event_at`), lowered to the oldest of the events just applied to
/// it. Followed by the sequence numbers of those events, then `)`.
const NOTE_OLDEST_EVENTS: &str = "UPDATE sync_entities SET oldest_event_at = m.first \
    FROM (SELECT v.entity_id, MIN(v.received_at) AS first FROM sync_events v \
    WHERE v.entity_id IS NOT NULL AND v.seq IN (";

/// An entity's facts as stored.
pub(super) fn facts_json(facts: &EntityFacts) -> Result<String, StorageError> {
    serde_json::to_string(facts).map_err(|e| corrupt("facts", e))
}

/// An entity's stored facts, read back.
pub(super) fn facts_of(json: &str) -> Result<EntityFacts, StorageError> {
    serde_json::from_str(json).map_err(|e| corrupt("facts", e))
}

/// What a fold sets on an entity with new facts, from `v`, a row of (id,
/// facts, depends_on, event_count, now, due): a pending entity keeps its
/// schedule; any other becomes pending, due at `due` (an entity blocked on
/// its dependency too: the claim looks again; it keeps when it became
/// pending, as it never reached Salesforce meanwhile). The fold task writes
/// many rows at once ([`update_entities`]), SQLite's intake writer one.
pub(super) const UPDATED_ENTITY_SET: &str = "facts = v.column2, depends_on = v.column3, event_count = v.column4, \
    version = version + 1, updated_at = v.column5, pending_since = CASE WHEN state = 'pending' OR blocked_on IS NOT NULL \
    THEN COALESCE(pending_since, v.column5) ELSE v.column5 END, waiting_reason = NULL, blocked_on = NULL, \
    next_run_at = CASE WHEN state = 'pending' THEN next_run_at ELSE v.column6 END, state = 'pending'";

/// A created entity's row, its fields in [`CREATED_COLUMNS`]' order: version
/// 1, pending since now and due `linger_ms` after it.
pub(super) struct NewEntityRow {
    pub store_id: i64,
    pub kind: &'static str,
    pub label: String,
    pub facts: String,
    pub depends_on: Option<String>,
    pub version: i64,
    pub state: &'static str,
    pub next_run_at: i64,
    pub event_count: i64,
    pub updated_at: i64,
    pub pending_since: i64,
}

/// The columns [`NewEntityRow`] fills.
pub(super) const CREATED_COLUMNS: &str =
    "store_id, kind, label, facts, depends_on, version, state, next_run_at, event_count, updated_at, pending_since";

impl NewEntityRow {
    pub(super) fn new(store_id: i64, entity: &CreatedEntity, linger_ms: i64, now: i64) -> Result<Self, StorageError> {
        Ok(Self {
            store_id,
            kind: entity.facts.kind().as_str(),
            label: entity.label.clone(),
            facts: facts_json(&entity.facts)?,
            depends_on: entity.facts.depends_on(),
            version: 1,
            state: EntityState::Pending.as_str(),
            next_run_at: now + linger_ms,
            event_count: entity.event_count,
            updated_at: now,
            pending_since: now,
        })
    }
}

/// One statement updating `entities` with their new facts ([`UPDATED_ENTITY_SET`]).
fn update_entities<DB: sqlx::Database>(
    query: &mut sqlx::QueryBuilder<DB>,
    entities: &[UpdatedEntity],
    linger_ms: i64,
    now: i64,
) -> Result<(), StorageError>
where
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query.push("UPDATE sync_entities SET ").push(UPDATED_ENTITY_SET).push(" FROM (");
    let mut rows = Vec::with_capacity(entities.len());
    for entity in entities {
        rows.push((entity.id, facts_json(&entity.facts)?, entity.facts.depends_on(), entity.event_count));
    }
    query.push_values(rows, |mut row, (id, json, depends_on, event_count)| {
        row.push_bind(id)
            .push_bind(json)
            .push_bind(depends_on)
            .push_bind(event_count)
            .push_bind(now)
            .push_bind(now + linger_ms);
    });
    query.push(") AS v WHERE sync_entities.id = v.column1");
    Ok(())
}

/// One statement inserting the `created` entities of a store ([`NewEntityRow`]), numbered by the database.
fn insert_entities<DB: sqlx::Database>(
    query: &mut sqlx::QueryBuilder<DB>,
    store_id: i64,
    created: &[CreatedEntity],
    linger_ms: i64,
    now: i64,
) -> Result<(), StorageError>
where
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query.push("INSERT INTO sync_entities (").push(CREATED_COLUMNS).push(") ");
    let rows = created
        .iter()
        .map(|entity| NewEntityRow::new(store_id, entity, linger_ms, now))
        .collect::<Result<Vec<_>, _>>()?;
    query.push_values(rows, |mut row, entity| {
        row.push_bind(entity.store_id)
            .push_bind(entity.kind.to_owned())
            .push_bind(entity.label)
            .push_bind(entity.facts)
            .push_bind(entity.depends_on)
            .push_bind(entity.version)
            .push_bind(entity.state.to_owned())
            .push_bind(entity.next_run_at)
            .push_bind(entity.event_count)
            .push_bind(entity.updated_at)
            .push_bind(entity.pending_since);
    });
    Ok(())
}
