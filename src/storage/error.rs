//! Storage failures, named by what the caller can do about them.

#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    #[error("no store with code {0:?}")]
    StoreNotFound(String),
    #[error("a store with code {0:?} already exists")]
    StoreExists(String),
    /// Optimistic concurrency: someone else changed the settings first.
    #[error("settings were changed since version {expected}; current version is {current}")]
    VersionConflict { expected: i64, current: i64 },
    /// Stored data that no longer decodes (a bug or a manual edit).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("could not generate a random token: {0}")]
    Random(#[from] getrandom::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Why `Storage::connect` failed. Never holds the URL: it may carry a password.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("database URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("invalid {backend} database URL: {reason}")]
    InvalidUrl { backend: &'static str, reason: String },
    /// `database` names the file, or PostgreSQL's host:port/name; `reason` says each cause once.
    #[error("cannot connect to {database}: {reason}")]
    Unreachable { database: String, reason: String },
}

impl StorageError {
    /// True for a unique-constraint violation reported by either backend.
    pub(crate) fn is_unique_violation(error: &sqlx::Error) -> bool {
        matches!(error, sqlx::Error::Database(db) if db.is_unique_violation())
    }

    /// True when the database cannot be reached right now (closed for
    /// shutdown, no free connection in time, a broken connection): the
    /// caller may retry; not a bug.
    pub(crate) fn is_unreachable(error: &sqlx::Error) -> bool {
        matches!(
            error,
            sqlx::Error::PoolClosed | sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::WorkerCrashed
        )
    }
}
