//! Writing an ingest job's rows: parse the uploads and check the header once
//! (`UploadComplete → InProgress`, or `Failed`), then write a budget of rows per
//! call through the org's validated DML in CSV mode, in chunks of 200 like the
//! platform (duplicate upsert keys within a chunk fail), until `JobComplete`.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use chrono::Utc;
use csv::StringRecord;
use serde_json::{Map, Value};

use crate::errors::{ErrorCode, SfError};
use crate::ids::SfId;
use crate::org::{DmlError, Org, Writer};
use crate::schema::Schema;
use crate::schema::validate::InputFormat;
use crate::state::SandboxState;

use super::csv_rows::Rows;
use super::ingest::{Failure, IngestJob, Success, fail};
use super::job::{JobState, Operation};

/// Rows per platform transaction; duplicate upsert keys are detected per chunk.
const CHUNK: usize = 200;

/// How the header's columns map onto the object, checked once per job.
#[derive(Debug, Clone)]
pub struct Plan {
    columns: Vec<Column>,
    id_column: Option<usize>,
    key_column: Option<usize>,
    key_case_sensitive: bool,
}

#[derive(Debug, Clone)]
struct Column {
    /// The body key: the canonical field name, or `Rel.Key` as written.
    key: String,
    /// For `Rel.Key` columns, the lookup field that `#N/A` clears.
    clears: Option<String>,
}

/// Checks the header against the object; errors are the job's `errorMessage`.
fn plan(schema: &Schema, job: &IngestJob, rows: &Rows) -> Result<Plan, String> {
    let object =
        schema.object(&job.meta.object).ok_or_else(|| format!("InvalidJob : Unknown object {}", job.meta.object))?;
    let deleting = matches!(job.meta.operation, Operation::Delete | Operation::HardDelete);
    let mut seen = HashSet::new();
    let mut columns = Vec::with_capacity(rows.header.len());
    for name in &rows.header {
        if !seen.insert(name.to_ascii_lowercase()) {
            return Err(format!("InvalidBatch : Duplicate field name: {name}"));
        }
        let parent = name.split_once('.').and_then(|(relationship, key)| {
            let lookup = object.field_by_relationship(relationship)?;
            let target = lookup.field_type.reference()?.to.first()?;
            schema.object(target)?.field(key)?;
            Some(lookup.name.clone())
        });
        let column = match (object.field(name), parent) {
            (Some(field), _) => Column { key: field.name.clone(), clears: None },
            (None, Some(lookup)) => Column { key: name.to_owned(), clears: Some(lookup) },
            (None, None) if deleting => Column { key: name.to_owned(), clears: None },
            (None, None) => return Err(format!("InvalidBatch : Field name not found : {name}")),
        };
        columns.push(column);
    }
    let position = |key: &str| columns.iter().position(|c| c.clears.is_none() && c.key == key);
    let id_column = position("Id");
    let upsert_key = job.external_id.as_deref().filter(|_| job.meta.operation == Operation::Upsert);
    let key_column = upsert_key.and_then(position);
    match (job.meta.operation, upsert_key) {
        (Operation::Update | Operation::Delete | Operation::HardDelete, _) if id_column.is_none() => {
            Err("InvalidBatch : Field name not found : Id".to_owned())
        }
        (_, Some(key)) if key_column.is_none() => Err(format!("InvalidBatch : Field name not found : {key}")),
        _ => {
            let key_case_sensitive = upsert_key.and_then(|k| object.field(k)).is_some_and(|f| f.case_sensitive);
            Ok(Plan { columns, id_column, key_column, key_case_sensitive })
        }
    }
}

