//! Inventory sync, an engine task of its own beside the entity flows: stores
//! with pending stock levels are leased one at a time, their levels pushed
//! to Salesforce ([`push`]: unchanged levels skipped, unknown SKUs found by
//! [`lookup`], writes by sObject Collections or a Bulk 2.0 job in [`write`]),
//! and the outcome recorded per SKU, as a push record and in the sync log.
//! A failed push leaves its levels pending and backs off; a spent API
//! allocation pauses the store like the entity flows do (the engine's pause
//! checks resume it). Steppable: [`Engine::step_inventory`].

mod lookup;
mod push;
mod write;

use std::ops::AddAssign;
use std::time::Duration;

use crate::salesforce::Error;
use crate::storage::inventory::PushRecord;
use crate::storage::runs::RunTable;
use crate::storage::sync::LogLine;

use super::failures::pauses_store;
use super::{Engine, idle, millis};

/// What an inventory step did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InventoryReport {
    /// Stores whose levels were pushed (or tried).
    pub pushes: usize,
    pub rows: usize,
    pub written: usize,
    pub unchanged: usize,
    pub unmatched: usize,
    pub failed: usize,
    pub created: usize,
    /// Pushes that stopped on an error (their levels stay pending).
    pub interrupted: usize,
}

impl AddAssign for InventoryReport {
    fn add_assign(&mut self, other: Self) {
        self.pushes += other.pushes;
        self.rows += other.rows;
        self.written += other.written;
        self.unchanged += other.unchanged;
        self.unmatched += other.unmatched;
        self.failed += other.failed;
        self.created += other.created;
        self.interrupted += other.interrupted;
    }
}

fn count(value: i64) -> usize {
    usize::try_from(value).unwrap_or_default()
}

impl Engine {
    /// One inventory turn: pushes every store whose pending levels are due
    /// now (not leased elsewhere, not backing off, not paused).
    pub async fn step_inventory(&self) -> InventoryReport {
        let shared = &self.shared;
        let mut report = InventoryReport::default();
        let due = match shared.storage.due_inventory_stores(self.now(), millis(shared.config.linger)).await {
            Ok(due) => due,
            Err(error) => {
                tracing::error!(%error, "could not look for due inventory; retrying");
                return report;
            }
        };
        // A big push outlasts an entity batch: its lease is ten of theirs.
        let lease = millis(shared.config.lease.saturating_mul(10));
        for store_id in due {
            match shared.storage.lease_inventory(store_id, &shared.owner, lease, self.now()).await {
                Ok(true) => report += self.push_inventory(store_id).await,
                Ok(false) => {}
                Err(error) => tracing::error!(%error, store_id, "could not lease the store's inventory"),
            }
        }
        report
    }

    #[tracing::instrument(name = "engine.inventory_push", skip_all, fields(store_id, store = tracing::field::Empty))]
    async fn push_inventory(&self, store_id: i64) -> InventoryReport {
        let shared = &self.shared;
        let started_at = self.now();
        let connection = match shared.connections.get(store_id).await {
            Ok(connection) => connection,
            Err(error) => {
                tracing::warn!(store_id, %error, "the store cannot push inventory now");
                self.release_inventory(store_id, started_at + millis(shared.config.pause_after(0)), None).await;
                return InventoryReport::default();
            }
        };
        tracing::Span::current().record("store", tracing::field::display(&connection.code));
        if !connection.settings.inventory.enabled {
            // Levels wait, unsent, until inventory sync is enabled.
            self.release_inventory(store_id, started_at + millis(shared.config.pause), Some(0)).await;
            return InventoryReport::default();
        }
        let pending = match shared.storage.pending_levels(store_id).await {
            Ok(pending) => pending,
            Err(error) => {
                tracing::error!(%error, "could not load pending levels");
                self.release_inventory(store_id, started_at, None).await;
                return InventoryReport::default();
            }
        };
        let outcome = push::run(&connection, &shared.config.bulk_poll, pending).await;
        shared.connections.save_usage(&connection).await;
        if let Err(error) = shared.storage.record_levels(store_id, &outcome.results, self.now()).await {
            tracing::error!(%error, "could not record the pushed levels; they are pushed again");
        }
        let record = PushRecord {
            started_at,
            finished_at: self.now(),
            error: outcome.error.as_ref().map(ToString::to_string),
            ..outcome.record
        };
        self.log_push(store_id, &connection.settings.logging, &record).await;
        let report = InventoryReport {
            pushes: 1,
            rows: count(record.rows_total),
            written: count(record.written),
            unchanged: count(record.unchanged),
            unmatched: count(record.unmatched),
            failed: count(record.failed),
            created: count(record.created),
            interrupted: usize::from(outcome.error.is_some()),
        };
        self.after_push(store_id, outcome.error.as_ref()).await;
        report
    }

