//! sObject Collections retrieve: `GET /composite/sobjects/{obj}?ids=..&fields=..`
//! or `POST /composite/sobjects/{obj}` with `{"ids": [...], "fields": [...]}`.
//! Records come back in Id order, `null` for Ids that match no live record.

use serde_json::Value;

use crate::errors::{ErrorCode, SfError};
use crate::ids::SfId;
use crate::state::SandboxState;

use super::subrequest::{bad_request, malformed};
use crate::rest::{Method, RestRequest, RestResponse};

/// The most Ids one retrieve takes (the POST form's documented limit).
const MAX_IDS: usize = 2000;

pub fn handle(state: &mut SandboxState, request: &RestRequest<'_>, object: &str) -> RestResponse {
    let Some(schema) = state.org.schema.object(object) else { return RestResponse::not_found() };
    let object = schema.name.clone();
    let (ids, fields) = match request.method {
        Method::Get => (split(request.param("ids")), split(request.param("fields"))),
        _ => match from_body(request) {
            Ok(lists) => lists,
            Err(response) => return response,
        },
    };
    if ids.is_empty() || fields.is_empty() {
        return bad_request("MISSING_ARGUMENT", "Both ids and fields are required");
    }
    if ids.len() > MAX_IDS {
        let message = format!("record limit reached. cannot submit more than {MAX_IDS} records into this call");
        return bad_request("EXCEEDED_ID_LIMIT", message);
    }
    if let Some(bad) = fields.iter().find(|f| schema.field(f).is_none()) {
        let message = format!("No such column '{bad}' on sobject of type {object}");
        return RestResponse::error(400, SfError::new(ErrorCode::InvalidField, message, Vec::new()));
    }
    let names: Vec<&str> = fields.iter().map(String::as_str).collect();
    let mut records = Vec::with_capacity(ids.len());
    for raw in &ids {
        let Ok(id) = SfId::parse(raw) else { return RestResponse::error(400, SfError::malformed_id(raw)) };
        let rendered = state
            .org
            .retrieve(&object, id.as_str())
            .ok()
            .and_then(|(object, record)| state.org.render(&object, record, request.version, Some(&names)).ok());
        records.push(rendered.unwrap_or(Value::Null));
    }
    RestResponse::json(200, Value::Array(records))
}

fn split(list: Option<String>) -> Vec<String> {
    list.unwrap_or_default().split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

fn from_body(request: &RestRequest<'_>) -> Result<(Vec<String>, Vec<String>), RestResponse> {
    let body = request.json_object()?;
    let list = |name: &str| -> Result<Vec<String>, RestResponse> {
        match body.get(name) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| {
                    item.as_str().map(str::to_owned).ok_or_else(|| malformed(format!("{name} must hold strings")))
                })
                .collect(),
            Some(_) => Err(malformed(format!("{name} must be an array of strings"))),
        }
    };
    Ok((list("ids")?, list("fields")?))
}
