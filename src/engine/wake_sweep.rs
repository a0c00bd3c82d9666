//! The wake sweep: every `EngineConfig::wake_sweep` (by the engine's clock) worker
//! 0, and [`Engine::step`], wake the entities blocked on a dependency that is
//! no longer pending (`storage::sync::blocked`). Finishing a dependency wakes
//! its dependents in the same transaction; the sweep only catches what a race
//! between replicas let through, so it runs rarely: it reads every blocked
//! entity's dependency.

use std::sync::atomic::Ordering;

use super::Engine;

impl Engine {
    /// Runs the sweep if the last one is `wake_sweep` old; returns how many it woke.
    #[tracing::instrument(name = "engine.wake_sweep", skip_all, fields(woken = tracing::field::Empty))]
    pub(super) async fn wake_blocked(&self) -> u64 {
        let now = self.now();
        let last = self.shared.last_wake_sweep.load(Ordering::Relaxed);
        let every = super::millis(self.shared.config.wake_sweep);
        let due = last == i64::MIN || now.saturating_sub(last) >= every;
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
