//! Turning planned operations into Salesforce requests against what is
//! already known: parents found in the org are named by Id, an OrderItem
//! gets its PricebookEntryId, an Order its price book, fields Salesforce only
//! accepts on create are left out of writes to records that exist, and a
//! record already written with the same values is not sent again.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::HashMap;

use crate::domain::lifecycle::Operation;
use crate::salesforce::composite::Subrequest;
use crate::salesforce::{Error, ErrorClass};
use crate::storage::sync::WrittenRecord;

/// Known records by (object, external key).
pub(super) type Records = HashMap<(String, String), WrittenRecord>;

/// Fields (or relationships) Salesforce accepts on create only: sending them
/// to an existing record fails with INVALID_FIELD_FOR_INSERT_UPDATE.
const CREATE_ONLY: &[(&str, &str)] = &[
    ("OrderItem", "Order"),
    ("OrderItem", "OrderId"),
    ("OrderItem", "PricebookEntryId"),
    ("OpportunityContactRole", "Opportunity"),
    ("OpportunityContactRole", "OpportunityId"),
];

/// Objects with create-only fields: an uncertain retry looks their records up first.
pub(super) fn objects_with_create_only_fields() -> impl Iterator<Item = &'static str> {
    let mut objects: Vec<&str> = CREATE_ONLY.iter().map(|(object, _)| *object).collect();
    objects.dedup();
    objects.into_iter()
}

/// The key under which a product's entry in a price book is remembered.
pub(super) fn entry_key(product_key: &str, pricebook_id: &str) -> String {
    format!("{product_key}@{pricebook_id}")
}

/// One write ready to send.
#[derive(Debug, Clone)]
pub(super) struct Node {
    pub object: String,
    pub key: String,
    pub request: Subrequest,
    /// Hash of what is written, remembered on success.
    pub hash: Vec<u8>,
}

/// What the price book lookups resolved, for Orders and OrderItems.
pub(super) struct Context<'a> {
    pub records: &'a Records,
    pub pricebook_id: &'a str,
}

/// Why an operation cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Unresolved(pub String);

/// The request for `operation` (reference id `reference_id`), or `None` when
/// nothing needs sending.
pub(super) fn build(
    operation: &Operation,
    reference_id: &str,
    context: &Context<'_>,
) -> Result<Option<Node>, Unresolved> {
    let Operation { object, key_field, key, parents, .. } = operation;
    let mut body = operation.body();
    let hash = hash(object, key, &body);
    let existing = context.records.get(&(object.clone(), key.clone()));
    if let Some(reason) = skip_reason(object, &hash, existing) {
        tracing::trace!(object = %object, key = %key, reason, "not sent");
        return Ok(None);
    }
    let Value::Object(fields) = &mut body else { return Err(Unresolved("the body is not an object".into())) };
    for parent in parents {
        let found = context.records.get(&(parent.object.clone(), parent.key.clone()));
        if object == "OrderItem" && parent.object == "Product2" {
            fields.remove(&parent.relationship);
            let entry =
                context.records.get(&("PricebookEntry".to_owned(), entry_key(&parent.key, context.pricebook_id)));
            let entry = entry.ok_or_else(|| Unresolved(format!("no price book entry for {}", parent.key)))?;
            fields.insert("PricebookEntryId".into(), Value::String(entry.id.clone()));
        } else if let Some(record) = found.filter(|r| r.matched) {
            fields.remove(&parent.relationship);
            fields.insert(format!("{}Id", parent.relationship), Value::String(record.id.clone()));
        }
    }
    if object == "Order" {
        fields.insert("Pricebook2Id".into(), Value::String(context.pricebook_id.to_owned()));
    }
    let request = match existing {
        Some(record) if record.matched => {
            let mut body = without_create_only(object, body);
            if let Value::Object(fields) = &mut body {
                fields.insert(key_field.clone(), Value::String(key.clone()));
            }
            Subrequest::update(reference_id, object, &record.id, body)
        }
        Some(_) => Subrequest::upsert(reference_id, object, key_field, key, without_create_only(object, body)),
        // Its create-only fields fail on a repeat that finds the record the lost attempt made:
        // the entity is retried instead, and looks its records up first (see `batch::prepare`).
        None if has_create_only(object) => Subrequest::upsert(reference_id, object, key_field, key, body).once(),
        None => Subrequest::upsert(reference_id, object, key_field, key, body),
    };
    Ok(Some(Node { object: object.clone(), key: key.clone(), request, hash }))
}

