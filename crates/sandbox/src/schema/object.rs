//! Object metadata: an object's fields with case-insensitive lookup, and its address groups.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::SchemaError;
use super::field::FieldSchema;

/// The parts of an address group, appended to its prefix (`Billing` + `City`).
pub const ADDRESS_PARTS: [&str; 5] = ["Street", "City", "State", "PostalCode", "Country"];

/// A set of address fields sharing a prefix: `Billing*` on Account, `Mailing*` on Contact, the
/// unprefixed `Street`/`City`/... on Lead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddressGroup {
    pub prefix: String,
    /// Whether `<prefix>StateCode`/`<prefix>CountryCode` exist (State and Country picklists on).
    pub picklists: bool,
}

impl AddressGroup {
    /// The component field for a part: `field("City")` → `BillingCity`.
    pub fn field(&self, part: &str) -> String {
        format!("{}{}", self.prefix, part)
    }

    /// The read-only compound field: `BillingAddress`, or `Address` on Lead.
    pub fn compound_field(&self) -> String {
        self.field("Address")
    }
}

/// One object (sObject type) and its fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectSchema {
    pub name: String,
    pub label: String,
    pub label_plural: String,
    pub key_prefix: String,
    pub custom: bool,
    pub createable: bool,
    pub updateable: bool,
    pub deletable: bool,
    fields: Vec<FieldSchema>,
    index: HashMap<String, usize>,
    addresses: Vec<AddressGroup>,
}

impl ObjectSchema {
    /// An object with no fields yet; createable, updateable and deletable.
    pub fn new(name: &str, label: &str, label_plural: &str, key_prefix: &str) -> Self {
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            label_plural: label_plural.to_owned(),
            key_prefix: key_prefix.to_owned(),
            custom: name.ends_with("__c"),
            createable: true,
            updateable: true,
            deletable: true,
            fields: Vec::new(),
            index: HashMap::new(),
            addresses: Vec::new(),
        }
    }

    /// Adds a field; names are unique regardless of case.
    pub fn add_field(&mut self, field: FieldSchema) -> Result<(), SchemaError> {
        let key = field.name.to_ascii_lowercase();
        if self.index.contains_key(&key) {
            return Err(SchemaError::DuplicateField { object: self.name.clone(), field: field.name });
        }
        self.index.insert(key, self.fields.len());
        self.fields.push(field);
        Ok(())
    }

    /// Adds several fields in order.
    pub fn add_fields(&mut self, fields: impl IntoIterator<Item = FieldSchema>) -> Result<(), SchemaError> {
        fields.into_iter().try_for_each(|field| self.add_field(field))
    }

    /// Records an address group; its fields are added separately.
    pub fn add_address_group(&mut self, group: AddressGroup) {
        self.addresses.push(group);
    }

    /// All fields in declaration order.
    pub fn fields(&self) -> &[FieldSchema] {
        &self.fields
    }

    /// A field by name, case-insensitively.
    pub fn field(&self, name: &str) -> Option<&FieldSchema> {
        let position = *self.index.get(&name.to_ascii_lowercase())?;
        self.fields.get(position)
    }

    pub(crate) fn field_mut(&mut self, name: &str) -> Option<&mut FieldSchema> {
        let position = *self.index.get(&name.to_ascii_lowercase())?;
        self.fields.get_mut(position)
    }

    /// The canonical spelling of a field name.
    pub fn canonical_field_name(&self, name: &str) -> Option<&str> {
        self.field(name).map(|field| field.name.as_str())
    }

    /// The lookup field whose relationship name is `relationship` (`Account` → `AccountId`).
    pub fn field_by_relationship(&self, relationship: &str) -> Option<&FieldSchema> {
        self.fields.iter().find(|field| {
            field.field_type.reference().is_some_and(|r| r.relationship_name.eq_ignore_ascii_case(relationship))
        })
    }

    /// Fields that must be supplied on create, in declaration order.
    pub fn required_on_create(&self) -> impl Iterator<Item = &FieldSchema> {
        self.fields.iter().filter(|field| field.is_required_on_create())
    }

    /// Fields usable as an upsert key (`externalId` or `idLookup`).
    pub fn upsert_key(&self, name: &str) -> Option<&FieldSchema> {
        self.field(name).filter(|field| field.external_id || field.id_lookup)
    }

    pub fn addresses(&self) -> &[AddressGroup] {
        &self.addresses
    }

    /// The read-only compound address value (`BillingAddress`) for a stored record, or null when
    /// every component is empty.
    pub fn compound_address(&self, group: &AddressGroup, record: &Map<String, Value>) -> Value {
        let get = |part: &str| record.get(&group.field(part)).cloned().unwrap_or(Value::Null);
        let parts = [
            ("street", get("Street")),
            ("city", get("City")),
            ("state", get("State")),
            ("stateCode", get("StateCode")),
            ("postalCode", get("PostalCode")),
            ("country", get("Country")),
            ("countryCode", get("CountryCode")),
        ];
        if parts.iter().all(|(_, value)| value.is_null()) {
            return Value::Null;
        }
        let mut address: Map<String, Value> = parts.into_iter().map(|(k, v)| (k.into(), v)).collect();
        for key in ["latitude", "longitude", "geocodeAccuracy"] {
            address.insert(key.to_owned(), Value::Null);
        }
        json!(address)
    }
}

#[cfg(test)]
mod tests {
    use super::super::field::FieldType;
    use super::*;

    fn account() -> ObjectSchema {
        let mut object = ObjectSchema::new("Account", "Account", "Accounts", "001");
        let added = object.add_fields([
            FieldSchema::new("Name", "Account Name", FieldType::text(255)).required(),
            FieldSchema::new("ParentId", "Parent Account ID", FieldType::lookup("Account", "Parent", None)),
            FieldSchema::new("BillingCity", "Billing City", FieldType::text(40)),
        ]);
        assert_eq!(added, Ok(()));
        object.add_address_group(AddressGroup { prefix: "Billing".into(), picklists: false });
        object
    }

    #[test]
    fn lookups_are_case_insensitive_and_canonical() {
        let object = account();
        assert_eq!(object.canonical_field_name("nAmE"), Some("Name"));
        assert_eq!(object.canonical_field_name("billingcity"), Some("BillingCity"));
        assert_eq!(object.canonical_field_name("Nope"), None);
        assert_eq!(object.field_by_relationship("parent").map(|f| f.name.as_str()), Some("ParentId"));
        let required: Vec<&str> = object.required_on_create().map(|f| f.name.as_str()).collect();
        assert_eq!(required, ["Name"]);
    }

    #[test]
    fn duplicate_fields_are_rejected_whatever_the_case() {
        let mut object = account();
        let again = object.add_field(FieldSchema::new("NAME", "Again", FieldType::text(10)));
        assert_eq!(again, Err(SchemaError::DuplicateField { object: "Account".into(), field: "NAME".into() }));
    }

    #[test]
    fn compound_address_is_null_when_empty() {
        let object = account();
        let group = &object.addresses()[0];
        assert_eq!(group.compound_field(), "BillingAddress");
        assert_eq!(object.compound_address(group, &Map::new()), Value::Null);
        let mut record = Map::new();
        record.insert("BillingCity".into(), json!("Paris"));
        let address = object.compound_address(group, &record);
        assert_eq!(address["city"], "Paris");
        assert_eq!(address["countryCode"], Value::Null);
    }
}
