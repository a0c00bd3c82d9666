//! Describe output in Salesforce's JSON shape: `GET /sobjects/` (describeGlobal) and
//! `GET /sobjects/{obj}/describe/`, generated from the same metadata the validator uses.

mod field;

pub use field::describe_field;

use serde_json::{Map, Value, json};

use super::Schema;
use super::object::ObjectSchema;

/// The Id of every org's master record type.
pub const MASTER_RECORD_TYPE_ID: &str = "012000000000000AAA";

/// Objects that support merge in Salesforce.
const MERGEABLE: &[&str] = &["Account", "Contact", "Lead"];

/// `GET /services/data/v{version}/sobjects/`.
pub fn describe_global(schema: &Schema, version: &str) -> Value {
    let sobjects: Vec<Value> = schema.objects().iter().map(|o| global_entry(o, version)).collect();
    json!({ "encoding": "UTF-8", "maxBatchSize": 200, "sobjects": sobjects })
}

/// One object's entry in describeGlobal; also the top level of its full describe.
pub fn global_entry(object: &ObjectSchema, version: &str) -> Value {
    let base = format!("/services/data/v{version}/sobjects/{}", object.name);
    json!({
        "name": object.name,
        "label": object.label,
        "labelPlural": object.label_plural,
        "keyPrefix": object.key_prefix,
        "custom": object.custom,
        "customSetting": false,
        "createable": object.createable,
        "updateable": object.updateable,
        "deletable": object.deletable,
        "undeletable": object.deletable,
        "queryable": true,
        "retrieveable": true,
        "searchable": true,
        "replicateable": true,
        "triggerable": true,
        "layoutable": true,
        "mergeable": MERGEABLE.contains(&object.name.as_str()),
        "activateable": false,
        "deprecatedAndHidden": false,
        "feedEnabled": false,
        "hasSubtypes": false,
        "isSubtype": false,
        "mruEnabled": true,
        "urls": {
            "sobject": base,
            "describe": format!("{base}/describe"),
            "rowTemplate": format!("{base}/{{ID}}"),
        },
    })
}

/// `GET /services/data/v{version}/sobjects/{obj}/describe/`.
pub fn describe_object(schema: &Schema, object: &ObjectSchema, version: &str) -> Value {
    let mut top = match global_entry(object, version) {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let fields: Vec<Value> = object.fields().iter().map(|f| describe_field(object, f)).collect();
    let master = json!({
        "active": true, "available": true, "defaultRecordTypeMapping": true, "developerName": "Master",
        "master": true, "name": "Master", "recordTypeId": MASTER_RECORD_TYPE_ID,
    });
    top.insert("fields".into(), Value::Array(fields));
    top.insert("childRelationships".into(), Value::Array(child_relationships(schema, object)));
    let mut record_types = vec![master];
    if object.name == "Account" && schema.features().person_accounts {
        record_types.push(json!({
            "active": true, "available": true, "defaultRecordTypeMapping": false, "developerName": "PersonAccount",
            "master": false, "name": "Person Account",
            "recordTypeId": crate::schema::builtin::PERSON_ACCOUNT_RECORD_TYPE_ID,
        }));
    }
    top.insert("recordTypeInfos".into(), Value::Array(record_types));
    top.insert("compactLayoutable".into(), Value::Bool(true));
    Value::Object(top)
}

/// Lookups on any object that point at `parent`.
fn child_relationships(schema: &Schema, parent: &ObjectSchema) -> Vec<Value> {
    let mut children = Vec::new();
    for child in schema.objects() {
        for field in child.fields() {
            let Some(reference) = field.field_type.reference() else {
                continue;
            };
            if reference.to.contains(&parent.name) {
                children.push(json!({
                    "childSObject": child.name,
                    "field": field.name,
                    "relationshipName": reference.child_relationship,
                    "cascadeDelete": reference.cascade_delete,
                    "restrictedDelete": false,
                    "deprecatedAndHidden": false,
                }));
            }
        }
    }
    children
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{CustomSchema, OrgFeatures};

    pub(super) fn schema(picklists: bool) -> Schema {
        let features = OrgFeatures { state_country_picklists: picklists, ..OrgFeatures::default() };
        match Schema::with_custom(features, &CustomSchema::default_forcesync()) {
            Ok(schema) => schema,
            Err(error) => panic!("schema: {error}"),
        }
    }

    pub(super) fn describe(schema: &Schema, object: &str) -> Value {
        schema.object(object).map(|o| describe_object(schema, o, "62.0")).unwrap_or_default()
    }

    pub(super) fn field<'a>(describe: &'a Value, name: &str) -> &'a Value {
        let fields = describe["fields"].as_array().map(Vec::as_slice).unwrap_or_default();
        fields.iter().find(|f| f["name"] == name).unwrap_or(&Value::Null)
    }

    #[test]
    fn global_lists_every_object_with_flags_and_urls() {
        let schema = schema(false);
        let global = describe_global(&schema, "62.0");
        assert_eq!(global["encoding"], "UTF-8");
        assert_eq!(global["maxBatchSize"], 200);
        let sobjects = global["sobjects"].as_array().map(Vec::len);
        assert_eq!(sobjects, Some(schema.objects().len()));
        let account = &global["sobjects"][0];
        assert_eq!(account["name"], "Account");
        assert_eq!(account["keyPrefix"], "001");
        assert_eq!(account["queryable"], true);
        assert_eq!(account["urls"]["rowTemplate"], "/services/data/v62.0/sobjects/Account/{ID}");
    }

    #[test]
    fn child_relationships_and_defaults() {
        let schema = schema(false);
        let account = describe(&schema, "Account");
        let children = account["childRelationships"].as_array().cloned().unwrap_or_default();
        let contacts = children.iter().find(|c| c["childSObject"] == "Contact" && c["field"] == "AccountId");
        assert_eq!(contacts.map(|c| c["relationshipName"].clone()), Some(json!("Contacts")));
        assert_eq!(account["recordTypeInfos"][0]["recordTypeId"], MASTER_RECORD_TYPE_ID);
        let lead = describe(&schema, "Lead");
        let status = field(&lead, "Status");
        assert_eq!(status["defaultedOnCreate"], true);
        assert_eq!(status["picklistValues"][0]["defaultValue"], true);
        assert_eq!(status["picklistValues"][1]["defaultValue"], false);
    }
}