/// Why a planned write is not sent, if it is not: the hash is of the planned
/// values (before Ids are filled in), so a dry run can tell too.
pub fn skip_reason(object: &str, hash: &[u8], existing: Option<&WrittenRecord>) -> Option<&'static str> {
    match existing {
        Some(record) if record.matched && object == "Account" => {
            Some("an existing Account adopted through its Contact's email: forcesync never renames it")
        }
        Some(record) if !record.matched && record.body_hash == hash => Some("already written with these values"),
        _ => None,
    }
}

/// Whether `error`, answering a write of `object`, says the record already
/// exists: Salesforce refused fields it takes only on create, so the upsert
/// found a record an earlier, unrecorded attempt made. The entity is retried
/// (and, being uncertain, looks its records up first) instead of parked.
pub(super) fn found_existing(object: &str, error: &Error) -> bool {
    error.code == "INVALID_FIELD_FOR_INSERT_UPDATE"
        && !error.fields.is_empty()
        && error
            .fields
            .iter()
            .all(|field| CREATE_ONLY.iter().any(|(o, f)| *o == object && f.eq_ignore_ascii_case(field)))
}

/// `error` (see [`found_existing`]) as the transient error it is.
pub(super) fn as_existing(object: &str, error: Error) -> Error {
    let message = format!(
        "the {object} already exists in Salesforce (an earlier attempt made it without its answer arriving): \
         it is looked up and updated on the next attempt; Salesforce said: {}",
        error.message
    );
    Error { message, ..error }.with_class(ErrorClass::Transient)
}

fn has_create_only(object: &str) -> bool {
    CREATE_ONLY.iter().any(|(o, _)| *o == object)
}

fn without_create_only(object: &str, mut body: Value) -> Value {
    if let Value::Object(fields) = &mut body {
        for (_, field) in CREATE_ONLY.iter().filter(|(o, _)| *o == object) {
            fields.remove(*field);
        }
    }
    body
}

/// SHA-256 of the object, key and body (serde_json orders keys, so equal
/// bodies hash equally).
pub fn hash(object: &str, key: &str, body: &Value) -> Vec<u8> {
    let mut digest = Sha256::new();
    digest.update(object.as_bytes());
    digest.update([0]);
    digest.update(key.as_bytes());
    digest.update([0]);
    digest.update(body.to_string().as_bytes());
    digest.finalize().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_create_only_field_means_the_record_exists() {
        let refused = |fields: &[&str]| {
            Error::new("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: X.", Some(400))
                .with_fields(fields.iter().map(|f| (*f).to_owned()).collect())
        };
        assert!(found_existing("OpportunityContactRole", &refused(&["OpportunityId"])));
        assert!(found_existing("OrderItem", &refused(&["OrderId", "PricebookEntryId"])));
        assert!(!found_existing("Order", &refused(&["OpportunityId"])), "updatable on Order: a real problem");
        assert!(!found_existing("OrderItem", &refused(&["OrderId", "Secret__c"])), "another field is refused too");
        assert!(!found_existing("OrderItem", &refused(&[])));
        let existing = as_existing("OrderItem", refused(&["OrderId"]));
        assert_eq!(
            (existing.code.as_str(), existing.class),
            ("INVALID_FIELD_FOR_INSERT_UPDATE", ErrorClass::Transient)
        );
    }
}
