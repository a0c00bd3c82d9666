//! Durable state: stores, token hashes, versioned settings, sealed credentials,
//! the configuration audit and the sync queue ([`sync`]), in SQLite (embedded
//! default) or PostgreSQL. Persistence only: no rules live here.
//!
//! How it is built:
//! - **One SQL text per query.** Every query is written once in SQL both
//!   databases accept (`$n` parameters, `RETURNING`, `ON CONFLICT`). Reads run
//!   it on whichever pool `--database-url` chose with `with_pool!`; where the
//!   backends must differ, a method matches on the backend explicitly.
//! - **One transaction seam.** Writes run in a `Tx` from
//!   `Storage::begin_write` (or `write_tx!`, which begins, runs a body and
//!   commits); `with_tx!` runs one SQL text on it. Helpers shared by several
//!   writes take `&mut Tx<'_>`: no generic database bounds, no copies.
//! - **The write discipline.** SQLite has one writer: every write transaction
//!   holds this process's write turn and begins with `BEGIN IMMEDIATE`
//!   (`begin_write` does both); a single statement outside a transaction takes
//!   `Storage::write_turn` itself.
//! - **Row structs.** Rows decode into `#[derive(sqlx::FromRow)]` structs
//!   whose fields name the columns (or `query_scalar` for one column), never
//!   positional tuples.
//! - **Lookups in one place.** Store ids and codes, and the store a token
//!   belongs to, are looked up in `lookups.rs` (the API keeps a resolved token
//!   for up to a second; `token_generation` tells it when this process revoked one).

mod admin_token;
mod audit;
pub mod changes;
mod checkpoint;
mod credentials;
mod error;
pub mod inventory;
mod lookups;
pub mod runs;
mod sealing;
mod settings;
mod statistics;
mod store_status;
mod stores;
pub mod sync;
mod tx;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

use crate::error_text::report;

pub use audit::{Actor, AuditEntry};
pub use credentials::{CredentialKind, CredentialStatus};
pub use error::{ConnectError, StorageError};
pub use lookups::TokenOwner;
pub use sealing::{MasterKey, SealError, Sealer};
pub use settings::VersionedSettings;
pub use store_status::{StoreStatus, TestResult, UsageSeen};
pub use stores::{IssuedToken, StoreRecord};
pub(crate) use tx::{Tx, TxConn, with_tx, write_tx};