/// One call's work on job `id`; returns how many rows it wrote.
pub fn step(state: &mut SandboxState, id: &str, budget: usize) -> usize {
    let SandboxState { jobs, org, .. } = state;
    let Some(job) = jobs.ingest_mut(id) else { return 0 };
    let now = Utc::now();
    if job.meta.state == JobState::UploadComplete {
        if let Err(message) = job.parse_uploads() {
            fail(job, message);
            return 0;
        }
        let checked = match &job.rows {
            Some(rows) => plan(&org.schema, job, rows),
            None => Err("InvalidBatch : No data".to_owned()),
        };
        match checked {
            Ok(plan) => job.plan = Some(plan),
            Err(message) => {
                fail(job, message);
                return 0;
            }
        }
        job.meta.set_state(JobState::InProgress, now);
    }
    let (Some(rows), Some(plan)) = (&job.rows, &job.plan) else {
        fail(job, "InvalidBatch : The job has no parsed data".to_owned());
        return 0;
    };
    let writer = Writer { user_id: job.meta.created_by.clone(), now, format: InputFormat::Csv };
    let (start, total) = (job.cursor, rows.records.len());
    let end = start.saturating_add(budget).min(total);
    let mut duplicates = HashSet::new();
    for (row, record) in rows.records.iter().enumerate().take(end).skip(start) {
        if row == start || row % CHUNK == 0 {
            let chunk = row - row % CHUNK..(row - row % CHUNK + CHUNK).min(total);
            duplicates = duplicate_keys(plan, rows, chunk);
        }
        let target = Target { org: &mut *org, object: &job.meta.object, plan, writer: &writer };
        match target.write(job.meta.operation, record, &duplicates) {
            Ok((id, created)) => job.successes.push(Success { row, id, created }),
            Err((id, error)) => job.failures.push(Failure { row, id, error }),
        }
    }
    job.cursor = end;
    job.meta.processed = job.successes.len() + job.failures.len();
    job.meta.failed = job.failures.len();
    if end >= total {
        job.meta.set_state(JobState::JobComplete, Utc::now());
    }
    end - start
}

fn normalise(value: &str, case_sensitive: bool) -> String {
    if case_sensitive { value.to_owned() } else { value.to_lowercase() }
}

/// Upsert key values that occur more than once in `chunk`.
fn duplicate_keys(plan: &Plan, rows: &Rows, chunk: Range<usize>) -> HashSet<String> {
    let Some(column) = plan.key_column.filter(|c| plan.columns.get(*c).is_some_and(|c| c.key != "Id")) else {
        return HashSet::new();
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for record in rows.records.get(chunk).unwrap_or_default() {
        if let Some(value) = record.get(column).filter(|v| !v.is_empty()) {
            *counts.entry(normalise(value, plan.key_case_sensitive)).or_default() += 1;
        }
    }
    counts.into_iter().filter(|(_, n)| *n > 1).map(|(value, _)| value).collect()
}

/// `Ok((id, created))` or `Err((id if known, sf__Error cell))`.
type RowResult = Result<(String, bool), (String, String)>;

struct Target<'a> {
    org: &'a mut Org,
    object: &'a str,
    plan: &'a Plan,
    writer: &'a Writer,
}

