//! Finding records in the org before writing: a customer's existing Contact
//! by email (so forcesync adopts it instead of creating a duplicate), and,
//! when an earlier attempt may have reached Salesforce unrecorded, the
//! records it may have created (so create-only fields are not sent again).

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

use crate::domain::lifecycle::Operation;
use crate::salesforce::soql::{Literal, Soql};
use crate::salesforce::{Client, Error};
use crate::storage::sync::WrittenRecord;

use super::nodes::Records;

/// Values per `IN (...)` list: 500 emails stay far below SOQL's 100,000-character statement.
const PER_QUERY: usize = 500;

fn text<'a>(record: &'a Value, field: &str) -> Option<&'a str> {
    record.get(field).and_then(Value::as_str).filter(|value| !value.is_empty())
}

/// Contacts forcesync has never written, matched by email to Contacts the org
/// already has without a forcesync key (the oldest wins). Returns the matched
/// Contacts and their Accounts as `matched` records.
pub(super) async fn match_by_email(
    client: &Client,
    operations: &[&Operation],
    records: &Records,
    contact_key_field: &str,
) -> Result<Vec<WrittenRecord>, Error> {
    let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for operation in operations.iter().filter(|op| op.object() == "Contact") {
        let known = records.contains_key(&("Contact".to_owned(), operation.key().to_owned()));
        let Operation { fields, .. } = operation;
        let email = fields.get("Email").and_then(Value::as_str).map(|e| e.trim().to_lowercase());
        if let (false, Some(email)) = (known, email.filter(|e| !e.is_empty())) {
            wanted.entry(email).or_default().push(operation.key().to_owned());
        }
    }
    let emails: Vec<&String> = wanted.keys().collect();
    let mut matched = Vec::new();
    let mut taken = BTreeSet::new();
    for chunk in emails.chunks(PER_QUERY) {
        let values: Vec<Literal> = chunk.iter().map(|email| Literal::str(email.as_str())).collect();
        let soql = Soql::select(&["Id", "AccountId", "Email"], "Contact")
            .and_then(|q| q.where_in("Email", &values))
            .and_then(|q| q.where_eq(contact_key_field, Literal::Null))
            .and_then(|q| q.order_by("CreatedDate", false))?;
        for contact in client.query_all_pages(&soql.build()).await? {
            let (Some(id), Some(email)) = (text(&contact, "Id"), text(&contact, "Email")) else { continue };
            let Some(keys) = wanted.get(&email.trim().to_lowercase()) else { continue };
            for key in keys {
                if !taken.insert(key.clone()) {
                    continue;
                }
                matched.push(adopted("Contact", key, id));
                if let Some(account) = text(&contact, "AccountId") {
                    matched.push(adopted("Account", key, account));
                }
            }
        }
    }
    Ok(matched)
}

fn adopted(object: &str, key: &str, id: &str) -> WrittenRecord {
    WrittenRecord {
        object: object.to_owned(),
        key: key.to_owned(),
        id: id.to_owned(),
        body_hash: Vec::new(),
        matched: true,
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
                let mut known = adopted(object, key, id);
                known.matched = false;
                found.push(known);
            }
        }
    }
    Ok(found)
}
