//! Record writes: create, update, upsert by external id, delete, retrieve,
//! with schema validation, reference/uniqueness checks against stored rows,
//! platform rules and system fields.

use serde_json::{Map, Value};

use crate::errors::{ErrorCode, SfError};
use crate::ids::SfId;
use crate::schema::validate::{Operation, Validated, Validator};

use super::{Org, Record, Writer, derived, format_datetime};

/// Why a write or read failed, as the HTTP layer needs to tell it apart.
#[derive(Debug, Clone, PartialEq)]
pub enum DmlError {
    /// No such object (404 NOT_FOUND).
    UnknownObject(String),
    /// No record with that Id (404 NOT_FOUND).
    NotFound,
    /// The record is in the recycle bin (404 ENTITY_IS_DELETED).
    Deleted,
    /// Validation or DML errors (400).
    Invalid(Vec<SfError>),
    /// Upsert key that is not an external-id or idLookup field (404).
    NotAnExternalId(String),
    /// Upsert key matched several records (300), nothing written.
    MultipleMatches(Vec<String>),
}

impl DmlError {
    /// The errors for a per-record result (collections, bulk).
    pub fn errors(&self) -> Vec<SfError> {
        match self {
            Self::Invalid(errors) => errors.clone(),
            Self::Deleted => vec![SfError::new(ErrorCode::EntityIsDeleted, "entity is deleted", Vec::new())],
            Self::NotFound | Self::UnknownObject(_) => vec![SfError::not_found()],
            Self::NotAnExternalId(field) => vec![SfError::new(
                ErrorCode::NotFound,
                format!("Provided external ID field does not exist or is not accessible: {field}"),
                Vec::new(),
            )],
            Self::MultipleMatches(ids) => vec![SfError::new(
                ErrorCode::Other("DUPLICATE_EXTERNAL_ID"),
                format!("The external ID matches more than one record: {}", ids.join(", ")),
                Vec::new(),
            )],
        }
    }
}

/// Result of an upsert: the record and whether it was created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upserted {
    pub id: String,
    pub created: bool,
}

/// Sets the system fields of a new record.
pub(super) fn stamp_new(record: &mut Record, id: &SfId, writer: &Writer) {
    let now = Value::String(format_datetime(writer.now));
    record.insert("Id".into(), Value::String(id.as_str().to_owned()));
    record.insert("IsDeleted".into(), Value::Bool(false));
    record.insert("CreatedDate".into(), now.clone());
    record.insert("CreatedById".into(), Value::String(writer.user_id.clone()));
    stamp_modified(record, writer);
}

fn stamp_modified(record: &mut Record, writer: &Writer) {
    let now = Value::String(format_datetime(writer.now));
    record.insert("LastModifiedDate".into(), now.clone());
    record.insert("LastModifiedById".into(), Value::String(writer.user_id.clone()));
    record.insert("SystemModstamp".into(), now);
}

fn canonical_object(org: &Org, object: &str) -> Result<String, DmlError> {
    org.schema.object(object).map(|o| o.name.clone()).ok_or_else(|| DmlError::UnknownObject(object.to_owned()))
}

fn live<'a>(org: &'a Org, object: &str, id: &str) -> Result<(SfId, &'a Record), DmlError> {
    let id = SfId::parse(id).map_err(|_| DmlError::NotFound)?;
    let record = org.table(object).and_then(|t| t.get(id.as_str())).ok_or(DmlError::NotFound)?;
    if record.get("IsDeleted").and_then(Value::as_bool).unwrap_or(false) {
        return Err(DmlError::Deleted);
    }
    Ok((id, record))
}

impl Org {
    /// Consumes a pending injected lock error for a write to `id`.
    fn take_lock_error(&mut self, id: &str) -> Result<(), DmlError> {
        if !std::mem::take(&mut self.lock_error_pending) {
            return Ok(());
        }
        let message = format!("unable to obtain exclusive access to this record or 1 records: {id}");
        Err(DmlError::Invalid(vec![SfError::new(ErrorCode::UnableToLockRow, message, Vec::new())]))
    }

    pub fn create(&mut self, object: &str, body: &Map<String, Value>, writer: &Writer) -> Result<String, DmlError> {
        let object = canonical_object(self, object)?;
        self.take_lock_error("")?;
        let validated = self.validate(&object, Operation::Create, body, None, writer)?;
        let prefix = self.schema.object(&object).map(|o| o.key_prefix.clone()).unwrap_or_default();
        let id = self
            .new_id(&prefix)
            .map_err(|e| DmlError::Invalid(vec![SfError::new(ErrorCode::Other("UNKNOWN_EXCEPTION"), e, Vec::new())]))?;
        let mut record = validated;
        stamp_new(&mut record, &id, writer);
        derived::apply(self, &object, &mut record, true).map_err(DmlError::Invalid)?;
        self.after_write(&object, None, &record, writer);
        self.write_row(&object, id.as_str(), record);
        Ok(id.as_str().to_owned())
    }

