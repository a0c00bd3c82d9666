//! The wake sweep: every [`WAKE_SWEEP_EVERY`] (by the engine's clock) worker
//! 0, and [`Engine::step`], wake the entities blocked on a dependency that is
//! no longer pending (`storage::sync::blocked`). Finishing a dependency wakes
//! its dependents in the same transaction; the sweep only catches what a race
//! between replicas let through, so it runs rarely: it reads every blocked
//! entity's dependency.

use std::sync::atomic::Ordering;

use super::Engine;

/// How often blocked entities are checked against their dependency (ms).
pub(super) const WAKE_SWEEP_EVERY: i64 = 30_000;

impl Engine {
    /// Runs the sweep if the last one is `WAKE_SWEEP_EVERY` old; returns how many it woke.
    #[tracing::instrument(name = "engine.wake_sweep", skip_all, fields(woken = tracing::field::Empty))]
    pub(super) async fn wake_blocked(&self) -> u64 {
        let now = self.now();
        let last = self.shared.last_wake_sweep.load(Ordering::Relaxed);
        let due = last == i64::MIN || now.saturating_sub(last) >= WAKE_SWEEP_EVERY;
        if !due
            || self.shared.last_wake_sweep.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_err()
        {
            return 0;
        }
        match self.shared.storage.wake_unblocked().await {
            Ok(woken) => {
                tracing::Span::current().record("woken", woken);
                if woken > 0 {
                    tracing::info!(woken, "woke entities whose dependency was written meanwhile");
                }
                woken
            }
            Err(error) => {
                tracing::warn!(%error, "could not wake blocked entities; trying again later");
                0
            }
        }
    }
}
