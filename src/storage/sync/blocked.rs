//! Blocked dependents: an entity whose dependency (a sale's customer, named
//! by `depends_on`) still has changes to write is not left in the due work,
//! where every claim would read it and pass it by (O(blocked) per claim). The
//! claim that finds it blocks it ([`block_in`], `job_state::block`): state
//! 'waiting' with `blocked_on` = the dependency's id and a waiting reason
//! naming it, out of the due index; each is read once. It is woken (pending
//! again, `job_state::wake`) by:
//!
//! - the transaction that finishes its dependency ([`wake_dependents_in`],
//!   called by `finish_entity` and by a batch's `record_outcomes`), whatever
//!   the finish leaves the dependency as, unless still pending (a retry);
//! - a fold of a new event into the blocked entity itself (it becomes pending
//!   with the others, `fold_write::update_entities`; the claim then looks at
//!   its dependency again);
//! - the sweep ([`Storage::wake_unblocked`], run by the engine every
//!   `EngineConfig::wake_sweep`), which wakes every blocked entity whose dependency is
//!   no longer pending.
//!
//! Why nothing can stay blocked: on SQLite every write transaction holds the
//! one write lock, so a claim that blocks an entity and the finish of its
//! dependency are ordered: either the claim saw the dependency finished (and
//! did not block), or the finish's wake sees the blocked entity. On
//! PostgreSQL (several replicas, READ COMMITTED) the same order comes from a
//! per-store advisory lock ([`lock_store_blocks`]) that a claim takes before
//! it blocks and a finish takes before it wakes, each until its commit: the
//! claim re-reads, under the lock, which dependencies are still pending and
//! blocks only those, so either the finish committed first (the re-read sees
//! the dependency finished) or the claim's block is committed before the
//! wake reads. Without it, a claim that read the dependency as pending while
//! another worker's finish woke its dependents would leave the entity
//! blocked until the sweep (measured: a sale waited up to the sweep's 30 s).
//! The sweep stays as the backstop for what has no finish (a dependency
//! changed some other way; a customer is never merged, but if one were):
//! it reads every blocked entity's dependency, so such an entity waits at
//! most one sweep interval more; it is never lost: it stays in the table,
//! counted and shown as waiting with its reason. Waking one whose
//! dependency is pending again is harmless: the next claim blocks it again.

use std::collections::BTreeMap;

use crate::domain::sync::job_state::{self, Blocked};
use crate::storage::{Storage, StorageError, Tx, TxConn, with_pool, with_tx};

use super::EntityState;

/// Ids per statement.
const IDS_PER_STATEMENT: usize = 500;

/// The wake, for the entities it is given: blocked, and their dependency no
/// longer pending (`job_state::wake`'s rule, in SQL).
const WAKE: &str = "UPDATE sync_entities SET state = 'pending', blocked_on = NULL, waiting_reason = NULL \
    WHERE state = 'waiting' AND blocked_on IS NOT NULL \
    AND NOT EXISTS (SELECT 1 FROM sync_entities d WHERE d.id = sync_entities.blocked_on AND d.state = 'pending') AND ";

/// The per-store lock that orders a claim's blocks and a finish's wake on
/// PostgreSQL (see the module docs). Advisory locks are database-wide, so the
/// key names the schema too.
const BLOCK_LOCK: &str =
    "SELECT pg_advisory_xact_lock(hashtextextended('forcesync.blocks.' || current_schema() || '.' || $1::text, 0))";

/// Takes the stores' block locks within `tx` (PostgreSQL; SQLite's write
/// lock already orders them), in ascending order so two claims never wait
/// on each other in a cycle; held until `tx` ends.
pub(super) async fn lock_store_blocks(tx: &mut Tx<'_>, stores: &[i64]) -> Result<(), StorageError> {
    let mut stores = stores.to_vec();
    stores.sort_unstable();
    stores.dedup();
    if let TxConn::Postgres(open) = &mut tx.conn {
        for store in stores {
            sqlx::query(BLOCK_LOCK).bind(store).execute(&mut **open).await?;
        }
    }
    Ok(())
}

/// Of `blocked` (due entities whose dependency the claim read as pending),
/// those whose dependency is still pending now, read within `tx` after
/// [`lock_store_blocks`]: the claim blocks only these.
pub(super) async fn still_blocked(
    tx: &mut Tx<'_>,
    blocked: Vec<(i64, Blocked)>,
) -> Result<Vec<(i64, Blocked)>, StorageError> {
    if blocked.is_empty() || matches!(tx.conn, TxConn::Sqlite(_)) {
        return Ok(blocked);
    }
    let mut dependencies: Vec<i64> = blocked.iter().map(|(_, block)| block.blocked_on).collect();
    dependencies.sort_unstable();
    dependencies.dedup();
    let mut pending = std::collections::HashSet::new();
    for chunk in dependencies.chunks(IDS_PER_STATEMENT) {
        let rows: Vec<(i64,)> = with_tx!(tx, |conn| {
            let mut query = sqlx::QueryBuilder::new("SELECT id FROM sync_entities WHERE state = 'pending' AND id IN (");
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            query.build_query_as().fetch_all(&mut *conn).await?
        });
        pending.extend(rows.into_iter().map(|(id,)| id));
    }
    Ok(blocked.into_iter().filter(|(_, block)| pending.contains(&block.blocked_on)).collect())
}

