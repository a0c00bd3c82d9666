//! The SQLite intake that folds what it commits, in two round trips to the
//! database thread: `BEGIN IMMEDIATE` with one multi-statement read, then one
//! multi-statement write ending in `COMMIT`. Each statement sent to SQLite is
//! a hand-off between threads,
//! and on a busy machine every hand-off waits for a core; with a fixed number
//! of requests in flight, the answer time (and so the intake's rate) follows
//! the number of hand-offs, not the rows. So everything the fold needs is read
//! at once (the batch's events already stored, the aliases it names with
//! their entities, the next free ids), planned in memory
//! (`domain::sync::folding`), and written at once: new entities and events
//! get their ids here, which SQLite's single writer makes safe, so no write
//! waits for another's `RETURNING`. The events are inserted already applied,
//! never updated. PostgreSQL (several writers) never comes here.
//!
//! The transaction is opened and committed by the SQL itself, not by a sqlx
//! `Transaction` (which would cost a round trip each); so a connection on
//! which anything failed is closed, never returned to the pool, and SQLite
//! rolls back whatever it had begun.

use std::collections::{HashMap, HashSet};

use sqlx::pool::PoolConnection;
use sqlx::{Connection as _, QueryBuilder, Row as _, Sqlite, SqliteConnection};

use crate::domain::sync::Routed;
use crate::domain::sync::folding::{EntityRef, FoldPlan, RoutedEvent, StoredEntity, plan_fold};
use crate::storage::sync::corrupt;
use crate::storage::sync::fold_write::{MERGE_STATEMENTS, insert_entities, update_entities};
use crate::storage::{Backend, Storage, StorageError};

use super::held::Held;
use super::{FoldOnCommit, Original, Prepared};

/// Bound parameters one batch may need for its read (SQLite allows 32,766 per
/// statement; rows are split over statements, but stay well below it).
pub(super) const MAX_READ_PARAMETERS: usize = 30_000;
/// Rows per statement in the write.
const ROWS_PER_STATEMENT: usize = 500;

/// What the batch's commit found and did.
pub(super) struct Committed {
    pub inserted: HashMap<(i64, String), i64>,
    pub existing: HashMap<(i64, String), Original>,
}

/// Whether a batch fits the one-statement read (a batch of many large product
/// events may name more aliases than one statement can bind).
pub(super) fn fits<'e>(events: impl Iterator<Item = &'e Prepared>) -> bool {
    let (mut rows, mut aliases) = (0, 0);
    for event in events {
        rows += 1;
        aliases += event.routes.iter().map(|route| route.aliases.len()).sum::<usize>();
    }
    2 * (rows + aliases) <= MAX_READ_PARAMETERS
}

/// Stores `rows` and folds the new ones, in one SQLite transaction, on the
/// `held` connection (acquired when there is none); `routes` holds each row's
/// routes (taken out of it), in the same order.
pub(super) async fn commit(
    storage: &Storage,
    held: &mut Held,
    rows: &[(i64, &Prepared)],
    routes: Vec<Vec<Routed>>,
    fold: &FoldOnCommit,
    received_at: i64,
) -> Result<Committed, StorageError> {
    let Backend::Sqlite(pool) = &storage.backend else {
        return Err(StorageError::Corrupt("folding on commit is for SQLite only".into()));
    };
    let _turn = storage.write_turn().await;
    let mut conn: PoolConnection<Sqlite> = match held.take() {
        Some(conn) => conn,
        None => pool.acquire().await?,
    };
    match commit_on(&mut conn, rows, routes, fold, received_at).await {
        Ok(committed) => {
            held.keep(conn);
            Ok(committed)
        }
        Err(error) => {
            // The transaction may still be open: closing the connection rolls it back.
            let _ = conn.detach().close().await;
            Err(error)
        }
    }
}

