//! What to send for one entity's planned operations, decided from what is
//! known: the records forcesync remembers writing (Ids and value hashes),
//! what lookups in the org found (Contacts adopted by email, records an
//! unrecorded attempt may have made) and the store's price book. Each
//! operation becomes an update by Id, an upsert by external id (one that must
//! not be repeated when it carries create-only fields), or is skipped with a
//! reason. A registered customer's Account and Contact belong to the
//! customer's own entity once it has written them: a sale carries a copy of
//! its customer as it was at the sale, and sending it (the sale syncs after
//! its customer) would put older values back. Pure: the engine sends exactly what this decides and PreviewPlan
//! shows it.

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::domain::lifecycle::PlannedWrite;
use crate::domain::sync::EntityKind;

/// What forcesync knows of one record in the org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownRecord {
    pub id: String,
    /// Hash of the values last written ([`hash`]); empty when none were.
    pub body_hash: Vec<u8>,
    /// Found in the org rather than written (an adopted Contact and its Account).
    pub matched: bool,
    /// Last written by a customer's own entity, whose saves keep it current.
    pub kept_by_customer: bool,
}

/// Known records by (object, external key).
pub type KnownRecords = HashMap<(String, String), KnownRecord>;

/// What the decisions are made against.
#[derive(Debug, Clone, Copy)]
pub struct Known<'a> {
    pub records: &'a KnownRecords,
    /// The store's price book (Pricebook2 Id), when it has been looked up:
    /// without it an OrderItem keeps its product reference and an Order gets
    /// no `Pricebook2Id` (a preview's case; the engine always knows it).
    pub pricebook_id: Option<&'a str>,
    /// The kind of entity whose writes are decided.
    pub writer: EntityKind,
}

impl Known<'_> {
    fn get(&self, object: &str, key: &str) -> Option<&KnownRecord> {
        self.records.get(&(object.to_owned(), key.to_owned()))
    }
}

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
pub fn objects_with_create_only_fields() -> impl Iterator<Item = &'static str> {
    let mut objects: Vec<&str> = CREATE_ONLY.iter().map(|(object, _)| *object).collect();
    objects.dedup();
    objects.into_iter()
}

/// Whether a write of `object` refused with `code` naming `fields` refused only
/// create-only fields: the upsert found a record an unrecorded attempt made.
pub fn refused_create_only(object: &str, code: &str, fields: &[String]) -> bool {
    code == "INVALID_FIELD_FOR_INSERT_UPDATE"
        && !fields.is_empty()
        && fields.iter().all(|field| CREATE_ONLY.iter().any(|(o, f)| *o == object && f.eq_ignore_ascii_case(field)))
}

/// The key under which a product's entry in a price book is remembered.
pub fn entry_key(product_key: &str, pricebook_id: &str) -> String {
    format!("{product_key}@{pricebook_id}")
}

/// How a write is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Not sent, for this reason.
    Skip(&'static str),
    /// `PATCH` of the record with this Id (a record found in the org), its key field set.
    Update { id: String },
    /// Upsert by external id, safe to repeat.
    Upsert,
    /// Upsert by external id of a record that may not exist yet, with its
    /// create-only fields: a repeat that finds the record a lost attempt made
    /// would be refused, so it is never repeated blindly.
    UpsertOnce,
}

/// One operation's decided write.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordWrite {
    pub object: String,
    pub key_field: String,
    pub key: String,
    /// What is sent (the planned values when skipped).
    pub body: Value,
    /// Hash of the planned values (before Ids are filled in), remembered once written.
    pub hash: Vec<u8>,
    pub action: Action,
}

/// Why an operation cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved(pub String);

/// The write `operation` needs against what is `known`.
pub fn decide(operation: &PlannedWrite, known: &Known<'_>) -> Result<RecordWrite, Unresolved> {
    let PlannedWrite { object, key_field, key, parents, .. } = operation;
    let mut body = operation.body();
    let hash = hash(object, key, &body);
    let existing = known.get(object, key);
    let decided = |body, action| RecordWrite {
        object: object.clone(),
        key_field: key_field.clone(),
        key: key.clone(),
        body,
        hash: hash.clone(),
        action,
    };
    if let Some(reason) = skip_reason(object, &hash, existing).or_else(|| kept_by_owner(known.writer, object, existing))
    {
        return Ok(decided(body, Action::Skip(reason)));
    }
    let Value::Object(fields) = &mut body else { return Err(Unresolved("the body is not an object".into())) };
    for parent in parents {
        if object == "OrderItem" && parent.object == "Product2" {
            let Some(book) = known.pricebook_id else { continue };
            fields.remove(&parent.relationship);
            let entry = known.get("PricebookEntry", &entry_key(&parent.key, book));
            let entry = entry.ok_or_else(|| Unresolved(format!("no price book entry for {}", parent.key)))?;
            fields.insert("PricebookEntryId".into(), Value::String(entry.id.clone()));
        } else if let Some(record) = known.get(&parent.object, &parent.key).filter(|r| r.matched) {
            fields.remove(&parent.relationship);
            fields.insert(format!("{}Id", parent.relationship), Value::String(record.id.clone()));
        }
    }
    if let (true, Some(book)) = (object == "Order", known.pricebook_id) {
        fields.insert("Pricebook2Id".into(), Value::String(book.to_owned()));
    }
    Ok(match existing {
        Some(record) if record.matched => {
            let mut body = without_create_only(object, body);
            if let Value::Object(fields) = &mut body {
                fields.insert(key_field.clone(), Value::String(key.clone()));
            }
            decided(body, Action::Update { id: record.id.clone() })
        }
        Some(_) => decided(without_create_only(object, body), Action::Upsert),
        // Its create-only fields fail on a repeat that finds the record the lost attempt made:
        // the entity is retried instead, and looks its records up first (see `uncertain_lookups`).
        None if has_create_only(object) => decided(body, Action::UpsertOnce),
        None => decided(body, Action::Upsert),
    })
}

