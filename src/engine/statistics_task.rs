//! The statistics task (PostgreSQL only): every [`EVERY`] it has the
//! backlog's tables analyzed when they changed by more than a fifth since
//! their last analysis (`storage::statistics`), so a burst of events is
//! folded and listed with plans made for its size, not for an empty table.

use std::time::Duration;

use super::{Engine, idle};

/// How often the tables' changes are looked at (one query on PostgreSQL's statistics views).
const EVERY: Duration = Duration::from_secs(20);

pub(super) async fn run(engine: Engine) {
    if engine.shared.storage.backend_name() != "postgres" {
        return;
    }
    let mut shutdown = engine.shared.shutdown.clone();
    while !*shutdown.borrow() {
        idle(EVERY, None, &mut shutdown).await;
        if *shutdown.borrow() {
            return;
        }
        match engine.shared.storage.refresh_statistics().await {
            Ok(analyzed) if !analyzed.is_empty() => tracing::info!(?analyzed, "refreshed planner statistics"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not refresh planner statistics; trying again later"),
        }
    }
}
