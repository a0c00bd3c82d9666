//! Finding records in the org before writing: a customer's existing Contact
//! by email (so forcesync adopts it instead of creating a duplicate), and,
//! when an earlier attempt may have reached Salesforce unrecorded, the
//! records it may have created (so create-only fields are not sent again).

use serde_json::Value;

use crate::domain::lifecycle::PlannedWrite;
use crate::domain::write_plan::entity_writes;
use crate::salesforce::soql::{Literal, Soql};
use crate::salesforce::{Client, Error};
use crate::storage::sync::WrittenRecord;

use super::subrequests::Records;

/// Values per `IN (...)` list: 500 emails stay far below SOQL's 100,000-character statement.
const PER_QUERY: usize = 500;

fn text<'a>(record: &'a Value, field: &str) -> Option<&'a str> {
    record.get(field).and_then(Value::as_str).filter(|value| !value.is_empty())
}

/// Contacts forcesync has never written, matched by email to Contacts the org
/// already has without a forcesync key (the oldest wins, see
/// [`entity_writes::adoptions`]). Returns the matched Contacts and their
/// Accounts as `matched` records.
pub(super) async fn match_by_email<'a>(
    client: &Client,
    operations: impl IntoIterator<Item = &'a PlannedWrite>,
    records: &Records,
    contact_key_field: &str,
) -> Result<Vec<WrittenRecord>, Error> {
    let is_known = |object: &str, key: &str| records.contains_key(&(object.to_owned(), key.to_owned()));
    let wanted = entity_writes::contacts_to_adopt(operations, is_known);
    let emails: Vec<&String> = wanted.keys().collect();
    let mut found = Vec::new();
    for chunk in emails.chunks(PER_QUERY) {
        let values: Vec<Literal> = chunk.iter().map(|email| Literal::str(email.as_str())).collect();
        let soql = Soql::select(&["Id", "AccountId", "Email"], "Contact")
            .and_then(|q| q.where_in("Email", &values))
            .and_then(|q| q.where_eq(contact_key_field, Literal::Null))
            .and_then(|q| q.order_by("CreatedDate", false))?;
        found.extend(client.query_all_pages(&soql.build()).await?);
    }
    let adopted = entity_writes::adoptions(&wanted, &found);
    Ok(adopted.into_iter().map(|a| known_record(a.object, &a.key, &a.id, true)).collect())
}

fn known_record(object: &str, key: &str, id: &str, matched: bool) -> WrittenRecord {
    WrittenRecord {
        object: object.to_owned(),
        key: key.to_owned(),
        id: id.to_owned(),
        body_hash: Vec::new(),
        matched,
        written_at: 0,
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