/// Runs `$body` with `$pool` bound to the concrete pool of `$storage`.
macro_rules! with_pool {
    ($storage:expr, |$pool:ident| $body:expr) => {
        match &$storage.backend {
            $crate::storage::Backend::Sqlite($pool) => $body,
            $crate::storage::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

#[derive(Clone, Debug)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The service's database. Cheap to clone (pools are shared).
#[derive(Clone, Debug)]
pub struct Storage {
    backend: Backend,
    /// SQLite has one writer at a time: every writer of this process
    /// (configuration, tokens, audit, intake, folder, workers) takes turns
    /// here instead of in SQLite's busy handler, which sleeps between
    /// retries and gives up on a stale read snapshot. `None` for PostgreSQL.
    write_gate: Option<Arc<tokio::sync::Mutex<()>>>,
    /// Moves whenever this process revokes store tokens (rotation, store
    /// deletion), so anything that caches token lookups can drop them at once.
    token_generation: Arc<std::sync::atomic::AtomicU64>,
    /// SQLite's WAL checkpoint task runs while any clone holds this (`None` for PostgreSQL).
    _checkpointer: Option<Arc<checkpoint::Checkpointer>>,
    /// The SQLite database file, for the intake writer's own connection (`None` for PostgreSQL and
    /// an in-memory SQLite database, which another connection could not open).
    sqlite_file: Option<PathBuf>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Storage {
    /// Opens `database_url` (`sqlite:…` or `postgres://…`) without migrating.
    /// SQLite files are created if missing and run in WAL mode. A failure
    /// names the database (file, or PostgreSQL host:port/name) and why.
    pub async fn connect(database_url: &str) -> Result<Self, ConnectError> {
        let mut sqlite_file = None;
        let backend = if database_url.starts_with("sqlite:") {
            let (pool, file) = connect_sqlite(database_url).await?;
            sqlite_file = file;
            Backend::Sqlite(pool)
        } else if database_url.starts_with("postgres://") || database_url.starts_with("postgresql://") {
            Backend::Postgres(connect_postgres(database_url).await?)
        } else {
            return Err(ConnectError::UnsupportedUrl);
        };
        let write_gate = matches!(backend, Backend::Sqlite(_)).then(|| Arc::new(tokio::sync::Mutex::new(())));
        let _checkpointer = match (&backend, &write_gate) {
            (Backend::Sqlite(pool), Some(gate)) => Some(checkpoint::start(pool.clone(), gate.clone())),
            _ => None,
        };
        Ok(Self { backend, write_gate, token_generation: Arc::default(), _checkpointer, sqlite_file })
    }

    /// `sync_events` (as `alias`) as a query reading unfolded events should name it.
    /// SQLite's planner, without statistics, reads a store's events through
    /// the full `(store_id, seq)` index and walks every folded event to reach
    /// the unfolded ones; it is told to use the partial index of unfolded
    /// events instead. PostgreSQL's planner finds that index on its own.
    pub(crate) fn unfolded_events(&self, alias: &str) -> String {
        match self.backend {
            Backend::Sqlite(_) => format!("sync_events AS {alias} INDEXED BY sync_events_unapplied"),
            Backend::Postgres(_) => format!("sync_events AS {alias}"),
        }
    }

    /// How many times this process has revoked store tokens (see `token_generation`).
    pub fn token_generation(&self) -> u64 {
        self.token_generation.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Called once a revocation is committed.
    fn tokens_revoked(&self) {
        self.token_generation.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// Waits for this process's turn to write (SQLite only; PostgreSQL needs no turns).
    pub(crate) async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match &self.write_gate {
            Some(gate) => Some(gate.lock().await),
            None => None,
        }
    }

    /// The SQLite URL of the default database file in `data_dir`.
    pub fn default_sqlite_url(data_dir: &Path) -> String {
        format!("sqlite://{}", data_dir.join("forcesync.db").display())
    }

    /// Applies pending migrations; safe to run on every start and from
    /// several replicas (PostgreSQL migrations take an advisory lock).
    pub async fn migrate(&self) -> Result<(), StorageError> {
        match &self.backend {
            Backend::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// `sqlite` or `postgres`, for logs.
    pub fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "sqlite",
            Backend::Postgres(_) => "postgres",
        }
    }

    /// One round trip to the database (`/readyz`).
    pub async fn ping(&self) -> Result<(), StorageError> {
        with_pool!(self, |pool| sqlx::query("SELECT 1").execute(pool).await.map(drop)?);
        Ok(())
    }

    pub async fn close(&self) {
        with_pool!(self, |pool| pool.close().await)
    }
}

/// How long opening a PostgreSQL connection, or waiting for one from the pool, may take.
const PG_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How much of the SQLite file is memory-mapped (address space, not memory: the OS pages it in and out).
const SQLITE_MMAP_BYTES: u64 = 1 << 30;
/// How long an SQLite connection waits for another's write lock before it fails.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The pool, and the database file unless the database is in memory.
async fn connect_sqlite(url: &str) -> Result<(SqlitePool, Option<PathBuf>), ConnectError> {
    let invalid = |error: sqlx::Error| ConnectError::InvalidUrl { backend: "SQLite", reason: report(&error) };
    let options = SqliteConnectOptions::from_str(url)
        .map_err(invalid)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .busy_timeout(SQLITE_BUSY_TIMEOUT)
        // Pages are read through a memory map, not a read() per page: each commit makes every other
        // connection drop its page cache, and re-reading it page by page costs more than the queries.
        .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
        // `checkpoint.rs`'s task checkpoints the WAL, so no caller waits for it; a commit does only
        // when the WAL outgrew what the task keeps up with (the backstop), and a restarted WAL is
        // cut back to that size.
        .pragma("wal_autocheckpoint", checkpoint::BACKSTOP_PAGES.to_string())
        .pragma("journal_size_limit", (checkpoint::BACKSTOP_PAGES * 4096).to_string());
    let database = format!("the SQLite database {}", options.get_filename().display());
    let in_memory = url.contains(":memory:") || url.contains("mode=memory");
    let file = (!in_memory).then(|| options.get_filename().to_path_buf());
    // No ping before a connection is handed out: an SQLite connection is a thread in this process, not a
    // socket that can break, and each ping is one more hand-off to that thread on every acquire.
    let pool = SqlitePoolOptions::new().max_connections(8).test_before_acquire(false).connect_with(options).await;
    let pool = pool.map_err(|error| ConnectError::Unreachable { database, reason: report(&error) })?;
    Ok((pool, file))
}

/// One connection is opened first, within `PG_CONNECT_TIMEOUT`, so a wrong
/// host or port fails fast and says why (the pool would retry a refused
/// connection until its timeout, then report only the timeout).
async fn connect_postgres(url: &str) -> Result<PgPool, ConnectError> {
    let invalid = |error: sqlx::Error| ConnectError::InvalidUrl { backend: "PostgreSQL", reason: report(&error) };
    let options = PgConnectOptions::from_str(url).map_err(invalid)?;
    let name = options.get_database().unwrap_or(options.get_username());
    let database = format!("PostgreSQL at {}:{}/{name}", options.get_host(), options.get_port());
    let failed = |reason: String| ConnectError::Unreachable { database: database.clone(), reason };
    match tokio::time::timeout(PG_CONNECT_TIMEOUT, PgConnection::connect_with(&options)).await {
        Ok(Ok(first)) => {
            let _ = first.close().await;
        }
        Ok(Err(error)) => return Err(failed(report(&error))),
        Err(_) => return Err(failed(format!("no answer within {} s", PG_CONNECT_TIMEOUT.as_secs()))),
    }
    let pool = PgPoolOptions::new().max_connections(16).acquire_timeout(PG_CONNECT_TIMEOUT).connect_with(options);
    pool.await.map_err(|error| failed(report(&error)))
}

/// Now, in the Unix milliseconds the tables use.
pub(crate) fn now_millis() -> i64 {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    i64::try_from(now.as_millis()).unwrap_or(i64::MAX)
}
