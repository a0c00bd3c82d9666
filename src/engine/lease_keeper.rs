//! The lease keeper: while the engine runs, it renews every lease this
//! process holds every third of a lease, so work in flight stays this
//! process's however long Salesforce takes to answer, and a killed process's
//! work comes back to the others (or to its own restart) within one lease.

use super::{Engine, idle, millis};

pub(super) async fn run(engine: Engine) {
    let shared = engine.shared.clone();
    let mut shutdown = shared.shutdown.clone();
    let every = shared.config.lease / 3;
    while !*shutdown.borrow() {
        idle(every, None, &mut shutdown).await;
        let until = engine.now().saturating_add(millis(shared.config.lease));
        match shared.storage.renew_leases(&shared.owner, until).await {
            Ok(renewed) if renewed > 0 => tracing::debug!(renewed, "leases renewed"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not renew leases; retrying"),
        }
    }
}
