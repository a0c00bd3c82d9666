//! One field's describe entry: type, sizes, writability flags, lookup and picklist details.

use serde_json::{Value, json};

use crate::schema::field::{FieldSchema, FieldType};
use crate::schema::geo;
use crate::schema::object::ObjectSchema;

/// One entry of `fields[]`.
pub fn describe_field(object: &ObjectSchema, field: &FieldSchema) -> Value {
    let field_type = &field.field_type;
    let length = match field_type {
        FieldType::Int { .. } => 0,
        _ => field_type.max_length().unwrap_or(0),
    };
    let (precision, scale, digits) = match field_type {
        FieldType::Double { precision, scale }
        | FieldType::Currency { precision, scale }
        | FieldType::Percent { precision, scale } => (*precision, *scale, 0),
        FieldType::Int { digits } => (0, 0, *digits),
        _ => (0, 0, 0),
    };
    let reference = field_type.reference();
    let (restricted, controller) = match field_type {
        FieldType::Picklist { restricted, controller, .. } => (*restricted, controller.clone()),
        _ => (false, None),
    };
    let compound = object
        .addresses()
        .iter()
        .find(|group| is_address_part(field, &group.prefix))
        .map(|group| group.compound_field());
    let long_text = matches!(field_type, FieldType::TextArea { length } if *length > 255);
    json!({
        "name": field.name,
        "label": field.label,
        "type": field_type.sf_name(),
        "soapType": field_type.soap_type(),
        "length": length,
        "byteLength": if matches!(field_type, FieldType::Id | FieldType::Reference(_)) { length } else { length * 3 },
        "precision": precision,
        "scale": scale,
        "digits": digits,
        "nillable": field.nillable,
        "createable": field.createable,
        "updateable": field.updateable,
        "calculated": false,
        "autoNumber": field.auto_number,
        "defaultedOnCreate": field.defaulted_on_create,
        "defaultValue": field.default_value,
        "externalId": field.external_id,
        "idLookup": field.id_lookup,
        "unique": field.unique,
        "caseSensitive": field.case_sensitive,
        "custom": field.custom,
        "nameField": field.name_field,
        "referenceTo": reference.map(|r| r.to.clone()).unwrap_or_default(),
        "relationshipName": reference.map(|r| r.relationship_name.clone()),
        "polymorphicForeignKey": reference.is_some_and(|r| r.to.len() > 1),
        "cascadeDelete": reference.is_some_and(|r| r.cascade_delete),
        "picklistValues": picklist_values(field),
        "restrictedPicklist": restricted,
        "dependentPicklist": controller.is_some(),
        "controllerName": controller,
        "compoundFieldName": compound,
        "filterable": !long_text && *field_type != FieldType::Address,
        "sortable": !long_text && *field_type != FieldType::Address,
        "groupable": !long_text && !matches!(field_type, FieldType::DateTime | FieldType::Address),
        "htmlFormatted": false,
        "deprecatedAndHidden": false,
        "inlineHelpText": null,
    })
}

fn is_address_part(field: &FieldSchema, prefix: &str) -> bool {
    let parts = ["Street", "City", "State", "PostalCode", "Country", "StateCode", "CountryCode"];
    field.name.strip_prefix(prefix).is_some_and(|rest| parts.contains(&rest))
}

fn picklist_values(field: &FieldSchema) -> Vec<Value> {
    let Some(values) = field.picklist_values() else {
        return Vec::new();
    };
    let default = field.default_value.as_ref().and_then(Value::as_str);
    let is_state = matches!(&field.field_type, FieldType::Picklist { controller: Some(_), .. });
    values
        .iter()
        .map(|v| {
            let valid_for = if is_state {
                geo::states().iter().find(|s| s.code == v.value && s.name == v.label).map(geo::state_valid_for)
            } else {
                None
            };
            json!({
                "active": v.active,
                "defaultValue": default == Some(v.value.as_str()),
                "label": v.label,
                "value": v.value,
                "validFor": valid_for,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::tests::{describe, field, schema};
    use serde_json::{Value, json};

    #[test]
    fn field_shapes_follow_salesforce() {
        let schema = schema(false);
        let opportunity = describe(&schema, "opportunity");
        assert_eq!(opportunity["name"], "Opportunity");
        let stage = field(&opportunity, "StageName");
        assert_eq!(stage["type"], "picklist");
        assert_eq!(stage["restrictedPicklist"], true);
        assert_eq!(stage["nillable"], false);
        assert_eq!(stage["picklistValues"][8]["value"], "Closed Won");
        assert_eq!(stage["picklistValues"][8]["active"], true);
        let account_id = field(&opportunity, "AccountId");
        assert_eq!(account_id["type"], "reference");
        assert_eq!(account_id["referenceTo"], json!(["Account"]));
        assert_eq!(account_id["relationshipName"], "Account");
        assert_eq!(field(&opportunity, "Amount")["type"], "currency");
        assert_eq!(field(&opportunity, "Amount")["scale"], 2);
        assert_eq!(field(&opportunity, "CloseDate")["type"], "date");
        assert_eq!(field(&opportunity, "IsClosed")["createable"], false);
        let key = field(&opportunity, "ForceSync_Key__c");
        assert_eq!((key["externalId"].clone(), key["unique"].clone()), (json!(true), json!(true)));
        assert_eq!((key["idLookup"].clone(), key["custom"].clone()), (json!(true), json!(true)));
        assert_eq!(key["length"], 255);
        let id = field(&opportunity, "Id");
        assert_eq!((id["type"].clone(), id["length"].clone()), (json!("id"), json!(18)));
        let created = field(&opportunity, "CreatedDate");
        assert_eq!(created["type"], "datetime");
        assert_eq!(created["soapType"], "xsd:dateTime");
    }

    #[test]
    fn address_fields_follow_the_picklist_mode() {
        let off = describe(&schema(false), "Account");
        assert_eq!(field(&off, "BillingStateCode"), &Value::Null);
        assert_eq!(field(&off, "BillingCity")["compoundFieldName"], "BillingAddress");
        let on = describe(&schema(true), "Account");
        let state = field(&on, "BillingStateCode");
        assert_eq!(state["controllerName"], "BillingCountryCode");
        assert_eq!(state["dependentPicklist"], true);
        let texas = state["picklistValues"].as_array().and_then(|v| v.iter().find(|p| p["value"] == "TX"));
        assert_eq!(texas.map(|t| t["validFor"].clone()), Some(json!("AAAAAEA=")));
        let country = field(&on, "BillingCountryCode");
        let us = country["picklistValues"].as_array().and_then(|v| v.iter().find(|p| p["value"] == "US"));
        assert_eq!(us.map(|u| u["label"].clone()), Some(json!("United States")));
        assert_eq!(field(&on, "BillingAddress")["type"], "address");
    }
}
