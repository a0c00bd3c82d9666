//! A worker task: the engine's step ([`super::step`]) in a loop. It waits
//! for a full batch (or for due work to have waited `batch_wait`), leases it,
//! processes and records it, and idles when nothing is due. Worker 0 also
//! checks the stores whose pause ran out, and now and then wakes blocked
//! entities whose dependency was written ([`super::wake_sweep`]).

use std::time::Instant;

use super::{Engine, idle};

pub(super) async fn run(engine: Engine, index: usize) {
    let shared = engine.shared.clone();
    let mut shutdown = shared.shutdown.clone();
    // Since when this worker has seen due work short of a full batch.
    let mut partial_since: Option<Instant> = None;
    while !*shutdown.borrow() {
        if index == 0 {
            engine.check_pauses().await;
            engine.wake_blocked().await;
        }
        if !batch_is_ready(&engine, &mut partial_since).await {
            idle(shared.config.poll, None, &mut shutdown).await;
            continue;
        }
        partial_since = None;
        let claimed = engine.claim().await;
        if claimed.is_empty() {
            idle(shared.config.poll, None, &mut shutdown).await;
            continue;
        }
        // Shutdown abandons the batch: its leases are released and its upserts are safe to repeat.
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = engine.work(claimed) => {}
        }
    }
}

/// Whether to claim now: a full batch is due, or due work has waited
/// `batch_wait` for one (so requests carry as many records as they can).
async fn batch_is_ready(engine: &Engine, partial_since: &mut Option<Instant>) -> bool {
    let config = &engine.shared.config;
    if config.batch_wait.is_zero() {
        return true;
    }
    match engine.shared.storage.due_work(config.batch_size, engine.now()).await {
        Ok(0) => {
            *partial_since = None;
            false
        }
        Ok(due) if due >= config.batch_size => true,
        Ok(_) => partial_since.get_or_insert_with(Instant::now).elapsed() >= config.batch_wait,
        Err(error) => {
            tracing::error!(%error, "could not look for due work; retrying");
            false
        }
    }
}