/// The writes an entity's `operations` (parents first) need against what is
/// `known`, in order, skipped ones included.
pub fn decide_all<'a>(
    operations: impl IntoIterator<Item = &'a PlannedWrite>,
    known: &Known<'_>,
) -> Result<Vec<RecordWrite>, Unresolved> {
    operations.into_iter().map(|operation| decide(operation, known)).collect()
}

/// Why a planned write is not sent, if it is not: the hash is of the planned
/// values (before Ids are filled in).
pub fn skip_reason(object: &str, hash: &[u8], existing: Option<&KnownRecord>) -> Option<&'static str> {
    match existing {
        Some(record) if record.matched && object == "Account" => {
            Some("an existing Account adopted through its Contact's email: forcesync never renames it")
        }
        Some(record) if !record.matched && record.body_hash == hash => Some("already written with these values"),
        _ => None,
    }
}

/// Why a customer's record is not written by another entity (a sale), if it
/// is not: the customer's own entity wrote it and its saves keep it current.
/// A record no customer entity has written (a guest's) is the sale's to write.
pub fn kept_by_owner(writer: EntityKind, object: &str, existing: Option<&KnownRecord>) -> Option<&'static str> {
    let customer_record = matches!(object, "Account" | "Contact");
    (writer != EntityKind::Customer && customer_record && existing.is_some_and(|record| record.kept_by_customer))
        .then_some("the customer's own record: its saves keep it current, not a sale's copy of it")
}

/// The records an entity whose last attempt may have reached Salesforce
/// unrecorded must look up before writing, by object: those not known that
/// carry create-only fields (so they are not sent to a record that exists).
pub fn uncertain_lookups<'a>(
    operations: impl IntoIterator<Item = &'a PlannedWrite>,
    is_known: impl Fn(&str, &str) -> bool,
) -> Vec<(&'static str, Vec<String>)> {
    let mut lookups = Vec::new();
    let operations: Vec<&PlannedWrite> = operations.into_iter().collect();
    for object in objects_with_create_only_fields() {
        let unknown: Vec<String> = operations
            .iter()
            .filter(|op| op.object() == object && !is_known(object, op.key()))
            .map(|op| op.key().to_owned())
            .collect();
        if !unknown.is_empty() {
            lookups.push((object, unknown));
        }
    }
    lookups
}

/// Contacts forcesync has never written, to look for in the org by email
/// (lower-cased): each email's Contact keys.
pub fn contacts_to_adopt<'a>(
    operations: impl IntoIterator<Item = &'a PlannedWrite>,
    is_known: impl Fn(&str, &str) -> bool,
) -> BTreeMap<String, Vec<String>> {
    let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for operation in operations.into_iter().filter(|op| op.object() == "Contact") {
        let email = operation.fields.get("Email").and_then(Value::as_str).map(|e| e.trim().to_lowercase());
        if let (false, Some(email)) = (is_known("Contact", operation.key()), email.filter(|e| !e.is_empty())) {
            wanted.entry(email).or_default().push(operation.key().to_owned());
        }
    }
    wanted
}

/// A record found in the org that forcesync takes over (never written by it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adoption {
    pub object: &'static str,
    pub key: String,
    pub id: String,
}

/// Which found Contacts (rows with `Id`, `Email` and `AccountId`, oldest
/// first) the wanted keys adopt: each key takes the oldest Contact with its
/// email, and that Contact's Account. Its Account is used but never renamed.
pub fn adoptions(wanted: &BTreeMap<String, Vec<String>>, contacts: &[Value]) -> Vec<Adoption> {
    let text =
        |row: &Value, field: &str| row.get(field).and_then(Value::as_str).filter(|v| !v.is_empty()).map(str::to_owned);
    let mut adopted = Vec::new();
    let mut taken = BTreeSet::new();
    for contact in contacts {
        let (Some(id), Some(email)) = (text(contact, "Id"), text(contact, "Email")) else { continue };
        let Some(keys) = wanted.get(&email.trim().to_lowercase()) else { continue };
        for key in keys.iter().filter(|key| taken.insert((*key).clone())) {
            adopted.push(Adoption { object: "Contact", key: key.clone(), id: id.clone() });
            if let Some(account) = text(contact, "AccountId") {
                adopted.push(Adoption { object: "Account", key: key.clone(), id: account });
            }
        }
    }
    adopted
}

#[cfg(test)]
#[path = "entity_writes_tests.rs"]
mod tests;

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
