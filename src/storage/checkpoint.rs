//! SQLite's WAL checkpoints, off the writers' path. Left to itself, SQLite
//! checkpoints inside the commit that takes the WAL past 1,000 pages: that
//! commit (most often the intake's, with up to 64 callers waiting for it)
//! then copies the WAL into the database file and syncs both, which on a
//! busy disk adds tens of milliseconds to those callers' answers. Here one
//! task checkpoints every [`EVERY`] instead, `PASSIVE`: it copies what it can
//! without waiting for readers or the writer.
//!
//! Copying is not enough under writes that never pause: the WAL starts over
//! from its beginning only when a checkpoint has copied every frame in it,
//! and while the task copies and syncs, the intake commits more. The WAL
//! then grew until a commit checkpointed it after all (the backstop, at
//! [`BACKSTOP_PAGES`]): under `bench ingest` that was every ~300 ms (the
//! whole server writes ~200 MB of WAL a second), each time stalling the
//! intake for 12–29 ms while it synced 64 MiB. So once the WAL holds
//! [`RESTART_PAGES`], the task copies again while each pass still finds much
//! new (each pass is shorter than the one before), then copies the little
//! that is left with the process's write turn held ([`finish`]): nothing can
//! be appended meanwhile, so that checkpoint is complete and the next commit
//! starts the WAL over. That turn is held for 1–5 ms.
//!
//! Commits still checkpoint past [`BACKSTOP_PAGES`], for when the task cannot
//! run (a reader holding old frames keeps any checkpoint from completing):
//! without it the WAL would grow without bound, and a restarted WAL is cut
//! back to that size (`journal_size_limit`). The task ends when the last
//! `Storage` of its database is dropped, or when the pool is closed.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::SqlitePool;
use tokio::sync::Mutex;

/// How often the WAL is checkpointed. Small and often is what keeps the
/// intake's tail short: a checkpoint's copy and sync slow the writer's next
/// commits while they run (`bench backlog`, 64 PlaceOrders in flight with
/// 1M events queued: p99 87 ms checkpointing every second, 38 ms every 250
/// ms, 18 ms every 100 ms).
const EVERY: Duration = Duration::from_millis(100);

/// WAL pages (4 KiB) past which a commit checkpoints after all (64 MiB);
/// SQLite's own default is 1,000.
pub(super) const BACKSTOP_PAGES: u64 = 16_384;

/// WAL pages (8 MiB) from which the task makes the WAL start over ([`finish`]).
const RESTART_PAGES: i64 = 2_048;
/// New WAL pages a pass may find and still leave the rest to the pass with the write turn held.
const LEFT_FOR_THE_TURN: i64 = 256;
/// Passes without the write turn before the one with it, at most.
const CATCH_UP_PASSES: usize = 3;

/// Held by every clone of a SQLite `Storage`; the checkpoint task stops once none is left.
#[derive(Debug)]
pub(super) struct Checkpointer;

/// Starts checkpointing `pool`'s database until the returned handle's last
/// clone is dropped; `gate` is the process's write turn.
pub(super) fn start(pool: SqlitePool, gate: Arc<Mutex<()>>) -> Arc<Checkpointer> {
    let alive = Arc::new(Checkpointer);
    tokio::spawn(run(pool, gate, Arc::downgrade(&alive)));
    alive
}

async fn run(pool: SqlitePool, gate: Arc<Mutex<()>>, alive: Weak<Checkpointer>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if alive.strong_count() == 0 || pool.is_closed() {
            return;
        }
        if let Err(error) = checkpoint(&pool, &gate).await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(%error, "could not checkpoint the SQLite write-ahead log; trying again");
        }
    }
}

/// What `PRAGMA wal_checkpoint` reports: whether it could not run (another
/// checkpoint was running), the WAL's frames, and how many of them are copied.
#[derive(Debug, sqlx::FromRow)]
struct Pass {
    busy: i64,
    log: i64,
    #[sqlx(rename = "checkpointed")]
    copied: i64,
}

async fn passive(pool: &SqlitePool) -> Result<Pass, sqlx::Error> {
    sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)").fetch_one(pool).await
}

/// One checkpoint, made complete when the WAL has grown large.
async fn checkpoint(pool: &SqlitePool, gate: &Mutex<()>) -> Result<(), sqlx::Error> {
    let pass = passive(pool).await?;
    if pass.busy != 0 || pass.log < RESTART_PAGES {
        return Ok(());
    }
    finish(pool, gate, pass).await
}

/// Copies what `first` left, until a pass finds little new, then the rest
/// with the write turn held, so the checkpoint is complete and the next
/// commit starts the WAL over.
async fn finish(pool: &SqlitePool, gate: &Mutex<()>, first: Pass) -> Result<(), sqlx::Error> {
    // A pass reports the WAL as it found it: even one that copied all of that
    // may have missed frames committed while it ran, so the last pass always takes the turn.
    let mut last = first;
    for _ in 0..CATCH_UP_PASSES {
        let pass = passive(pool).await?;
        let appended = pass.log - last.log;
        last = pass;
        if last.busy != 0 || appended < LEFT_FOR_THE_TURN {
            break;
        }
    }
    let _turn = gate.lock().await;
    let pass = passive(pool).await?;
    if pass.busy == 0 && pass.copied < pass.log {
        // A reader still reads frames the database file must not have yet; the next tick tries again.
        tracing::debug!(log = pass.log, copied = pass.copied, "the WAL could not be copied whole");
    }
    Ok(())
}