async fn commit_on(
    tx: &mut SqliteConnection,
    rows: &[(i64, &Prepared)],
    mut routes: Vec<Vec<Routed>>,
    fold: &FoldOnCommit,
    received_at: i64,
) -> Result<Committed, StorageError> {
    let read = read(tx, rows, &routes).await?;
    let now = (fold.now)();

    // The new events (the first of equal ids), numbered from the next free sequence.
    let mut inserted = HashMap::new();
    let mut new_rows = Vec::new();
    // With each new row: its index in `rows`.
    let mut new_index = Vec::new();
    for (index, (store_id, event)) in rows.iter().enumerate() {
        let key = (*store_id, event.event_id.clone());
        if read.existing.contains_key(&key) || inserted.contains_key(&key) {
            continue;
        }
        let seq = read.next_seq + i64::try_from(new_rows.len()).unwrap_or(i64::MAX);
        inserted.insert(key, seq);
        new_rows.push((*store_id, *event, seq));
        new_index.push(index);
    }

    let mut write = QueryBuilder::<Sqlite>::new("");
    let mut next_id = read.next_entity_id;
    let mut event_entity: HashMap<i64, Option<i64>> = HashMap::new();
    for store_id in stores(&new_rows) {
        let routed: Vec<RoutedEvent> = new_rows
            .iter()
            .zip(&new_index)
            .filter(|((store, _, _), _)| *store == store_id)
            .map(|((_, _, seq), index)| RoutedEvent { seq: *seq, routes: std::mem::take(&mut routes[*index]) })
            .collect();
        let (known, stored) = read.store_entities(store_id);
        let plan = plan_fold(&routed, &known, stored).map_err(|e| corrupt("aliases", e))?;
        let first_id = next_id;
        next_id += i64::try_from(plan.created.len()).unwrap_or(i64::MAX);
        let id_of = |entity: EntityRef| match entity {
            EntityRef::Stored(id) => id,
            EntityRef::Created(n) => first_id + i64::try_from(n).unwrap_or(i64::MAX),
        };
        push_entity_writes(&mut write, store_id, &plan, first_id, &id_of, fold.linger_ms, now)?;
        event_entity.extend(plan.applied.iter().map(|(seq, entity)| (*seq, entity.map(id_of))));
    }
    for chunk in new_rows.chunks(ROWS_PER_STATEMENT) {
        write.push(
            "INSERT INTO sync_events (seq, store_id, event_id, kind, payload, payload_hash, received_at, \
             applied_at, entity_id) ",
        );
        write.push_values(chunk, |mut row, (store_id, event, seq)| {
            row.push_bind(*seq)
                .push_bind(*store_id)
                .push_bind(event.event_id.clone())
                .push_bind(event.kind)
                .push_bind(event.payload.clone())
                .push_bind(event.hash.clone())
                .push_bind(received_at)
                .push_bind(now)
                .push_bind(event_entity.get(seq).copied().flatten());
        });
        write.push(";\n");
    }
    // Retention's hint: the oldest retained event of each entity these events went to.
    let mut touched: Vec<i64> = event_entity.values().filter_map(|entity| *entity).collect();
    touched.sort_unstable();
    touched.dedup();
    for chunk in touched.chunks(ROWS_PER_STATEMENT) {
        write.push("UPDATE sync_entities SET oldest_event_at = ").push_bind(received_at);
        write
            .push(" WHERE (oldest_event_at IS NULL OR oldest_event_at > ")
            .push_bind(received_at)
            .push(") AND id IN (");
        let mut list = write.separated(", ");
        for id in chunk {
            list.push_bind(*id);
        }
        write.push(");\n");
    }
    write.push("COMMIT");
    write.build().execute(&mut *tx).await?;
    Ok(Committed { inserted, existing: read.existing })
}

/// The stores of `rows`, in first-seen order.
fn stores(rows: &[(i64, &Prepared, i64)]) -> Vec<i64> {
    let mut seen = HashSet::new();
    rows.iter().map(|(store, _, _)| *store).filter(|store| seen.insert(*store)).collect()
}

/// The created entities (with the ids given here), merges, updated entities and new aliases of one store's plan.
fn push_entity_writes(
    write: &mut QueryBuilder<Sqlite>,
    store_id: i64,
    plan: &FoldPlan,
    first_id: i64,
    id_of: &dyn Fn(EntityRef) -> i64,
    linger_ms: i64,
    now: i64,
) -> Result<(), StorageError> {
    for (chunk_index, chunk) in plan.created.chunks(ROWS_PER_STATEMENT).enumerate() {
        let first = first_id + i64::try_from(chunk_index * ROWS_PER_STATEMENT).unwrap_or(i64::MAX);
        insert_entities(write, store_id, chunk, Some(first), linger_ms, now)?;
        write.push(";\n");
    }
    for merge in &plan.merges {
        for (set, filter) in MERGE_STATEMENTS {
            write.push(set).push_bind(merge.into).push(filter).push_bind(merge.from).push(";\n");
        }
    }
    for chunk in plan.updated.chunks(ROWS_PER_STATEMENT) {
        update_entities(write, chunk, linger_ms, now)?;
        write.push(";\n");
    }
    for chunk in plan.aliases.chunks(ROWS_PER_STATEMENT) {
        write.push("INSERT INTO sync_aliases (store_id, alias, entity_id) ");
        write.push_values(chunk, |mut row, (alias, entity)| {
            row.push_bind(store_id).push_bind(alias.clone()).push_bind(id_of(*entity));
        });
        write.push(" ON CONFLICT (store_id, alias) DO NOTHING;\n");
    }
    Ok(())
}

