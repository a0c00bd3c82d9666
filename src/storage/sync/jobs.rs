//! Entities as jobs: claimed with a lease (`locked_until`), finished with an
//! outcome, released on shutdown. A crashed worker's lease simply runs out.
//! PostgreSQL replicas claim with `FOR UPDATE SKIP LOCKED`. A sale waits
//! while the customer it depends on has changes of its own to write: the
//! claim that reads it takes it out of the due work, and finishing the
//! customer brings it back ([`super::blocked`]), so a claim reads O(batch)
//! rows however many sales wait on pending customers. The
//! transitions are `domain::sync::job_state`'s; this file persists them, with
//! `now` passed in by the engine's clock.

use std::collections::BTreeMap;

use crate::domain::sync::EntityFacts;
use crate::domain::sync::job_state::{self, Blocked, Due, Held, Leased, Outcome};
use crate::storage::{Backend, Storage, StorageError, Tx, with_pool, with_tx};

use super::blocked::{block_in, blocked, lock_store_blocks, still_blocked};
use super::outcomes::FinishedEntity;
use super::{PlanRow, corrupt, explain_sqlite, plan_steps};

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
    /// When it became pending with its oldest unsynced change (`None`: unknown).
    pub pending_since: Option<i64>,
}

impl ClaimedEntity {
    /// What the lease holder knows of the entity, for its finish.
    pub fn held(&self) -> Held {
        Held { version: self.version, attempts: self.attempts, uncertain: self.uncertain }
    }
}

/// A due entity as the claim reads it, before leasing it.
#[derive(Debug, sqlx::FromRow)]
struct DueRow {
    id: i64,
    store_id: i64,
    label: String,
    facts: String,
    version: i64,
    attempts: i64,
    uncertain: bool,
    locked_until: Option<i64>,
    pending_since: Option<i64>,
    depends_on: Option<String>,
    /// Its dependency's id, when that is pending (then it is blocked, not leased).
    blocked_by: Option<i64>,
}

#[derive(Debug, sqlx::FromRow)]
struct Count {
    due: i64,
}

#[derive(Debug, sqlx::FromRow)]
struct Exists {
    due: bool,
}

const CLAIM_FILTER: &str = "e.state = 'pending' AND e.next_run_at <= $1 \
     AND (e.locked_until IS NULL OR e.locked_until < $1) \
     AND NOT EXISTS (SELECT 1 FROM sync_pauses p WHERE p.store_id = e.store_id)";

/// A due row's dependency, when it is pending: one lookup per row read.
const BLOCKED_BY: &str = "(SELECT c.id FROM sync_aliases a JOIN sync_entities c ON c.id = a.entity_id \
     WHERE a.store_id = e.store_id AND a.alias = e.depends_on AND c.id <> e.id AND c.state = 'pending')";

/// Extends an owner's leases; reads only leased rows (the `sync_entities_leased` index).
const RENEW_LEASES: &str = "UPDATE sync_entities SET locked_until = $2 WHERE lease_owner = $1 AND locked_until < $2";
/// Lets go of an owner's leases; reads only leased rows, as [`RENEW_LEASES`] does.
const RELEASE_LEASES: &str =
    "UPDATE sync_entities SET locked_until = $2, lease_owner = NULL, uncertain = $3 WHERE lease_owner = $1";

impl Storage {
    /// SQLite's plan (`EXPLAIN QUERY PLAN` details) for renewing, then for
    /// releasing, an owner's leases (`None` on PostgreSQL); for tests that pin them.
    #[doc(hidden)]
    pub async fn lease_plans(&self) -> Result<Option<[Vec<String>; 2]>, StorageError> {
        let Backend::Sqlite(pool) = &self.backend else { return Ok(None) };
        let renew: Vec<PlanRow> =
            sqlx::query_as(explain_sqlite(RENEW_LEASES)).bind("owner").bind(0_i64).fetch_all(pool).await?;
        let release: Vec<PlanRow> = sqlx::query_as(explain_sqlite(RELEASE_LEASES))
            .bind("owner")
            .bind(0_i64)
            .bind(false)
            .fetch_all(pool)
            .await?;
        Ok(Some([plan_steps(renew), plan_steps(release)]))
    }

