//! `/composite/sobjects` (sObject Collections): create, update, upsert and
//! delete up to 200 records in one call. A well-formed request answers 200 with
//! one result per record in request order; `allOrNone` rolls everything back
//! when any record fails. Retrieval is in `retrieve.rs`.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::errors::{ErrorCode, SfError};
use crate::ids::SfId;
use crate::org::{DmlError, Savepoint};
use crate::state::SandboxState;

use super::retrieve;
use super::subrequest::{bad_request, flag, malformed};
use crate::rest::{Method, RestRequest, RestResponse, save_result};

const MAX_RECORDS: usize = 200;
const MAX_CHUNKS: usize = 10;

/// One record's outcome. `existing` records keep their Id when rolled back.
enum Saved {
    Done { id: String, created: Option<bool>, existing: bool },
    Failed { id: Option<String>, errors: Vec<SfError> },
}

impl Saved {
    fn failed(id: Option<String>, error: &DmlError) -> Self {
        Self::Failed { id, errors: error.errors() }
    }
}

/// A record of the body with its `attributes.type`.
type Typed<'a> = (&'a str, &'a Map<String, Value>);

/// `rest` is the path after `composite/sobjects`.
pub fn route(state: &mut SandboxState, request: &RestRequest<'_>, rest: &[&str]) -> RestResponse {
    match (request.method, rest) {
        (Method::Post | Method::Patch, []) => create_or_update(state, request),
        (Method::Delete, []) => delete(state, request),
        (method, []) => RestResponse::method_not_allowed(method, "POST,PATCH,DELETE"),
        (Method::Get | Method::Post, [object]) => retrieve::handle(state, request, object),
        (method, [_]) => RestResponse::method_not_allowed(method, "GET,POST"),
        (Method::Patch, [object, field]) => upsert(state, request, object, field),
        (method, [_, _]) => RestResponse::method_not_allowed(method, "PATCH"),
        _ => RestResponse::not_found(),
    }
}

/// The records of a create/update/upsert body, each with its `attributes.type`.
fn records(body: &Map<String, Value>) -> Result<Vec<Typed<'_>>, RestResponse> {
    let Some(Value::Array(records)) = body.get("records") else {
        return Err(malformed("records is required and must be an array of sObjects"));
    };
    if records.len() > MAX_RECORDS {
        let message = format!("record limit reached. cannot submit more than {MAX_RECORDS} records into this call");
        return Err(bad_request("EXCEEDED_ID_LIMIT", message));
    }
    records
        .iter()
        .map(|record| {
            let map = record.as_object().ok_or_else(|| malformed("Each record must be a JSON object"))?;
            let kind = map.get("attributes").and_then(|a| a.get("type")).and_then(Value::as_str);
            let kind =
                kind.ok_or_else(|| bad_request("INVALID_TYPE", "Each record must have attributes with a type"))?;
            Ok((kind, map))
        })
        .collect()
}

/// `allOrNone` from the body, and a savepoint when it is set.
fn begin(state: &mut SandboxState, body: &Map<String, Value>) -> Result<Option<Savepoint>, RestResponse> {
    Ok(flag(body, "allOrNone")?.then(|| state.org.savepoint()))
}

fn create_or_update(state: &mut SandboxState, request: &RestRequest<'_>) -> RestResponse {
    let body = match request.json_object() {
        Ok(body) => body,
        Err(response) => return response,
    };
    let records = match records(&body) {
        Ok(records) => records,
        Err(response) => return response,
    };
    let create = request.method == Method::Post;
    let chunks = records.windows(2).filter(|pair| !pair[0].0.eq_ignore_ascii_case(pair[1].0)).count() + 1;
    if create && chunks > MAX_CHUNKS {
        let message =
            "Cannot have more than 10 chunks in a single operation. Please rearrange the data to reduce chunking.";
        return bad_request("INVALID_API_INPUT", message);
    }
    let savepoint = match begin(state, &body) {
        Ok(savepoint) => savepoint,
        Err(response) => return response,
    };
    let writer = request.writer;
    let results = records
        .into_iter()
        .map(|(object, record)| {
            if create {
                return match state.org.create(object, record, writer) {
                    Ok(id) => Saved::Done { id, created: None, existing: false },
                    Err(error) => Saved::failed(None, &error),
                };
            }
            let Some(raw) = record.iter().find(|(k, _)| k.eq_ignore_ascii_case("id")).and_then(|(_, v)| v.as_str())
            else {
                let error = SfError::new(
                    ErrorCode::Other("MISSING_ARGUMENT"),
                    "Id not specified in an update call",
                    Vec::new(),
                );
                return Saved::Failed { id: None, errors: vec![error] };
            };
            let Ok(id) = SfId::parse(raw) else {
                return Saved::Failed { id: None, errors: vec![SfError::malformed_id(raw)] };
            };
            let id = id.as_str().to_owned();
            let mut fields = record.clone();
            fields.retain(|key, _| !key.eq_ignore_ascii_case("id"));
            let updated = state.org.update(object, &id, &fields, writer);
            match updated {
                Ok(()) => Saved::Done { id, created: None, existing: true },
                Err(error) => Saved::failed(Some(id), &error),
            }
        })
        .collect();
    finish(state, savepoint, results)
}

