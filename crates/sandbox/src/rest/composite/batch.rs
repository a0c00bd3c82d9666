//! `POST /composite/batch`: up to 25 independent subrequests, run in order,
//! not transactional and without references; each one counts as an API call.

use serde_json::{Value, json};

use crate::errors::{ErrorCode, SfError};
use crate::state::SandboxState;

use super::subrequest::{self, Target, bad_request, flag, malformed, parse_method};
use crate::rest::{Method, RestRequest, RestResponse};

const MAX_SUBREQUESTS: usize = 25;

struct Item {
    method: Method,
    target: Target,
    body: Option<Value>,
}

pub fn handle(state: &mut SandboxState, request: &RestRequest<'_>) -> RestResponse {
    if request.method != Method::Post {
        return RestResponse::method_not_allowed(request.method, "POST");
    }
    let body = match request.json_object() {
        Ok(body) => body,
        Err(response) => return response,
    };
    let halt_on_error = match flag(&body, "haltOnError") {
        Ok(halt) => halt,
        Err(response) => return response,
    };
    let Some(Value::Array(raw)) = body.get("batchRequests") else {
        return malformed("batchRequests is required and must be an array of subrequests");
    };
    if raw.is_empty() || raw.len() > MAX_SUBREQUESTS {
        let message = format!("A batch request must contain 1 to {MAX_SUBREQUESTS} subrequests; it has {}", raw.len());
        return bad_request("LIMIT_EXCEEDED", message);
    }
    let items = match parse(raw) {
        Ok(items) => items,
        Err(response) => return response,
    };
    let mut results = Vec::with_capacity(items.len());
    let (mut has_errors, mut halted, mut executed) = (false, false, 0u64);
    for item in &items {
        if halted {
            results.push(json!({ "statusCode": 412, "result": [halted_error().to_rest_json()] }));
            continue;
        }
        executed += 1;
        let response = subrequest::run(state, request.writer, item.method, &item.target, item.body.as_ref());
        if !response.is_success() {
            has_errors = true;
            halted = halt_on_error;
        }
        results.push(json!({ "statusCode": response.status, "result": subrequest::body_json(&response) }));
    }
    // The HTTP layer counted the batch itself once; each subrequest run counts.
    state.api_used += executed.saturating_sub(1);
    RestResponse::json(200, json!({ "hasErrors": has_errors, "results": results }))
}

fn parse(raw: &[Value]) -> Result<Vec<Item>, RestResponse> {
    raw.iter()
        .enumerate()
        .map(|(index, item)| {
            let Some(map) = item.as_object() else {
                return Err(malformed(format!("Subrequest {index} is not a JSON object")));
            };
            let Some(method) = map.get("method").and_then(Value::as_str).and_then(parse_method) else {
                let message = format!("Subrequest {index}: method must be one of GET, POST, PUT, PATCH, DELETE");
                return Err(bad_request("INVALID_API_INPUT", message));
            };
            let Some(target) = map.get("url").and_then(Value::as_str).and_then(Target::parse) else {
                return Err(bad_request(
                    "INVALID_API_INPUT",
                    format!("Subrequest {index}: url must look like vXX.X/..."),
                ));
            };
            if target.path.starts_with("composite/batch") {
                return Err(bad_request("INVALID_API_INPUT", "A batch may not contain another batch"));
            }
            let body = map.get("richInput").filter(|b| !b.is_null()).cloned();
            Ok(Item { method, target, body })
        })
        .collect()
}

/// What the subrequests after a failure answer when `haltOnError` is set. The
/// brief asks for PROCESSING_HALTED; live orgs may spell it BATCH_PROCESSING_HALTED [unconfirmed].
fn halted_error() -> SfError {
    let message = "Batch processing halted per request: an earlier subrequest failed and haltOnError is true";
    SfError::new(ErrorCode::ProcessingHalted, message, Vec::new())
}
