//! A worker: lease a batch of due entities, process each store's share
//! against its org, record every outcome, repeat. Also resumes paused
//! stores once their org has budget (or their configuration) again.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Instant;

use crate::storage::now_millis;
use crate::storage::sync::{ClaimedEntity, Outcome};

use super::batch::{self, Finished};
use super::outcome::pauses_store;
use super::{EngineError, Shared, idle};

pub(super) async fn run(shared: Arc<Shared>, index: usize) {
    let mut shutdown = shared.shutdown.clone();
    let lease = millis(shared.config.lease);
    // Since when this worker has seen due work short of a full batch.
    let mut partial_since: Option<Instant> = None;
    while !*shutdown.borrow() {
        if index == 0 {
            resume_paused(&shared).await;
        }
        if !batch_is_ready(&shared, &mut partial_since).await {
            idle(shared.config.poll, None, &mut shutdown).await;
            continue;
        }
        partial_since = None;
        let claimed = match shared.storage.claim_entities(&shared.owner, shared.config.batch_size, lease).await {
            Ok(claimed) => claimed,
            Err(error) => {
                tracing::error!(%error, "could not lease work; retrying");
                Vec::new()
            }
        };
        if claimed.is_empty() {
            idle(shared.config.poll, None, &mut shutdown).await;
            continue;
        }
        let mut by_store: BTreeMap<i64, Vec<ClaimedEntity>> = BTreeMap::new();
        for entity in claimed {
            by_store.entry(entity.store_id).or_default().push(entity);
        }
        for (store_id, entities) in by_store {
            // Shutdown abandons the batch: its leases are released and its upserts are safe to repeat.
            tokio::select! {
                _ = shutdown.changed() => return,
                _ = process_store(&shared, store_id, entities) => {}
            }
        }
    }
}

/// Whether to claim now: a full batch is due, or due work has waited
/// `batch_wait` for one (so requests carry as many records as they can).
async fn batch_is_ready(shared: &Shared, partial_since: &mut Option<Instant>) -> bool {
    if shared.config.batch_wait.is_zero() {
        return true;
    }
    match shared.storage.due_work(shared.config.batch_size).await {
        Ok(0) => {
            *partial_since = None;
            false
        }
        Ok(due) if due >= shared.config.batch_size => true,
        Ok(_) => partial_since.get_or_insert_with(Instant::now).elapsed() >= shared.config.batch_wait,
        Err(error) => {
            tracing::error!(%error, "could not look for due work; retrying");
            false
        }
    }
}

async fn process_store(shared: &Shared, store_id: i64, entities: Vec<ClaimedEntity>) {
    let connection = match shared.connections.get(store_id).await {
        Ok(connection) => connection,
        Err(error) => return defer_store(shared, store_id, &entities, &error).await,
    };
    let result = batch::process(shared, &connection, &entities).await;
    if let Some(reason) = &result.pause {
        let until = now_millis() + millis(shared.config.pause_after(0));
        tracing::warn!(store = %connection.code, %reason, "pausing the store's sync");
        if let Err(error) = shared.storage.pause_store(store_id, until, reason, 0).await {
            tracing::error!(%error, "could not record the pause");
        }
    }
    if let Err(error) = shared.storage.record_writes(store_id, None, &result.shared_records).await {
        tracing::error!(%error, "could not record written products");
    }
    record(shared, store_id, &connection.settings.logging, result.finished).await;
}

async fn record(shared: &Shared, store_id: i64, logging: &crate::domain::settings::Logging, finished: Vec<Finished>) {
    let mut lines = Vec::with_capacity(finished.len());
    for done in finished {
        if let Err(error) = shared.storage.record_writes(store_id, Some(done.entity.id), &done.records).await {
            tracing::error!(%error, entity = %done.entity.label, "could not record written records");
        }
        if let Err(error) = shared.storage.finish_entity(&shared.owner, &done.entity, &done.outcome).await {
            tracing::error!(%error, entity = %done.entity.label, "could not record the outcome");
        }
        lines.extend(done.log);
    }
    if logging.enabled && logging.database_logging {
        let keep = i64::from(logging.database_log_limit);
        if let Err(error) = shared.storage.append_sync_log(store_id, &lines, keep).await {
            tracing::error!(%error, "could not write the sync log");
        }
    }
}

/// The store cannot be processed now: pause it and put its work back.
async fn defer_store(shared: &Shared, store_id: i64, entities: &[ClaimedEntity], error: &EngineError) {
    let until = now_millis() + millis(shared.config.pause_after(0));
    tracing::warn!(store_id, %error, "store cannot sync now; pausing");
    if let Err(error) = shared.storage.pause_store(store_id, until, &error.to_string(), 0).await {
        tracing::error!(%error, "could not record the pause");
    }
    for entity in entities {
        // Due again at once: the store's pause holds it back, and ends with its cause.
        let outcome = Outcome::Deferred { retry_at: now_millis() };
        if let Err(error) = shared.storage.finish_entity(&shared.owner, entity, &outcome).await {
            tracing::error!(%error, "could not put work back");
        }
    }
}

/// Checks the stores whose pause ran out. A store resumes unless its cause
/// is still there: the org's allocation still spent (then the next check
/// waits twice as long, up to `pause`), or the store still cannot connect.
/// A check that fails for any other reason (an expired session that a new
/// login did not cure, a 5xx, a refused login) resumes the store, so the
/// work itself meets that error and is retried or parked with its reason:
/// no pause outlives its cause.
async fn resume_paused(shared: &Shared) {
    let Ok(stores) = shared.storage.expired_pauses().await else { return };
    for (store_id, checks) in stores {
        let blocked = match shared.connections.get(store_id).await {
            Ok(connection) => match connection.client.limits().await {
                Ok(usage) if usage.remaining() > 0 => None,
                Ok(_) => Some("the daily API allocation is still spent".to_owned()),
                Err(error) if pauses_store(&error) => Some(error.to_string()),
                Err(error) => {
                    tracing::info!(store = %connection.code, %error, "the budget check failed; resuming so the work reports it");
                    None
                }
            },
            Err(error) => Some(error.to_string()),
        };
        let outcome = match blocked {
            None => shared.storage.resume_store(store_id).await,
            Some(reason) => {
                let until = now_millis() + millis(shared.config.pause_after(checks + 1));
                shared.storage.pause_store(store_id, until, &reason, checks + 1).await
            }
        };
        if let Err(error) = outcome {
            tracing::error!(%error, store_id, "could not update the pause");
        }
    }
}

pub(super) fn millis(duration: std::time::Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
