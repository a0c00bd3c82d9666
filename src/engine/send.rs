//! Sending an entity's writes and reading the answers. Batched: one
//! composite graph per entity (all-or-nothing, parents first), packed many
//! per request within Salesforce's limits. Naive (the benchmark's baseline):
//! one request per record, in order, stopping at the first failure.

use crate::salesforce::Error;
use crate::storage::sync::{Outcome, WrittenRecord};

use super::connections::StoreConnection;
use super::flows::BatchFlows;
use super::packed_graphs::{self, Answer};
use super::store_batch::{Finished, Work};
use super::subrequests::{self, ReadyWrite, Records};
use super::{Shared, Strategy};
use crate::domain::write_plan::entity_writes::Known;

/// Each entity's result, with the error that decided it (if one did).
pub(super) type Sent = Vec<(Finished, Option<Error>)>;

#[tracing::instrument(
    name = "engine.send",
    skip_all,
    fields(store = %connection.code, entities = work.len(), strategy = ?shared.config.strategy, sent = tracing::field::Empty)
)]
pub(super) async fn send(
    shared: &Shared,
    connection: &StoreConnection,
    work: Vec<Work>,
    records: &mut Records,
    flows: &BatchFlows,
    more_due: bool,
) -> Sent {
    let key_fields = &connection.settings.external_id_fields;
    let mut out: Sent = Vec::new();
    let mut ready: Vec<(Work, Vec<ReadyWrite>)> = Vec::new();
    let known = subrequests::known(records);
    for w in work {
        if let Some(settled) = flows.settled(shared, connection, &w, records) {
            out.push(settled);
            continue;
        }
        let context = Known { records: &known, pricebook_id: Some(flows.pricebook()), writer: w.entity.facts.kind() };
        match subrequests::build(&w.operations, &context) {
            Ok(writes) => ready.push((w, writes)),
            Err(unresolved) => {
                let error = flows.unresolved(unresolved);
                out.push((Finished::failed(&w.entity, &error, shared, key_fields), Some(error)));
            }
        }
    }
    let (unchanged, to_send): (Vec<_>, Vec<_>) = ready.into_iter().partition(|(_, nodes)| nodes.is_empty());
    for (w, _) in unchanged {
        out.push((Finished::new(&w.entity, Outcome::Synced, Vec::new(), "up to date: nothing to write".into()), None));
    }
    tracing::Span::current().record("sent", to_send.len());
    let answers = match shared.config.strategy {
        Strategy::Batched => packed_graphs::send(&connection.client, &to_send, more_due).await,
        Strategy::Naive => naive(connection, &to_send).await,
    };
    for ((w, nodes), answer) in to_send.into_iter().zip(answers) {
        out.push(finish(shared, connection, &w, &nodes, answer, records));
    }
    out
}

async fn naive(connection: &StoreConnection, to_send: &[(Work, Vec<ReadyWrite>)]) -> Vec<Answer> {
    let mut answers = Vec::with_capacity(to_send.len());
    for (_, nodes) in to_send {
        let mut results = Vec::with_capacity(nodes.len());
        let mut failed = None;
        for node in nodes {
            match connection.client.send_one(&node.request).await {
                Ok(result) => results.push(result),
                Err(error) if subrequests::found_existing(&node.object, &error) => {
                    failed = Some(subrequests::as_existing(&node.object, error));
                    break;
                }
                Err(error) => {
                    failed = Some(error);
                    break;
                }
            }
        }
        answers.push(failed.map_or(Answer::Written(results), Answer::Failed));
    }
    answers
}

fn finish(
    shared: &Shared,
    connection: &StoreConnection,
    w: &Work,
    nodes: &[ReadyWrite],
    answer: Answer,
    records: &mut Records,
) -> (Finished, Option<Error>) {
    let key_fields = &connection.settings.external_id_fields;
    let keep_bodies = crate::engine::changes::keeps_bodies(&connection.settings);
    match answer {
        Answer::Written(results) => {
            let mut written = Vec::with_capacity(nodes.len());
            for (node, result) in nodes.iter().zip(&results) {
                let known = records.get(&(node.object.clone(), node.key.clone())).map(|r| r.id.clone());
                let Some(id) = result.id().map(str::to_owned).or(known) else { continue };
                let record = WrittenRecord {
                    object: node.object.clone(),
                    key: node.key.clone(),
                    id,
                    body_hash: node.hash.clone(),
                    matched: false,
                    written_at: 0,
                    body: keep_bodies.then(|| crate::engine::changes::written_body(&w.operations, node)).flatten(),
                    ..WrittenRecord::default()
                };
                records.insert((node.object.clone(), node.key.clone()), record.clone());
                written.push(record);
            }
            let message = format!("wrote {}", summary(&written));
            (Finished::new(&w.entity, Outcome::Synced, written, message), None)
        }
        Answer::Failed(error) => {
            let error = super::named_values::with_sent_values(error, &w.operations);
            (Finished::failed(&w.entity, &error, shared, key_fields), Some(error))
        }
        Answer::RolledBack => {
            let again = Outcome::Deferred { retry_at: shared.config.clock.now_millis() };
            let message = "rolled back with another entity's failed write; sent again".to_owned();
            (Finished::new(&w.entity, again, Vec::new(), message), None)
        }
        Answer::HeldBack => {
            // Due from when it became pending, so the next claim takes it ahead of later work.
            let now = shared.config.clock.now_millis();
            let again = Outcome::Deferred { retry_at: w.entity.pending_since.unwrap_or(now).min(now) };
            let message = "held for the next batch: its request would have gone out mostly empty".to_owned();
            (Finished::new(&w.entity, again, Vec::new(), message), None)
        }
    }
}

/// "Opportunity 006…, Order 801…" for the sync log.
pub(super) fn summary(written: &[WrittenRecord]) -> String {
    let parts: Vec<String> = written.iter().map(|r| format!("{} {}", r.object, r.id)).collect();
    parts.join(", ")
}
