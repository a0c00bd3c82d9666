//! The sync engine: folds received events into entities ([`fold_task`]), then
//! workers lease due entities, plan their Salesforce writes, pack them into
//! composite graphs (or single calls, for the naive baseline), send them and
//! record the outcome ([`step`], [`worker`], [`store_batch`], [`send`]). No
//! database transaction is held across a Salesforce call; leases let a crashed
//! worker's work come back. Time comes from the configured [`Clock`], so
//! tests step the engine ([`Engine::step`]) with a [`TestClock`].
//!
//! The core (fold, lease, plan, look up, send, record) knows no flow: what is
//! specific to customers, products and sales lives in [`flows`], one module
//! per flow, reached through `flows::Flow` (by `EntityKind`) and
//! `flows::BatchFlows`. A new flow (shipments, inventory) is a domain plan
//! plus a module there and one arm in `Flow::of`; see [`flows`] for the steps.

mod changes;
pub mod clock;
pub mod connections;
mod failures;
mod flows;
mod fold_task;
mod inventory;
mod lease_keeper;
mod lookups;
mod named_values;
mod org_facts;
mod packed_graphs;
mod pauses;
mod report;
mod retained;
mod retention_task;
mod send;
mod statistics_task;
mod step;
mod store_batch;
mod subrequests;
mod wake_sweep;
mod worker;

use std::sync::Arc;
use std::sync::atomic::AtomicI64;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;

use crate::domain::sync::RetryRules;
use crate::salesforce;
use crate::storage::{Storage, StorageError};

pub use changes::ChangesReport;
pub use clock::{Clock, SystemClock, TestClock};
pub use connections::Connections;
pub use inventory::InventoryReport;
pub use packed_graphs::GRAPH_NODES;
pub use retained::RetainedSizes;
pub use step::{Engine, StepReport};

/// How writes reach Salesforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// Composite graphs (many entities per request) and collections.
    Batched,
    /// One REST request per record: the baseline the benchmark compares with.
    Naive,
}

/// Engine tuning; the defaults suit production, tests shorten the times.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Concurrent workers (each sends one request at a time).
    pub workers: usize,
    /// Entities leased per batch.
    pub batch_size: i64,
    /// How long due work may wait for a full batch (zero: claim at once).
    pub batch_wait: Duration,
    /// How long a lease lasts unless renewed: the engine renews its leases
    /// every third of it, so this is how soon a killed server's work is taken
    /// up again (by another replica, or by the server once restarted).
    pub lease: Duration,
    /// How long a changed entity waits for more events before it is written.
    pub linger: Duration,
    /// How often idle workers look for due work.
    pub poll: Duration,
    /// Backoff after transient errors: base × 2^(attempt−1), capped, with jitter.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// Transient failures in a row before an entity is parked.
    pub max_attempts: i64,
    /// How long a paused store (an org out of API budget, a store not
    /// configured) waits before its first check; each failed check doubles
    /// the wait, up to `pause`. A configuration change ends a pause at once.
    pub pause_first: Duration,
    /// The longest wait between two checks of a paused store.
    pub pause: Duration,
    pub strategy: Strategy,
    /// How long received events and sync-log rows are kept once Salesforce
    /// holds what they brought (events of work not yet synced are kept).
    pub retention: Duration,
    /// How often old events and log rows are pruned.
    pub prune_every: Duration,
    /// How often entities blocked on a dependency are checked against it (the
    /// backstop sweep; a dependency's finish wakes its dependents itself).
    pub wake_sweep: Duration,
    /// Where the engine reads now (the wall clock, or a test's clock).
    pub clock: Arc<dyn Clock>,
    /// Spawn no tasks: the engine moves only when stepped ([`EngineHandle::engine`]).
    pub manual: bool,
    /// How inventory pushes wait for their Bulk 2.0 jobs.
    pub bulk_poll: salesforce::bulk::PollPolicy,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            workers: 4,
            batch_size: 500,
            batch_wait: Duration::from_millis(500),
            lease: Duration::from_secs(30),
            linger: Duration::from_millis(200),
            poll: Duration::from_millis(100),
            retry_base: Duration::from_secs(2),
            retry_max: Duration::from_secs(300),
            max_attempts: 12,
            pause_first: Duration::from_secs(60),
            pause: Duration::from_secs(15 * 60),
            strategy: Strategy::Batched,
            retention: Duration::from_secs(30 * 24 * 3600),
            prune_every: Duration::from_secs(10 * 60),
            wake_sweep: Duration::from_secs(30),
            clock: Arc::new(SystemClock),
            manual: false,
            bulk_poll: salesforce::bulk::PollPolicy::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Salesforce(#[from] salesforce::Error),
    /// The store cannot connect yet (no credentials, for example).
    #[error("the store is not configured: {0}")]
    NotConfigured(String),
    #[error("the store's secrets could not be opened: {0}")]
    Secrets(String),
}

/// What the tasks share.
#[derive(Debug)]
struct Shared {
    storage: Storage,
    connections: Arc<Connections>,
    config: EngineConfig,
    /// This process's lease owner id.
    owner: String,
    /// Notified after events are committed.
    committed: Arc<Notify>,
    /// Notified when changes for the stores were queued.
    changes: Arc<Notify>,
    shutdown: watch::Receiver<bool>,
    /// When the wake sweep last ran, by the engine's clock (`i64::MIN`: never).
    last_wake_sweep: AtomicI64,
}

