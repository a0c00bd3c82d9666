//! Validation of one record write (create, update, upsert) against an object's schema, with
//! Salesforce's error codes and messages. Pure: checks that need stored data (does a lookup target
//! exist, is a unique value taken, which record has this parent external Id) are returned in
//! [`Validated`] for the store to run, with constructors for the errors they produce.
//!
//! Phases follow Salesforce: unknown keys and type errors stop at the first one (they happen while
//! the body is deserialised); then read-only fields; then every DML rule, all errors collected.
//! Callers of collection updates strip the `id` key before validating.

mod address;
mod checks;
mod outcome;
mod value;

#[cfg(test)]
mod tests;

use serde_json::{Map, Value};

pub use outcome::{ParentLookup, ReferenceCheck, UniqueCheck, Validated};
pub use value::{InputFormat, format_datetime, parse_date, parse_datetime};

use crate::errors::{ErrorCode, SfError};
use crate::schema::Schema;
use crate::schema::object::ObjectSchema;

/// The kind of write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    /// Upsert that matched nothing: validated like a create.
    UpsertInsert,
    /// Upsert that matched one record: validated like an update.
    UpsertUpdate,
}

impl Operation {
    pub fn is_insert(self) -> bool {
        matches!(self, Self::Create | Self::UpsertInsert)
    }
}

/// Validates a JSON body for `operation` on `object`.
pub fn validate(
    schema: &Schema,
    object: &ObjectSchema,
    operation: Operation,
    body: &Map<String, Value>,
) -> Result<Validated, Vec<SfError>> {
    Validator::new(schema, object, operation).validate(body)
}

/// Validation with options: the stored record for updates, and the input format.
#[derive(Debug, Clone, Copy)]
pub struct Validator<'a> {
    schema: &'a Schema,
    object: &'a ObjectSchema,
    operation: Operation,
    existing: Option<&'a Map<String, Value>>,
    format: InputFormat,
}

impl<'a> Validator<'a> {
    pub fn new(schema: &'a Schema, object: &'a ObjectSchema, operation: Operation) -> Self {
        Self { schema, object, operation, existing: None, format: InputFormat::Json }
    }

    /// The record being updated, so address rules can see its stored country and state.
    pub fn with_existing(mut self, record: &'a Map<String, Value>) -> Self {
        self.existing = Some(record);
        self
    }

    /// CSV (Bulk 2.0) rows: an empty cell leaves the field alone, `#N/A` clears it, and a
    /// `Parent.KeyField` column is a parent lookup.
    pub fn with_format(mut self, format: InputFormat) -> Self {
        self.format = format;
        self
    }

    pub fn validate(&self, body: &Map<String, Value>) -> Result<Validated, Vec<SfError>> {
        let mut out = self.read(body).map_err(|e| vec![e])?;
        self.check_writable(&out).map_err(|e| vec![e])?;
        let errors = self.apply_rules(&mut out);
        if errors.is_empty() { Ok(out) } else { Err(errors) }
    }

    /// Phase 1: resolve keys and convert values; the first problem ends it.
    fn read(&self, body: &Map<String, Value>) -> Result<Validated, SfError> {
        let mut out = Validated::default();
        for (key, raw) in body {
            if key.eq_ignore_ascii_case("attributes") {
                continue;
            }
            let raw = match (self.format, raw.as_str()) {
                (InputFormat::Csv, Some("")) => continue,
                (InputFormat::Csv, Some("#N/A")) => &Value::Null,
                _ => raw,
            };
            match self.object.field(key) {
                Some(field) => {
                    let value = value::convert(field, raw, self.format)?;
                    out.values.insert(field.name.clone(), value);
                }
                None => out.parent_lookups.push(self.parent_lookup(key, raw)?),
            }
        }
        Ok(out)
    }