    /// Records the push and its sync-log line.
    async fn log_push(&self, store_id: i64, logging: &crate::domain::settings::Logging, record: &PushRecord) {
        let shared = &self.shared;
        // Event ids are remembered as long as received events are (a repeat within it is a duplicate).
        let forget_before = self.now() - millis(shared.config.retention);
        if let Err(error) = shared.storage.record_push(store_id, record, forget_before).await {
            tracing::error!(%error, "could not record the push");
        }
        let mut message = format!(
            "inventory push ({}): {} levels, {} written, {} unchanged, {} unmatched, {} failed, {} created, {} API calls",
            record.method,
            record.rows_total,
            record.written,
            record.unchanged,
            record.unmatched,
            record.failed,
            record.created,
            record.api_calls
        );
        if let Some(error) = &record.error {
            message.push_str(&format!("; stopped: {error}"));
        }
        tracing::info!(%message, "inventory pushed");
        if logging.enabled && logging.database_logging {
            let level = if record.error.is_some() || record.failed > 0 { "warn" } else { "info" };
            let line = LogLine { level, entity: "inventory".into(), message };
            if let Err(error) =
                shared.storage.append_sync_log(store_id, &[line], i64::from(logging.database_log_limit)).await
            {
                tracing::error!(%error, "could not write the sync log");
            }
        }
    }

    /// After a push: due again at once when it finished; a spent allocation
    /// pauses the store; any other stop backs off exponentially.
    async fn after_push(&self, store_id: i64, error: Option<&Error>) {
        let shared = &self.shared;
        let now = self.now();
        match error {
            None => self.release_inventory(store_id, now, Some(0)).await,
            Some(error) if pauses_store(error) => {
                self.pause_for(store_id, error).await;
                self.release_inventory(store_id, now, None).await;
            }
            Some(_) => {
                let attempts = shared.storage.run_attempts(RunTable::Inventory, store_id).await.unwrap_or_default() + 1;
                let wait = super::doubling(shared.config.retry_base, shared.config.retry_max, attempts - 1);
                self.release_inventory(store_id, now + millis(wait), Some(attempts)).await;
            }
        }
    }

    /// Gives the store's lease back; `attempts` `None` keeps the count.
    async fn release_inventory(&self, store_id: i64, next_run_at: i64, attempts: Option<i64>) {
        let shared = &self.shared;
        let attempts = match attempts {
            Some(attempts) => attempts,
            None => shared.storage.run_attempts(RunTable::Inventory, store_id).await.unwrap_or_default(),
        };
        if let Err(error) =
            shared.storage.release_run(RunTable::Inventory, store_id, &shared.owner, next_run_at, attempts).await
        {
            tracing::error!(%error, store_id, "could not release the inventory lease; it expires on its own");
        }
    }
}

/// The inventory task: steps until shutdown, idling `poll` when nothing was due.
pub(super) async fn run(engine: Engine) {
    let mut shutdown = engine.shared.shutdown.clone();
    while !*shutdown.borrow() {
        let report = tokio::select! {
            _ = shutdown.changed() => return,
            report = engine.step_inventory() => report,
        };
        if report.pushes == 0 {
            idle(engine.shared.config.poll.max(Duration::from_millis(10)), None, &mut shutdown).await;
        }
    }
}
