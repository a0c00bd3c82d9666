//! One turn of the engine, steppable: [`Engine::step`] folds received events,
//! checks the stores whose pause ran out, then leases one batch of due
//! entities, processes each store's share against its org and records every
//! outcome. The spawned workers run the same pieces in a loop; tests call
//! `step` or [`Engine::drain`] with a [`super::TestClock`] instead, so pauses
//! and backoffs run out when the test moves the clock.

use std::collections::BTreeMap;
use std::ops::AddAssign;
use std::sync::Arc;

use crate::domain::sync::Outcome;
use crate::metrics::StoreLabel;
use crate::salesforce::tally;
use crate::storage::sync::{ClaimedEntity, FinishedEntity};

use super::report;
use super::store_batch::{self, Finished};
use super::{Shared, millis};

/// Events folded per step (and per transaction of the fold task).
pub(super) const FOLD_BATCH: i64 = 500;

/// The sync engine, to be stepped by hand ([`super::EngineConfig::manual`])
/// or run by its spawned tasks. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Engine {
    pub(super) shared: Arc<Shared>,
}

/// What a step (or a drain) did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepReport {
    /// Received events applied to entities.
    pub folded: usize,
    /// Paused stores whose cause was checked (when connected: the free version
    /// list, then one `/limits` call if the org answered).
    pub checked: usize,
    /// Of those, stores resumed.
    pub resumed: usize,
    /// Entities leased.
    pub claimed: usize,
    pub synced: usize,
    pub waiting: usize,
    pub retried: usize,
    pub parked: usize,
    pub deferred: usize,
}

impl AddAssign for StepReport {
    fn add_assign(&mut self, other: Self) {
        self.folded += other.folded;
        self.checked += other.checked;
        self.resumed += other.resumed;
        self.claimed += other.claimed;
        self.synced += other.synced;
        self.waiting += other.waiting;
        self.retried += other.retried;
        self.parked += other.parked;
        self.deferred += other.deferred;
    }
}

impl StepReport {
    fn count(&mut self, outcome: &Outcome) {
        match outcome {
            Outcome::Synced => self.synced += 1,
            Outcome::Waiting(_) => self.waiting += 1,
            Outcome::Retry { .. } => self.retried += 1,
            Outcome::Parked(_) => self.parked += 1,
            Outcome::Deferred { .. } => self.deferred += 1,
        }
    }
}

/// Steps a drain takes at most (work that keeps coming back due at once stops here).
const DRAIN_STEPS: usize = 1_000;

impl Engine {
    /// Now, by the engine's clock.
    pub fn now(&self) -> i64 {
        self.shared.config.clock.now_millis()
    }

    /// One turn: fold received events, check expired pauses (and, now and
    /// then, blocked entities: [`super::wake_sweep`]), then lease one
    /// batch of due work (without waiting to fill it), process and record it.
    pub async fn step(&self) -> StepReport {
        let mut report = StepReport { folded: self.fold().await, ..StepReport::default() };
        report += self.check_pauses().await;
        self.wake_blocked().await;
        let claimed = self.claim().await;
        report += self.work(claimed).await;
        report
    }

    /// Steps until a step finds nothing to fold and nothing due by the
    /// engine's clock (which it does not move); returns what all steps did.
    pub async fn drain(&self) -> StepReport {
        let mut total = StepReport::default();
        for _ in 0..DRAIN_STEPS {
            let report = self.step().await;
            total += report;
            if report.folded == 0 && report.claimed == 0 {
                break;
            }
        }
        total
    }

    /// Applies up to `FOLD_BATCH` received events; returns how many.
    #[tracing::instrument(name = "engine.fold", skip_all, fields(folded = tracing::field::Empty))]
    pub(super) async fn fold(&self) -> usize {
        let linger = millis(self.shared.config.linger);
        match self.shared.storage.fold_events(FOLD_BATCH, linger, self.now()).await {
            Ok(folded) => {
                tracing::Span::current().record("folded", folded);
                folded
            }
            Err(error) => {
                tracing::error!(%error, "could not apply received events; retrying");
                0
            }
        }
    }

