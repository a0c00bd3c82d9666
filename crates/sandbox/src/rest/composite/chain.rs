//! `POST /composite`: up to 25 subrequests run in order as one API call, with
//! `@{ref.field}` references between them and optional all-or-none rollback.
//! The runner here also executes each graph of `/composite/graph`.

use std::collections::HashSet;

use serde_json::{Value, json};

use crate::org::Writer;
use crate::state::SandboxState;

use super::references::{Scope, major, valid_reference_id};
use super::subrequest::{self, Kind, Target, bad_request, flag, malformed, parse_method, rolled_back_item};
use crate::rest::{Method, RestRequest, RestResponse};

const MAX_SUBREQUESTS: usize = 25;
const MAX_QUERIES_AND_COLLECTIONS: usize = 5;

/// One subrequest (a graph "node"), checked but not yet resolved.
#[derive(Debug)]
pub struct Node {
    pub method: Method,
    /// As sent, references not yet substituted.
    pub url: String,
    pub reference_id: String,
    pub body: Option<Value>,
    /// The URL as sent, parsed (references still in it), for the up-front checks.
    pub target: Target,
}

/// The items of a run, and the index of the first failed one.
#[derive(Debug)]
pub struct Outcome {
    pub items: Vec<Value>,
    pub failed: Option<usize>,
}

pub fn handle(state: &mut SandboxState, request: &RestRequest<'_>) -> RestResponse {
    if request.method != Method::Post {
        return RestResponse::method_not_allowed(request.method, "POST");
    }
    let body = match request.json_object() {
        Ok(body) => body,
        Err(response) => return response,
    };
    // `collateSubrequests` only lets Salesforce reorder independent work; in-order execution is one valid schedule.
    let (all_or_none, _collate) = match (flag(&body, "allOrNone"), flag(&body, "collateSubrequests")) {
        (Ok(all_or_none), Ok(collate)) => (all_or_none, collate),
        (Err(response), _) | (_, Err(response)) => return response,
    };
    let Some(Value::Array(items)) = body.get("compositeRequest") else {
        return malformed("compositeRequest is required and must be an array of subrequests");
    };
    if items.is_empty() {
        return bad_request("INVALID_API_INPUT", "compositeRequest must contain at least one subrequest");
    }
    if items.len() > MAX_SUBREQUESTS {
        let message =
            format!("A composite request may contain at most {MAX_SUBREQUESTS} subrequests; it has {}", items.len());
        return bad_request("LIMIT_EXCEEDED", message);
    }
    let nodes = match parse_nodes(items, request.version) {
        Ok(nodes) => nodes,
        Err(response) => return response,
    };
    if let Some(node) = nodes.iter().find(|n| n.target.kind() == Kind::Other) {
        let message = format!("The resource {} is not supported in a composite request", node.url);
        return bad_request("INVALID_API_INPUT", message);
    }
    let heavy = nodes.iter().filter(|n| matches!(n.target.kind(), Kind::Query | Kind::Collections)).count();
    if heavy > MAX_QUERIES_AND_COLLECTIONS {
        let limit = MAX_QUERIES_AND_COLLECTIONS;
        let message =
            format!("At most {limit} subrequests may be queries or sObject Collections; this request has {heavy}");
        return bad_request("LIMIT_EXCEEDED", message);
    }
    let outcome = run_nodes(state, request.writer, request.version, &nodes, all_or_none);
    RestResponse::json(200, json!({ "compositeResponse": outcome.items }))
}

