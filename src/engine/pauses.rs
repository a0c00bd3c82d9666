//! Store pauses: when a store's org cannot take any work, its work waits as
//! a whole instead of each entity failing on its own. Two causes
//! ([`StoreBlock`]): the daily API allocation is spent (checked with
//! `/limits`, one counted call, every `pause_after`: a minute, doubling to
//! fifteen), or Salesforce is not answering at all (503 maintenance, 502,
//! refused connections: checked with a free `GET /services/data`, on the
//! retry schedule, so the work resumes within `retry_max` of the org's
//! return). Work deferred by a pause keeps its attempts, so an outage longer
//! than the retry backoffs parks nothing. A store that cannot connect
//! (credentials missing, a refused login) pauses too; a configuration change
//! ends a pause at once.

use crate::domain::sync::Outcome;
use crate::metrics;
use crate::salesforce::Error;
use crate::storage::sync::{ClaimedEntity, FinishedEntity};

use super::failures::{StoreBlock, store_block};
use super::step::StepReport;
use super::{Engine, EngineError, millis};

impl Engine {
    /// Pauses `store_id` after `checks` checks found it still blocked by
    /// `block` (`None`: it cannot connect), with `reason` for the status pages.
    pub(super) async fn pause(&self, store_id: i64, block: Option<StoreBlock>, reason: &str, checks: i64) {
        let config = &self.shared.config;
        let wait = match block {
            Some(StoreBlock::Outage) => config.outage_pause_after(checks),
            Some(StoreBlock::Budget) | None => config.pause_after(checks),
        };
        if checks == 0 {
            metrics::global().paused(reason);
            tracing::warn!(store_id, %reason, wait_ms = wait.as_millis() as u64, "pausing the store's sync");
        }
        let until = self.now() + millis(wait);
        if let Err(error) = self.shared.storage.pause_store(store_id, until, reason, checks).await {
            tracing::error!(%error, store_id, "could not record the pause");
        }
    }

    /// Pauses `store_id` for `error`, which stops its whole store ([`store_block`]).
    pub(super) async fn pause_for(&self, store_id: i64, error: &Error) {
        self.pause(store_id, store_block(error), &error.to_string(), 0).await;
    }

    /// The store cannot be processed now: pause it and put its work back.
    pub(super) async fn defer_store(
        &self,
        store_id: i64,
        entities: &[ClaimedEntity],
        error: &EngineError,
    ) -> Vec<Outcome> {
        let shared = &self.shared;
        let now = self.now();
        self.pause(store_id, connection_block(error), &error.to_string(), 0).await;
        // Due again at once: the store's pause holds it back, and ends with its cause. One
        // transaction for the whole batch (a claim is up to 500 entities), as outcomes are recorded.
        let outcome = Outcome::Deferred { retry_at: now };
        let finished: Vec<FinishedEntity<'_>> =
            entities.iter().map(|entity| FinishedEntity { entity, outcome: &outcome, records: &[] }).collect();
        for (index, error) in shared.storage.record_outcomes(&shared.owner, store_id, &finished, now).await {
            tracing::error!(%error, entity = %entities[index].label, "could not put work back");
        }
        vec![outcome; entities.len()]
    }

    /// Checks the stores whose pause ran out. A store resumes unless its cause
    /// is still there: the org still not answering (checked for free), its
    /// allocation still spent, or the store still unable to connect; then the
    /// next check waits twice as long (up to the cause's longest wait). A
    /// check that fails for any other reason (an expired session that a new
    /// login did not cure, a 500, a refused login) resumes the store, so the
    /// work itself meets that error and is retried or parked with its reason:
    /// no pause outlives its cause.
    #[tracing::instrument(
        name = "engine.check_pauses",
        skip_all,
        fields(checked = tracing::field::Empty, resumed = tracing::field::Empty)
    )]
    pub(super) async fn check_pauses(&self) -> StepReport {
        let shared = &self.shared;
        let mut report = StepReport::default();
        let Ok(expired) = shared.storage.expired_pauses(self.now()).await else { return report };
        for pause in expired {
            report.checked += 1;
            let blocked = match shared.connections.get(pause.store_id).await {
                Ok(connection) => still_blocked(&connection.client, connection.code.as_str()).await,
                Err(error) => Some((connection_block(&error), error.to_string())),
            };
            match blocked {
                None => {
                    report.resumed += 1;
                    tracing::info!(store_id = pause.store_id, "resuming the store's sync");
                    if let Err(error) = shared.storage.resume_store(pause.store_id).await {
                        tracing::error!(%error, store_id = pause.store_id, "could not end the pause");
                    }
                }
                Some((block, reason)) => self.pause(pause.store_id, block, &reason, pause.checks + 1).await,
            }
        }
        tracing::Span::current().record("checked", report.checked).record("resumed", report.resumed);
        report
    }
}

/// Whether a connected store's org still cannot take work, and why: first
/// the free probe (is it answering at all?), then `/limits` (is there budget?).
async fn still_blocked(client: &crate::salesforce::Client, store: &str) -> Option<(Option<StoreBlock>, String)> {
    let checked = match client.probe().await {
        Ok(()) => client.limits().await.map(|usage| usage.remaining() > 0),
        Err(error) => Err(error),
    };
    match checked {
        Ok(true) => None,
        Ok(false) => Some((Some(StoreBlock::Budget), "the daily API allocation is still spent".to_owned())),
        Err(error) => match store_block(&error) {
            Some(block) => Some((Some(block), error.to_string())),
            None => {
                tracing::info!(%store, %error, "the pause's check failed; resuming so the work reports it");
                None
            }
        },
    }
}

/// What a connection failure says about the store: an org not answering the
/// login is an outage; anything else (missing credentials, a refused login)
/// waits for the configuration.
fn connection_block(error: &EngineError) -> Option<StoreBlock> {
    match error {
        EngineError::Salesforce(error) => store_block(error),
        _ => None,
    }
}
