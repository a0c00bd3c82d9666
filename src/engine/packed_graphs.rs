//! Packing entities' writes into composite graphs. Several entities share a
//! graph (one all-or-nothing unit) so a request carries up to Salesforce's
//! 500 records whatever the entities' sizes — one graph per entity would hit
//! the 75-graphs-per-request limit first. When a graph fails, the entity whose
//! write failed gets the error; the others were only rolled back with it and
//! are sent again at once, in other company.
//!
//! When the batch was full (more work is due) and its last request would go
//! out mostly empty, that request's entities are held back for the next
//! batch, ahead of the queue, instead of spending a request on them: a
//! 500-order batch packs into six full requests and a seventh of twenty
//! orders, and holding those twenty makes the seventh request unnecessary.

use std::collections::{HashMap, HashSet};

use crate::domain::sync::EntityKind;
use crate::salesforce::composite::{Graph, GraphBuilder, GraphResult, SubResult};
use crate::salesforce::{Client, Error};

use super::store_batch::Work;
use super::subrequests::ReadyWrite;

/// Nodes per graph: small enough that a failure rolls back few entities.
pub const GRAPH_NODES: usize = 100;

/// A last request with fewer nodes than this is held back when more work is due.
const SPARSE_REQUEST_NODES: usize = crate::salesforce::composite::MAX_NODES_PER_REQUEST / 2;

/// How one entity's writes went.
#[derive(Debug)]
pub(super) enum Answer {
    /// Every write succeeded: one result per node, in order.
    Written(Vec<SubResult>),
    Failed(Error),
    /// Nothing was written: another entity in the same graph failed.
    RolledBack,
    /// Not sent: its request would have gone out mostly empty while more work is due.
    HeldBack,
}

/// The order entities are packed in: customers first, so a sparse last
/// request held back carries sales. A customer held back would repeat its
/// batch's lookup of existing Contacts by email in the next one; a sale's
/// records need no lookup.
fn packing_order(to_send: &[(Work, Vec<ReadyWrite>)]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..to_send.len()).collect();
    order.sort_by_key(|&index| to_send[index].0.entity.facts.kind() != EntityKind::Customer);
    order
}

/// The reference id of an entity's `index`-th node: unique within a graph.
fn reference(entity: i64, index: usize) -> String {
    format!("e{entity}_{index}")
}

/// Sends the entities' nodes in packed graphs; one answer per entity, in
/// order. With `more_due`, a sparse last request is held back (see the module docs).
#[tracing::instrument(name = "engine.send_graphs", skip_all, fields(entities = to_send.len(), held_back = tracing::field::Empty))]
pub(super) async fn send(client: &Client, to_send: &[(Work, Vec<ReadyWrite>)], more_due: bool) -> Vec<Answer> {
    if to_send.is_empty() {
        return Vec::new();
    }
    let mut answers: Vec<Option<Answer>> = to_send.iter().map(|_| None).collect();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut graphs: Vec<Graph> = Vec::new();
    for index in packing_order(to_send) {
        let (w, nodes) = &to_send[index];
        let requests: Vec<_> = nodes
            .iter()
            .enumerate()
            .map(|(n, node)| {
                let mut request = node.request.clone();
                request.reference_id = reference(w.entity.id, n);
                request
            })
            .collect();
        // Checked on its own first, so a refused entity never leaves half its writes in a shared graph.
        let alone = Graph::new("check")
            .and_then(|mut graph| requests.iter().try_for_each(|request| graph.add(request.clone()).map(|_| ())));
        if let Err(error) = alone {
            answers[index] = Some(Answer::Failed(error));
            continue;
        }
        if graphs.last().is_none_or(|g: &Graph| g.len() + requests.len() > GRAPH_NODES) {
            match Graph::new(&format!("g{}", graphs.len())) {
                Ok(graph) => graphs.push(graph),
                Err(error) => {
                    answers[index] = Some(Answer::Failed(error));
                    continue;
                }
            }
            members.push(Vec::new());
        }
        let (Some(graph), Some(member)) = (graphs.last_mut(), members.last_mut()) else { continue };
        match requests.into_iter().try_for_each(|request| graph.add(request).map(|_| ())) {
            Ok(()) => member.push(index),
            Err(error) => answers[index] = Some(Answer::Failed(error)),
        }
    }
    let mut builder = GraphBuilder::new();
    for graph in graphs {
        if let Err(error) = builder.add(graph) {
            tracing::error!(%error, "a packed graph was refused");
        }
    }
    let held: HashSet<String> =
        if more_due { builder.take_sparse_tail(SPARSE_REQUEST_NODES).into_iter().collect() } else { HashSet::new() };
    let mut results: HashMap<String, GraphResult> =
        client.run_graphs(builder).await.into_iter().map(|r| (r.graph_id.clone(), r)).collect();
    let mut held_back = 0;
    for (g, member) in members.iter().enumerate() {
        let id = format!("g{g}");
        if held.contains(&id) {
            member.iter().for_each(|&index| answers[index] = Some(Answer::HeldBack));
            held_back += member.len();
            continue;
        }
        let result = results.remove(&id);
        if let Some(failed) = result.as_ref().filter(|r| !r.successful) {
            let first = failed.errors().into_iter().next();
            tracing::debug!(graph = %failed.graph_id, entities = member.len(), error = ?first, "a composite graph failed");
        }
        for &index in member {
            let entity = &to_send[index];
            answers[index] = Some(answer(result.as_ref(), entity.0.entity.id, entity.1.len(), member, to_send));
        }
    }
    tracing::Span::current().record("held_back", held_back);
    let missing = || Answer::Failed(Error::bad_response(200, "the graph is missing from the answer"));
    answers.into_iter().map(|a| a.unwrap_or_else(missing)).collect()
}

/// One entity's answer from its graph's result.
fn answer(
    result: Option<&GraphResult>,
    entity: i64,
    nodes: usize,
    member: &[usize],
    all: &[(Work, Vec<ReadyWrite>)],
) -> Answer {
    let Some(result) = result else {
        return Answer::Failed(Error::bad_response(200, "the graph is missing from the answer"));
    };
    let own = |e: i64, count: usize| (0..count).map(move |n| result.node(&reference(e, n)));
    if result.successful {
        let found: Option<Vec<SubResult>> = own(entity, nodes).map(|r| r.cloned()).collect();
        return found.map_or_else(|| Answer::Failed(Error::bad_response(200, "a node is missing")), Answer::Written);
    }
    let cause = |e: i64, count: usize| {
        own(e, count).flatten().filter_map(SubResult::error).find(|error| error.code != "PROCESSING_HALTED")
    };
    let own_nodes = all.iter().find(|(w, _)| w.entity.id == entity).map(|(_, nodes)| nodes.as_slice());
    for (node, sub) in own_nodes.unwrap_or_default().iter().zip(own(entity, nodes)) {
        if let Some(error) =
            sub.and_then(SubResult::error).filter(|e| super::subrequests::found_existing(&node.object, e))
        {
            return Answer::Failed(super::subrequests::as_existing(&node.object, error));
        }
    }
    if let Some(error) = cause(entity, nodes) {
        return Answer::Failed(error);
    }
    let someone_else = member.iter().any(|&i| cause(all[i].0.entity.id, all[i].1.len()).is_some());
    if someone_else {
        Answer::RolledBack
    } else {
        // The request failed as a whole, or the graph was halted: nobody in it is to blame.
        let error = result.errors().into_iter().next();
        Answer::Failed(error.unwrap_or_else(|| Error::bad_response(200, "the graph failed")))
    }
}
