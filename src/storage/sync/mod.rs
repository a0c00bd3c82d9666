//! The sync queue's tables: the event inbox ([`intake`]), events folded into
//! entities ([`fold`], [`fold_write`]; on SQLite by the intake as it commits),
//! entities leased and finished as jobs ([`jobs`]; a batch's outcomes
//! recorded in one transaction, [`outcomes`]; dependents of pending work kept
//! out of the due work until it is written, [`blocked`]), what
//! forcesync wrote to Salesforce ([`records`]), store pauses ([`pauses`]),
//! parked work listed ([`parked`]) and queued again ([`requeue`]), a store's
//! health at a glance ([`health`]),
//! the sync log and the read side for the API ([`status`], [`event_list`]).

mod blocked;
mod event_list;
mod finish;
mod fold;
mod fold_write;
mod gauges;
mod health;
mod intake;
mod jobs;
mod log;
mod outcomes;
mod parked;
mod pauses;
mod records;
mod requeue;
mod retention;
mod status;

pub use event_list::{EventFilter, EventInfo, SELECTIVE_ROWS};
pub use gauges::{MAX_STORES, StoreGauges};
pub use health::{HEALTH_COUNT_CAP, StoreHealth};
pub use intake::{Ack, FoldOnCommit, Intake, IntakeError};
pub use jobs::ClaimedEntity;
pub use log::{LogEntry, LogFilter, LogLine};
pub use outcomes::FinishedEntity;
pub use parked::{ParkedEntity, ParkedPage};
pub use pauses::ExpiredPause;
pub use records::WrittenRecord;
pub use retention::Pruned;
pub use status::EntityStatus;

pub use crate::domain::sync::{EntityState, Outcome, RecordedError};

fn corrupt(what: &str, error: impl std::fmt::Display) -> super::StorageError {
    super::StorageError::Corrupt(format!("{what}: {error}"))
}

/// One step of SQLite's `EXPLAIN QUERY PLAN`: its id, its parent's, an unused
/// column, and what it does ("SEARCH … USING INDEX …").
type PlanRow = (i64, i64, i64, String);

/// `sql` behind SQLite's `EXPLAIN QUERY PLAN`, for the reads that let tests pin a plan.
fn explain_sqlite(sql: &str) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}"))
}

/// What each step of a plan does, one line per step.
fn plan_steps(rows: Vec<PlanRow>) -> Vec<String> {
    rows.into_iter().map(|(_, _, _, detail)| detail).collect()
}
