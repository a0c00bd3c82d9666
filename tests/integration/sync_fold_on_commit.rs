//! SQLite's intake folds what it stores in the same transaction
//! (`FoldOnCommit`). It must give exactly the entities the fold task gives
//! for the same events (merges, duplicates, reused ids, several stores'
//! events in one transaction; every column, whatever state a re-stated
//! entity was in), never reuse a sequence number, fold a batch
//! naming thousands of aliases, and leave nothing behind when its
//! transaction fails; its writer has a connection of its own, which closing
//! the storage never waits for. An in-memory database (which no second
//! connection can open) still takes events, and the fold task folds them.

use std::collections::BTreeMap;
use std::sync::Arc;

use forcesync::domain::lifecycle::Money;
use forcesync::domain::settings::StoreSettings;
use forcesync::domain::sync::{CustomerSave, EventPayload, NewEvent, ProductSave};
use forcesync::storage::sync::{FoldOnCommit, Intake, IntakeError};
use forcesync::storage::{Actor, Storage};
use tokio::sync::Notify;

use crate::sync_storage::{at, checkout, event, jane, now, paid, placed};

/// A fresh SQLite database with stores `a` and `b`.
async fn database(dir: &tempfile::TempDir) -> (Storage, [i64; 2]) {
    let db = Storage::connect(&Storage::default_sqlite_url(dir.path())).await.expect("connect");
    db.migrate().await.expect("migrate");
    let mut stores = [0; 2];
    for (n, code) in ["a", "b"].into_iter().enumerate() {
        db.create_store(code, code, &StoreSettings::default(), &Actor::Admin).await.expect("store");
        stores[n] = db.store_id(code).await.expect("store id");
    }
    (db, stores)
}

fn folding() -> Option<FoldOnCommit> {
    Some(FoldOnCommit { linger_ms: 0, now: Arc::new(now) })
}

fn products(id: &str, from: usize, count: usize) -> NewEvent {
    let price = Money { minor: 250, exponent: 2 };
    let saves = (from..from + count)
        .map(|n| ProductSave { sku: format!("SKU-{n}"), name: format!("P{n}"), price, active: true, at: at(8) })
        .collect();
    event(id, EventPayload::Products(saves))
}

/// Forty sales in every shape the fold knows: a checkout then its order and
/// payment; a payment before its order (two sales merged when the order
/// links them); an order without a cart; customer saves; products; the same
/// events again (duplicates) — as requests of one to five events.
fn requests() -> Vec<Vec<NewEvent>> {
    let mut events = Vec::new();
    for n in 0..40 {
        let (cart, order) = (format!("c{n}"), format!("o{n}"));
        match n % 4 {
            0 => events.extend([checkout(&format!("k{n}"), &cart), placed(&format!("p{n}"), &order, &cart)]),
            1 => events.extend([
                checkout(&format!("k{n}"), &cart),
                paid(&format!("y{n}"), &order),
                placed(&format!("p{n}"), &order, &cart),
            ]),
            2 => events.extend([paid(&format!("y{n}"), &order), checkout(&format!("k{n}"), &cart)]),
            _ => events.push(placed(&format!("p{n}"), &order, &cart)),
        }
        if n % 5 == 0 {
            let save = CustomerSave { customer: jane(), at: at(8 + (n % 3) as u32) };
            events.push(event(&format!("u{n}"), EventPayload::Customer(save)));
            events.push(products(&format!("s{n}"), n, 3));
        }
    }
    let again: Vec<NewEvent> = events.iter().step_by(7).cloned().collect();
    events.extend(again);
    let mut requests = Vec::new();
    let mut rest = events.as_slice();
    let mut size = 1;
    while !rest.is_empty() {
        let (head, tail) = rest.split_at(size.min(rest.len()));
        requests.push(head.to_vec());
        rest = tail;
        size = size % 5 + 1;
    }
    requests
}

/// Every alias of the store with its entity's kind, facts, aliases and event count.
async fn entities(db: &Storage, store: i64, aliases: &[String]) -> BTreeMap<String, String> {
    let mut all = BTreeMap::new();
    let claimed = db.claim_entities("test", 10_000, 60_000, now() + 3_600_000).await.expect("claim");
    for alias in aliases {
        let Some(status) = db.entity_status(store, alias).await.expect("status") else { continue };
        let facts = claimed.iter().find(|c| c.id == status.id).map(|c| format!("{:?}", c.facts));
        let entity = format!("{:?} {:?} events={} {facts:?}", status.kind, status.aliases, status.event_count);
        all.insert(alias.clone(), entity);
    }
    all
}