/// Checks each subrequest's shape: method, URL, unique `referenceId`, headers.
pub fn parse_nodes(items: &[Value], version: &str) -> Result<Vec<Node>, RestResponse> {
    let mut seen = HashSet::new();
    let mut nodes = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let Some(map) = item.as_object() else {
            return Err(malformed(format!("Subrequest {index} is not a JSON object")));
        };
        let text = |name: &str| map.get(name).and_then(Value::as_str);
        let Some(reference_id) = text("referenceId") else {
            return Err(bad_request("INVALID_API_INPUT", format!("Subrequest {index} has no referenceId")));
        };
        // From v52.0 an illegal character fails the whole request; earlier versions let it through.
        if major(version) >= 52 && !valid_reference_id(reference_id) {
            let message = format!("Invalid referenceId '{reference_id}': only letters, digits and '_' are allowed");
            return Err(bad_request("INVALID_API_INPUT", message));
        }
        if !seen.insert(reference_id) {
            return Err(bad_request("INVALID_API_INPUT", format!("Duplicate referenceId '{reference_id}'")));
        }
        let Some(method) = text("method").and_then(parse_method) else {
            let message = format!("Subrequest '{reference_id}': method must be one of GET, POST, PUT, PATCH, DELETE");
            return Err(bad_request("INVALID_API_INPUT", message));
        };
        let Some((url, target)) = text("url").and_then(|url| Some((url, Target::parse(url)?))) else {
            let message = format!("Subrequest '{reference_id}': url must look like /services/data/vXX.X/...");
            return Err(bad_request("INVALID_API_INPUT", message));
        };
        if let Some(headers) = map.get("httpHeaders") {
            let Some(headers) = headers.as_object() else { return Err(malformed("httpHeaders must be an object")) };
            let inherited = ["Accept", "Authorization", "Content-Type"];
            if let Some(name) = headers.keys().find(|k| inherited.iter().any(|h| h.eq_ignore_ascii_case(k))) {
                let message = format!("Subrequest '{reference_id}' may not set the {name} header");
                return Err(bad_request("INVALID_API_INPUT", message));
            }
        }
        let body = map.get("body").filter(|b| !b.is_null()).cloned();
        nodes.push(Node { method, url: url.to_owned(), reference_id: reference_id.to_owned(), body, target });
    }
    Ok(nodes)
}

/// Runs `nodes` in order. With `all_or_none` the first failure stops the run,
/// everything is rolled back, and every other item reports PROCESSING_HALTED.
pub fn run_nodes(
    state: &mut SandboxState,
    writer: &Writer,
    version: &str,
    nodes: &[Node],
    all_or_none: bool,
) -> Outcome {
    let savepoint = all_or_none.then(|| state.org.savepoint());
    let mut scope = Scope::new(version);
    let mut items = Vec::with_capacity(nodes.len());
    let mut failed = None;
    for (index, node) in nodes.iter().enumerate() {
        let (response, target) = execute(state, writer, node, &scope, all_or_none);
        let collection_failed = all_or_none && target.as_ref().is_some_and(|t| t.kind() == Kind::Collections) && {
            let body = subrequest::body_json(&response);
            body.as_array().is_some_and(|results| results.iter().any(|r| r.get("success") == Some(&Value::Bool(false))))
        };
        let ok = response.is_success() && !collection_failed;
        let item = subrequest::item(state, &response, target.as_ref(), &node.reference_id);
        scope.record(&node.reference_id, ok.then(|| item.get("body").cloned().unwrap_or_default()));
        items.push(item);
        if !ok && failed.is_none() {
            failed = Some(index);
            if all_or_none {
                break;
            }
        }
    }
    match (savepoint, failed) {
        (Some(savepoint), Some(failed)) => {
            state.org.rollback(savepoint);
            let kept = items.into_iter().nth(failed);
            let items = nodes
                .iter()
                .enumerate()
                .map(|(index, node)| match &kept {
                    Some(item) if index == failed => item.clone(),
                    _ => rolled_back_item(&node.reference_id),
                })
                .collect();
            Outcome { items, failed: Some(failed) }
        }
        (Some(savepoint), None) => {
            state.org.release(savepoint);
            Outcome { items, failed: None }
        }
        (None, failed) => Outcome { items, failed },
    }
}

/// Substitutes references, then runs the subrequest. Under an outer
/// all-or-none an sObject Collections subrequest is all-or-none too.
fn execute(
    state: &mut SandboxState,
    writer: &Writer,
    node: &Node,
    scope: &Scope,
    all_or_none: bool,
) -> (RestResponse, Option<Target>) {
    let resolved = scope.substitute_text(&node.url).and_then(|url| {
        let body = node.body.as_ref().map(|body| scope.substitute_json(body)).transpose()?;
        Ok((url, body))
    });
    let (url, mut body) = match resolved {
        Ok(resolved) => resolved,
        Err(error) => return (RestResponse::error(400, error), None),
    };
    let Some(mut target) = Target::parse(&url) else {
        return (bad_request("INVALID_API_INPUT", format!("Invalid subrequest url {url}")), None);
    };
    if all_or_none && target.kind() == Kind::Collections {
        if let Some(Value::Object(map)) = body.as_mut() {
            map.insert("allOrNone".into(), Value::Bool(true));
        }
        if node.method == Method::Delete {
            let kept = target.query.split('&').filter(|pair| !pair.is_empty() && !pair.starts_with("allOrNone="));
            target.query = kept.chain(["allOrNone=true"]).collect::<Vec<_>>().join("&");
        }
    }
    let response = subrequest::run(state, writer, node.method, &target, body.as_ref());
    (response, Some(target))
}
