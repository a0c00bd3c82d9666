//! Describe results the client needs, parsed into its own types, and cached
//! per connection (an org's schema rarely changes within a session).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::client::{Call, Client};
use super::error::Error;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PicklistEntry {
    pub value: String,
    #[serde(default)]
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldDescribe {
    pub name: String,
    #[serde(rename = "type")]
    pub field_type: String,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    #[serde(default)]
    pub nillable: bool,
    #[serde(default)]
    pub defaulted_on_create: bool,
    #[serde(default)]
    pub external_id: bool,
    #[serde(default)]
    pub unique: bool,
    /// Usable in a SOQL `WHERE` clause.
    #[serde(default)]
    pub filterable: bool,
    #[serde(default)]
    pub picklist_values: Vec<PicklistEntry>,
    /// Most characters of a text field (0 for other types).
    #[serde(default)]
    pub length: u32,
    #[serde(default)]
    pub restricted_picklist: bool,
}

impl FieldDescribe {
    /// Required when creating: not nillable, createable, and not defaulted.
    pub fn required_on_create(&self) -> bool {
        !self.nillable && self.createable && !self.defaulted_on_create && self.field_type != "boolean"
    }

    pub fn active_values(&self) -> Vec<&str> {
        self.picklist_values.iter().filter(|p| p.active).map(|p| p.value.as_str()).collect()
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ObjectDescribe {
    pub name: String,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub updateable: bool,
    /// Its records can be read with SOQL.
    #[serde(default)]
    pub queryable: bool,
    #[serde(default)]
    pub fields: Vec<FieldDescribe>,
    #[serde(default)]
    pub record_type_infos: Vec<RecordTypeInfo>,
}

/// One record type of an object.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordTypeInfo {
    #[serde(default)]
    pub developer_name: String,
    #[serde(default)]
    pub record_type_id: String,
    #[serde(default)]
    pub available: bool,
}

impl ObjectDescribe {
    /// The Person Account record type's Id, when the org has Person Accounts
    /// (Account has `IsPersonAccount` and an available `PersonAccount` record type).
    pub fn person_account_record_type(&self) -> Option<String> {
        self.field("IsPersonAccount")?;
        let found = self.record_type_infos.iter().find(|rt| rt.developer_name == "PersonAccount" && rt.available);
        found.map(|rt| rt.record_type_id.clone())
    }

    /// A field by API name, case-insensitively.
    pub fn field(&self, name: &str) -> Option<&FieldDescribe> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// One object of describeGlobal.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GlobalObject {
    pub name: String,
    #[serde(default)]
    pub custom: bool,
    #[serde(default)]
    pub createable: bool,
    #[serde(default)]
    pub queryable: bool,
}

/// Describes per object, filled on first use.
#[derive(Debug, Default)]
pub struct DescribeCache {
    objects: tokio::sync::Mutex<HashMap<String, Option<ObjectDescribe>>>,
}

impl DescribeCache {
    /// How many objects are cached (found or known missing).
    pub(crate) async fn len(&self) -> usize {
        self.objects.lock().await.len()
    }
}

impl Client {
    /// The object's describe, or `None` when the org has no such object (or hides it).
    pub async fn describe(&self, object: &str) -> Result<Option<ObjectDescribe>, Error> {
        let key = object.to_ascii_lowercase();
        if let Some(cached) = self.describe_cache().objects.lock().await.get(&key) {
            return Ok(cached.clone());
        }
        let found = match self.send(&Call::get(format!("sobjects/{object}/describe"))).await {
            Ok(reply) => Some(parse_describe(reply.body)?),
            Err(error) if error.status == Some(404) => None,
            Err(error) => return Err(error),
        };
        self.describe_cache().objects.lock().await.insert(key, found.clone());
        Ok(found)
    }
}

impl Client {
    /// The object's describe read from the org again (what the cache held is
    /// dropped): for a verdict that an admin may have fixed since.
    pub async fn describe_again(&self, object: &str) -> Result<Option<ObjectDescribe>, Error> {
        self.describe_cache().objects.lock().await.remove(&object.to_ascii_lowercase());
        self.describe(object).await
    }
}

impl Client {
    /// Every object the user can see (`GET /sobjects`).
    pub async fn describe_global(&self) -> Result<Vec<GlobalObject>, Error> {
        let reply = self.send(&Call::get("sobjects")).await?;
        let objects = reply.body.get("sobjects").cloned().unwrap_or(Value::Array(Vec::new()));
        serde_json::from_value(objects)
            .map_err(|e| Error::bad_response(200, format!("describeGlobal not understood: {e}")))
    }

    /// The daily API allocation from `/limits` (itself one call), also recorded in the budget.
    pub async fn limits(&self) -> Result<super::budget::ApiUsage, Error> {
        let reply = self.send(&Call::get("limits")).await?;
        let daily = &reply.body["DailyApiRequests"];
        let (Some(max), Some(remaining)) = (daily["Max"].as_u64(), daily["Remaining"].as_u64()) else {
            return Err(Error::bad_response(reply.status, "/limits has no DailyApiRequests"));
        };
        let usage = super::budget::ApiUsage { used: max.saturating_sub(remaining), max };
        self.note_usage(usage);
        Ok(usage)
    }
}

fn parse_describe(body: Value) -> Result<ObjectDescribe, Error> {
    serde_json::from_value(body).map_err(|e| Error::bad_response(200, format!("describe answer not understood: {e}")))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn parses_describe() {
        let body = json!({"name": "Opportunity", "createable": true, "updateable": true, "fields": [
            {"name": "StageName", "type": "picklist", "createable": true, "nillable": false, "defaultedOnCreate": false,
             "picklistValues": [{"value": "Prospecting", "active": true}, {"value": "Old", "active": false}]},
            {"name": "IsWon", "type": "boolean", "createable": false, "nillable": false}]});
        let describe = super::parse_describe(body).expect("describe");
        let stage = describe.field("stagename").expect("field");
        assert!(stage.required_on_create());
        assert_eq!(stage.active_values(), ["Prospecting"]);
        assert!(!describe.field("IsWon").expect("field").required_on_create());
    }
}