    pub fn update(
        &mut self,
        object: &str,
        id: &str,
        body: &Map<String, Value>,
        writer: &Writer,
    ) -> Result<(), DmlError> {
        let object = canonical_object(self, object)?;
        let (id, existing) = live(self, &object, id)?;
        let existing = existing.clone();
        self.take_lock_error(id.as_str())?;
        let values = self.validate(&object, Operation::Update, body, Some((&id, &existing)), writer)?;
        // A new stage brings its default Probability unless the update sets one [observed in practice].
        let restaged = object == "Opportunity"
            && !values.contains_key("Probability")
            && values.get("StageName").is_some_and(|stage| existing.get("StageName") != Some(stage));
        let mut record = existing.clone();
        record.extend(values);
        if restaged {
            record.remove("Probability");
        }
        stamp_modified(&mut record, writer);
        derived::apply(self, &object, &mut record, false).map_err(DmlError::Invalid)?;
        self.after_write(&object, Some(&existing), &record, writer);
        self.write_row(&object, id.as_str(), record);
        Ok(())
    }

    /// Upsert by `field` = `value`: insert when nothing matches, update one match.
    pub fn upsert(
        &mut self,
        object: &str,
        field: &str,
        value: &str,
        body: &Map<String, Value>,
        writer: &Writer,
    ) -> Result<Upserted, DmlError> {
        let object = canonical_object(self, object)?;
        let schema_object = self.schema.object(&object).ok_or_else(|| DmlError::UnknownObject(object.clone()))?;
        if field.eq_ignore_ascii_case("Id") {
            let (id, _) = live(self, &object, value)?;
            self.update(&object, id.as_str(), body, writer)?;
            return Ok(Upserted { id: id.as_str().to_owned(), created: false });
        }
        let key = schema_object
            .upsert_key(field)
            .map(|f| f.name.clone())
            .ok_or_else(|| DmlError::NotAnExternalId(field.to_owned()))?;
        let matches =
            self.table(&object).and_then(|t| t.find(&key, &Value::String(value.to_owned()))).unwrap_or_default();
        match matches.as_slice() {
            [] => {
                let mut body = body.clone();
                body.retain(|k, _| !k.eq_ignore_ascii_case(&key));
                body.insert(key, Value::String(value.to_owned()));
                let id = self.create(&object, &body, writer)?;
                Ok(Upserted { id, created: true })
            }
            [id] => {
                let id = id.clone();
                self.update(&object, &id, body, writer)?;
                Ok(Upserted { id, created: false })
            }
            _ => Err(DmlError::MultipleMatches(matches)),
        }
    }

    /// Moves the record to the recycle bin (`IsDeleted = true`, seen by queryAll and /deleted).
    pub fn delete(&mut self, object: &str, id: &str, writer: &Writer) -> Result<(), DmlError> {
        let object = canonical_object(self, object)?;
        let (id, existing) = live(self, &object, id)?;
        let existing = existing.clone();
        let mut record = existing.clone();
        self.take_lock_error(id.as_str())?;
        record.insert("IsDeleted".into(), Value::Bool(true));
        stamp_modified(&mut record, writer);
        self.after_write(&object, Some(&existing), &record, writer);
        self.write_row(&object, id.as_str(), record);
        Ok(())
    }

    /// A live record.
    pub fn retrieve(&self, object: &str, id: &str) -> Result<(String, &Record), DmlError> {
        let object = canonical_object(self, object)?;
        let (_, record) = live(self, &object, id)?;
        Ok((object, record))
    }

    /// Schema validation, then the checks that need stored rows.
    fn validate(
        &self,
        object: &str,
        operation: Operation,
        body: &Map<String, Value>,
        existing: Option<(&SfId, &Record)>,
        writer: &Writer,
    ) -> Result<Record, DmlError> {
        let schema_object = self.schema.object(object).ok_or_else(|| DmlError::UnknownObject(object.to_owned()))?;
        let mut validator = Validator::new(&self.schema, schema_object, operation).with_format(writer.format);
        if let Some((_, record)) = existing {
            validator = validator.with_existing(record);
        }
        let Validated { mut values, references, parent_lookups, unique_checks } =
            validator.validate(body).map_err(DmlError::Invalid)?;
        let mut errors = Vec::new();
        for check in &references {
            match self.table(&check.object).and_then(|t| t.get(check.id.as_str())) {
                None => errors.push(check.not_found_error()),
                Some(row) if row.get("IsDeleted") == Some(&Value::Bool(true)) => errors.push(check.deleted_error()),
                Some(_) => {}
            }
        }
        for lookup in parent_lookups {
            let found = self.table(&lookup.object).and_then(|t| t.find(&lookup.key_field, &lookup.value));
            match found.as_deref() {
                Some([parent]) => {
                    values.insert(lookup.field.clone(), Value::String(parent.clone()));
                }
                _ => errors.push(lookup.not_found_error()),
            }
        }
        let own_id = existing.map(|(id, _)| id.as_str());
        for check in &unique_checks {
            let holders = self.table(object).and_then(|t| t.find(&check.field, &check.value)).unwrap_or_default();
            if let Some(holder) = holders.iter().find(|h| Some(h.as_str()) != own_id)
                && let Ok(holder) = SfId::parse(holder)
            {
                errors.push(check.duplicate_error(&holder));
            }
        }
        if errors.is_empty() { Ok(values) } else { Err(DmlError::Invalid(errors)) }
    }
}
