//! Finding records in the org before writing, for every flow: when an earlier
//! attempt may have reached Salesforce unrecorded, the records it may have
//! created (so create-only fields are not sent again). A flow's own lookups
//! (Contacts by email, price book entries) live in its module under `flows/`.

use serde_json::Value;

use crate::salesforce::soql::{Literal, Soql};
use crate::salesforce::{Client, Error};
use crate::storage::sync::WrittenRecord;

/// Values per `IN (...)` list: 500 keys stay far below SOQL's 100,000-character statement.
const PER_QUERY: usize = 500;

fn text<'a>(record: &'a Value, field: &str) -> Option<&'a str> {
    record.get(field).and_then(Value::as_str).filter(|value| !value.is_empty())
}

/// A record the org holds, as the engine knows it (no remembered values).
pub(super) fn known_record(object: &str, key: &str, id: &str, matched: bool) -> WrittenRecord {
    WrittenRecord {
        object: object.to_owned(),
        key: key.to_owned(),
        id: id.to_owned(),
        body_hash: Vec::new(),
        matched,
        written_at: 0,
        ..WrittenRecord::default()
    }
}

/// Records of `object` the org already has under these forcesync keys,
/// as known records with no remembered values (so they are written again).
pub(super) async fn existing_by_key(
    client: &Client,
    object: &str,
    key_field: &str,
    keys: &[String],
) -> Result<Vec<WrittenRecord>, Error> {
    let mut found = Vec::new();
    for chunk in keys.chunks(PER_QUERY) {
        let values: Vec<Literal> = chunk.iter().map(|key| Literal::str(key.as_str())).collect();
        let soql = Soql::select(&["Id", key_field], object).and_then(|q| q.where_in(key_field, &values))?;
        for record in client.query_all_pages(&soql.build()).await? {
            if let (Some(id), Some(key)) = (text(&record, "Id"), text(&record, key_field)) {
                found.push(known_record(object, key, id, false));
            }
        }
    }
    Ok(found)
}
