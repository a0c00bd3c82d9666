//! Entities as jobs: claimed with a lease (`locked_until`), finished with an
//! outcome, released on shutdown. A crashed worker's lease simply runs out.
//! PostgreSQL replicas claim with `FOR UPDATE SKIP LOCKED`. A sale waits
//! while the customer it depends on has changes of its own to write.

use crate::domain::sync::{EntityFacts, EntityKind};
use crate::storage::{Backend, Storage, StorageError, now_millis, with_pool, write_tx};

use super::{EntityState, RecordedError, corrupt};

/// A leased entity, as the engine works on it.
#[derive(Debug, Clone)]
pub struct ClaimedEntity {
    pub id: i64,
    pub store_id: i64,
    pub label: String,
    pub facts: EntityFacts,
    /// The version claimed: finishing marks exactly this version handled.
    pub version: i64,
    pub attempts: i64,
    /// An earlier attempt may have reached Salesforce without its outcome
    /// being recorded (it failed, or its worker stopped or died mid-call).
    /// Sticky: only a success, which records what was written, clears it.
    pub uncertain: bool,
}

/// How a claimed entity's work ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Salesforce holds everything the claimed version called for.
    Synced,
    /// Nothing can be written yet.
    Waiting(String),
    /// Try again at `retry_at` (a transient error).
    Retry { error: RecordedError, retry_at: i64 },
    /// Stopped until a person acts (a data or configuration error).
    Parked(RecordedError),
    /// The org is out of budget: try again at `retry_at`, not counted as an attempt.
    Deferred { retry_at: i64 },
}

const CLAIM_FILTER: &str = "e.state = 'pending' AND e.next_run_at <= $1 \
     AND (e.locked_until IS NULL OR e.locked_until < $1) \
     AND NOT EXISTS (SELECT 1 FROM sync_pauses p WHERE p.store_id = e.store_id AND p.paused_until > $1) \
     AND NOT EXISTS (SELECT 1 FROM sync_aliases a JOIN sync_entities c ON c.id = a.entity_id \
         WHERE a.store_id = e.store_id AND a.alias = e.depends_on AND c.id <> e.id AND c.state = 'pending')";

