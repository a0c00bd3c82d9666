//! The folder task: applies received events to their entities as soon as
//! they are committed (or at the poll interval), in batches.

use std::sync::Arc;

use super::{Shared, idle};

/// Events folded per transaction.
const FOLD_BATCH: i64 = 1_000;

pub(super) async fn run(shared: Arc<Shared>) {
    let mut shutdown = shared.shutdown.clone();
    let linger = i64::try_from(shared.config.linger.as_millis()).unwrap_or(i64::MAX);
    while !*shutdown.borrow() {
        match shared.storage.fold_events(FOLD_BATCH, linger).await {
            Ok(folded) if folded as i64 == FOLD_BATCH => continue,
            Ok(_) => {}
            Err(error) => tracing::error!(%error, "could not apply received events; retrying"),
        }
        idle(shared.config.poll, Some(&shared.committed), &mut shutdown).await;
    }
}