impl EngineConfig {
    /// The wait before a paused store's next check, after `checks` checks that found it still blocked.
    pub fn pause_after(&self, checks: i64) -> Duration {
        doubling(self.pause_first, self.pause, checks)
    }

    /// The wait before the next check of a store whose org is not answering
    /// (an outage), after `checks` checks that found it still down: the retry
    /// backoff's waits, since the check is free (`Client::probe`), so the
    /// work resumes within `retry_max` of the org's return.
    pub fn outage_pause_after(&self, checks: i64) -> Duration {
        doubling(self.retry_base, self.retry_max, checks)
    }

    /// How failed attempts are retried.
    pub fn retry_rules(&self) -> RetryRules {
        RetryRules { base: self.retry_base, max: self.retry_max, max_attempts: self.max_attempts }
    }
}

/// `first`, doubled `times` times, capped at `max`.
fn doubling(first: Duration, max: Duration, times: i64) -> Duration {
    let attempt = u32::try_from(times.clamp(0, 20)).unwrap_or(20) + 1;
    crate::domain::sync::retry::backoff(first, max, attempt, 1.0)
}

/// The running engine; [`EngineHandle::shutdown`] stops it and releases its leases.
#[derive(Debug)]
pub struct EngineHandle {
    engine: Engine,
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
    storage: Storage,
    owner: String,
}

/// Starts the fold task and `config.workers` workers (none when `config.manual`).
/// `connections` may be shared (the web console reads the API budget they saw); `changes` is notified when
/// changes were queued for the stores (WatchChanges waits on it).
pub fn start(
    storage: Storage,
    connections: Arc<Connections>,
    config: EngineConfig,
    committed: Arc<Notify>,
    changes: Arc<Notify>,
) -> EngineHandle {
    let (stop, shutdown) = watch::channel(false);
    let owner = lease_owner();
    let workers = if config.manual { 0 } else { config.workers.max(1) };
    let shared = Arc::new(Shared {
        storage: storage.clone(),
        connections,
        config,
        owner: owner.clone(),
        committed,
        changes,
        shutdown,
        last_wake_sweep: AtomicI64::new(i64::MIN),
    });
    let engine = Engine { shared: shared.clone() };
    let mut tasks = JoinSet::new();
    if workers > 0 {
        tasks.spawn(fold_task::run(engine.clone()));
    }
    for index in 0..workers {
        tasks.spawn(worker::run(engine.clone(), index));
    }
    if workers > 0 {
        tasks.spawn(lease_keeper::run(engine.clone()));
        tasks.spawn(retention_task::run(engine.clone()));
        tasks.spawn(statistics_task::run(engine.clone()));
        tasks.spawn(inventory::run(engine.clone()));
        tasks.spawn(changes::run(engine.clone()));
    }
    tracing::info!(workers, owner = %owner, "sync engine started");
    EngineHandle { engine, stop, tasks, storage, owner }
}

impl EngineHandle {
    /// The engine, to step by hand (with `manual`, nothing else moves it).
    pub fn engine(&self) -> Engine {
        self.engine.clone()
    }

    /// Stops claiming, abandons in-flight batches (their upserts are safe to
    /// repeat) and releases every lease this process holds.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
        match self.storage.release_leases(&self.owner).await {
            Ok(released) => tracing::info!(released, "sync engine stopped"),
            Err(error) => tracing::warn!(%error, "could not release leases; they expire on their own"),
        }
    }
}

/// A lease owner id unique to this process run.
fn lease_owner() -> String {
    let mut bytes = [0u8; 6];
    let _ = getrandom::fill(&mut bytes);
    let suffix: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{suffix}", std::process::id())
}

/// A duration in milliseconds, as the storage layer counts time.
fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// Waits `delay`, or less when `notify` fires or shutdown begins.
async fn idle(delay: Duration, notify: Option<&Notify>, shutdown: &mut watch::Receiver<bool>) {
    let notified = async {
        match notify {
            Some(notify) => notify.notified().await,
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::time::sleep(delay) => {}
        _ = notified => {}
        _ = shutdown.changed() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paused_store_is_checked_ever_less_often_up_to_the_longest_pause() {
        let config = EngineConfig::default();
        let waits: Vec<u64> = (0..7).map(|checks| config.pause_after(checks).as_secs()).collect();
        assert_eq!(waits, [60, 120, 240, 480, 900, 900, 900]);
        assert_eq!(config.pause_after(i64::MAX), config.pause);
    }

    #[test]
    fn an_org_that_does_not_answer_is_checked_on_the_retry_schedule() {
        let config = EngineConfig::default();
        let waits: Vec<u64> = (0..10).map(|checks| config.outage_pause_after(checks).as_secs()).collect();
        assert_eq!(waits, [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]);
        assert_eq!(config.outage_pause_after(i64::MAX), config.retry_max);
        assert_eq!(config.outage_pause_after(-3), config.retry_base);
    }
}