impl Storage {
    /// Whether any store that is not paused has work due. Cheap: the claim and
    /// the count walk due work in time order, and when every store with due
    /// work is paused they would read its whole backlog to find nothing.
    async fn any_unpaused_due(&self, now: i64) -> Result<bool, StorageError> {
        let due: Option<(i64,)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.id FROM stores s WHERE NOT EXISTS (SELECT 1 FROM sync_pauses p WHERE p.store_id = s.id \
                 AND p.paused_until > $1) AND EXISTS (SELECT 1 FROM sync_entities e WHERE e.store_id = s.id \
                 AND e.state = 'pending' AND e.next_run_at <= $1) LIMIT 1",
            )
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(due.is_some())
    }

    /// How many entities could be claimed now (counting at most `limit`):
    /// lets a worker wait to fill a batch.
    pub async fn due_work(&self, limit: i64) -> Result<i64, StorageError> {
        let now = now_millis();
        if !self.any_unpaused_due(now).await? {
            return Ok(0);
        }
        let sql = format!(
            "SELECT COUNT(*) FROM (SELECT e.id FROM sync_entities e WHERE {CLAIM_FILTER} ORDER BY e.next_run_at LIMIT $2) due"
        );
        let (due,): (i64,) = with_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(now).bind(limit).fetch_one(pool).await?
        });
        Ok(due)
    }

    /// Leases up to `limit` due entities to `owner` for `lease_ms`.
    pub async fn claim_entities(
        &self,
        owner: &str,
        limit: i64,
        lease_ms: i64,
    ) -> Result<Vec<ClaimedEntity>, StorageError> {
        let _turn = self.write_turn().await;
        let now = now_millis();
        if !self.any_unpaused_due(now).await? {
            return Ok(Vec::new());
        }
        let lock = match self.backend {
            Backend::Postgres(_) => " FOR UPDATE OF e SKIP LOCKED",
            Backend::Sqlite(_) => "",
        };
        let sql = format!(
            "UPDATE sync_entities SET uncertain = (uncertain OR attempts > 0 OR locked_until IS NOT NULL), locked_until = $2, \
             lease_owner = $3 WHERE id IN \
             (SELECT e.id FROM sync_entities e WHERE {CLAIM_FILTER} ORDER BY e.next_run_at, e.id LIMIT $4{lock}) \
             RETURNING id, store_id, label, facts, version, attempts, uncertain"
        );
        let rows: Vec<(i64, i64, String, String, i64, i64, bool)> = with_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(now)
                .bind(now + lease_ms)
                .bind(owner)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        let mut claimed = rows
            .into_iter()
            .map(|(id, store_id, label, facts, version, attempts, uncertain)| {
                let facts = serde_json::from_str(&facts).map_err(|e| corrupt("facts", e))?;
                Ok(ClaimedEntity { id, store_id, label, facts, version, attempts, uncertain })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        claimed.sort_by_key(|entity| entity.id);
        Ok(claimed)
    }

    /// Records how `entity`'s work ended and lets go of its lease. Events
    /// folded meanwhile keep it pending; an entity merged into another
    /// meanwhile stays merged.
    pub async fn finish_entity(
        &self,
        owner: &str,
        entity: &ClaimedEntity,
        outcome: &Outcome,
    ) -> Result<(), StorageError> {
        let _turn = self.write_turn().await;
        let now = now_millis();
        let (state, attempts, next_run_at, error, waiting) = match outcome {
            Outcome::Synced => (EntityState::Synced, 0, now, None, None),
            Outcome::Waiting(reason) => (EntityState::Waiting, 0, now, None, Some(reason.clone())),
            Outcome::Retry { error, retry_at } => {
                (EntityState::Pending, entity.attempts + 1, *retry_at, Some(error), None)
            }
            Outcome::Parked(error) => (EntityState::Parked, entity.attempts + 1, now, Some(error), None),
            Outcome::Deferred { retry_at } => (EntityState::Pending, entity.attempts, *retry_at, None, None),
        };
        let error = error.map(serde_json::to_string).transpose().map_err(|e| corrupt("error", e))?;
        // A pending outcome keeps its schedule; a newer version makes any outcome pending again (due now).
        const SQL: &str = "UPDATE sync_entities SET \
            state = CASE WHEN version > $3 AND $4 <> 'pending' THEN 'pending' ELSE $4 END, \
            synced_version = CASE WHEN $4 = 'pending' THEN synced_version ELSE $3 END, \
            attempts = $5, next_run_at = $6, last_error = COALESCE($7, CASE WHEN $4 = 'synced' THEN NULL ELSE last_error END), \
            waiting_reason = $8, locked_until = NULL, lease_owner = NULL, updated_at = $9, \
            uncertain = CASE WHEN $4 = 'synced' THEN FALSE ELSE uncertain END \
            WHERE id = $1 AND lease_owner = $2 AND state <> 'merged'";
        with_pool!(self, |pool| {
            sqlx::query(SQL)
                .bind(entity.id)
                .bind(owner)
                .bind(entity.version)
                .bind(state.as_str())
                .bind(attempts)
                .bind(next_run_at)
                .bind(error)
                .bind(waiting)
                .bind(now)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Lets go of every lease `owner` holds (graceful shutdown): the work is
    /// due again at once, marked as possibly sent (`locked_until` 0, not NULL).
    pub async fn release_leases(&self, owner: &str) -> Result<u64, StorageError> {
        let _turn = self.write_turn().await;
        const SQL: &str = "UPDATE sync_entities SET locked_until = 0, lease_owner = NULL WHERE lease_owner = $1";
        let done = with_pool!(self, |pool| sqlx::query(SQL).bind(owner).execute(pool).await?.rows_affected());
        Ok(done)
    }

    /// Queues parked entities of a store again (optionally one kind or one
    /// error code), forgetting what they wrote so all of it is sent again.
    pub async fn retry_parked(
        &self,
        store_id: i64,
        kind: Option<EntityKind>,
        error_code: Option<&str>,
    ) -> Result<u64, StorageError> {
        let now = now_millis();
        let rows: Vec<(i64, Option<String>)> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, last_error FROM sync_entities WHERE store_id = $1 AND state = 'parked' \
                 AND ($2 IS NULL OR kind = $2)",
            )
            .bind(store_id)
            .bind(kind.map(EntityKind::as_str))
            .fetch_all(pool)
            .await?
        });
        let wanted = |error: &Option<String>| match error_code {
            None => true,
            Some(code) => error
                .as_deref()
                .and_then(|json| serde_json::from_str::<RecordedError>(json).ok())
                .is_some_and(|error| error.code == code),
        };
        let mut requeued = 0;
        for (id, _) in rows.iter().filter(|(_, error)| wanted(error)) {
            // Everything is sent again: a record written earlier may be what was deleted or broken.
            let done = write_tx!(self, |tx| {
                let done = sqlx::query(
                    "UPDATE sync_entities SET state = 'pending', attempts = 0, next_run_at = $2, updated_at = $2 \
                     WHERE id = $1 AND state = 'parked'",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                sqlx::query("UPDATE sync_records SET body_hash = $2 WHERE entity_id = $1 AND NOT matched")
                    .bind(id)
                    .bind(Vec::<u8>::new())
                    .execute(&mut *tx)
                    .await?;
                done
            });
            requeued += done;
        }
        Ok(requeued)
    }

    /// Pauses a store's work until `until` (its org ran out of API budget, or
    /// it cannot connect); `checks` counts the checks that found it still blocked.
    pub async fn pause_store(&self, store_id: i64, until: i64, reason: &str, checks: i64) -> Result<(), StorageError> {
        let _turn = self.write_turn().await;
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO sync_pauses (store_id, paused_until, reason, checks) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (store_id) DO UPDATE SET paused_until = $2, reason = $3, checks = $4",
            )
            .bind(store_id)
            .bind(until)
            .bind(reason)
            .bind(checks)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Resumes a paused store's work now.
    pub async fn resume_store(&self, store_id: i64) -> Result<(), StorageError> {
        let _turn = self.write_turn().await;
        with_pool!(self, |pool| {
            sqlx::query("DELETE FROM sync_pauses WHERE store_id = $1").bind(store_id).execute(pool).await?;
        });
        Ok(())
    }

    /// Stores whose pause has run out, with the checks made so far: the
    /// engine checks their cause before resuming.
    pub async fn expired_pauses(&self) -> Result<Vec<(i64, i64)>, StorageError> {
        let rows: Vec<(i64, i64)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT store_id, checks FROM sync_pauses WHERE paused_until <= $1")
                .bind(now_millis())
                .fetch_all(pool)
                .await?
        });
        Ok(rows)
    }
}
