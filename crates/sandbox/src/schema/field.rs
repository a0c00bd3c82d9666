//! Field metadata: a field's type and the per-field flags describe reports and validation uses.

use serde_json::Value;

pub use super::field_type::{
    EMAIL_LENGTH, FieldType, ID_LENGTH, PHONE_LENGTH, PICKLIST_LENGTH, PicklistValue, Reference, URL_LENGTH,
};

/// One field of an object.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSchema {
    pub name: String,
    pub label: String,
    pub field_type: FieldType,
    pub nillable: bool,
    pub createable: bool,
    pub updateable: bool,
    /// The platform fills the field on create when it is omitted (with `default_value` or otherwise).
    pub defaulted_on_create: bool,
    pub default_value: Option<Value>,
    pub external_id: bool,
    pub unique: bool,
    pub case_sensitive: bool,
    pub id_lookup: bool,
    pub custom: bool,
    pub name_field: bool,
    pub auto_number: bool,
}

impl FieldSchema {
    /// A nillable, createable and updateable field. Booleans are never null: they default to false.
    pub fn new(name: &str, label: &str, field_type: FieldType) -> Self {
        let boolean = field_type == FieldType::Boolean;
        Self {
            name: name.to_owned(),
            label: label.to_owned(),
            field_type,
            nillable: !boolean,
            createable: true,
            updateable: true,
            defaulted_on_create: boolean,
            default_value: boolean.then_some(Value::Bool(false)),
            external_id: false,
            unique: false,
            case_sensitive: false,
            id_lookup: false,
            custom: name.ends_with("__c"),
            name_field: false,
            auto_number: false,
        }
    }

    /// Not nillable; with no default it must be supplied on create.
    pub fn required(mut self) -> Self {
        self.nillable = false;
        self
    }

    /// Set by the platform only (not createable, not updateable).
    pub fn read_only(mut self) -> Self {
        self.createable = false;
        self.updateable = false;
        self
    }

    /// Set on create only.
    pub fn create_only(mut self) -> Self {
        self.updateable = false;
        self
    }

    /// Filled on create when omitted, with this value.
    pub fn with_default(mut self, value: Value) -> Self {
        self.defaulted_on_create = true;
        self.default_value = Some(value);
        self
    }

    /// Filled on create when omitted, by a platform rule (e.g. `OwnerId` = the running user).
    pub fn defaulted(mut self) -> Self {
        self.defaulted_on_create = true;
        self
    }

    /// An External ID field: usable as an upsert key and in lookups.
    pub fn external_id(mut self) -> Self {
        self.external_id = true;
        self.id_lookup = true;
        self
    }

    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    pub fn id_lookup(mut self) -> Self {
        self.id_lookup = true;
        self
    }

    pub fn name_field(mut self) -> Self {
        self.name_field = true;
        self
    }

    /// A platform-numbered text field (`OrderNumber`).
    pub fn auto_number(mut self) -> Self {
        self.auto_number = true;
        self.defaulted_on_create = true;
        self.read_only()
    }

    /// Must be supplied on create: not nillable, createable and not defaulted.
    pub fn is_required_on_create(&self) -> bool {
        !self.nillable && self.createable && !self.defaulted_on_create && self.default_value.is_none()
    }

    /// Writable by the given kind of operation.
    pub fn is_writable(&self, insert: bool) -> bool {
        if insert { self.createable } else { self.updateable }
    }

    /// The picklist values, for picklist fields.
    pub fn picklist_values(&self) -> Option<&[PicklistValue]> {
        match &self.field_type {
            FieldType::Picklist { values, .. } => Some(values),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_on_create_follows_the_describe_rule() {
        let name = FieldSchema::new("Name", "Account Name", FieldType::text(255)).required();
        assert!(name.is_required_on_create());
        let owner =
            FieldSchema::new("OwnerId", "Owner ID", FieldType::lookup("User", "Owner", None)).required().defaulted();
        assert!(!owner.is_required_on_create());
        let system = FieldSchema::new("Id", "Record ID", FieldType::Id).required().read_only();
        assert!(!system.is_required_on_create());
    }

    #[test]
    fn booleans_default_to_false_and_are_not_nillable() {
        let active = FieldSchema::new("IsActive", "Active", FieldType::Boolean);
        assert!(!active.nillable && active.defaulted_on_create);
        assert_eq!(active.default_value, Some(Value::Bool(false)));
        assert!(!active.is_required_on_create());
    }

    #[test]
    fn custom_flag_follows_the_name() {
        let custom = FieldSchema::new("Score__c", "Score", FieldType::Int { digits: 9 });
        assert!(custom.custom);
        assert!(!FieldSchema::new("Name", "Name", FieldType::text(80)).custom);
    }
}
