//! One store's share of a leased batch: plan every entity (by its flow,
//! [`super::flows::Flow`]), learn what the org already holds (records written
//! before, records an unrecorded attempt may have created), let the flows do
//! their own reads and writes first ([`super::flows::BatchFlows`]: Contacts to
//! adopt by email, products and their price book entries), then send the rest
//! ([`super::send`]).

use crate::domain::lifecycle::{ClosedStages, PlannedWrite};
use crate::domain::settings::ExternalIdFields;
use crate::domain::sync::EntityPlan;
use crate::domain::write_plan::entity_writes;
use crate::salesforce::Error;
use crate::storage::Storage;
use crate::storage::sync::{ClaimedEntity, LogLine, Outcome, WrittenRecord};

use super::connections::StoreConnection;
use super::failures::{outcome_for, pauses_store, storage_error};
use super::flows::{BatchFlows, Flow};
use super::subrequests::Records;
use super::{Shared, lookups, send};

/// An entity's result.
#[derive(Debug)]
pub(super) struct Finished {
    pub entity: ClaimedEntity,
    pub outcome: Outcome,
    pub records: Vec<WrittenRecord>,
    pub log: Vec<LogLine>,
}

impl Finished {
    pub(super) fn new(entity: &ClaimedEntity, outcome: Outcome, records: Vec<WrittenRecord>, message: String) -> Self {
        let level = match &outcome {
            Outcome::Synced | Outcome::Waiting(_) | Outcome::Deferred { .. } => "info",
            Outcome::Retry { .. } => "warn",
            Outcome::Parked(_) => "error",
        };
        let log = vec![LogLine { level, entity: entity.label.clone(), message }];
        Self { entity: entity.clone(), outcome, records, log }
    }

    pub(super) fn failed(entity: &ClaimedEntity, error: &Error, shared: &Shared, keys: &ExternalIdFields) -> Self {
        let outcome = outcome_for(error, entity, &shared.config, keys);
        Self::new(entity, outcome, Vec::new(), format!("failed: {error}"))
    }
}

/// A batch's results, and the error that stops the whole store, if one did.
#[derive(Debug, Default)]
pub(super) struct BatchResult {
    pub finished: Vec<Finished>,
    /// Records not owned by one entity (products an order line needed).
    pub shared_records: Vec<WrittenRecord>,
    pub pause: Option<Error>,
}

/// An entity with writes to make.
pub(super) struct Work {
    pub entity: ClaimedEntity,
    pub operations: Vec<PlannedWrite>,
}

/// Plans, looks up and sends one store's share of a leased batch; `more_due`
/// when the batch was full, so more work is waiting (see [`super::packed_graphs`]).
#[tracing::instrument(
    name = "engine.plan_and_send",
    skip_all,
    fields(store = %connection.code, entities = entities.len(), to_write = tracing::field::Empty)
)]
pub(super) async fn process(
    shared: &Shared,
    connection: &StoreConnection,
    entities: &[ClaimedEntity],
    more_due: bool,
) -> BatchResult {
    let closed = ClosedStages::defaults(&connection.settings);
    let keys = &connection.settings.external_id_fields;
    let mut result = BatchResult::default();
    if let Err(error) = super::org_facts::ensure(connection, entities).await {
        if pauses_store(&error) {
            result.pause = Some(error.clone());
        }
        result.finished.extend(entities.iter().map(|e| Finished::failed(e, &error, shared, keys)));
        return result;
    }
    let mut work = Vec::new();
    for entity in entities {
        match Flow::of(entity.facts.kind()).plan(connection, &entity.facts, &closed) {
            EntityPlan::Waiting(reason) => {
                result.finished.push(Finished::new(entity, Outcome::Waiting(reason.into()), Vec::new(), reason.into()))
            }
            EntityPlan::Write(operations) => work.push(Work { entity: entity.clone(), operations }),
        }
    }
    let work = super::flows::check_writes(shared, connection, work, &mut result.finished).await;
    tracing::Span::current().record("to_write", work.len());
    if work.is_empty() {
        return result;
    }
    let prepared = match prepare(connection, &shared.storage, &work, &mut result.shared_records).await {
        Ok(prepared) => remember_adoptions(shared, connection, prepared).await,
        Err(error) => Err(error),
    };
    let mut prepared = match prepared {
        Ok(prepared) => prepared,
        Err(error) => {
            if pauses_store(&error) {
                result.pause = Some(error.clone());
            }
            result.finished.extend(work.iter().map(|w| Finished::failed(&w.entity, &error, shared, keys)));
            return result;
        }
    };
    let work = super::changes::adjust(work, &prepared.records);
    let sent = send::send(shared, connection, work, &mut prepared.records, &prepared.flows, more_due).await;
    result.pause = sent.iter().find_map(|f| f.1.as_ref().filter(|e| pauses_store(e))).cloned();
    result.finished.extend(sent.into_iter().map(|(finished, _)| finished));
    super::flows::hold_back(connection, &mut result.finished);
    result
}

