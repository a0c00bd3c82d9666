//! `POST /composite/graph`: independent graphs of sObject subrequests, each run
//! all-or-nothing (one savepoint per graph, so a request stays linear in its
//! nodes), the whole request counting as one API call.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::errors::{ErrorCode, SfError};
use crate::state::SandboxState;

use super::chain::{self, Node};
use super::references::{referenced_ids, text_ids};
use super::subrequest::{bad_request, error_item, malformed, rolled_back_item};
use crate::rest::{Method, RestRequest, RestResponse};

const MAX_GRAPHS: usize = 75;
/// Per graph, and for all graphs of a request together.
const MAX_NODES: usize = 500;
const MAX_DEPTH: usize = 15;
/// Distinct (API version, object) pairs per request. The reference also counts
/// the HTTP method; Salesforce's own examples vary only version and object [unconfirmed].
const MAX_NODE_KINDS: usize = 15;
/// Once this many graphs have failed, the rest are not run. The reference
/// says "after 14"; the Salesforce text ("exceeds 14") may mean after 15 [unconfirmed].
const MAX_FAILED_GRAPHS: usize = 14;

pub fn handle(state: &mut SandboxState, request: &RestRequest<'_>) -> RestResponse {
    if request.method != Method::Post {
        return RestResponse::method_not_allowed(request.method, "POST");
    }
    let graphs = match parse(request) {
        Ok(graphs) => graphs,
        Err(response) => return response,
    };
    let mut failures = 0;
    let mut answers = Vec::with_capacity(graphs.len());
    for (graph_id, nodes) in &graphs {
        let (successful, items) = if failures >= MAX_FAILED_GRAPHS {
            (false, nodes.iter().map(|n| halted_item(&n.reference_id)).collect())
        } else if let Some((bad, error)) = check(nodes) {
            let items = nodes
                .iter()
                .enumerate()
                .map(|(index, node)| {
                    if index == bad {
                        error_item(&node.reference_id, &error)
                    } else {
                        rolled_back_item(&node.reference_id)
                    }
                })
                .collect();
            (false, items)
        } else {
            let outcome = chain::run_nodes(state, request.writer, request.version, nodes, true);
            (outcome.failed.is_none(), outcome.items)
        };
        failures += usize::from(!successful);
        answers.push(json!({ "graphId": graph_id, "isSuccessful": successful,
                             "graphResponse": { "compositeResponse": items } }));
    }
    RestResponse::json(200, json!({ "graphs": answers }))
}

/// The graphs with their nodes, after the request-wide checks.
fn parse(request: &RestRequest<'_>) -> Result<Vec<(String, Vec<Node>)>, RestResponse> {
    let body = request.json_object()?;
    let Some(Value::Array(raw)) = body.get("graphs") else {
        return Err(malformed("graphs is required and must be an array"));
    };
    if raw.is_empty() || raw.len() > MAX_GRAPHS {
        let message = format!("A graph request must contain 1 to {MAX_GRAPHS} graphs; it has {}", raw.len());
        return Err(bad_request("LIMIT_EXCEEDED", message));
    }
    let mut graphs = Vec::with_capacity(raw.len());
    let (mut ids, mut kinds, mut total) = (HashSet::new(), HashSet::new(), 0);
    for graph in raw {
        let graph_id = graph.get("graphId").and_then(Value::as_str).unwrap_or_default();
        let well_formed = graph_id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && graph_id.chars().count() < 40
            && !graph_id.contains('.');
        if !well_formed {
            let rule = "it must start with a letter or digit, be under 40 characters and contain no '.'";
            let message = format!("Invalid graphId '{graph_id}': {rule}");
            return Err(bad_request("INVALID_API_INPUT", message));
        }
        if !ids.insert(graph_id) {
            return Err(bad_request("INVALID_API_INPUT", format!("Duplicate graphId '{graph_id}'")));
        }
        let items = match graph.get("compositeRequest") {
            Some(Value::Array(items)) if !items.is_empty() => items,
            _ => return Err(malformed(format!("Graph '{graph_id}' needs a non-empty compositeRequest array"))),
        };
        total += items.len();
        if items.len() > MAX_NODES || total > MAX_NODES {
            let message = format!("A graph request may contain at most {MAX_NODES} nodes, per graph and in total");
            return Err(bad_request("LIMIT_EXCEEDED", message));
        }
        let nodes = chain::parse_nodes(items, request.version)?;
        for node in &nodes {
            if let ["sobjects", object, ..] = node.target.segments().as_slice() {
                kinds.insert((node.target.version.clone(), object.to_ascii_lowercase()));
            }
        }
        graphs.push((graph_id.to_owned(), nodes));
    }
    if kinds.len() > MAX_NODE_KINDS {
        let message = format!(
            "A graph request may use at most {MAX_NODE_KINDS} different nodes (API version and object); it uses {}",
            kinds.len()
        );
        return Err(bad_request("LIMIT_EXCEEDED", message));
    }
    Ok(graphs)
}

/// The first node that makes the graph invalid: an unsupported resource, or a
/// reference chain deeper than 15.
fn check(nodes: &[Node]) -> Option<(usize, SfError)> {
    let mut depths: HashMap<&str, usize> = HashMap::with_capacity(nodes.len());
    for (index, node) in nodes.iter().enumerate() {
        let supported = matches!(
            (node.method, node.target.segments().as_slice()),
            (Method::Post, ["sobjects", _])
                | (Method::Get | Method::Patch | Method::Delete, ["sobjects", _, _])
                | (Method::Get | Method::Patch | Method::Post | Method::Delete, ["sobjects", _, _, _])
        );
        if !supported {
            let allowed = "sobjects/{object} (POST), sobjects/{object}/{id} (GET, PATCH, DELETE) \
                           or sobjects/{object}/{field}/{value} (GET, PATCH, POST, DELETE)";
            let method = format!("{:?}", node.method).to_uppercase();
            let message = format!("{method} {} is not supported in a graph: nodes may only use {allowed}", node.url);
            return Some((index, SfError::new(ErrorCode::Other("INVALID_API_INPUT"), message, Vec::new())));
        }
        let mut referenced = Vec::new();
        text_ids(&node.url, &mut referenced);
        if let Some(body) = &node.body {
            referenced_ids(body, &mut referenced);
        }
        let depth = 1 + referenced.iter().filter_map(|id| depths.get(id).copied()).max().unwrap_or(0);
        if depth > MAX_DEPTH {
            let message = format!(
                "Graph depth exceeds {MAX_DEPTH}: the reference chain ending at '{}' is {depth} nodes deep",
                node.reference_id
            );
            return Some((index, SfError::new(ErrorCode::Other("LIMIT_EXCEEDED"), message, Vec::new())));
        }
        depths.insert(&node.reference_id, depth);
    }
    None
}

/// A node of a graph that was not run because too many graphs had failed.
fn halted_item(reference_id: &str) -> Value {
    let message =
        format!("Processing halted: {MAX_FAILED_GRAPHS} graphs of this request had failed, so this one was not run.");
    error_item(reference_id, &SfError::new(ErrorCode::ProcessingHalted, message, Vec::new()))
}