    /// Phase 2: every field the operation may not write, in one error.
    fn check_writable(&self, out: &Validated) -> Result<(), SfError> {
        let insert = self.operation.is_insert();
        let lookups = out.parent_lookups.iter().map(|l| &l.field);
        let locked: Vec<String> = out
            .values
            .keys()
            .chain(lookups)
            .filter(|name| self.object.field(name).is_some_and(|f| !f.is_writable(insert)))
            .cloned()
            .collect();
        if locked.is_empty() { Ok(()) } else { Err(checks::not_writable(locked)) }
    }

    /// Phase 3: the DML rules, all errors collected; fills defaults on insert.
    fn apply_rules(&self, out: &mut Validated) -> Vec<SfError> {
        let insert = self.operation.is_insert();
        let mut errors = Vec::new();
        for field in self.object.fields() {
            let Some(value) = out.values.get_mut(&field.name).filter(|v| !v.is_null()) else {
                continue;
            };
            match checks::check_value(self.schema, self.object, field, value) {
                Ok(reference) => out.references.extend(reference),
                Err(error) => errors.push(error),
            }
            if field.unique {
                let (name, case_sensitive) = (field.name.clone(), field.case_sensitive);
                let value = value.clone();
                out.unique_checks.push(UniqueCheck { field: name, value, case_sensitive });
            }
        }
        if insert {
            for field in self.object.fields() {
                if let Some(default) = &field.default_value
                    && !out.values.contains_key(&field.name)
                {
                    out.values.insert(field.name.clone(), default.clone());
                }
            }
        }
        let looked_up: Vec<&str> = out.parent_lookups.iter().map(|l| l.field.as_str()).collect();
        errors.extend(checks::missing_required(self.object, &out.values, &looked_up, insert));
        errors.extend(address::check(self.object, &mut out.values, self.existing));
        errors
    }

    /// `"Account": {"Key__c": "v"}` in JSON, or an `Account.Key__c` column in CSV.
    fn parent_lookup(&self, key: &str, raw: &Value) -> Result<ParentLookup, SfError> {
        let unknown = || checks::unknown_field(key, self.object);
        let (relationship, key_field, key_value) = match (self.format, raw) {
            (InputFormat::Json, Value::Object(inner)) => {
                let mut keys = inner.iter().filter(|(k, _)| !k.eq_ignore_ascii_case("attributes"));
                match (keys.next(), keys.next()) {
                    (Some((name, value)), None) => (key, name.as_str(), value),
                    (None, _) => return Err(value::empty_reference(raw)),
                    (Some(_), Some(_)) => return Err(self.several_keys(key)),
                }
            }
            (InputFormat::Csv, _) => match key.split_once('.') {
                Some((relationship, name)) => (relationship, name, raw),
                None => return Err(unknown()),
            },
            _ => return Err(unknown()),
        };
        let field = self.object.field_by_relationship(relationship).ok_or_else(unknown)?;
        let parent = field
            .field_type
            .reference()
            .and_then(|r| r.to.first())
            .and_then(|name| self.schema.object(name))
            .ok_or_else(unknown)?;
        let target = parent.field(key_field).ok_or_else(|| checks::unknown_field(key_field, parent))?;
        if !(target.external_id || target.id_lookup) {
            let message = format!(
                "Field name provided, {} is not an External ID or indexed field for {}",
                target.name, parent.name
            );
            return Err(SfError::new(ErrorCode::InvalidField, message, Vec::new()));
        }
        let value = value::convert(target, key_value, self.format)?;
        Ok(ParentLookup {
            field: field.name.clone(),
            object: parent.name.clone(),
            key_field: target.name.clone(),
            value,
        })
    }

    fn several_keys(&self, key: &str) -> SfError {
        let to = self.object.field_by_relationship(key).and_then(|f| f.field_type.reference());
        let entity = to.and_then(|r| r.to.first()).map_or(key, String::as_str);
        let message = format!("More than 1 field provided in an external foreign key reference in entity: {entity}");
        SfError::new(ErrorCode::InvalidField, message, Vec::new())
    }
}