    /// Whether any store that is not paused has work due. Cheap: the claim and
    /// the count walk due work in time order, and when every store with due
    /// work is paused they would read its whole backlog to find nothing.
    async fn any_unpaused_due(&self, now: i64) -> Result<bool, StorageError> {
        let found: Exists = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT EXISTS (SELECT 1 FROM stores s WHERE NOT EXISTS (SELECT 1 FROM sync_pauses p \
                 WHERE p.store_id = s.id) AND EXISTS (SELECT 1 FROM sync_entities e \
                 WHERE e.store_id = s.id AND e.state = 'pending' AND e.next_run_at <= $1)) AS due",
            )
            .bind(now)
            .fetch_one(pool)
            .await?
        });
        Ok(found.due)
    }

    /// How many entities could be claimed at `now` (counting at most `limit`):
    /// lets a worker wait to fill a batch.
    pub async fn due_work(&self, limit: i64, now: i64) -> Result<i64, StorageError> {
        if !self.any_unpaused_due(now).await? {
            return Ok(0);
        }
        let sql = format!(
            "SELECT COUNT(*) AS due FROM (SELECT e.id FROM sync_entities e WHERE {CLAIM_FILTER} \
             ORDER BY e.next_run_at LIMIT $2) due"
        );
        let count: Count = with_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(now).bind(limit).fetch_one(pool).await?
        });
        Ok(count.due)
    }

    /// Leases up to `limit` entities due at `now` to `owner` for `lease_ms`:
    /// reads them (locked, on PostgreSQL) and writes each one's
    /// [`job_state::claim`] in the same transaction. A due entity whose
    /// dependency is pending is not leased but blocked ([`job_state::block`]),
    /// and the claim reads on until the batch is full or nothing is due: each
    /// blocked entity is read once, so a claim reads O(batch) rows plus those
    /// it takes out of the due work.
    pub async fn claim_entities(
        &self,
        owner: &str,
        limit: i64,
        lease_ms: i64,
        now: i64,
    ) -> Result<Vec<ClaimedEntity>, StorageError> {
        if !self.any_unpaused_due(now).await? {
            return Ok(Vec::new());
        }
        let lock = match self.backend {
            Backend::Postgres(_) => " FOR UPDATE OF e SKIP LOCKED",
            Backend::Sqlite(_) => "",
        };
        let select = format!(
            "SELECT e.id, e.store_id, e.label, e.facts, e.version, e.attempts, e.uncertain, e.locked_until, \
             e.pending_since, e.depends_on, {BLOCKED_BY} AS blocked_by FROM sync_entities e WHERE {CLAIM_FILTER} \
             ORDER BY e.next_run_at, e.id LIMIT $2{lock}"
        );
        let wanted = usize::try_from(limit).unwrap_or(0);
        let mut tx = self.begin_write().await?;
        let mut claims: Vec<(DueRow, Leased)> = Vec::new();
        loop {
            let rows: Vec<DueRow> = with_tx!(tx, |conn| {
                sqlx::query_as(sqlx::AssertSqlSafe(select.clone())).bind(now).bind(limit).fetch_all(conn).await?
            });
            let read = rows.len();
            let mut round: Vec<(DueRow, Leased)> = Vec::new();
            let mut blocks: Vec<(i64, Blocked)> = Vec::new();
            let mut blocking_stores: Vec<i64> = Vec::new();
            for row in rows {
                if let Some(block) = blocked(row.id, row.depends_on.as_deref(), row.blocked_by) {
                    blocks.push(block);
                    blocking_stores.push(row.store_id);
                } else if claims.len() + round.len() < wanted {
                    let leased = job_state::claim(&due(&row), now, lease_ms);
                    round.push((row, leased));
                }
            }
            lease_in(&mut tx, owner, &round).await?;
            lock_store_blocks(&mut tx, &blocking_stores).await?;
            let read_blocks = blocks.len();
            let blocks = still_blocked(&mut tx, blocks).await?;
            block_in(&mut tx, &blocks).await?;
            claims.extend(round);
            // Every row read was leased or blocked, unless the batch is full or nothing more is due.
            // (A dependency found finished on the re-read leaves its entity due: the next claim takes it.)
            if claims.len() >= wanted || read < wanted || blocks.is_empty() || blocks.len() < read_blocks {
                break;
            }
        }
        tx.commit().await?;
        let mut claimed = claims
            .into_iter()
            .map(|(row, leased)| {
                let facts = serde_json::from_str(&row.facts).map_err(|e| corrupt("facts", e))?;
                Ok(ClaimedEntity {
                    id: row.id,
                    store_id: row.store_id,
                    label: row.label,
                    facts,
                    version: row.version,
                    attempts: row.attempts,
                    uncertain: leased.uncertain,
                    pending_since: row.pending_since,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        claimed.sort_by_key(|entity| entity.id);
        Ok(claimed)
    }

    /// Records how `entity`'s work ended at `now` ([`job_state::finish`]),
    /// lets go of its lease and wakes the entities blocked on it: a batch of
    /// one ([`Storage::record_outcomes`]'s transaction). Events folded
    /// meanwhile keep it pending; an entity merged into another meanwhile
    /// stays merged.
    pub async fn finish_entity(
        &self,
        owner: &str,
        entity: &ClaimedEntity,
        outcome: &Outcome,
        now: i64,
    ) -> Result<(), StorageError> {
        let alone = FinishedEntity { entity, outcome, records: &[] };
        self.record_in_one_tx(owner, entity.store_id, &[alone], now).await
    }

    /// Extends every lease `owner` holds to `until`: a running engine keeps
    /// its work while a Salesforce call takes longer than a lease, and a
    /// killed one's work comes back one lease after its last renewal.
    pub async fn renew_leases(&self, owner: &str, until: i64) -> Result<u64, StorageError> {
        let _turn = self.write_turn().await;
        let done = with_pool!(self, |pool| {
            sqlx::query(RENEW_LEASES).bind(owner).bind(until).execute(pool).await?.rows_affected()
        });
        Ok(done)
    }

    /// Lets go of every lease `owner` holds (graceful shutdown): the work is
    /// due again at once, marked as possibly sent ([`job_state::release`]).
    pub async fn release_leases(&self, owner: &str) -> Result<u64, StorageError> {
        let released = job_state::release();
        let _turn = self.write_turn().await;
        let done = with_pool!(self, |pool| {
            sqlx::query(RELEASE_LEASES)
                .bind(owner)
                .bind(released.locked_until)
                .bind(released.uncertain)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }
}

fn due(row: &DueRow) -> Due {
    Due { attempts: row.attempts, uncertain: row.uncertain, locked_until: row.locked_until }
}

/// One statement per distinct lease written (they differ only in `uncertain`).
async fn lease_in(tx: &mut Tx<'_>, owner: &str, claims: &[(DueRow, Leased)]) -> Result<(), StorageError> {
    let mut groups: BTreeMap<(i64, bool), Vec<i64>> = BTreeMap::new();
    for (row, leased) in claims {
        groups.entry((leased.locked_until, leased.uncertain)).or_default().push(row.id);
    }
    with_tx!(tx, |conn| {
        for ((locked_until, uncertain), ids) in groups {
            let mut query = sqlx::QueryBuilder::new("UPDATE sync_entities SET locked_until = ");
            query.push_bind(locked_until).push(", lease_owner = ").push_bind(owner);
            query.push(", uncertain = ").push_bind(uncertain).push(" WHERE id IN (");
            let mut list = query.separated(", ");
            for id in ids {
                list.push_bind(id);
            }
            query.push(")");
            query.build().execute(&mut *conn).await?;
        }
    });
    Ok(())
}
