//! The custom schema file (JSON): custom fields on standard objects, custom objects (`Foo__c`) and
//! extra values for standard picklists. Example:
//!
//! ```json
//! { "objects": [
//!   { "name": "Account", "fields": [
//!       { "name": "ForceSync_Key__c", "type": "Text", "length": 255, "externalId": true, "unique": true } ] },
//!   { "name": "Order", "picklistValues": { "Status": ["Cancelled"] } },
//!   { "name": "Shipment__c", "label": "Shipment", "fields": [
//!       { "name": "Order__c", "type": "Lookup", "referenceTo": "Order" } ] } ] }
//! ```

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

mod apply;
mod field;

use super::SchemaError;

/// A whole custom schema file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomSchema {
    #[serde(default)]
    pub objects: Vec<CustomObjectSpec>,
}

/// Additions to one object; a name ending in `__c` defines a custom object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CustomObjectSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plural_label: Option<String>,
    /// Custom objects only; generated (`a00`, `a01`, ...) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<CustomFieldSpec>,
    /// Extra values for existing picklists, e.g. `{"Status": ["Cancelled"]}` on Order.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub picklist_values: BTreeMap<String, Vec<String>>,
}

/// One custom field. `type` accepts Salesforce setup names (`Text`, `Checkbox`, `Number`,
/// `Lookup`, ...) or describe names (`string`, `boolean`, `double`, `reference`, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CustomFieldSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<u8>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<u8>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub external_id: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub unique: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub case_sensitive: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<Value>,
    /// Picklist values (labels equal values).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub restricted: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_to: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship_name: Option<String>,
    /// The relationship name on the parent, e.g. `Shipments__r`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child_relationship_name: Option<String>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl CustomFieldSpec {
    /// A field spec with just a name and a type; set the other options directly.
    pub fn new(name: &str, field_type: &str) -> Self {
        Self { name: name.to_owned(), field_type: field_type.to_owned(), ..Self::default() }
    }
}

impl CustomSchema {
    /// Parses a custom schema file.
    pub fn from_json(text: &str) -> Result<Self, SchemaError> {
        serde_json::from_str(text).map_err(|error| SchemaError::Json(error.to_string()))
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The fields forcesync relies on: its upsert key on every object it writes, the shipment
    /// fields and the `Cancelled` status on Order, and the stock level on Product2.
    pub fn default_forcesync() -> Self {
        let key = || {
            let mut spec = CustomFieldSpec::new("ForceSync_Key__c", "Text");
            spec.label = Some("ForceSync Key".to_owned());
            spec.length = Some(255);
            spec.external_id = true;
            spec.unique = true;
            spec
        };
        let text = |name: &str, length: u32| {
            let mut spec = CustomFieldSpec::new(name, "Text");
            spec.length = Some(length);
            spec
        };
        let object = |name: &str, fields: Vec<CustomFieldSpec>| CustomObjectSpec {
            name: name.to_owned(),
            fields,
            ..CustomObjectSpec::default()
        };
        let mut stock = CustomFieldSpec::new("Stock_Quantity__c", "Number");
        (stock.precision, stock.scale) = (Some(18), Some(0));
        // An org prepared for forcesync also has the Order status its default status map uses.
        let mut order = object(
            "Order",
            vec![
                key(),
                text("Tracking_Number__c", 255),
                text("Carrier__c", 80),
                CustomFieldSpec::new("Ship_Date__c", "Date"),
            ],
        );
        order.picklist_values.insert("Status".to_owned(), vec!["Cancelled".to_owned()]);
        Self {
            objects: vec![
                object("Account", vec![key()]),
                object("Contact", vec![key()]),
                object("Opportunity", vec![key()]),
                object("OpportunityContactRole", vec![key()]),
                order,
                object("OrderItem", vec![key()]),
                object("Product2", vec![key(), stock]),
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{FieldType, OrgFeatures, Schema};

    #[test]
    fn default_forcesync_adds_exactly_its_fields() {
        let custom = CustomSchema::default_forcesync();
        let Ok(schema) = Schema::with_custom(OrgFeatures::default(), &custom) else { panic!("builds") };
        for object in ["Account", "Contact", "Opportunity", "OpportunityContactRole", "Order", "OrderItem", "Product2"]
        {
            let key = schema.object(object).and_then(|o| o.field("forcesync_key__c"));
            let ok =
                key.is_some_and(|f| f.external_id && f.unique && f.id_lookup && f.field_type == FieldType::text(255));
            assert!(ok, "{object}");
        }
        let order = schema.object("Order");
        for field in ["Tracking_Number__c", "Carrier__c", "Ship_Date__c"] {
            assert!(order.and_then(|o| o.field(field)).is_some(), "{field}");
        }
        let stock = schema.object("Product2").and_then(|o| o.field("Stock_Quantity__c"));
        assert_eq!(stock.map(|f| &f.field_type), Some(&FieldType::Double { precision: 18, scale: 0 }));
        let added: usize = custom.objects.iter().map(|o| o.fields.len()).sum();
        assert_eq!(added, 11);
    }

    #[test]
    fn json_round_trip() {
        let custom = CustomSchema::default_forcesync();
        assert_eq!(CustomSchema::from_json(&custom.to_json_pretty()), Ok(custom));
    }
}
