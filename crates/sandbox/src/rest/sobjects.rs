//! `/sobjects`: describe, and record create / read / update / delete /
//! upsert by external id.

use serde_json::{Value, json};

use crate::ids::SfId;
use crate::org::DmlError;
use crate::schema::describe;
use crate::state::SandboxState;

use super::{Method, RestRequest, RestResponse, changes, save_result};

pub fn route(state: &mut SandboxState, request: &RestRequest<'_>, rest: &[&str]) -> RestResponse {
    use Method::{Delete, Get, Head, Patch, Post};
    let method = request.method;
    match (method, rest) {
        (Get | Head, []) => RestResponse::json(200, describe::describe_global(&state.org.schema, request.version)),
        (_, []) => RestResponse::method_not_allowed(method, "GET,HEAD"),
        (_, [object, ..]) if state.org.schema.object(object).is_none() => RestResponse::not_found(),
        (Get | Head, [object]) => {
            let Some(schema) = state.org.schema.object(object) else { return RestResponse::not_found() };
            let entry = describe::global_entry(schema, request.version);
            RestResponse::json(200, json!({ "objectDescribe": entry, "recentItems": [] }))
        }
        (Post, [object]) => create(state, request, object),
        (_, [_]) => RestResponse::method_not_allowed(method, "GET,HEAD,POST"),
        (Get | Head, [object, "describe"]) => {
            let Some(schema) = state.org.schema.object(object) else { return RestResponse::not_found() };
            RestResponse::json(200, describe::describe_object(&state.org.schema, schema, request.version))
        }
        (Get, [object, "updated"]) => changes::updated(state, request, object),
        (Get, [object, "deleted"]) => changes::deleted(state, request, object),
        (Post, [object, field]) if field.eq_ignore_ascii_case("Id") => create(state, request, object),
        (_, [object, id]) if is_record_id(state, object, id) => record(state, request, object, id),
        (_, [_, field]) => RestResponse::errors(404, &DmlError::NotAnExternalId((*field).to_owned()).errors()),
        (Patch | Post, [object, field, value]) => upsert(state, request, object, field, value),
        (Get | Head | Delete, [object, field, value]) => by_external_id(state, request, object, field, value),
        (_, [_, _, _]) => RestResponse::method_not_allowed(method, "GET,HEAD,PATCH,POST,DELETE"),
        _ => RestResponse::not_found(),
    }
}

/// Whether `raw` is a well-formed Id of `object` (else it may be an external-id field name).
fn is_record_id(state: &SandboxState, object: &str, raw: &str) -> bool {
    let (Ok(id), Some(schema)) = (SfId::parse(raw), state.org.schema.object(object)) else { return false };
    id.key_prefix() == schema.key_prefix
}

fn create(state: &mut SandboxState, request: &RestRequest<'_>, object: &str) -> RestResponse {
    let body = match request.json_object() {
        Ok(body) => body,
        Err(response) => return response,
    };
    match state.org.create(object, &body, request.writer) {
        Ok(id) => RestResponse::json(201, save_result(&id, None)),
        Err(error) => RestResponse::dml_error(&error),
    }
}

fn record(state: &mut SandboxState, request: &RestRequest<'_>, object: &str, id: &str) -> RestResponse {
    let id = SfId::parse(id).map(|id| id.as_str().to_owned()).unwrap_or_default();
    match request.method {
        Method::Get | Method::Head => read(state, request, object, &id),
        Method::Patch => {
            let body = match request.json_object() {
                Ok(body) => body,
                Err(response) => return response,
            };
            match state.org.update(object, &id, &body, request.writer) {
                Ok(()) => RestResponse::empty(204),
                Err(error) => RestResponse::dml_error(&error),
            }
        }
        Method::Delete => match state.org.delete(object, &id, request.writer) {
            Ok(()) => RestResponse::empty(204),
            Err(error) => RestResponse::dml_error(&error),
        },
        other => RestResponse::method_not_allowed(other, "GET,HEAD,PATCH,DELETE"),
    }
}

fn read(state: &SandboxState, request: &RestRequest<'_>, object: &str, id: &str) -> RestResponse {
    let (object, record) = match state.org.retrieve(object, id) {
        Ok(found) => found,
        Err(DmlError::Deleted) => return RestResponse::not_found(),
        Err(error) => return RestResponse::dml_error(&error),
    };
    let fields = request.param("fields");
    let names: Option<Vec<&str>> =
        fields.as_deref().map(|f| f.split(',').map(str::trim).filter(|s| !s.is_empty()).collect());
    match state.org.render(&object, record, request.version, names.as_deref()) {
        Ok(rendered) => RestResponse::json(200, rendered),
        Err(bad) => RestResponse::error(
            400,
            crate::errors::SfError::new(
                crate::errors::ErrorCode::InvalidField,
                format!("No such column '{bad}' on sobject of type {object}"),
                Vec::new(),
            ),
        ),
    }
}

/// Versions up to 45.0 answer an upsert-update with 204 and no `created`.
fn modern_upsert(version: &str) -> bool {
    version.split('.').next().and_then(|major| major.parse::<u32>().ok()).is_some_and(|major| major >= 46)
}

fn upsert(state: &mut SandboxState, request: &RestRequest<'_>, object: &str, field: &str, value: &str) -> RestResponse {
    let body = match request.json_object() {
        Ok(body) => body,
        Err(response) => return response,
    };
    match state.org.upsert(object, field, value, &body, request.writer) {
        Ok(done) if modern_upsert(request.version) => {
            RestResponse::json(if done.created { 201 } else { 200 }, save_result(&done.id, Some(done.created)))
        }
        Ok(done) if done.created => RestResponse::json(201, save_result(&done.id, None)),
        Ok(_) => RestResponse::empty(204),
        Err(DmlError::MultipleMatches(ids)) => {
            let urls: Vec<Value> = ids
                .iter()
                .map(|id| json!(format!("/services/data/v{}/sobjects/{object}/{id}", request.version)))
                .collect();
            RestResponse::json(300, Value::Array(urls))
        }
        Err(error) => RestResponse::dml_error(&error),
    }
}

fn by_external_id(
    state: &mut SandboxState,
    request: &RestRequest<'_>,
    object: &str,
    field: &str,
    value: &str,
) -> RestResponse {
    let Some(schema) = state.org.schema.object(object) else { return RestResponse::not_found() };
    let Some(key) = schema.upsert_key(field).map(|f| f.name.clone()) else {
        return RestResponse::errors(404, &DmlError::NotAnExternalId(field.to_owned()).errors());
    };
    let object = schema.name.clone();
    let ids = state.org.table(&object).and_then(|t| t.find(&key, &Value::String(value.to_owned()))).unwrap_or_default();
    match ids.as_slice() {
        [] => RestResponse::not_found(),
        [id] => match request.method {
            Method::Delete => match state.org.delete(&object, id, request.writer) {
                Ok(()) => RestResponse::empty(204),
                Err(error) => RestResponse::dml_error(&error),
            },
            _ => read(state, request, &object, id),
        },
        _ => RestResponse::json(300, json!(ids)),
    }
}
