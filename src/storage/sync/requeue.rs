//! Parked entities queued again (`RetryFailed`), optionally by kind or by
//! error code, as `domain::sync::job_state::requeue_parked` says: pending,
//! due now, attempts counted afresh, and what they wrote forgotten so all of
//! it is sent again.

use crate::domain::sync::job_state;
use crate::domain::sync::{EntityKind, EntityState, RecordedError};
use crate::storage::{Storage, StorageError, now_millis, with_pool, write_tx};

use super::corrupt;

/// A parked entity, for `RetryFailed`'s filter on its error code.
#[derive(Debug, sqlx::FromRow)]
struct ParkedRow {
    id: i64,
    state: String,
    last_error: Option<String>,
}

impl Storage {
    /// Queues parked entities of a store again (optionally one kind or one
    /// error code), forgetting what they wrote so all of it is sent again.
    /// Called from the API, so due by the wall clock.
    pub async fn retry_parked(
        &self,
        store_id: i64,
        kind: Option<EntityKind>,
        error_code: Option<&str>,
    ) -> Result<u64, StorageError> {
        let now = now_millis();
        let mut count = 0;
        let mut after = 0_i64;
        loop {
            // A page at a time (by id), so a store with many parked entities is never read whole.
            let rows: Vec<ParkedRow> = with_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT id, state, last_error FROM sync_entities WHERE store_id = $1 AND state = 'parked' \
                     AND ($2 IS NULL OR kind = $2) AND id > $3 ORDER BY id LIMIT $4",
                )
                .bind(store_id)
                .bind(kind.map(EntityKind::as_str))
                .bind(after)
                .bind(PAGE)
                .fetch_all(pool)
                .await?
            });
            let Some(last) = rows.last() else { break };
            after = last.id;
            let mut requeued = Vec::new();
            for row in rows.iter().filter(|row| has_code(row, error_code)) {
                let state = EntityState::parse(&row.state).ok_or_else(|| corrupt("entity state", &row.state))?;
                if let Some(next) = job_state::requeue_parked(state, now) {
                    requeued.push((row.id, next));
                }
            }
            if !requeued.is_empty() {
                count += self.requeue(&requeued).await?;
            }
            if rows.len() < PAGE as usize {
                break;
            }
        }
        Ok(count)
    }

    /// Queues one parked entity of a store again (the console's Retry
    /// button); false when it is not (or no longer) parked.
    pub async fn retry_parked_entity(&self, store_id: i64, entity_id: i64) -> Result<bool, StorageError> {
        let row: Option<ParkedRow> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT id, state, last_error FROM sync_entities WHERE id = $1 AND store_id = $2")
                .bind(entity_id)
                .bind(store_id)
                .fetch_optional(pool)
                .await?
        });
        let Some(row) = row else { return Ok(false) };
        let state = EntityState::parse(&row.state).ok_or_else(|| corrupt("entity state", &row.state))?;
        let Some(next) = job_state::requeue_parked(state, now_millis()) else { return Ok(false) };
        Ok(self.requeue(&[(row.id, next)]).await? == 1)
    }

    /// Writes each entity's requeue in one transaction. Everything is sent
    /// again: a record written earlier may be what was deleted or broken.
    async fn requeue(&self, entities: &[(i64, job_state::Requeued)]) -> Result<u64, StorageError> {
        Ok(write_tx!(self, |tx| {
            let mut done = 0;
            for (id, requeued) in entities {
                done += sqlx::query(
                    "UPDATE sync_entities SET state = $2, attempts = $3, next_run_at = $4, updated_at = $4 \
                     WHERE id = $1 AND state = 'parked'",
                )
                .bind(*id)
                .bind(requeued.state.as_str())
                .bind(requeued.attempts)
                .bind(requeued.next_run_at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query("UPDATE sync_records SET body_hash = $2 WHERE entity_id = $1 AND NOT matched")
                    .bind(*id)
                    .bind(Vec::<u8>::new())
                    .execute(&mut *tx)
                    .await?;
            }
            done
        }))
    }
}

/// Parked entities read per page.
const PAGE: i64 = 500;

/// Whether a parked entity's last error has `code` (any, when no code is asked for).
fn has_code(row: &ParkedRow, code: Option<&str>) -> bool {
    match code {
        None => true,
        Some(code) => row
            .last_error
            .as_deref()
            .and_then(|json| serde_json::from_str::<RecordedError>(json).ok())
            .is_some_and(|error| error.code == code),
    }
}
