//! `POST /composite/tree/{obj}` (sObject Tree): new records in trees of up to
//! five levels, children nested under the parent's child relationship name
//! (`"Contacts": {"records": [...]}`) and linked through their lookup field;
//! at most 200 records and 5 object types, inserted all-or-nothing.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value, json};

use crate::errors::{ErrorCode, SfError};
use crate::schema::Schema;
use crate::state::SandboxState;

use super::subrequest::{bad_request, malformed};
use crate::rest::{Method, RestRequest, RestResponse};

const MAX_RECORDS: usize = 200;
const MAX_LEVELS: usize = 5;
const MAX_TYPES: usize = 5;

/// One record of the tree, flattened in document (pre-)order.
struct Entry {
    object: String,
    reference_id: String,
    fields: Map<String, Value>,
    /// The lookup field to the parent, and the parent's position.
    parent: Option<(String, usize)>,
}

/// Flattening state: the records so far and the per-record problems found.
#[derive(Default)]
struct Flat {
    entries: Vec<Entry>,
    problems: Vec<(String, SfError)>,
}

pub fn handle(state: &mut SandboxState, request: &RestRequest<'_>, object: &str) -> RestResponse {
    if request.method != Method::Post {
        return RestResponse::method_not_allowed(request.method, "POST");
    }
    let Some(root) = state.org.schema.object(object).map(|o| o.name.clone()) else { return RestResponse::not_found() };
    let body = match request.json_object() {
        Ok(body) => body,
        Err(response) => return response,
    };
    let Some(Value::Array(records)) = body.get("records") else {
        return malformed("records is required and must be an array of sObjects");
    };
    let mut flat = Flat::default();
    if let Err(response) = flatten(&state.org.schema, records, &root, None, 1, &mut flat) {
        return response;
    }
    let types: HashSet<&str> = flat.entries.iter().map(|e| e.object.as_str()).collect();
    if types.len() > MAX_TYPES {
        return bad_request("LIMIT_EXCEEDED", format!("A tree may contain at most {MAX_TYPES} object types"));
    }
    let mut uses: HashMap<&str, usize> = HashMap::new();
    for entry in &flat.entries {
        *uses.entry(entry.reference_id.as_str()).or_default() += 1;
    }
    // Every record with a duplicated referenceId is listed [unconfirmed code and text].
    let duplicates: Vec<(String, SfError)> = flat
        .entries
        .iter()
        .filter(|e| uses.get(e.reference_id.as_str()).copied().unwrap_or(0) > 1)
        .map(|e| {
            let error = SfError::new(
                ErrorCode::Other("INVALID_INPUT"),
                "Duplicate ReferenceId provided in the request",
                Vec::new(),
            );
            (e.reference_id.clone(), error)
        })
        .collect();
    flat.problems.extend(duplicates);
    if !flat.problems.is_empty() {
        return failed(flat.problems.into_iter().map(|(reference, error)| (reference, vec![error])).collect());
    }
    insert(state, request, flat.entries)
}

