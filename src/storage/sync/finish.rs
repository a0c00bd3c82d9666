//! A batch's finishes written set-based: every finished entity's
//! [`job_state::finish`] becomes one row of a `VALUES` list, and one
//! `UPDATE ... FROM` per chunk applies them all. A 500-entity batch costs a
//! single statement instead of one per entity; on SQLite every statement is
//! a hand-off to the database thread made while the one write lock is held,
//! so per-entity statements held the intake's commits back for the length
//! of the whole batch.
//!
//! Both variants of a finish are bound and the row's version picks one
//! ([`job_state::Finish::pick`]), so an event folded while the entity was
//! leased (version > claimed) is not lost. A merged entity stays merged. A
//! lease that ran out while its worker was still at work may have been
//! blocked meanwhile: the finish decides where it stands, so it is no longer
//! blocked. Only the lease holder's finish applies.

use crate::domain::sync::Outcome;
use crate::domain::sync::job_state::{self, ErrorChange};
use crate::storage::{StorageError, Tx, with_tx};

use super::corrupt;
use super::jobs::ClaimedEntity;

/// Entities per statement (13 bound values each: far below both backends' limits).
const ROWS_PER_STATEMENT: usize = 500;

/// The `VALUES` columns, in bind order.
const COLUMNS: &str = "f(id, claimed, synced_version, attempts, keep_error, error, uncertain, \
    newer_state, same_state, newer_next, same_next, newer_reason, same_reason)";

/// The update, after the `VALUES` list; `$1`-style binds are not used, so the
/// text is built around the list (the owner and `now` are bound after it).
const SET: &str = " UPDATE sync_entities SET \
    state = CASE WHEN sync_entities.version > f.claimed THEN f.newer_state ELSE f.same_state END, \
    next_run_at = CASE WHEN sync_entities.version > f.claimed THEN f.newer_next ELSE f.same_next END, \
    waiting_reason = CASE WHEN sync_entities.version > f.claimed THEN f.newer_reason ELSE f.same_reason END, \
    synced_version = COALESCE(f.synced_version, sync_entities.synced_version), attempts = f.attempts, \
    last_error = CASE WHEN f.keep_error THEN sync_entities.last_error ELSE f.error END, uncertain = f.uncertain, \
    locked_until = NULL, lease_owner = NULL, blocked_on = NULL, updated_at = ";

/// One entity's finish, as bound.
struct Row {
    id: i64,
    claimed: i64,
    finish: job_state::Finish,
    keep_error: bool,
    error: Option<String>,
}

/// Writes the finish of every `(entity, outcome)` at `now` within `tx`, for
/// the leases `owner` holds; the caller wakes their dependents in the same
/// transaction.
pub(super) async fn finish_all_in(
    tx: &mut Tx<'_>,
    owner: &str,
    finished: &[(&ClaimedEntity, &Outcome)],
    now: i64,
) -> Result<(), StorageError> {
    let rows = finished.iter().map(|(entity, outcome)| row(entity, outcome, now)).collect::<Result<Vec<_>, _>>()?;
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        with_tx!(tx, |conn| {
            let mut query = sqlx::QueryBuilder::new(format!("WITH {COLUMNS} AS (VALUES "));
            let mut list = query.separated(", ");
            for row in chunk {
                let (newer, same) = (&row.finish.superseded, &row.finish.handled);
                list.push("(")
                    .push_bind_unseparated(row.id)
                    .push_unseparated(", ")
                    .push_bind_unseparated(row.claimed)
                    .push_unseparated(", ")
                    .push_bind_unseparated(row.finish.synced_version)
                    .push_unseparated(", ")
                    .push_bind_unseparated(row.finish.attempts)
                    .push_unseparated(", ")
                    .push_bind_unseparated(row.keep_error)
                    .push_unseparated(", ")
                    .push_bind_unseparated(row.error.clone())
                    .push_unseparated(", ")
                    .push_bind_unseparated(row.finish.uncertain)
                    .push_unseparated(", ")
                    .push_bind_unseparated(newer.state.as_str())
                    .push_unseparated(", ")
                    .push_bind_unseparated(same.state.as_str())
                    .push_unseparated(", ")
                    .push_bind_unseparated(newer.next_run_at)
                    .push_unseparated(", ")
                    .push_bind_unseparated(same.next_run_at)
                    .push_unseparated(", ")
                    .push_bind_unseparated(newer.waiting_reason.clone())
                    .push_unseparated(", ")
                    .push_bind_unseparated(same.waiting_reason.clone())
                    .push_unseparated(")");
            }
            query.push(")").push(SET).push_bind(now);
            query
                .push(" FROM f WHERE sync_entities.id = f.id AND sync_entities.lease_owner = ")
                .push_bind(owner.to_owned());
            query.push(" AND sync_entities.state <> 'merged'");
            query.build().execute(&mut *conn).await?;
        });
    }
    Ok(())
}

fn row(entity: &ClaimedEntity, outcome: &Outcome, now: i64) -> Result<Row, StorageError> {
    let finish = job_state::finish(&entity.held(), outcome, now);
    let (keep_error, error) = match &finish.last_error {
        ErrorChange::Keep => (true, None),
        ErrorChange::Clear => (false, None),
        ErrorChange::Record(error) => (false, Some(serde_json::to_string(error).map_err(|e| corrupt("error", e))?)),
    };
    Ok(Row { id: entity.id, claimed: entity.version, finish, keep_error, error })
}