fn aliases_of(requests: &[Vec<NewEvent>]) -> Vec<String> {
    let mut aliases: Vec<String> = requests
        .iter()
        .flatten()
        .flat_map(|e| forcesync::domain::sync::route(&e.payload))
        .flat_map(|r| r.aliases)
        .collect();
    aliases.sort();
    aliases.dedup();
    aliases
}

#[tokio::test]
async fn folding_on_commit_gives_the_entities_the_fold_task_gives() {
    let requests = requests();
    let (dir_a, dir_b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let (on_commit, stores) = database(&dir_a).await;
    let (by_task, stores_b) = database(&dir_b).await;

    // Folding on commit: three requests of each store at a time, so one
    // transaction holds several and later ones update and merge stored entities.
    let intake = Intake::start_with(on_commit.clone(), Arc::new(Notify::new()), folding());
    for wave in requests.chunks(3) {
        let mut sends = tokio::task::JoinSet::new();
        for r in wave {
            for &store in &stores {
                let (intake, r) = (intake.clone(), r.clone());
                sends.spawn(async move { intake.submit(store, &r).await });
            }
        }
        for answer in sends.join_all().await {
            for ack in answer.expect("submit") {
                let ack = ack.expect("ack");
                assert!(ack.applied, "event {} folded as it was stored", ack.event_id);
            }
        }
    }
    assert_eq!(on_commit.unapplied_events().await.expect("count"), 0, "nothing left for the fold task");

    // The fold task: the same requests stored, then folded.
    let plain = Intake::start(by_task.clone(), Arc::new(Notify::new()));
    for r in &requests {
        for &store in &stores_b {
            plain.submit(store, r).await.expect("submit");
        }
    }
    while by_task.fold_events(500, 0, now()).await.expect("fold") > 0 {}

    let aliases = aliases_of(&requests);
    for (a, b) in stores.into_iter().zip(stores_b) {
        let (folded_on_commit, folded_by_task) =
            (entities(&on_commit, a, &aliases).await, entities(&by_task, b, &aliases).await);
        assert_eq!(folded_on_commit.len(), aliases.len(), "every alias names an entity");
        assert_eq!(folded_on_commit, folded_by_task);
    }
}

#[tokio::test]
async fn sequence_numbers_are_never_reused_after_the_newest_events_are_pruned() {
    let dir = tempfile::tempdir().expect("dir");
    let (db, [store, _]) = database(&dir).await;
    let intake = Intake::start_with(db.clone(), Arc::new(Notify::new()), folding());
    let first = intake.submit(store, &[checkout("e1", "1"), checkout("e2", "2")]).await.expect("submit");
    let last = first[1].as_ref().expect("ack").sequence;
    let pool = sqlx::SqlitePool::connect(&Storage::default_sqlite_url(dir.path())).await.expect("pool");
    sqlx::query("DELETE FROM sync_events").execute(&pool).await.expect("delete");
    let next = intake.submit(store, &[checkout("e3", "3")]).await.expect("submit");
    assert!(next[0].as_ref().expect("ack").sequence > last, "{next:?} after {last}");
}

#[tokio::test]
async fn a_batch_naming_thousands_of_aliases_is_folded_as_it_is_stored() {
    let dir = tempfile::tempdir().expect("dir");
    let (db, [store, _]) = database(&dir).await;
    let intake = Intake::start_with(db.clone(), Arc::new(Notify::new()), folding());
    // 16 events naming 1,000 products each: more aliases than one SQL statement could bind.
    let batch: Vec<NewEvent> = (0..16).map(|n| products(&format!("big{n}"), n * 1_000, 1_000)).collect();
    let acks = intake.submit(store, &batch).await.expect("submit");
    assert!(acks.iter().all(|ack| ack.as_ref().is_ok_and(|ack| ack.applied)));
    assert_eq!(db.unapplied_events().await.expect("count"), 0);
    let last = db.entity_status(store, "product:SKU-15999").await.expect("status").expect("entity");
    assert_eq!(last.event_count, 1);
}

#[tokio::test]
async fn a_failed_fold_stores_nothing_and_leaves_the_database_usable() {
    let dir = tempfile::tempdir().expect("dir");
    let (db, [store, _]) = database(&dir).await;
    let intake = Intake::start_with(db.clone(), Arc::new(Notify::new()), folding());
    intake.submit(store, &[checkout("e1", "77")]).await.expect("submit");
    let pool = sqlx::SqlitePool::connect(&Storage::default_sqlite_url(dir.path())).await.expect("pool");
    sqlx::query("UPDATE sync_entities SET facts = '{'").execute(&pool).await.expect("corrupt the entity");

    let failed = intake.submit(store, &[placed("e2", "9", "77")]).await;
    assert!(matches!(failed, Err(IntakeError::Commit(_))), "{failed:?}");
    let stored = db.list_events(store, &Default::default(), 10).await.expect("list");
    assert_eq!(stored.len(), 1, "the failed batch left no event behind");

    // The next batches (on whatever connection) commit normally, again and again.
    for n in 0..20 {
        let ack = intake.submit(store, &[checkout(&format!("next{n}"), &format!("c{n}"))]).await.expect("submit");
        assert!(ack[0].as_ref().is_ok_and(|ack| ack.applied && !ack.duplicate));
    }
    assert_eq!(db.list_events(store, &Default::default(), 100).await.expect("list").len(), 21);
}

#[tokio::test]
async fn closing_the_storage_does_not_wait_for_the_intake_writer() {
    let dir = tempfile::tempdir().expect("dir");
    let (db, [store, _]) = database(&dir).await;
    let intake = Intake::start_with(db.clone(), Arc::new(Notify::new()), folding());
    for n in 0..5 {
        intake.submit(store, &[checkout(&format!("e{n}"), &format!("c{n}"))]).await.expect("submit");
    }
    // The intake stays open (its writer keeps running); closing waits for every pooled connection,
    // and the writer's is not one of them. The bound only catches a hang.
    let closed = tokio::time::timeout(std::time::Duration::from_secs(60), db.close()).await;
    assert!(closed.is_ok(), "closing the storage waited for the intake writer's connection");
    drop(intake);
}

#[tokio::test]
async fn an_in_memory_database_takes_events_and_leaves_folding_to_the_fold_task() {
    // No second connection can open an in-memory database, so its writer is a task on the pool.
    let db = Storage::connect("sqlite::memory:").await.expect("connect");
    db.migrate().await.expect("migrate");
    db.create_store("m", "m", &StoreSettings::default(), &Actor::Admin).await.expect("store");
    let store = db.store_id("m").await.expect("store id");
    let intake = Intake::start_with(db.clone(), Arc::new(Notify::new()), folding());
    let first = intake.submit(store, &[checkout("e1", "1")]).await.expect("submit");
    let again = intake.submit(store, &[checkout("e1", "1")]).await.expect("submit");
    let (first, again) = (first[0].as_ref().expect("ack"), again[0].as_ref().expect("ack"));
    assert!(!first.duplicate && !first.applied, "{first:?}");
    assert!(again.duplicate && again.sequence == first.sequence, "{again:?}");
    assert_eq!(db.unapplied_events().await.expect("count"), 1);
    while db.fold_events(500, 0, now()).await.expect("fold") > 0 {}
    assert_eq!(db.unapplied_events().await.expect("count"), 0);
}

/// An entity as the fold left it: every column a fold sets, with the entity
/// it is blocked on by label (ids differ between databases).
#[derive(Debug, PartialEq, sqlx::FromRow)]
struct EntityRow {
    store: String,
    label: String,
    kind: String,
    facts: String,
    depends_on: Option<String>,
    version: i64,
    synced_version: i64,
    state: String,
    attempts: i64,
    next_run_at: i64,
    waiting_reason: Option<String>,
    blocked_on: Option<String>,
    pending_since: Option<i64>,
    event_count: i64,
    updated_at: i64,
}

/// Every entity of both stores, sorted.
async fn entity_rows(dir: &tempfile::TempDir) -> Vec<EntityRow> {
    let pool = sqlx::SqlitePool::connect(&Storage::default_sqlite_url(dir.path())).await.expect("pool");
    sqlx::query_as(
        "SELECT s.code AS store, e.label, e.kind, e.facts, e.depends_on, e.version, e.synced_version, e.state, \
         e.attempts, e.next_run_at, e.waiting_reason, \
         (SELECT b.label FROM sync_entities b WHERE b.id = e.blocked_on) AS blocked_on, \
         e.pending_since, e.event_count, e.updated_at \
         FROM sync_entities e JOIN stores s ON s.id = e.store_id ORDER BY s.code, e.label",
    )
    .fetch_all(&pool)
    .await
    .expect("entities")
}

/// Puts the same entities of a database into every state a fold meets, by label.
async fn spread_states(dir: &tempfile::TempDir) {
    let pool = sqlx::SqlitePool::connect(&Storage::default_sqlite_url(dir.path())).await.expect("pool");
    for (what, sql) in [
        (
            "synced",
            "UPDATE sync_entities SET state = 'synced', synced_version = version, pending_since = NULL \
             WHERE kind = 'product' AND label LIKE '%1'",
        ),
        (
            "waiting",
            "UPDATE sync_entities SET state = 'waiting', waiting_reason = 'its customer first' \
             WHERE kind = 'sale' AND label LIKE '%1'",
        ),
        (
            "parked",
            "UPDATE sync_entities SET state = 'parked', attempts = 5, waiting_reason = 'needs a person' \
             WHERE kind = 'sale' AND label LIKE '%2'",
        ),
        (
            "blocked",
            "UPDATE sync_entities SET waiting_reason = 'waits for its customer', blocked_on = \
             (SELECT MIN(c.id) FROM sync_entities c WHERE c.kind = 'customer' AND c.store_id = sync_entities.store_id) \
             WHERE kind = 'sale' AND state = 'pending' AND label LIKE '%3'",
        ),
        (
            "pending without pending_since",
            "UPDATE sync_entities SET pending_since = NULL WHERE kind = 'sale' AND state = 'pending' AND label LIKE '%4'",
        ),
        (
            "pending, waiting reason kept",
            "UPDATE sync_entities SET waiting_reason = 'an old reason' \
             WHERE kind = 'sale' AND state = 'pending' AND blocked_on IS NULL AND label LIKE '%5'",
        ),
    ] {
        let changed = sqlx::query(sql).execute(&pool).await.expect(what).rows_affected();
        assert!(changed > 0, "no entity was put in state {what}");
    }
}

#[tokio::test]
async fn re_stated_entities_end_as_the_fold_task_leaves_them_whatever_their_state() {
    // The writer's one-row statements and the fold task's multi-row ones must leave the same rows,
    // column for column, whatever state the re-stated entity was in.
    const NOW: i64 = 1_750_000_000_000;
    let requests = requests();
    let again: Vec<Vec<NewEvent>> = requests
        .iter()
        .map(|r| r.iter().map(|e| event(&format!("{}-again", e.event_id), e.payload.clone())).collect())
        .collect();
    let (dir_a, dir_b) = (tempfile::tempdir().expect("dir"), tempfile::tempdir().expect("dir"));
    let (on_commit, stores) = database(&dir_a).await;
    let (by_task, stores_b) = database(&dir_b).await;
    let intake = Intake::start_with(
        on_commit.clone(),
        Arc::new(Notify::new()),
        Some(FoldOnCommit { linger_ms: 0, now: Arc::new(|| NOW) }),
    );
    let plain = Intake::start(by_task.clone(), Arc::new(Notify::new()));
    for (round, requests) in [&requests, &again].into_iter().enumerate() {
        // One request per transaction on both sides: a fold bumps an entity's version once per transaction.
        for r in requests {
            for (&a, &b) in stores.iter().zip(&stores_b) {
                intake.submit(a, r).await.expect("submit");
                plain.submit(b, r).await.expect("submit");
                while by_task.fold_events(500, 0, NOW).await.expect("fold") > 0 {}
            }
        }
        let (on_commit_rows, by_task_rows) = (entity_rows(&dir_a).await, entity_rows(&dir_b).await);
        assert_eq!(on_commit_rows.len(), by_task_rows.len(), "after round {round}");
        for (on_commit_row, by_task_row) in on_commit_rows.iter().zip(&by_task_rows) {
            assert_eq!(on_commit_row, by_task_row, "after round {round}");
        }
        if round == 0 {
            spread_states(&dir_a).await;
            spread_states(&dir_b).await;
        }
    }
}
