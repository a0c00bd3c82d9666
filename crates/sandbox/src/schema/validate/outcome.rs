//! What a successful validation hands to the store: the values to write and the checks that need
//! stored data, each with the Salesforce error it produces when it fails.

use serde_json::{Map, Value};

use crate::errors::{ErrorCode, SfError};
use crate::ids::SfId;

/// A lookup the store must confirm exists (and is not deleted).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferenceCheck {
    pub field: String,
    /// The object the Id's prefix names.
    pub object: String,
    pub id: SfId,
}

impl ReferenceCheck {
    /// No such record (or not visible).
    pub fn not_found_error(&self) -> SfError {
        SfError::new(ErrorCode::InvalidCrossReferenceKey, "invalid cross reference id", Vec::new())
    }

    /// The parent is in the recycle bin.
    pub fn deleted_error(&self) -> SfError {
        SfError::new(ErrorCode::EntityIsDeleted, "entity is deleted", Vec::new())
    }
}

/// A lookup given by the parent's external Id (`"Account": {"ForceSync_Key__c": "k1"}`): the store
/// finds the parent and sets `field` to its Id.
#[derive(Debug, Clone, PartialEq)]
pub struct ParentLookup {
    /// The lookup field to set, e.g. `AccountId`.
    pub field: String,
    pub object: String,
    /// The parent's External ID (or idLookup) field.
    pub key_field: String,
    pub value: Value,
}

impl ParentLookup {
    /// No parent has that key. Wording as reported by users [unconfirmed].
    pub fn not_found_error(&self) -> SfError {
        let shown = self.value.as_str().map_or_else(|| self.value.to_string(), str::to_owned);
        let message = format!(
            "Foreign key external ID: {shown} not found for field {} in entity {}",
            self.key_field, self.object
        );
        SfError::new(ErrorCode::InvalidField, message, Vec::new())
    }
}

/// A unique field's new value, which no other record of the object may hold.
#[derive(Debug, Clone, PartialEq)]
pub struct UniqueCheck {
    pub field: String,
    pub value: Value,
    pub case_sensitive: bool,
}

impl UniqueCheck {
    /// Whether a stored value collides with this one.
    pub fn matches(&self, stored: &Value) -> bool {
        match (&self.value, stored) {
            (Value::String(a), Value::String(b)) if !self.case_sensitive => a.to_lowercase() == b.to_lowercase(),
            (a, b) => a == b,
        }
    }

    /// `DUPLICATE_VALUE` naming the record that already holds the value.
    pub fn duplicate_error(&self, holder: &SfId) -> SfError {
        let message = format!("duplicate value found: {} duplicates value on record with id: {holder}", self.field);
        SfError::new(ErrorCode::DuplicateValue, message, Vec::new())
    }
}

/// A write that passed every rule the schema alone can decide.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Validated {
    /// Canonical field name → value to store (`null` clears). Inserts include defaults; address
    /// groups carry both names and codes when State and Country picklists are on.
    pub values: Map<String, Value>,
    pub references: Vec<ReferenceCheck>,
    pub parent_lookups: Vec<ParentLookup>,
    pub unique_checks: Vec<UniqueCheck>,
}
