//! The SQLite intake writer's connection, kept from one batch to the next
//! while events keep coming: its page cache stays warm (SQLite drops a
//! connection's cache when another connection wrote since its last
//! transaction, and the pool hands out its longest-idle connection, so a new
//! one each batch started cold) and its thread is the one that ran last. It is
//! given back to the pool after [`HOLD_IDLE`] without events, so closing the
//! pool (which waits for every connection) never waits long for it.

use std::time::Duration;

use sqlx::Sqlite;
use sqlx::pool::PoolConnection;

/// How long the writer keeps its connection without events to commit.
pub(super) const HOLD_IDLE: Duration = Duration::from_millis(50);

/// The writer's connection between batches, if it keeps one.
#[derive(Default)]
pub(super) struct Held(Option<PoolConnection<Sqlite>>);

impl Held {
    pub(super) fn is_held(&self) -> bool {
        self.0.is_some()
    }

    /// The kept connection, to commit a batch on (kept again with [`Self::keep`] if that went well).
    pub(super) fn take(&mut self) -> Option<PoolConnection<Sqlite>> {
        self.0.take()
    }

    pub(super) fn keep(&mut self, conn: PoolConnection<Sqlite>) {
        self.0 = Some(conn);
    }

    /// Gives the connection back to the pool.
    pub(super) fn release(&mut self) {
        self.0 = None;
    }
}
