//! Change capture for bidirectional stores, an engine task of its own: each
//! due store is leased by one process, then every watched object is polled
//! once by `SystemModstamp` through `queryAll` ([`poll`]: edits, deletions
//! and, on Order, the orders to download, in one request per object), with an
//! overlap window so a late commit with an older stamp is still read, and
//! changes deduplicated by (Id, SystemModstamp); after a gap of over a day
//! deletions are also read from `/deleted` ([`tombstones`]). Orders the store has
//! acknowledged with its own number are stamped with forcesync's key
//! ([`stamp`]). The send path keeps what forcesync wrote ([`written_body`])
//! and a store's pending write gives way to fields Salesforce won
//! ([`adjust`]). Steppable: [`Engine::step_changes`].

mod adjust;
mod poll;
mod row;
mod stamp;
mod tombstones;

use std::time::Duration;

use serde_json::Value;

use crate::domain::lifecycle::PlannedWrite;
use crate::domain::settings::{IntegrationMode, StoreSettings};
use crate::storage::runs::RunTable;

use super::subrequests::ReadyWrite;
use super::{Engine, idle, millis};

pub(super) use adjust::adjust;

/// How far before the watermark each poll starts again: a transaction that
/// commits late carries an older SystemModstamp than rows already read.
pub const OVERLAP: Duration = Duration::from_secs(300);

/// The objects whose written body is kept for the way back.
const WATCHABLE: [&str; 4] = ["Account", "Contact", "Opportunity", "Order"];

/// What a capture step did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangesReport {
    /// Stores polled.
    pub stores: usize,
    /// Salesforce requests made.
    pub requests: u64,
    /// Changes queued for the stores.
    pub queued: u64,
    /// Downloaded orders stamped with forcesync's key.
    pub stamped: usize,
    /// Stores whose run stopped on an error.
    pub failed: usize,
}

/// Whether the send path keeps the bodies it writes (the way back needs them).
pub fn keeps_bodies(settings: &StoreSettings) -> bool {
    settings.integration_mode == IntegrationMode::Bidirectional
}

/// The planned body written for `node`, as JSON, when its object can be watched.
pub(super) fn written_body(operations: &[PlannedWrite], node: &ReadyWrite) -> Option<String> {
    if !WATCHABLE.contains(&node.object.as_str()) {
        return None;
    }
    let operation = operations.iter().find(|op| op.object() == node.object && op.key() == node.key)?;
    Some(operation.body().to_string())
}

/// The poll interval, stretched when the org's API budget runs low: four
/// times under 20% left, ten times under 10%.
pub fn interval(settings: &StoreSettings, remaining_ratio: Option<f64>) -> Duration {
    let base = Duration::from_secs(u64::from(settings.change_capture.poll_interval_secs));
    match remaining_ratio {
        Some(left) if left < 0.10 => base.saturating_mul(10),
        Some(left) if left < 0.20 => base.saturating_mul(4),
        _ => base,
    }
}

impl Engine {
    /// One capture turn: polls every store whose capture is due now.
    pub async fn step_changes(&self) -> ChangesReport {
        let shared = &self.shared;
        let mut report = ChangesReport::default();
        let due = match shared.storage.due_change_stores(self.now()).await {
            Ok(due) => due,
            Err(error) => {
                tracing::error!(%error, "could not look for due change capture; retrying");
                return report;
            }
        };
        let lease = millis(shared.config.lease.saturating_mul(4));
        for store_id in due {
            match shared.storage.lease_changes(store_id, &shared.owner, lease, self.now()).await {
                Ok(true) => self.capture_store(store_id, &mut report).await,
                Ok(false) => {}
                Err(error) => tracing::error!(%error, store_id, "could not lease the store's change capture"),
            }
        }
        report
    }