/// What the read found.
struct Read {
    existing: HashMap<(i64, String), Original>,
    /// Each alias found, by store, with its entity.
    aliases: HashMap<i64, HashMap<String, i64>>,
    entities: HashMap<i64, StoredEntity>,
    next_seq: i64,
    next_entity_id: i64,
}

impl Read {
    fn store_entities(&self, store_id: i64) -> (HashMap<String, i64>, Vec<StoredEntity>) {
        let known = self.aliases.get(&store_id).cloned().unwrap_or_default();
        let ids: HashSet<i64> = known.values().copied().collect();
        let stored = ids.iter().filter_map(|id| self.entities.get(id).cloned()).collect();
        (known, stored)
    }
}

/// One round trip: the batch's ids already stored, the aliases it names with
/// their entities, and the next free event sequence and entity id. Each row
/// starts with a tag saying which statement it came from.
async fn read(
    tx: &mut SqliteConnection,
    rows: &[(i64, &Prepared)],
    routes: &[Vec<Routed>],
) -> Result<Read, StorageError> {
    let mut query = QueryBuilder::<Sqlite>::new(
        "BEGIN IMMEDIATE;\nSELECT 'm', (SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'sync_events'), \
         (SELECT COALESCE(MAX(seq), 0) FROM sync_events), (SELECT COALESCE(MAX(id), 0) FROM sync_entities);\n",
    );
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        query.push(
            "SELECT 'e', seq, store_id, event_id, payload_hash, received_at, applied_at IS NOT NULL \
             FROM sync_events WHERE (store_id, event_id) IN (VALUES ",
        );
        let mut list = query.separated(", ");
        for (store_id, event) in chunk {
            list.push("(").push_bind_unseparated(*store_id).push_unseparated(", ");
            list.push_bind_unseparated(event.event_id.clone()).push_unseparated(")");
        }
        query.push(");\n");
    }
    let mut named: Vec<(i64, &str)> = rows
        .iter()
        .zip(routes)
        .flat_map(|((store, _), routes)| {
            routes.iter().flat_map(move |r| r.aliases.iter().map(move |a| (*store, a.as_str())))
        })
        .collect();
    named.sort_unstable();
    named.dedup();
    for chunk in named.chunks(ROWS_PER_STATEMENT) {
        query.push(
            "SELECT 'a', a.store_id, a.alias, e.id, e.facts, e.event_count FROM sync_aliases a \
             JOIN sync_entities e ON e.id = a.entity_id WHERE (a.store_id, a.alias) IN (VALUES ",
        );
        let mut list = query.separated(", ");
        for (store_id, alias) in chunk {
            list.push("(").push_bind_unseparated(*store_id).push_unseparated(", ");
            list.push_bind_unseparated(alias.to_string()).push_unseparated(")");
        }
        query.push(");\n");
    }
    let mut read = Read {
        existing: HashMap::new(),
        aliases: HashMap::new(),
        entities: HashMap::new(),
        next_seq: 1,
        next_entity_id: 1,
    };
    for row in query.build().fetch_all(&mut *tx).await? {
        let tag: String = row.try_get(0)?;
        match tag.as_str() {
            "m" => {
                let sequence: i64 = row.try_get(1)?;
                let max_seq: i64 = row.try_get(2)?;
                let max_id: i64 = row.try_get(3)?;
                read.next_seq = sequence.max(max_seq) + 1;
                read.next_entity_id = max_id + 1;
            }
            "e" => {
                let key = (row.try_get(2)?, row.try_get(3)?);
                read.existing.insert(key, (row.try_get(1)?, row.try_get(4)?, row.try_get(5)?, row.try_get(6)?));
            }
            "a" => {
                let (store_id, alias, id): (i64, String, i64) = (row.try_get(1)?, row.try_get(2)?, row.try_get(3)?);
                read.aliases.entry(store_id).or_default().insert(alias, id);
                if let std::collections::hash_map::Entry::Vacant(slot) = read.entities.entry(id) {
                    let facts: String = row.try_get(4)?;
                    let facts = serde_json::from_str(&facts).map_err(|e| corrupt("facts", e))?;
                    slot.insert(StoredEntity { id, facts, event_count: row.try_get(5)? });
                }
            }
            other => return Err(StorageError::Corrupt(format!("unexpected row tag {other:?}"))),
        }
    }
    Ok(read)
}
