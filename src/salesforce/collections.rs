//! sObject Collections (`/composite/sobjects`): create, update, upsert by
//! external id and delete any number of records, 200 per call, with one
//! result per record in input order. `all_or_none` applies per call of 200.
//! Upserts and updates are repeated after a lost response; creates and
//! deletes are not (a repeated delete would report records as already deleted).

use reqwest::Method;
use serde_json::{Map, Value, json};

use super::client::{Call, Client};
use super::composite::{check_name, invalid_input};
use super::error::Error;

/// Records per collections call.
pub const MAX_RECORDS_PER_CALL: usize = 200;

/// A record written: its Id, and whether it was inserted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub id: String,
    /// True for creates and for upserts that inserted; false otherwise.
    pub created: bool,
}

/// One record's outcome.
pub type RecordResult = Result<Saved, Error>;

/// A per-record error, `{"statusCode", "message", "fields"}`. Classified as
/// the same error on a single-record call (HTTP 400) would be.
pub(crate) fn record_error(item: &Value) -> Error {
    let text = |name: &str| item.get(name).and_then(Value::as_str).unwrap_or_default().to_owned();
    let code = item.get("statusCode").or_else(|| item.get("errorCode")).and_then(Value::as_str).unwrap_or("UNKNOWN");
    let fields = item
        .get("fields")
        .and_then(Value::as_array)
        .map(|f| f.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect());
    Error::new(code, text("message"), Some(400)).with_fields(fields.unwrap_or_default())
}

/// What the calls do, and how the results read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CollectionCall {
    Create,
    Update,
    Upsert,
    Delete,
}

impl Client {
    /// Inserts `records` (JSON objects of fields) of `object`.
    pub async fn create_records(
        &self,
        object: &str,
        records: &[Value],
        all_or_none: bool,
    ) -> Result<Vec<RecordResult>, Error> {
        self.write_records(CollectionCall::Create, object, "composite/sobjects".into(), records, all_or_none).await
    }

    /// Updates `records` of `object`; each must carry its `Id`.
    pub async fn update_records(
        &self,
        object: &str,
        records: &[Value],
        all_or_none: bool,
    ) -> Result<Vec<RecordResult>, Error> {
        self.write_records(CollectionCall::Update, object, "composite/sobjects".into(), records, all_or_none).await
    }

    /// Inserts or updates `records` of `object` matched on `external_id_field`,
    /// which every record must carry.
    pub async fn upsert_records(
        &self,
        object: &str,
        external_id_field: &str,
        records: &[Value],
        all_or_none: bool,
    ) -> Result<Vec<RecordResult>, Error> {
        check_name(external_id_field)?;
        let path = format!("composite/sobjects/{object}/{external_id_field}");
        self.write_records(CollectionCall::Upsert, object, path, records, all_or_none).await
    }

    /// Creates, updates or upserts in calls of 200; only creates are never repeated.
    async fn write_records(
        &self,
        op: CollectionCall,
        object: &str,
        path: String,
        records: &[Value],
        all_or_none: bool,
    ) -> Result<Vec<RecordResult>, Error> {
        let method = if op == CollectionCall::Create { Method::POST } else { Method::PATCH };
        let calls = typed_chunks(object, records)?.into_iter().map(|chunk| {
            Call::write(
                method.clone(),
                path.clone(),
                json!({ "allOrNone": all_or_none, "records": chunk }),
                op != CollectionCall::Create,
            )
        });
        Ok(self.run_chunks(op, records.len(), calls).await)
    }

    /// Deletes records by Id (15 or 18 characters, any objects).
    pub async fn delete_records(&self, ids: &[&str], all_or_none: bool) -> Result<Vec<RecordResult>, Error> {
        if let Some(bad) = ids.iter().find(|id| id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric())) {
            return Err(invalid_input(format!("'{bad}' is not a record Id")));
        }
        let calls = ids.chunks(MAX_RECORDS_PER_CALL).map(|chunk| Call {
            method: Method::DELETE,
            path: "composite/sobjects".into(),
            query: vec![("ids".into(), chunk.join(",")), ("allOrNone".into(), all_or_none.to_string())],
            body: None,
            idempotent: false,
        });
        Ok(self.run_chunks(CollectionCall::Delete, ids.len(), calls).await)
    }

    /// Sends the calls in turn. When a call fails as a whole, its records and
    /// those of the calls not yet sent get that error.
    async fn run_chunks(
        &self,
        op: CollectionCall,
        total: usize,
        calls: impl Iterator<Item = Call>,
    ) -> Vec<RecordResult> {
        let mut results: Vec<RecordResult> = Vec::with_capacity(total);
        for call in calls {
            let size = (total - results.len()).min(MAX_RECORDS_PER_CALL);
            match self.send(&call).await.and_then(|reply| parse_results(op, size, &reply.body)) {
                Ok(done) => results.extend(done),
                Err(error) => {
                    results.resize(total, Err(error));
                    break;
                }
            }
        }
        results
    }
}

/// The records as JSON objects typed `object`, in chunks of at most 200.
fn typed_chunks(object: &str, records: &[Value]) -> Result<Vec<Vec<Value>>, Error> {
    check_name(object)?;
    let typed = |(index, record): (usize, &Value)| {
        let Some(fields) = record.as_object() else {
            return Err(invalid_input(format!("record {index} is not a JSON object")));
        };
        let mut typed = Map::with_capacity(fields.len() + 1);
        typed.insert("attributes".into(), json!({ "type": object }));
        typed.extend(fields.iter().filter(|(k, _)| *k != "attributes").map(|(k, v)| (k.clone(), v.clone())));
        Ok(Value::Object(typed))
    };
    let all: Vec<Value> = records.iter().enumerate().map(typed).collect::<Result<_, _>>()?;
    Ok(all.chunks(MAX_RECORDS_PER_CALL).map(<[Value]>::to_vec).collect())
}

/// One result per record from a collections answer of `size` items.
fn parse_results(op: CollectionCall, size: usize, body: &Value) -> Result<Vec<RecordResult>, Error> {
    let items = match body.as_array() {
        Some(items) if items.len() == size => items,
        _ => return Err(Error::bad_response(200, format!("expected {size} collection results"))),
    };
    let result = |item: &Value| -> RecordResult {
        let id = item.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        if item.get("success").and_then(Value::as_bool) == Some(true) {
            let created = match op {
                CollectionCall::Create => true,
                CollectionCall::Upsert => item.get("created").and_then(Value::as_bool).unwrap_or(false),
                CollectionCall::Update | CollectionCall::Delete => false,
            };
            return Ok(Saved { id, created });
        }
        let first = item.get("errors").and_then(Value::as_array).and_then(|e| e.first());
        Err(first.map_or_else(|| Error::new("UNKNOWN", "the record failed without an error", Some(400)), record_error))
    };
    Ok(items.iter().map(result).collect())
}