fn upsert(state: &mut SandboxState, request: &RestRequest<'_>, object: &str, field: &str) -> RestResponse {
    let Some(schema) = state.org.schema.object(object) else { return RestResponse::not_found() };
    let Some(key) = schema.upsert_key(field) else {
        return RestResponse::errors(404, &DmlError::NotAnExternalId(field.to_owned()).errors());
    };
    let (object, key, case_sensitive) = (schema.name.clone(), key.name.clone(), key.case_sensitive);
    let body = match request.json_object() {
        Ok(body) => body,
        Err(response) => return response,
    };
    let records = match records(&body) {
        Ok(records) => records,
        Err(response) => return response,
    };
    let value_of = |record: &Map<String, Value>| match record.iter().find(|(k, _)| k.eq_ignore_ascii_case(&key)) {
        Some((_, Value::String(value))) => Some(value.clone()),
        Some((_, Value::Number(value))) => Some(value.to_string()),
        _ => None,
    };
    let normal = |value: &str| if case_sensitive { value.to_owned() } else { value.to_lowercase() };
    let mut uses: HashMap<String, usize> = HashMap::new();
    for value in records.iter().filter_map(|(_, record)| value_of(record)) {
        *uses.entry(normal(&value)).or_default() += 1;
    }
    let savepoint = match begin(state, &body) {
        Ok(savepoint) => savepoint,
        Err(response) => return response,
    };
    let results = records
        .into_iter()
        .map(|(kind, record)| {
            let fail = |code: &'static str, message: String| Saved::Failed {
                id: None,
                errors: vec![SfError::new(ErrorCode::Other(code), message, Vec::new())],
            };
            if !kind.eq_ignore_ascii_case(&object) {
                return fail("INVALID_TYPE", format!("Record of type {kind} in an upsert of {object} records"));
            }
            let Some(value) = value_of(record) else { return fail("MISSING_ARGUMENT", format!("{key} not specified")) };
            if uses.get(&normal(&value)).copied().unwrap_or(0) > 1 {
                return fail("DUPLICATE_EXTERNAL_ID", format!("Duplicate external id specified: {value}"));
            }
            let done = state.org.upsert(&object, &key, &value, record, request.writer);
            match done {
                Ok(done) => Saved::Done { id: done.id, created: Some(done.created), existing: !done.created },
                Err(error) => Saved::failed(None, &error),
            }
        })
        .collect();
    finish(state, savepoint, results)
}

fn delete(state: &mut SandboxState, request: &RestRequest<'_>) -> RestResponse {
    let ids = request.param("ids").unwrap_or_default();
    let ids: Vec<&str> = ids.split(',').map(str::trim).filter(|s| !s.is_empty()).collect();
    if ids.is_empty() {
        return bad_request("MISSING_ARGUMENT", "The ids parameter is required: a comma-separated list of record Ids");
    }
    if ids.len() > MAX_RECORDS {
        let message = format!("record limit reached. cannot submit more than {MAX_RECORDS} records into this call");
        return bad_request("EXCEEDED_ID_LIMIT", message);
    }
    let all_or_none = request.param("allOrNone").is_some_and(|v| v.eq_ignore_ascii_case("true"));
    let savepoint = all_or_none.then(|| state.org.savepoint());
    let results = ids
        .into_iter()
        .map(|raw| {
            let Ok(id) = SfId::parse(raw) else {
                return Saved::Failed { id: None, errors: vec![SfError::malformed_id(raw)] };
            };
            let object = state.org.schema.object_for_id(&id).map(|o| o.name.clone());
            let id = id.as_str().to_owned();
            let deleted = match object {
                Some(object) => state.org.delete(&object, &id, request.writer),
                None => Err(DmlError::NotFound),
            };
            match deleted {
                Ok(()) => Saved::Done { id, created: None, existing: true },
                Err(error) => Saved::failed(Some(id), &error),
            }
        })
        .collect();
    finish(state, savepoint, results)
}

/// Commits or rolls back, then answers 200 with the per-record results.
fn finish(state: &mut SandboxState, savepoint: Option<Savepoint>, results: Vec<Saved>) -> RestResponse {
    let failed = results.iter().any(|r| matches!(r, Saved::Failed { .. }));
    let rolled_back = match savepoint {
        Some(savepoint) if failed => {
            state.org.rollback(savepoint);
            true
        }
        Some(savepoint) => {
            state.org.release(savepoint);
            false
        }
        None => false,
    };
    let items: Vec<Value> = results
        .into_iter()
        .map(|result| match result {
            Saved::Done { id, created, .. } if !rolled_back => save_result(&id, created),
            Saved::Done { id, existing, .. } => {
                let message =
                    "Record rolled back because not all records were valid and the request was using AllOrNone header";
                let error = SfError::new(ErrorCode::AllOrNoneOperationRolledBack, message, Vec::new());
                failure(existing.then_some(id), &[error])
            }
            Saved::Failed { id, errors } => failure(id, &errors),
        })
        .collect();
    RestResponse::json(200, Value::Array(items))
}

fn failure(id: Option<String>, errors: &[SfError]) -> Value {
    let errors: Vec<Value> = errors.iter().map(SfError::to_collection_json).collect();
    let mut item = json!({ "success": false, "errors": errors });
    if let (Some(id), Some(map)) = (id, item.as_object_mut()) {
        map.insert("id".into(), Value::String(id));
    }
    item
}
