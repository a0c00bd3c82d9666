//! The sandbox's object schema: the standard objects with their real key prefixes and fields
//! (`builtin`), custom fields and objects from a JSON file (`custom`), the org's State and Country
//! picklist data (`geo`), describe output (`describe`) and validation of record writes (`validate`).
//! Object and field lookups are case-insensitive and answer with the canonical API name.

pub mod builtin;
pub mod custom;
pub mod describe;
pub mod field;
mod field_type;
pub mod geo;
pub mod object;
pub mod validate;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

pub use custom::{CustomFieldSpec, CustomObjectSpec, CustomSchema};
pub use field::{FieldSchema, FieldType, PicklistValue, Reference};
pub use object::{AddressGroup, ObjectSchema};
pub use validate::{InputFormat, Operation, ParentLookup, ReferenceCheck, UniqueCheck, Validated, Validator, validate};

use crate::ids::SfId;

/// Org-level switches that change the schema.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrgFeatures {
    /// State and Country/Territory Picklists: adds the `*StateCode`/`*CountryCode` fields and
    /// validates address states and countries against the ISO lists.
    pub state_country_picklists: bool,
    /// Multiple currencies: adds `CurrencyIsoCode` (see `builtin::CURRENCIES`).
    #[serde(default)]
    pub multi_currency: bool,
    /// Person Accounts: adds the person fields and record type to Account.
    #[serde(default)]
    pub person_accounts: bool,
}

/// Why a schema (usually a custom schema file) cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("custom schema file is not valid JSON for this format: {0}")]
    Json(String),
    #[error("unknown object {object}: custom objects end in __c, other names must be standard objects")]
    UnknownObject { object: String },
    #[error("{object} is defined twice")]
    DuplicateObject { object: String },
    #[error("{object}.{field} is defined twice (or clashes with a standard field)")]
    DuplicateField { object: String, field: String },
    #[error("{object}.{field}: custom field names must end in __c")]
    MissingCustomSuffix { object: String, field: String },
    #[error("{name:?} is not a valid API name (a letter, then letters, digits or single underscores)")]
    InvalidName { name: String },
    #[error("{object}.{field}: unknown field type {field_type:?}")]
    UnknownFieldType { object: String, field: String, field_type: String },
    #[error("{object}.{field}: {message}")]
    InvalidField { object: String, field: String, message: String },
    #[error("{object}.{field}: lookup to unknown object {target}")]
    UnknownReferenceTarget { object: String, field: String, target: String },
    #[error("{object}: key prefix {prefix:?} is invalid or already used")]
    KeyPrefix { object: String, prefix: String },
}

/// All objects of one org, with lookups by name and by key prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct Schema {
    features: OrgFeatures,
    objects: Vec<ObjectSchema>,
    by_name: HashMap<String, usize>,
    by_prefix: HashMap<String, usize>,
}

impl Schema {
    /// The standard objects only.
    pub fn standard(features: OrgFeatures) -> Result<Self, SchemaError> {
        let mut schema = Self { features, objects: Vec::new(), by_name: HashMap::new(), by_prefix: HashMap::new() };
        for object in builtin::builtin_objects(&features)? {
            schema.add_object(object)?;
        }
        Ok(schema)
    }

    /// The standard objects plus a custom schema's fields and objects.
    pub fn with_custom(features: OrgFeatures, custom: &CustomSchema) -> Result<Self, SchemaError> {
        let mut schema = Self::standard(features)?;
        custom.apply(&mut schema)?;
        Ok(schema)
    }

    pub fn features(&self) -> OrgFeatures {
        self.features
    }

    /// All objects: standard ones first, then custom ones in file order.
    pub fn objects(&self) -> &[ObjectSchema] {
        &self.objects
    }

    /// An object by name, case-insensitively.
    pub fn object(&self, name: &str) -> Option<&ObjectSchema> {
        let position = *self.by_name.get(&name.to_ascii_lowercase())?;
        self.objects.get(position)
    }

    /// The object owning a key prefix (case-sensitive: `00K` is not `00k`).
    pub fn object_by_prefix(&self, prefix: &str) -> Option<&ObjectSchema> {
        let position = *self.by_prefix.get(prefix)?;
        self.objects.get(position)
    }

    /// The object a record Id belongs to.
    pub fn object_for_id(&self, id: &SfId) -> Option<&ObjectSchema> {
        self.object_by_prefix(id.key_prefix())
    }

    pub(crate) fn object_mut(&mut self, name: &str) -> Option<&mut ObjectSchema> {
        let position = *self.by_name.get(&name.to_ascii_lowercase())?;
        self.objects.get_mut(position)
    }

    pub(crate) fn prefix_taken(&self, prefix: &str) -> bool {
        self.by_prefix.contains_key(prefix) || crate::ids::standard_object_for_prefix(prefix).is_some()
    }

    /// Adds an object; names (any case) and key prefixes must be new.
    pub(crate) fn add_object(&mut self, object: ObjectSchema) -> Result<(), SchemaError> {
        let key = object.name.to_ascii_lowercase();
        if self.by_name.contains_key(&key) {
            return Err(SchemaError::DuplicateObject { object: object.name });
        }
        if self.by_prefix.contains_key(&object.key_prefix) {
            let prefix = object.key_prefix.clone();
            return Err(SchemaError::KeyPrefix { object: object.name, prefix });
        }
        self.by_name.insert(key, self.objects.len());
        self.by_prefix.insert(object.key_prefix.clone(), self.objects.len());
        self.objects.push(object);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standard() -> Schema {
        match Schema::standard(OrgFeatures::default()) {
            Ok(schema) => schema,
            Err(error) => panic!("standard schema: {error}"),
        }
    }

    #[test]
    fn objects_resolve_case_insensitively_to_canonical_names() {
        let schema = standard();
        assert_eq!(schema.object("opportunitycontactrole").map(|o| o.name.as_str()), Some("OpportunityContactRole"));
        assert_eq!(schema.object("PRODUCT2").map(|o| o.key_prefix.as_str()), Some("01t"));
        assert!(schema.object("Widget__c").is_none());
    }

    #[test]
    fn prefixes_resolve_case_sensitively() {
        let schema = standard();
        assert_eq!(schema.object_by_prefix("00K").map(|o| o.name.as_str()), Some("OpportunityContactRole"));
        assert_eq!(schema.object_by_prefix("00k").map(|o| o.name.as_str()), Some("OpportunityLineItem"));
        let id = SfId::parse("801000000000001");
        let object = id.ok().and_then(|id| schema.object_for_id(&id).map(|o| o.name.clone()));
        assert_eq!(object.as_deref(), Some("Order"));
    }

    #[test]
    fn duplicate_objects_are_rejected() {
        let mut schema = standard();
        let again = ObjectSchema::new("account", "Account", "Accounts", "a00");
        assert_eq!(schema.add_object(again), Err(SchemaError::DuplicateObject { object: "account".into() }));
        let clash = ObjectSchema::new("Thing__c", "Thing", "Things", "001");
        assert!(matches!(schema.add_object(clash), Err(SchemaError::KeyPrefix { .. })));
    }
}