impl Target<'_> {
    fn write(self, operation: Operation, record: &StringRecord, duplicates: &HashSet<String>) -> RowResult {
        let (org, object, writer) = (self.org, self.object, self.writer);
        match operation {
            Operation::Insert => {
                let body = body(self.plan, record, false);
                org.create(object, &body, writer).map(|id| (id, true)).map_err(|e| (String::new(), dml_cell(&e)))
            }
            Operation::Update => {
                let id = record_id(org, object, self.plan, record, "an update")?;
                let body = body(self.plan, record, true);
                org.update(object, &id, &body, writer).map(|()| (id.clone(), false)).map_err(|e| (id, dml_cell(&e)))
            }
            Operation::Delete | Operation::HardDelete => {
                let id = record_id(org, object, self.plan, record, "a delete")?;
                org.delete(object, &id, writer).map(|()| (id.clone(), false)).map_err(|e| (id, dml_cell(&e)))
            }
            Operation::Upsert => {
                let column = self.plan.key_column.unwrap_or(usize::MAX);
                let key = self.plan.columns.get(column).map_or("Id", |c| c.key.as_str());
                let value = record.get(column).unwrap_or_default();
                if value.is_empty() {
                    return Err((String::new(), format!("MISSING_ARGUMENT:{key} not specified:--")));
                }
                if duplicates.contains(&normalise(value, self.plan.key_case_sensitive)) {
                    return Err((
                        String::new(),
                        format!("DUPLICATE_VALUE:Duplicate external id specified: {value}:--"),
                    ));
                }
                let by_id = key == "Id";
                let value =
                    if by_id { record_id(org, object, self.plan, record, "an upsert")? } else { value.to_owned() };
                let body = body(self.plan, record, by_id);
                match org.upsert(object, key, &value, &body, writer) {
                    Ok(done) => Ok((done.id, done.created)),
                    Err(error) => Err((existing_id(org, object, key, &value), dml_cell(&error))),
                }
            }
            Operation::Query | Operation::QueryAll => {
                Err((String::new(), "INVALIDJOB:Not an ingest job:--".to_owned()))
            }
        }
    }
}

/// The row as a CSV-mode body: empty cells are skipped by the validator, `#N/A`
/// clears, and `#N/A` in a `Rel.Key` column clears the lookup field itself.
fn body(plan: &Plan, record: &StringRecord, without_id: bool) -> Map<String, Value> {
    let mut body = Map::new();
    for (column, cell) in plan.columns.iter().zip(record.iter()) {
        match &column.clears {
            _ if without_id && column.key == "Id" => {}
            Some(lookup) if cell == "#N/A" => {
                body.insert(lookup.clone(), Value::String(cell.to_owned()));
            }
            _ => {
                body.insert(column.key.clone(), Value::String(cell.to_owned()));
            }
        }
    }
    body
}

/// The row's `Id` cell as an 18-character Id of `object`.
fn record_id(
    org: &Org,
    object: &str,
    plan: &Plan,
    record: &StringRecord,
    call: &str,
) -> Result<String, (String, String)> {
    let raw = plan.id_column.and_then(|c| record.get(c)).unwrap_or_default().trim();
    if raw.is_empty() {
        return Err((String::new(), format!("MISSING_ARGUMENT:Id not specified in {call} call:--")));
    }
    let id_field = || vec!["Id".to_owned()];
    let Ok(id) = SfId::parse(raw) else {
        let error = SfError::new(ErrorCode::MalformedId, format!("malformed id {raw}"), id_field());
        return Err((String::new(), error.to_bulk_cell()));
    };
    match org.schema.object(object) {
        Some(schema) if schema.key_prefix != id.key_prefix() => {
            let message = format!("{} ID: id value of incorrect type: {raw}", schema.label);
            Err((String::new(), SfError::new(ErrorCode::MalformedId, message, id_field()).to_bulk_cell()))
        }
        _ => Ok(id.as_str().to_owned()),
    }
}

/// The Id of the one live record with `key` = `value`, for a failed upsert's `sf__Id`.
fn existing_id(org: &Org, object: &str, key: &str, value: &str) -> String {
    if key == "Id" {
        return value.to_owned();
    }
    let found = org.table(object).and_then(|t| t.find(key, &Value::String(value.to_owned())));
    match found.as_deref() {
        Some([id]) => id.clone(),
        _ => String::new(),
    }
}

/// The `sf__Error` cell: every error as `CODE:message:fields--`.
fn dml_cell(error: &DmlError) -> String {
    match error {
        DmlError::NotFound => {
            SfError::new(ErrorCode::InvalidCrossReferenceKey, "invalid cross reference id", Vec::new()).to_bulk_cell()
        }
        other => other.errors().iter().map(SfError::to_bulk_cell).collect(),
    }
}