/// Checks and flattens `records` (of `object`), children after their parent.
fn flatten(
    schema: &Schema,
    records: &[Value],
    object: &str,
    parent: Option<(&str, usize)>,
    level: usize,
    flat: &mut Flat,
) -> Result<(), RestResponse> {
    if level > MAX_LEVELS {
        return Err(bad_request("LIMIT_EXCEEDED", format!("A tree may be at most {MAX_LEVELS} levels deep")));
    }
    for record in records {
        if flat.entries.len() >= MAX_RECORDS {
            return Err(bad_request(
                "LIMIT_EXCEEDED",
                format!("A tree request may contain at most {MAX_RECORDS} records"),
            ));
        }
        let map = record.as_object().ok_or_else(|| malformed("Each record must be a JSON object"))?;
        let attributes = map.get("attributes");
        let text = |name: &str| attributes.and_then(|a| a.get(name)).and_then(Value::as_str);
        let reference_id = text("referenceId").ok_or_else(|| malformed("Each record needs attributes.referenceId"))?;
        let kind = text("type").unwrap_or_default();
        if !kind.eq_ignore_ascii_case(object) {
            let message = format!("Record type '{kind}' does not match the expected object {object}");
            flat.problems
                .push((reference_id.to_owned(), SfError::new(ErrorCode::Other("INVALID_TYPE"), message, Vec::new())));
        }
        let index = flat.entries.len();
        let mut fields = Map::new();
        let mut children = Vec::new();
        for (key, value) in map.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("attributes")) {
            match value.get("records").and_then(Value::as_array) {
                Some(nested) => match child_relationship(schema, object, key) {
                    Some((child, field)) => children.push((child, field, nested)),
                    None => {
                        let message = format!("No such column '{key}' on sobject of type {object}");
                        flat.problems.push((
                            reference_id.to_owned(),
                            SfError::new(ErrorCode::InvalidField, message, Vec::new()),
                        ));
                    }
                },
                None => {
                    fields.insert(key.clone(), value.clone());
                }
            }
        }
        let parent = parent.map(|(field, position)| (field.to_owned(), position));
        flat.entries.push(Entry { object: object.to_owned(), reference_id: reference_id.to_owned(), fields, parent });
        for (child, field, nested) in children {
            flatten(schema, nested, &child, Some((&field, index)), level + 1, flat)?;
        }
    }
    Ok(())
}

/// The child object and its lookup field for `parent`'s relationship `name` (e.g. Account `Contacts`).
fn child_relationship(schema: &Schema, parent: &str, name: &str) -> Option<(String, String)> {
    schema.objects().iter().find_map(|child| {
        child.fields().iter().find_map(|field| {
            let reference = field.field_type.reference()?;
            let matches = reference.child_relationship.as_deref().is_some_and(|r| r.eq_ignore_ascii_case(name))
                && reference.to.iter().any(|to| to == parent);
            matches.then(|| (child.name.clone(), field.name.clone()))
        })
    })
}

/// Inserts parents before children; any failure rolls the whole tree back.
fn insert(state: &mut SandboxState, request: &RestRequest<'_>, entries: Vec<Entry>) -> RestResponse {
    let savepoint = state.org.savepoint();
    let mut ids: Vec<Option<String>> = Vec::with_capacity(entries.len());
    let mut errors = Vec::new();
    for entry in &entries {
        let mut fields = entry.fields.clone();
        if let Some((field, position)) = &entry.parent {
            // A child of a failed parent cannot be inserted; only the parent's failure is listed.
            let Some(parent_id) = ids.get(*position).cloned().flatten() else {
                ids.push(None);
                continue;
            };
            fields.retain(|key, _| !key.eq_ignore_ascii_case(field));
            fields.insert(field.clone(), Value::String(parent_id));
        }
        match state.org.create(&entry.object, &fields, request.writer) {
            Ok(id) => ids.push(Some(id)),
            Err(error) => {
                ids.push(None);
                errors.push((entry.reference_id.clone(), error.errors()));
            }
        }
    }
    if !errors.is_empty() {
        state.org.rollback(savepoint);
        return failed(errors);
    }
    state.org.release(savepoint);
    let results: Vec<Value> =
        entries.iter().zip(ids).map(|(entry, id)| json!({ "referenceId": entry.reference_id, "id": id })).collect();
    RestResponse::json(201, json!({ "hasErrors": false, "results": results }))
}

/// `400 {"hasErrors": true, "results": [{"referenceId", "errors"}]}` for the failing records only.
fn failed(problems: Vec<(String, Vec<SfError>)>) -> RestResponse {
    let results: Vec<Value> = problems
        .into_iter()
        .map(|(reference_id, errors)| {
            let errors: Vec<Value> = errors.iter().map(SfError::to_collection_json).collect();
            json!({ "referenceId": reference_id, "errors": errors })
        })
        .collect();
    RestResponse::json(400, json!({ "hasErrors": true, "results": results }))
}