    #[tracing::instrument(name = "engine.capture", skip_all, fields(store_id, store = tracing::field::Empty))]
    async fn capture_store(&self, store_id: i64, report: &mut ChangesReport) {
        let shared = &self.shared;
        let connection = match shared.connections.get(store_id).await {
            Ok(connection) => connection,
            // Not configured (yet): looked at again later, for free.
            Err(_) => return self.release_changes(store_id, self.now() + millis(Duration::from_secs(60)), 0).await,
        };
        tracing::Span::current().record("store", tracing::field::display(&connection.code));
        if connection.settings.integration_mode != IntegrationMode::Bidirectional {
            return self.release_changes(store_id, self.now() + millis(Duration::from_secs(60)), 0).await;
        }
        report.stores += 1;
        let remaining = connection.client.budget().latest().map(|usage| usage.remaining_ratio());
        let wait = interval(&connection.settings, remaining);
        let outcome = async {
            let stamped = stamp::run(self, &connection).await?;
            let polled = poll::run(self, &connection).await?;
            Ok::<_, crate::salesforce::Error>((stamped, polled))
        }
        .await;
        shared.connections.save_usage(&connection).await;
        match outcome {
            Ok((stamped, polled)) => {
                report.stamped += stamped.0;
                report.requests += stamped.1 + polled.requests;
                report.queued += polled.queued;
                self.release_changes(store_id, self.now() + millis(wait), 0).await;
            }
            Err(error) => {
                report.failed += 1;
                let attempts = shared.storage.run_attempts(RunTable::Changes, store_id).await.unwrap_or_default() + 1;
                let exponent = u32::try_from(attempts.clamp(1, 20) - 1).unwrap_or(0);
                let backoff = shared.config.retry_base.saturating_mul(2u32.saturating_pow(exponent));
                tracing::warn!(%error, attempts, "change capture failed; trying again later");
                let next =
                    self.now() + millis(backoff.min(shared.config.retry_max).min(wait.max(shared.config.retry_base)));
                self.release_changes(store_id, next, attempts).await;
            }
        }
        if report.queued > 0 {
            shared.changes.notify_waiters();
        }
    }

    async fn release_changes(&self, store_id: i64, next_run_at: i64, attempts: i64) {
        let shared = &self.shared;
        if let Err(error) =
            shared.storage.release_run(RunTable::Changes, store_id, &shared.owner, next_run_at, attempts).await
        {
            tracing::error!(%error, store_id, "could not release the change capture lease; it expires on its own");
        }
    }
}

/// The capture task: steps as often as the engine polls for work (each store
/// keeps its own interval), until shutdown.
pub(super) async fn run(engine: Engine) {
    let mut shutdown = engine.shared.shutdown.clone();
    let tick = engine.shared.config.poll.max(Duration::from_millis(200));
    while !*shutdown.borrow() {
        engine.step_changes().await;
        idle(tick, None, &mut shutdown).await;
    }
}

/// A Salesforce datetime (`2024-05-01T10:00:05.000+0000`) in Unix ms.
pub fn parse_modstamp(value: &Value) -> Option<i64> {
    let text = value.as_str()?;
    let parsed = chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z").ok()?;
    Some(parsed.timestamp_millis())
}

/// Unix ms as a SOQL datetime literal (whole seconds: filters ignore fractions).
pub fn soql_datetime(millis: i64) -> String {
    let at = chrono::DateTime::from_timestamp_millis(millis.max(0)).unwrap_or_default();
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settings::StoreSettings;

    #[test]
    fn modstamps_read_and_write_in_salesforce_formats() {
        let at = parse_modstamp(&Value::String("2026-12-04T10:00:05.250+0000".into()));
        assert_eq!(at, Some(1_796_378_405_250));
        assert_eq!(soql_datetime(1_796_378_405_250), "2026-12-04T10:00:05Z");
        assert_eq!(parse_modstamp(&Value::Null), None);
    }

    #[test]
    fn a_low_api_budget_stretches_the_poll_interval() {
        let settings = StoreSettings::default();
        let base = interval(&settings, None);
        assert_eq!(base, Duration::from_secs(60));
        assert_eq!(interval(&settings, Some(0.5)), base);
        assert_eq!(interval(&settings, Some(0.15)), base * 4);
        assert_eq!(interval(&settings, Some(0.05)), base * 10);
    }
}
