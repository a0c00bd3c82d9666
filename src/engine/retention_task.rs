//! The retention task: every `prune_every` it deletes received events and
//! sync-log rows older than `retention` whose work Salesforce already holds
//! (see `storage::sync::retention`), a small batch at a time, yielding
//! between batches so the intake never waits long for the database, and
//! stopping between batches when the engine shuts down.

use crate::storage::sync::Pruned;

use super::{Engine, idle, millis};

/// Rows deleted per statement.
const PRUNE_BATCH: i64 = 500;

pub(super) async fn run(engine: Engine) {
    let mut shutdown = engine.shared.shutdown.clone();
    while !*shutdown.borrow() {
        idle(engine.shared.config.prune_every, None, &mut shutdown).await;
        if *shutdown.borrow() {
            return;
        }
        engine.prune().await;
    }
}

impl Engine {
    /// Prunes everything older than the retention, batch by batch; returns what went.
    #[tracing::instrument(name = "engine.prune", skip_all, fields(events, log_rows))]
    pub async fn prune(&self) -> Pruned {
        let cutoff = self.now().saturating_sub(millis(self.shared.config.retention));
        let mut total = Pruned::default();
        let shutdown = self.shared.shutdown.clone();
        while !*shutdown.borrow() {
            match self.shared.storage.prune_before(cutoff, PRUNE_BATCH).await {
                Ok(pruned) => {
                    total.events += pruned.events;
                    total.log_rows += pruned.log_rows;
                    total.changes += pruned.changes;
                    if !pruned.full(PRUNE_BATCH) {
                        break;
                    }
                }
                Err(error) => {
                    tracing::warn!(%error, "could not prune old events; trying again later");
                    break;
                }
            }
            tokio::task::yield_now().await;
        }
        tracing::Span::current().record("events", total.events).record("log_rows", total.log_rows);
        if total.events + total.log_rows + total.changes > 0 {
            let (events, log_rows, changes) = (total.events, total.log_rows, total.changes);
            tracing::info!(events, log_rows, changes, "pruned past the retention");
        }
        total
    }
}
