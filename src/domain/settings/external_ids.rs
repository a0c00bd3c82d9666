//! Which field forcesync upserts each object by: its own external-id field,
//! `ForceSync_Key__c` unless the store names another (an org that already
//! has, say, `Magento_Id__c` on Account can keep it).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::values::ApiName;
use crate::domain::write_plan::DEFAULT_EXTERNAL_ID_FIELD;

/// The objects forcesync upserts by external id.
pub const KEYED_OBJECTS: [&str; 7] =
    ["Account", "Contact", "Opportunity", "OpportunityContactRole", "Order", "OrderItem", "Product2"];

/// Per-object external-id field names; objects not named use the default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalIdFields(BTreeMap<String, ApiName>);

impl ExternalIdFields {
    /// Checks one entry: a keyed object and a custom field's API name.
    pub fn parse_entry(object: &str, field: &str) -> Result<(String, ApiName), String> {
        if !KEYED_OBJECTS.contains(&object) {
            return Err(format!("{object:?} is not an object forcesync upserts ({})", KEYED_OBJECTS.join(", ")));
        }
        let name = ApiName::parse(field)?;
        if !name.as_str().ends_with("__c") {
            return Err(format!("{field:?} must be a custom field (ending in __c) marked External ID and Unique"));
        }
        Ok((object.to_owned(), name))
    }

    pub fn from_entries(entries: impl IntoIterator<Item = (String, ApiName)>) -> Self {
        Self(entries.into_iter().collect())
    }

    /// The field `object` is upserted by.
    pub fn field_for(&self, object: &str) -> &str {
        self.0.get(object).map_or(DEFAULT_EXTERNAL_ID_FIELD, ApiName::as_str)
    }

    /// The entries the store set (objects using the default are absent).
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(object, field)| (object.as_str(), field.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_default_to_forcesync_key_unless_named() {
        let fields =
            ExternalIdFields::from_entries([ExternalIdFields::parse_entry("Account", "Magento_Id__c").expect("ok")]);
        assert_eq!(fields.field_for("Account"), "Magento_Id__c");
        assert_eq!(fields.field_for("Order"), "ForceSync_Key__c");
        assert!(ExternalIdFields::parse_entry("Lead", "Key__c").is_err(), "not an object forcesync upserts");
        assert!(ExternalIdFields::parse_entry("Account", "Name").is_err(), "a standard field");
        assert!(ExternalIdFields::parse_entry("Account", "Bad Name__c").is_err());
    }
}
