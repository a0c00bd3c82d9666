//! SQLite's intake writer: one OS thread that owns one connection and runs
//! each batch's transaction from `BEGIN IMMEDIATE` to `COMMIT` without
//! leaving it. SQLite has a single writer, so the intake's throughput is this
//! thread's: through sqlx, every statement was a hand-off to the
//! connection's worker thread and back, and on a busy machine each hand-off
//! waits for a core (profiled under `bench ingest`, the writer was idle for
//! two fifths of its time between its own steps). Here the batch is read,
//! planned (`domain::sync::folding`) and written on one thread, with
//! prepared one-row statements that are parsed once per connection.
//!
//! New events and entities get their ids here (the next free ones, read at
//! the start of the transaction), which SQLite's single writer makes safe.
//! The writer takes the process's write turn for each batch, as every other
//! writer does, so the engine's writes and its never wait on SQLite's lock.
//! A failed batch rolls back (the transaction is dropped), and the next one
//! starts clean on the same connection.
//!
//! The statements that write a fold are the one-row forms of
//! [`super::super::fold_write`]'s multi-row ones, which the fold task uses
//! (the same columns, row values and update rule);
//! `tests/integration/sync_fold_on_commit.rs` checks that both give the same entities.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock};

use rusqlite::{Connection, OptionalExtension as _, Transaction, TransactionBehavior, params};
use tokio::sync::{Notify, mpsc};

use crate::domain::sync::folding::{EntityRef, FoldPlan, RoutedEvent, StoredEntity, plan_fold};
use crate::storage::sync::corrupt;
use crate::storage::sync::fold_write::{
    CREATED_COLUMNS, MERGE_STATEMENTS, NewEntityRow, UPDATED_ENTITY_SET, facts_json, facts_of,
};
use crate::storage::{SQLITE_BUSY_TIMEOUT, SQLITE_MMAP_BYTES, StorageError, checkpoint, now_millis};

use super::{Ack, FoldOnCommit, IntakeError, Originals, Prepared, Stored, Submission, answers, gather, reply};

/// Prepared statements the connection keeps (those below, and the merges').
const STATEMENT_CACHE: usize = 32;

/// The next free event sequence (events may have been pruned, so AUTOINCREMENT's record counts too) and entity id.
const NEXT_IDS: &str = "SELECT MAX((SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'sync_events'), \
     (SELECT COALESCE(MAX(seq), 0) FROM sync_events)) + 1, (SELECT COALESCE(MAX(id), 0) FROM sync_entities) + 1";
const FIND_EVENT: &str = "SELECT seq, payload_hash, received_at, applied_at IS NOT NULL FROM sync_events \
     WHERE store_id = ?1 AND event_id = ?2";
const FIND_ALIAS: &str = "SELECT e.id, e.facts, e.event_count FROM sync_aliases a \
     JOIN sync_entities e ON e.id = a.entity_id WHERE a.store_id = ?1 AND a.alias = ?2";
const INSERT_EVENT: &str = "INSERT INTO sync_events (seq, store_id, event_id, kind, payload, payload_hash, \
     received_at, applied_at, entity_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
/// A created entity, with its id ([`NewEntityRow`]'s columns after it).
static INSERT_ENTITY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "INSERT INTO sync_entities (id, {CREATED_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    )
});
/// An entity with new facts: the fold task's rule ([`UPDATED_ENTITY_SET`]) for one row.
static UPDATE_ENTITY: LazyLock<String> = LazyLock::new(|| {
    format!(
        "UPDATE sync_entities SET {UPDATED_ENTITY_SET} FROM (VALUES (?1, ?2, ?3, ?4, ?5, ?6)) AS v \
         WHERE sync_entities.id = v.column1"
    )
});
const INSERT_ALIAS: &str = "INSERT INTO sync_aliases (store_id, alias, entity_id) VALUES (?1, ?2, ?3) ON CONFLICT (store_id, alias) DO NOTHING";
/// Retention's hint: an entity's oldest retained event.
const NOTE_OLDEST_EVENT: &str =
    "UPDATE sync_entities SET oldest_event_at = ?1 WHERE id = ?2 AND (oldest_event_at IS NULL OR oldest_event_at > ?1)";