/// Stores the records the flows found and must remember before anything is
/// sent (the Contacts and Accounts adopted by email), not with the outcome: the write gives the Contact forcesync's key, so
/// the email lookup cannot find it again, and a retry after that write landed
/// unrecorded (a killed server) would create a second Account.
async fn remember_adoptions(
    shared: &Shared,
    connection: &StoreConnection,
    prepared: Prepared,
) -> Result<Prepared, Error> {
    if !prepared.adopted.is_empty() {
        let adopted = &prepared.adopted;
        tracing::info!(store = %connection.code, records = adopted.len(), "adopting existing Contacts found by email");
        shared.storage.record_writes(connection.store_id, None, adopted).await.map_err(storage_error)?;
    }
    Ok(prepared)
}

/// What `send` needs to know about the org before writing.
struct Prepared {
    /// Records written before, found by lookups, adopted, or products just ensured.
    records: Records,
    /// What the flows learned and made (the price book, products that failed).
    flows: BatchFlows,
    /// Existing Contacts (and their Accounts) adopted by email, to remember.
    adopted: Vec<WrittenRecord>,
}

/// Looks up what the batch's writes depend on and lets the flows prepare
/// (records they write for several entities are added to `shared_records`);
/// stores nothing.
#[tracing::instrument(name = "engine.look_up", skip_all, fields(store = %connection.code, entities = work.len()))]
async fn prepare(
    connection: &StoreConnection,
    storage: &Storage,
    work: &[Work],
    shared_records: &mut Vec<WrittenRecord>,
) -> Result<Prepared, Error> {
    let client = &connection.client;
    let key_fields = &connection.settings.external_id_fields;
    let (mut flows, flow_keys) = BatchFlows::start(connection, work).await?;
    let mut keys: Vec<String> = work.iter().flat_map(|w| w.operations.iter().map(|op| op.key().to_owned())).collect();
    keys.extend(flow_keys);
    keys.sort();
    keys.dedup();
    let mut records = storage.written_records(connection.store_id, &keys).await.map_err(storage_error)?;

    // Records an unrecorded attempt may have created: their create-only fields must not be sent again.
    let uncertain = work.iter().filter(|w| w.entity.uncertain).flat_map(|w| w.operations.iter());
    let is_known = |object: &str, key: &str| records.contains_key(&(object.to_owned(), key.to_owned()));
    for (object, unknown) in entity_writes::uncertain_lookups(uncertain, is_known) {
        for found in lookups::existing_by_key(client, object, key_fields.field_for(object), &unknown).await? {
            records.insert((found.object.clone(), found.key.clone()), found);
        }
    }

    let adopted = flows.prepare(connection, work, &mut records, shared_records).await?;
    Ok(Prepared { records, flows, adopted })
}
