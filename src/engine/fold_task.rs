//! The fold task (spawned with the workers): applies received events to their entities in batches.
//! It folds at most every `FOLD_PAUSE` while events keep arriving, so each
//! fold is one larger transaction and the intake (which answers callers) gets
//! SQLite's single writer most of the time; a backlog is folded without pause.

use std::time::Duration;

use super::step::FOLD_BATCH;
use super::{Engine, idle};

/// Shortest time between two folds while events keep arriving.
const FOLD_PAUSE: Duration = Duration::from_millis(50);

pub(super) async fn run(engine: Engine) {
    let shared = engine.shared.clone();
    let mut shutdown = shared.shutdown.clone();
    while !*shutdown.borrow() {
        let folded = engine.fold().await;
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
