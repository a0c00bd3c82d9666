//! Successful writes: normalised values, defaults, unique and lookup checks, CSV rows.

use serde_json::json;

use super::*;

#[test]
fn valid_create_is_normalised() {
    let result = run(
        "contact",
        Operation::Create,
        json!({
        "attributes": {"type": "Contact"}, "lastname": "Doe", "EMAIL": "doe@example.com",
        "AccountId": "001D000000IqhSL", "Birthdate": "1990-01-02" }),
    );
    let Ok(done) = result else { panic!("valid: {result:?}") };
    assert_eq!(done.values.get("LastName"), Some(&json!("Doe")));
    assert_eq!(done.values.get("Email"), Some(&json!("doe@example.com")));
    assert_eq!(done.values.get("AccountId"), Some(&json!("001D000000IqhSLIAZ")));
    assert_eq!(done.values.get("HasOptedOutOfEmail"), Some(&json!(false)));
    assert!(!done.values.contains_key("attributes"));
    let reference = &done.references[0];
    assert_eq!((reference.field.as_str(), reference.object.as_str()), ("AccountId", "Account"));
    assert_eq!(reference.not_found_error().code, ErrorCode::InvalidCrossReferenceKey);
    assert_eq!(reference.not_found_error().message, "invalid cross reference id");
    assert_eq!(reference.deleted_error().message, "entity is deleted");
}

#[test]
fn unique_values_and_defaults() {
    let Ok(done) = run("Account", Operation::Create, json!({"Name": "A", "ForceSync_Key__c": "K1"})) else {
        panic!("valid")
    };
    let check = &done.unique_checks[0];
    assert_eq!((check.field.as_str(), &check.value), ("ForceSync_Key__c", &json!("K1")));
    assert!(check.matches(&json!("k1")) && !check.matches(&json!("K2")));
    let duplicate = SfId::parse("001D000000IqhSL").map(|id| check.duplicate_error(&id));
    let expected = "duplicate value found: ForceSync_Key__c duplicates value on record with id: \
        001D000000IqhSLIAZ";
    assert_eq!(duplicate.as_ref().map(|e| e.message.as_str()), Ok(expected));
    assert_eq!(duplicate.map(|e| e.code), Ok(ErrorCode::DuplicateValue));
    let lead = run("Lead", Operation::Create, json!({"LastName": "L", "Company": "C"}));
    let status = lead.ok().and_then(|v| v.values.get("Status").cloned());
    assert_eq!(status, Some(json!("Open - Not Contacted")));
    let update = run("Product2", Operation::Update, json!({"Name": "P"}));
    assert!(update.is_ok_and(|v| !v.values.contains_key("IsActive")));
}

#[test]
fn parent_lookups_by_external_id() {
    let result = run(
        "OrderItem",
        Operation::Create,
        json!({
        "Order": {"ForceSync_Key__c": "o1"}, "PricebookEntryId": "01u000000000001", "Quantity": 2, "UnitPrice": 5 }),
    );
    let Ok(done) = result else { panic!("valid: {result:?}") };
    let lookup = &done.parent_lookups[0];
    assert_eq!(
        (lookup.field.as_str(), lookup.object.as_str(), lookup.key_field.as_str()),
        ("OrderId", "Order", "ForceSync_Key__c")
    );
    assert_eq!(
        lookup.not_found_error().message,
        "Foreign key external ID: o1 not found for field ForceSync_Key__c in entity Order"
    );
    let (code, message, _) = error(run("Contact", Operation::Update, json!({"Account": {"Phone": "1"}})));
    assert_eq!(code, "INVALID_FIELD");
    assert_eq!(message, "Field name provided, Phone is not an External ID or indexed field for Account");
    let two = run("Contact", Operation::Update, json!({"Account": {"Name": "a", "ForceSync_Key__c": "b"}}));
    assert_eq!(error(two).1, "More than 1 field provided in an external foreign key reference in entity: Account");
}

#[test]
fn empty_parent_reference_is_a_parser_error() {
    let (code, message, _) = error(run("Contact", Operation::Update, json!({"Account": {}})));
    assert_eq!(code, "JSON_PARSER_ERROR");
    assert!(message.starts_with("Cannot deserialize instance of reference from START_OBJECT"));
}

#[test]
fn csv_rows() {
    let schema = schema(false);
    let Some(object) = schema.object("Contact") else { panic!("Contact") };
    let row = body(json!({"LastName": "Doe", "Email": "", "Phone": "#N/A", "Account.ForceSync_Key__c": "k1"}));
    let result = Validator::new(&schema, object, Operation::UpsertUpdate).with_format(InputFormat::Csv).validate(&row);
    let Ok(done) = result else { panic!("valid: {result:?}") };
    assert!(!done.values.contains_key("Email"));
    assert_eq!(done.values.get("Phone"), Some(&Value::Null));
    assert_eq!(done.parent_lookups[0].field, "AccountId");
    let bad = body(json!({"Birthdate": "soon"}));
    let result = Validator::new(&schema, object, Operation::Update).with_format(InputFormat::Csv).validate(&bad);
    let (code, message, _) = error(result);
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("INVALID_TYPE_ON_FIELD_IN_RECORD", "Birthdate: value not of required type: soon")
    );
}
