//! The transaction seam: `Tx` is a write transaction on either backend, so
//! a helper shared by several writes (audit append, settings swap, credential
//! and token writes) takes `&mut Tx<'_>` and runs its one SQL text through
//! `with_tx!`, with no generic bounds.
//!
//! A `Tx` comes only from `Storage::begin_write`, which keeps the write
//! discipline: on SQLite it holds this process's write turn until commit or
//! drop and began with `BEGIN IMMEDIATE`, so a transaction that reads before
//! it writes never meets SQLITE_BUSY ("database is locked") because another
//! writer committed meanwhile. Dropped uncommitted, it rolls back.

use sqlx::{Postgres, Sqlite, Transaction};
use tokio::sync::MutexGuard;

use super::{Backend, Storage, StorageError};

/// The open transaction of a `Tx`, by backend.
pub(crate) enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

/// A write transaction (see the module docs). Fields drop in order: the
/// transaction rolls back before the write turn is given up.
pub(crate) struct Tx<'s> {
    pub(crate) conn: TxConn,
    _turn: Option<MutexGuard<'s, ()>>,
}

/// Runs `$body` with `$conn` bound to the connection (`&mut SqliteConnection`
/// or `&mut PgConnection`) of the transaction `$tx`: one SQL text, both backends.
macro_rules! with_tx {
    ($tx:expr, |$conn:ident| $body:expr) => {
        match &mut $tx.conn {
            $crate::storage::TxConn::Sqlite(open) => {
                let $conn = &mut **open;
                $body
            }
            $crate::storage::TxConn::Postgres(open) => {
                let $conn = &mut **open;
                $body
            }
        }
    };
}
pub(crate) use with_tx;

/// Runs `$body` with `$tx` bound to the connection of a fresh write
/// transaction on `$storage` (`Storage::begin_write`), and commits it; an
/// early `?` in the body rolls back.
macro_rules! write_tx {
    ($storage:expr, |$tx:ident| $body:expr) => {{
        let mut write = $storage.begin_write().await?;
        let value = $crate::storage::with_tx!(write, |$tx| $body);
        write.commit().await?;
        value
    }};
}
pub(crate) use write_tx;

impl Storage {
    /// Begins a write transaction, after this process's write turn on SQLite.
    pub(crate) async fn begin_write(&self) -> Result<Tx<'_>, StorageError> {
        let turn = self.write_turn().await;
        let conn = match &self.backend {
            Backend::Sqlite(pool) => TxConn::Sqlite(pool.begin_with("BEGIN IMMEDIATE").await?),
            Backend::Postgres(pool) => TxConn::Postgres(pool.begin().await?),
        };
        Ok(Tx { conn, _turn: turn })
    }
}

impl Tx<'_> {
    /// Commits, then gives up the write turn.
    pub(crate) async fn commit(self) -> Result<(), StorageError> {
        match self.conn {
            TxConn::Sqlite(open) => open.commit().await?,
            TxConn::Postgres(open) => open.commit().await?,
        }
        Ok(())
    }
}