/// Takes `blocked` (due entities whose dependency is pending, claimed in the
/// caller's transaction, after [`lock_store_blocks`] and [`still_blocked`])
/// out of the due work, within `tx`.
pub(super) async fn block_in(tx: &mut Tx<'_>, blocked: &[(i64, Blocked)]) -> Result<(), StorageError> {
    // One statement per dependency (they share its id and reason).
    let mut by_dependency: BTreeMap<(i64, &str, &str), Vec<i64>> = BTreeMap::new();
    for (id, block) in blocked {
        let key = (block.blocked_on, block.waiting_reason.as_str(), block.state.as_str());
        by_dependency.entry(key).or_default().push(*id);
    }
    with_tx!(tx, |conn| {
        for ((blocked_on, reason, state), ids) in by_dependency {
            for chunk in ids.chunks(IDS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new("UPDATE sync_entities SET state = ");
                query.push_bind(state.to_owned()).push(", blocked_on = ").push_bind(blocked_on);
                query.push(", waiting_reason = ").push_bind(reason.to_owned());
                query.push(" WHERE state = 'pending' AND id IN (");
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                query.push(")");
                query.build().execute(&mut *conn).await?;
            }
        }
    });
    Ok(())
}

/// Wakes the entities blocked on any of `finished` (entities of `store_id`
/// just finished in `tx`) whose dependency is no longer pending, within `tx`,
/// under the store's block lock.
pub(super) async fn wake_dependents_in(tx: &mut Tx<'_>, store_id: i64, finished: &[i64]) -> Result<u64, StorageError> {
    lock_store_blocks(tx, &[store_id]).await?;
    let mut woken = 0;
    with_tx!(tx, |conn| {
        for chunk in finished.chunks(IDS_PER_STATEMENT) {
            let mut query = sqlx::QueryBuilder::new(WAKE);
            query.push("blocked_on IN (");
            let mut list = query.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            query.push(")");
            woken += query.build().execute(&mut *conn).await?.rows_affected();
        }
    });
    Ok(woken)
}

impl Storage {
    /// The sweep: wakes every blocked entity whose dependency is no longer
    /// pending (see the module docs for why it is needed); returns how many.
    /// Reads every blocked entity's dependency (O(blocked), so the engine
    /// runs it rarely); writes only what it wakes, in short transactions.
    pub async fn wake_unblocked(&self) -> Result<u64, StorageError> {
        // Walks the blocked index (`sync_entities_blocked`); what it wakes leaves it, so each round reads on.
        const STALE: &str = "SELECT b.id FROM sync_entities b WHERE b.blocked_on IS NOT NULL AND b.state = 'waiting' \
            AND NOT EXISTS (SELECT 1 FROM sync_entities d WHERE d.id = b.blocked_on AND d.state = 'pending') LIMIT $1";
        let limit = i64::try_from(IDS_PER_STATEMENT).unwrap_or(500);
        let mut woken = 0;
        loop {
            let ids: Vec<(i64,)> = with_pool!(self, |pool| sqlx::query_as(STALE).bind(limit).fetch_all(pool).await?);
            if ids.is_empty() {
                break;
            }
            let mut tx = self.begin_write().await?;
            let done = with_tx!(tx, |conn| {
                let mut query = sqlx::QueryBuilder::new(WAKE);
                query.push("id IN (");
                let mut list = query.separated(", ");
                for (id,) in &ids {
                    list.push_bind(*id);
                }
                query.push(")");
                query.build().execute(&mut *conn).await?.rows_affected()
            });
            tx.commit().await?;
            woken += done;
            // Fewer than a full read, or none of it woken (another replica's sweep took them): done.
            if ids.len() < IDS_PER_STATEMENT || done == 0 {
                break;
            }
        }
        Ok(woken)
    }

    /// How many entities of `store_id` wait, blocked on a dependency that has
    /// changes to write (out of the due work).
    pub async fn blocked_entities(&self, store_id: i64) -> Result<i64, StorageError> {
        const SQL: &str = "SELECT COUNT(*) FROM sync_entities WHERE store_id = $1 AND state = $2 \
            AND blocked_on IS NOT NULL";
        let waiting = EntityState::Waiting.as_str();
        let (count,): (i64,) =
            with_pool!(self, |pool| sqlx::query_as(SQL).bind(store_id).bind(waiting).fetch_one(pool).await?);
        Ok(count)
    }
}

/// The block of a due row, if its dependency (`blocked_by`, found pending by
/// the claim's read) is not itself.
pub(super) fn blocked(id: i64, depends_on: Option<&str>, blocked_by: Option<i64>) -> Option<(i64, Blocked)> {
    let (alias, dependency) = (depends_on?, blocked_by?);
    job_state::block(EntityState::Pending, alias, dependency).map(|block| (id, block))
}