#[derive(Debug, thiserror::Error)]
enum WriteError {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Starts the writer thread on `file`; it ends when every sender of `receiver` is gone.
pub(super) fn start(
    file: PathBuf,
    gate: Arc<tokio::sync::Mutex<()>>,
    receiver: mpsc::Receiver<Submission>,
    committed: Arc<Notify>,
    fold: Option<FoldOnCommit>,
) {
    let thread = std::thread::Builder::new().name("intake-writer".into()).spawn(move || match open(&file) {
        Ok(conn) => run(conn, &file, &gate, receiver, &committed, fold.as_ref()),
        // Submissions then fail as the intake having stopped.
        Err(error) => tracing::error!(%error, file = %file.display(), "cannot open the intake's SQLite connection"),
    });
    if let Err(error) = thread {
        tracing::error!(%error, "cannot start the intake writer");
    }
}

/// A connection set up as the pool's are (`Storage::connect`), with WAL mode already on the file.
fn open(file: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(file)?;
    conn.busy_timeout(SQLITE_BUSY_TIMEOUT)?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let number = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    conn.pragma_update(None, "mmap_size", number(SQLITE_MMAP_BYTES))?;
    conn.pragma_update(None, "wal_autocheckpoint", number(checkpoint::BACKSTOP_PAGES))?;
    conn.pragma_update(None, "journal_size_limit", number(checkpoint::BACKSTOP_PAGES * 4096))?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(conn)
}

/// Commits batches until the intake is dropped. After a failed batch the
/// connection is opened again, so a connection left in a bad state (an I/O
/// error, a transaction SQLite could not roll back) never fails the batches after it.
fn run(
    mut conn: Connection,
    file: &Path,
    gate: &tokio::sync::Mutex<()>,
    mut receiver: mpsc::Receiver<Submission>,
    committed: &Notify,
    fold: Option<&FoldOnCommit>,
) {
    while let Some(first) = receiver.blocking_recv() {
        let mut batch = gather(first, &mut receiver);
        let result = {
            let _turn = gate.blocking_lock();
            commit(&mut conn, &mut batch, fold)
        };
        match &result {
            // Events the writer folded leave the fold task nothing to do.
            Ok(_) if fold.is_none() => committed.notify_one(),
            Ok(_) => {}
            Err(_) => match open(file) {
                Ok(fresh) => conn = fresh,
                Err(error) => tracing::warn!(%error, "cannot open a new intake connection; keeping the old one"),
            },
        }
        reply(batch, result);
    }
}

/// One transaction for the whole batch: find the originals of repeated ids,
/// insert the new events, and (with `fold`) fold them.
fn commit(
    conn: &mut Connection,
    batch: &mut [Submission],
    fold: Option<&FoldOnCommit>,
) -> Result<Vec<Vec<Result<Ack, IntakeError>>>, WriteError> {
    let received_at = now_millis();
    // The routes move into the fold (nothing after it needs them), so their facts are not copied.
    let mut routes: Vec<Vec<_>> =
        batch.iter_mut().flat_map(|s| s.events.iter_mut().map(|e| std::mem::take(&mut e.routes))).collect();
    let rows = super::rows_of(batch);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let (next_seq, next_entity_id): (i64, i64) =
        tx.prepare_cached(NEXT_IDS)?.query_row([], |row| Ok((row.get(0)?, row.get(1)?)))?;

    let mut existing: Originals = HashMap::new();
    let mut inserted: Stored = HashMap::new();
    // The new events (the first of equal ids), numbered from the next free sequence, with their index in `rows`.
    let mut new_rows: Vec<(i64, &Prepared, i64, usize)> = Vec::with_capacity(rows.len());
    {
        let mut find = tx.prepare_cached(FIND_EVENT)?;
        for (index, (store_id, event)) in rows.iter().enumerate() {
            let key = (*store_id, event.event_id.clone());
            if existing.contains_key(&key) || inserted.contains_key(&key) {
                continue;
            }
            let original = find
                .query_row(params![store_id, event.event_id], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                })
                .optional()?;
            if let Some(original) = original {
                existing.insert(key, original);
                continue;
            }
            let seq = next_seq + i64::try_from(new_rows.len()).unwrap_or(i64::MAX);
            inserted.insert(key, seq);
            new_rows.push((*store_id, *event, seq, index));
        }
    }