    /// Leases a batch of the work due now.
    #[tracing::instrument(name = "engine.claim", skip_all, fields(batch_size = self.shared.config.batch_size, claimed = tracing::field::Empty))]
    pub(super) async fn claim(&self) -> Vec<ClaimedEntity> {
        let shared = &self.shared;
        let lease = millis(shared.config.lease);
        match shared.storage.claim_entities(&shared.owner, shared.config.batch_size, lease, self.now()).await {
            Ok(claimed) => {
                tracing::Span::current().record("claimed", claimed.len());
                claimed
            }
            Err(error) => {
                tracing::error!(%error, "could not lease work; retrying");
                Vec::new()
            }
        }
    }

    /// Processes leased work, store by store, and records every outcome.
    #[tracing::instrument(name = "engine.work", skip_all, fields(claimed = claimed.len()))]
    pub(super) async fn work(&self, claimed: Vec<ClaimedEntity>) -> StepReport {
        let mut report = StepReport { claimed: claimed.len(), ..StepReport::default() };
        // A full batch: more work is due, so a sparse last request can wait for it.
        let more_due = i64::try_from(claimed.len()).is_ok_and(|claimed| claimed >= self.shared.config.batch_size);
        let mut by_store: BTreeMap<i64, Vec<ClaimedEntity>> = BTreeMap::new();
        for entity in claimed {
            by_store.entry(entity.store_id).or_default().push(entity);
        }
        for (store_id, entities) in by_store {
            for outcome in self.process_store(store_id, entities, more_due).await {
                report.count(&outcome);
            }
        }
        report
    }

    #[tracing::instrument(
        name = "engine.store_batch",
        skip_all,
        fields(store_id = store_id, store = tracing::field::Empty, entities = entities.len())
    )]
    async fn process_store(&self, store_id: i64, entities: Vec<ClaimedEntity>, more_due: bool) -> Vec<Outcome> {
        let shared = &self.shared;
        let connection = match shared.connections.get(store_id).await {
            Ok(connection) => {
                tracing::Span::current().record("store", tracing::field::display(&connection.code));
                connection
            }
            Err(error) => return self.defer_store(store_id, &entities, &error).await,
        };
        let (result, requests) = tally::counted(store_batch::process(shared, &connection, &entities, more_due)).await;
        shared.connections.save_usage(&connection).await;
        for (kind, count) in requests.by_kind() {
            tracing::info!(store = %connection.code, request_kind = kind, requests = count, "Salesforce requests");
        }
        let store: StoreLabel = connection.code.as_str().into();
        report::count_written(&store, &result.shared_records);
        if let Some(error) = &result.pause {
            self.pause_for(store_id, error).await;
        }
        if let Err(error) = shared.storage.record_writes(store_id, None, &result.shared_records).await {
            tracing::error!(%error, "could not record written products");
        }
        self.record(store_id, &store, &connection.settings.logging, result.finished).await
    }

    #[tracing::instrument(name = "engine.record", skip_all, fields(store_id = store_id, entities = finished.len()))]
    async fn record(
        &self,
        store_id: i64,
        store: &StoreLabel,
        logging: &crate::domain::settings::Logging,
        finished: Vec<Finished>,
    ) -> Vec<Outcome> {
        let shared = &self.shared;
        let now = self.now();
        let rows: Vec<FinishedEntity<'_>> = finished
            .iter()
            .map(|done| FinishedEntity { entity: &done.entity, outcome: &done.outcome, records: &done.records })
            .collect();
        let mut unrecorded = vec![false; finished.len()];
        for (index, error) in shared.storage.record_outcomes(&shared.owner, store_id, &rows, now).await {
            tracing::error!(%error, entity = %finished[index].entity.label, "could not record the outcome");
            unrecorded[index] = true;
        }
        drop(rows);
        let (mut lines, mut outcomes) = (Vec::with_capacity(finished.len()), Vec::with_capacity(finished.len()));
        for (done, unrecorded) in finished.into_iter().zip(unrecorded) {
            if !unrecorded && matches!(done.outcome, Outcome::Synced) {
                report::count_written(store, &done.records);
                if let Some(since) = done.entity.pending_since {
                    let waited = u64::try_from(now.saturating_sub(since)).unwrap_or(0);
                    crate::metrics::global().synced(store, std::time::Duration::from_millis(waited));
                }
            }
            report::log_outcome(store, &done);
            lines.extend(done.log);
            outcomes.push(done.outcome);
        }
        if logging.enabled && logging.database_logging {
            let keep = i64::from(logging.database_log_limit);
            if let Err(error) = shared.storage.append_sync_log(store_id, &lines, keep).await {
                tracing::error!(%error, "could not write the sync log");
            }
        }
        outcomes
    }
}
