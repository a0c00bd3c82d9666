//! One push of a store's pending levels: skip the unchanged, find unknown
//! SKUs, write the rest by the cheapest method, look records that Salesforce
//! says are gone up again (once) and write those, create or report the
//! unmatched. Every level gets a result except those a stopping error left
//! unwritten, which stay pending.

use crate::domain::inventory::{self, Action, Pending, WriteMethod, record_gone, write_method};
use crate::salesforce::bulk::PollPolicy;
use crate::salesforce::{Error, ErrorClass};
use crate::storage::inventory::{LevelResult, LevelState, PushRecord};

use super::super::connections::StoreConnection;
use super::{lookup, write};

/// A push's results, counts and the error that stopped it (if one did).
#[derive(Debug, Default)]
pub(super) struct PushOutcome {
    pub results: Vec<LevelResult>,
    pub record: PushRecord,
    pub error: Option<Error>,
}

impl PushOutcome {
    fn result(&mut self, level: &Pending, state: LevelState, written: Option<String>, record_id: Option<String>) {
        self.results.push(LevelResult {
            sku: level.sku.clone(),
            as_of: level.as_of,
            state,
            written,
            record_id,
            error: None,
        });
    }

    fn written(&mut self, level: &Pending, record_id: &str) {
        self.record.written += 1;
        self.result(level, LevelState::Written, Some(level.quantity.clone()), Some(record_id.to_owned()));
    }

    fn unmatched(&mut self, level: &Pending) {
        self.record.unmatched += 1;
        self.result(level, LevelState::Unmatched, level.written.clone(), None);
    }

    /// A write's error: the record is gone (looked up again), the push must
    /// stop and retry (transient, limits), or the row was refused.
    fn refused(&mut self, level: &Pending, record_id: Option<&str>, error: Error, gone: &mut Vec<Pending>) {
        if record_gone(&error.code) && record_id.is_some() {
            gone.push(level.clone());
            return;
        }
        if matches!(error.class, ErrorClass::Transient | ErrorClass::Session | ErrorClass::Limit) {
            self.result(level, LevelState::Pending, level.written.clone(), record_id.map(str::to_owned));
            self.error.get_or_insert(error);
            return;
        }
        self.record.failed += 1;
        self.results.push(LevelResult {
            sku: level.sku.clone(),
            as_of: level.as_of,
            state: LevelState::Failed,
            written: level.written.clone(),
            record_id: record_id.map(str::to_owned),
            error: Some((error.code.clone(), error.message.clone())),
        });
    }

    /// Stops the push: levels without a result stay pending.
    fn stop(mut self, error: Error) -> Self {
        self.error.get_or_insert(error);
        self
    }
}

/// Pushes `pending` (one level per SKU) for the store.
pub(super) async fn run(connection: &StoreConnection, poll: &PollPolicy, pending: Vec<Pending>) -> PushOutcome {
    let mut out = PushOutcome::default();
    out.record.rows_total = i64::try_from(pending.len()).unwrap_or(i64::MAX);
    out.record.method = "none".into();
    let (mut writes, mut unknown) = (Vec::new(), Vec::new());
    for level in pending {
        match inventory::action(&level) {
            Action::Unchanged => {
                out.record.unchanged += 1;
                out.result(&level, LevelState::Written, level.written.clone(), level.record_id.clone());
            }
            Action::Lookup => unknown.push(level),
            Action::Write => writes.push(level),
        }
    }
    let mut calls = 0i64;
    let settings = &connection.settings.inventory;
    let client = &connection.client;
    let mut missing = Vec::new();
    if !unknown.is_empty() {
        let skus: Vec<String> = unknown.iter().map(|l| l.sku.clone()).collect();
        match lookup::find(client, settings, &skus, poll, &mut calls).await {
            Ok(found) => {
                for mut level in unknown {
                    match found.get(&level.sku) {
                        // A record found again may hold anything: write even an equal level.
                        Some(id) => {
                            level.record_id = Some(id.clone());
                            writes.push(level);
                        }
                        None => missing.push(level),
                    }
                }
            }
            Err(error) => {
                out.record.api_calls = calls;
                return out.stop(error);
            }
        }
    }
    let mut gone = Vec::new();
    if let Some(method) = write_method(writes.len()) {
        out.record.method = method.as_str().into();
        if let Err(error) = update(&mut out, connection, &writes, method, poll, &mut calls, &mut gone).await {
            out.record.api_calls = calls;
            return out.stop(error);
        }
    }
    if !gone.is_empty() {
        // Deleted (or no longer visible) since their Id was remembered: find them again, once.
        let skus: Vec<String> = gone.iter().map(|l| l.sku.clone()).collect();
        match lookup::find(client, settings, &skus, poll, &mut calls).await {
            Ok(found) => {
                let mut again = Vec::new();
                for mut level in gone {
                    match found.get(&level.sku) {
                        Some(id) => {
                            level.record_id = Some(id.clone());
                            again.push(level);
                        }
                        None => missing.push(level),
                    }
                }
                let mut still_gone = Vec::new();
                let method = WriteMethod::Collections;
                if let Err(error) =
                    update(&mut out, connection, &again, method, poll, &mut calls, &mut still_gone).await
                {
                    out.record.api_calls = calls;
                    return out.stop(error);
                }
                missing.extend(still_gone);
            }
            Err(error) => {
                for level in &gone {
                    out.result(level, LevelState::Pending, level.written.clone(), None);
                }
                out.record.api_calls = calls;
                return out.stop(error);
            }
        }
    }
    if settings.create_missing && !missing.is_empty() {
        let levels: Vec<(&str, &str)> = missing.iter().map(|l| (l.sku.as_str(), l.quantity.as_str())).collect();
        match write::create(client, settings, &levels, &mut calls).await {
            Ok(results) => {
                for (level, result) in missing.iter().zip(results) {
                    match result {
                        Ok(id) => {
                            out.record.created += 1;
                            out.written(level, &id);
                        }
                        Err(error) => out.refused(level, None, error, &mut Vec::new()),
                    }
                }
            }
            Err(error) => {
                out.record.api_calls = calls;
                return out.stop(error);
            }
        }
    } else {
        for level in &missing {
            out.unmatched(level);
        }
    }
    out.record.api_calls = calls;
    out
}

/// Writes `levels` (each with its record Id) and records each result.
async fn update(
    out: &mut PushOutcome,
    connection: &StoreConnection,
    levels: &[Pending],
    method: WriteMethod,
    poll: &PollPolicy,
    calls: &mut i64,
    gone: &mut Vec<Pending>,
) -> Result<(), Error> {
    if levels.is_empty() {
        return Ok(());
    }
    let updates: Vec<write::Update<'_>> = levels
        .iter()
        .map(|l| write::Update { id: l.record_id.as_deref().unwrap_or_default(), quantity: &l.quantity })
        .collect();
    let settings = &connection.settings.inventory;
    let results = match write::update(&connection.client, settings, &updates, method, poll, calls).await {
        Ok(results) => results,
        Err(error) => {
            // Ids found by a lookup are remembered even though nothing was written.
            for level in levels {
                out.result(level, LevelState::Pending, level.written.clone(), level.record_id.clone());
            }
            return Err(error);
        }
    };
    for (level, result) in levels.iter().zip(results) {
        let id = level.record_id.as_deref().unwrap_or_default();
        match result {
            Ok(()) => out.written(level, id),
            Err(error) => out.refused(level, Some(id), error, gone),
        }
    }
    Ok(())
}
