//! SQLite's WAL checkpoints, off the writers' path. Left to itself, SQLite
//! checkpoints inside the commit that takes the WAL past 1,000 pages: that
//! commit (most often the intake's, with up to 64 callers waiting for it)
//! then copies the WAL into the database file and syncs it, which on a busy
//! disk adds tens of milliseconds to those callers' answers. Here one task
//! checkpoints every [`EVERY`] instead, `PASSIVE`: it copies what it can
//! without waiting for readers or the writer, and the writer restarts the
//! WAL from its start once a checkpoint has copied all of it. Commits still
//! checkpoint, as a backstop, once the WAL passes [`BACKSTOP_PAGES`] (when
//! writes outrun the task, as while a million events arrive at 75,000 a
//! second): without that the WAL would grow without bound, and a restarted
//! WAL is cut back to that size (`journal_size_limit`). The task ends when
//! the last `Storage` of its database is dropped, or when the pool is closed.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::SqlitePool;

/// How often the WAL is checkpointed. Small and often is what keeps the
/// intake's tail short: a checkpoint's copy and sync slow the writer's next
/// commits while they run (`bench backlog`, 64 PlaceOrders in flight with
/// 1M events queued: p99 87 ms checkpointing every second, 38 ms every 250
/// ms, 18 ms every 100 ms).
const EVERY: Duration = Duration::from_millis(100);

/// WAL pages (4 KiB) past which a commit checkpoints after all (64 MiB);
/// SQLite's own default is 1,000.
pub(super) const BACKSTOP_PAGES: u64 = 16_384;

/// Held by every clone of a SQLite `Storage`; the checkpoint task stops once none is left.
#[derive(Debug)]
pub(super) struct Checkpointer;

/// Starts checkpointing `pool`'s database until the returned handle's last clone is dropped.
pub(super) fn start(pool: SqlitePool) -> Arc<Checkpointer> {
    let alive = Arc::new(Checkpointer);
    tokio::spawn(run(pool, Arc::downgrade(&alive)));
    alive
}

async fn run(pool: SqlitePool, alive: Weak<Checkpointer>) {
    let mut tick = tokio::time::interval(EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if alive.strong_count() == 0 || pool.is_closed() {
            return;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(%error, "could not checkpoint the SQLite write-ahead log; trying again");
        }
    }
}
