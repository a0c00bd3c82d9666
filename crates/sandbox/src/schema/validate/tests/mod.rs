//! Validation outcomes: each error code and message (`errors`), normalised writes, lookups and the
//! CSV dialect (`writes`), and both State and Country picklist modes (`address`).

mod address;
mod errors;
mod writes;

use serde_json::{Map, Value};

use super::*;
pub(super) use crate::ids::SfId;
use crate::schema::{CustomSchema, OrgFeatures};

const EXTRA: &str = r#"{"objects":[{"name":"Account","fields":[
    {"name":"Score__c","type":"Number","precision":3,"scale":0},
    {"name":"Synced_At__c","type":"DateTime"}]}]}"#;

pub(super) fn schema(picklists: bool) -> Schema {
    let mut custom = CustomSchema::default_forcesync();
    custom.objects.extend(CustomSchema::from_json(EXTRA).map(|c| c.objects).unwrap_or_default());
    let features = OrgFeatures { state_country_picklists: picklists, ..OrgFeatures::default() };
    match Schema::with_custom(features, &custom) {
        Ok(schema) => schema,
        Err(error) => panic!("schema: {error}"),
    }
}

pub(super) fn body(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

pub(super) fn run_with(schema: &Schema, object: &str, op: Operation, value: Value) -> Result<Validated, Vec<SfError>> {
    let Some(object) = schema.object(object) else { panic!("no object {object}") };
    validate(schema, object, op, &body(value))
}

pub(super) fn run(object: &str, op: Operation, value: Value) -> Result<Validated, Vec<SfError>> {
    run_with(&schema(false), object, op, value)
}

/// The single error of a failed validation, as (code, message, fields).
pub(super) fn error(result: Result<Validated, Vec<SfError>>) -> (String, String, Vec<String>) {
    match result {
        Err(errors) if errors.len() == 1 => {
            let e = &errors[0];
            (e.code.as_str().to_owned(), e.message.clone(), e.fields.clone())
        }
        other => panic!("expected one error, got {other:?}"),
    }
}

pub(super) fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}
