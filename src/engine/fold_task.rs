//! The fold task (spawned with the workers): applies received events to their entities in batches.
//! It folds at most every `FOLD_PAUSE` while events keep arriving, so each
//! fold is one larger transaction and the intake (which answers callers) gets
//! SQLite's single writer most of the time; a backlog is folded without pause.

use std::sync::Arc;
use std::time::Duration;

use super::{Shared, idle};

/// Events folded per transaction.
const FOLD_BATCH: i64 = 500;
/// Shortest time between two folds while events keep arriving.
const FOLD_PAUSE: Duration = Duration::from_millis(50);

pub(super) async fn run(shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown.clone();
    let linger = super::worker::millis(shared.config.linger);
    while !*shutdown.borrow() {
        let folded = match shared.storage.fold_events(FOLD_BATCH, linger, shared.config.clock.now_millis()).await {
            Ok(folded) => folded,
            Err(error) => {
                tracing::error!(%error, "could not apply received events; retrying");
                0
            }
        };
        if folded as i64 == FOLD_BATCH {
            continue;
        }
        let (pause, notify) = if folded > 0 {
            (FOLD_PAUSE.min(shared.config.poll), None)
        } else {
            (shared.config.poll, Some(shared.committed.as_ref()))
        };
        idle(pause, notify, &mut shutdown).await;
    }
}