    let applied_at = fold.map(|fold| (fold.now)());
    let mut event_entity: HashMap<i64, Option<i64>> = HashMap::new();
    if let (Some(fold), Some(now)) = (fold, applied_at) {
        let mut next_id = next_entity_id;
        for store_id in stores(&new_rows) {
            let routed: Vec<RoutedEvent> = new_rows
                .iter()
                .filter(|(store, ..)| *store == store_id)
                .map(|(_, _, seq, index)| RoutedEvent { seq: *seq, routes: std::mem::take(&mut routes[*index]) })
                .collect();
            let (known, stored) = read_entities(&tx, store_id, &routed)?;
            let plan = plan_fold(&routed, &known, stored).map_err(|e| corrupt("aliases", e))?;
            let first_id = next_id;
            next_id += i64::try_from(plan.created.len()).unwrap_or(i64::MAX);
            let id_of = |entity: EntityRef| match entity {
                EntityRef::Stored(id) => id,
                EntityRef::Created(n) => first_id + i64::try_from(n).unwrap_or(i64::MAX),
            };
            write_plan(&tx, store_id, &plan, &id_of, fold.linger_ms, now)?;
            event_entity.extend(plan.applied.iter().map(|(seq, entity)| (*seq, entity.map(id_of))));
        }
    }
    {
        let mut insert = tx.prepare_cached(INSERT_EVENT)?;
        for (store_id, event, seq, _) in &new_rows {
            let entity = event_entity.get(seq).copied().flatten();
            insert.execute(params![
                seq,
                store_id,
                event.event_id,
                event.kind,
                event.payload,
                event.hash,
                received_at,
                applied_at,
                entity
            ])?;
        }
    }
    let touched: HashSet<i64> = event_entity.values().filter_map(|entity| *entity).collect();
    {
        let mut note = tx.prepare_cached(NOTE_OLDEST_EVENT)?;
        for id in touched {
            note.execute(params![received_at, id])?;
        }
    }
    tx.commit()?;
    Ok(answers(batch, &inserted, &existing, received_at, fold.is_some()))
}

/// The stores of `rows`, in first-seen order.
fn stores(rows: &[(i64, &Prepared, i64, usize)]) -> Vec<i64> {
    let mut seen = HashSet::new();
    rows.iter().map(|(store, ..)| *store).filter(|store| seen.insert(*store)).collect()
}

/// The aliases `routed` names that are stored, with their entities.
fn read_entities(
    tx: &Transaction<'_>,
    store_id: i64,
    routed: &[RoutedEvent],
) -> Result<(HashMap<String, i64>, Vec<StoredEntity>), WriteError> {
    let mut find = tx.prepare_cached(FIND_ALIAS)?;
    let mut known = HashMap::new();
    let mut stored: Vec<StoredEntity> = Vec::new();
    let mut read: HashSet<i64> = HashSet::new();
    let named = routed.iter().flat_map(|event| event.routes.iter().flat_map(|route| route.aliases.iter()));
    for alias in named {
        if known.contains_key(alias) {
            continue;
        }
        let found = find
            .query_row(params![store_id, alias], |row| {
                Ok((row.get::<_, i64>(0)?, row.get::<_, String>(1)?, row.get::<_, i64>(2)?))
            })
            .optional()?;
        let Some((id, facts, event_count)) = found else { continue };
        known.insert(alias.clone(), id);
        if read.insert(id) {
            stored.push(StoredEntity { id, facts: facts_of(&facts)?, event_count });
        }
    }
    Ok((known, stored))
}

/// One store's plan: the created entities (with the ids `id_of` gives), merges, updated entities and new aliases.
fn write_plan(
    tx: &Transaction<'_>,
    store_id: i64,
    plan: &FoldPlan,
    id_of: &dyn Fn(EntityRef) -> i64,
    linger_ms: i64,
    now: i64,
) -> Result<(), WriteError> {
    if !plan.created.is_empty() {
        let mut insert = tx.prepare_cached(&INSERT_ENTITY)?;
        for (n, entity) in plan.created.iter().enumerate() {
            let row = NewEntityRow::new(store_id, entity, linger_ms, now)?;
            insert.execute(params![
                id_of(EntityRef::Created(n)),
                row.store_id,
                row.kind,
                row.label,
                row.facts,
                row.depends_on,
                row.version,
                row.state,
                row.next_run_at,
                row.event_count,
                row.updated_at,
                row.pending_since
            ])?;
        }
    }
    for merge in &plan.merges {
        for (set, filter) in MERGE_STATEMENTS {
            tx.prepare_cached(&format!("{set}?1{filter}?2"))?.execute(params![merge.into, merge.from])?;
        }
    }
    if !plan.updated.is_empty() {
        let mut update = tx.prepare_cached(&UPDATE_ENTITY)?;
        for entity in &plan.updated {
            let facts = facts_json(&entity.facts)?;
            let depends_on = entity.facts.depends_on();
            update.execute(params![entity.id, facts, depends_on, entity.event_count, now, now + linger_ms])?;
        }
    }
    if !plan.aliases.is_empty() {
        let mut insert = tx.prepare_cached(INSERT_ALIAS)?;
        for (alias, entity) in &plan.aliases {
            insert.execute(params![store_id, alias, id_of(*entity)])?;
        }
    }
    Ok(())
}
