//! One test per Salesforce error the validator produces, asserting code, message and fields.

use serde_json::json;

use super::*;

#[test]
fn unknown_field_is_invalid_field() {
    let (code, message, fields) = error(run("Account", Operation::Create, json!({"Name": "A", "Foo__c": 1})));
    assert_eq!(code, "INVALID_FIELD");
    assert_eq!(message, "No such column 'Foo__c' on sobject of type Account");
    assert!(fields.is_empty());
}

#[test]
fn read_only_and_create_only_fields() {
    let result = run("Opportunity", Operation::Create, json!({"Name": "O", "IsWon": true, "IsClosed": true}));
    let (code, message, fields) = error(result);
    assert_eq!(code, "INVALID_FIELD_FOR_INSERT_UPDATE");
    assert_eq!(
        message,
        "Unable to create/update fields: IsClosed, IsWon. Please check the security settings \
        of this field and verify that it is read/write for your profile or permission set."
    );
    assert_eq!(fields, strings(&["IsClosed", "IsWon"]));
    let moved = run("OrderItem", Operation::UpsertUpdate, json!({"OrderId": "801000000000001"}));
    assert_eq!(error(moved).2, strings(&["OrderId"]));
}

#[test]
fn required_fields_are_listed_in_schema_order() {
    let (code, message, fields) = error(run("Opportunity", Operation::Create, json!({})));
    assert_eq!(code, "REQUIRED_FIELD_MISSING");
    assert_eq!(message, "Required fields are missing: [Name, StageName, CloseDate]");
    assert_eq!(fields, strings(&["Name", "StageName", "CloseDate"]));
    let cleared = run("Contact", Operation::Update, json!({"LastName": ""}));
    assert_eq!(error(cleared).1, "Required fields are missing: [LastName]");
    assert!(run("Contact", Operation::Update, json!({"FirstName": null})).is_ok());
    let order = error(run("Order", Operation::UpsertInsert, json!({"Status": "Draft"})));
    assert_eq!(order.2, strings(&["AccountId", "EffectiveDate"]));
}

#[test]
fn restricted_and_open_picklists() {
    let stage =
        run("Opportunity", Operation::Create, json!({"Name": "O", "CloseDate": "2024-05-01", "StageName": "Won-ish"}));
    let (code, message, fields) = error(stage);
    assert_eq!(code, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
    assert_eq!(message, "Stage: bad value for restricted picklist field: Won-ish");
    assert_eq!(fields, strings(&["StageName"]));
    let status = run("Order", Operation::Update, json!({"Status": "Shipped"}));
    assert_eq!(error(status).1, "Status: bad value for restricted picklist field: Shipped");
    let role = run("OpportunityContactRole", Operation::Update, json!({"Role": "Champion"}));
    assert!(role.is_ok());
}

#[test]
fn string_too_long_and_email() {
    let long = "x".repeat(81);
    let (code, message, fields) = error(run("Contact", Operation::Create, json!({"LastName": long})));
    assert_eq!(code, "STRING_TOO_LONG");
    assert_eq!(message, format!("Last Name: data value too large: {long} (max length=80)"));
    assert_eq!(fields, strings(&["LastName"]));
    let (code, message, fields) = error(run("Contact", Operation::Update, json!({"Email": "x"})));
    assert_eq!((code.as_str(), message.as_str()), ("INVALID_EMAIL_ADDRESS", "Email: invalid email address: x"));
    assert_eq!(fields, strings(&["Email"]));
}

#[test]
fn wrong_json_types_and_formats_are_parser_errors() {
    let (code, message, fields) = error(run("Product2", Operation::Update, json!({"IsActive": "yes"})));
    assert_eq!(code, "JSON_PARSER_ERROR");
    assert!(message.starts_with("Cannot deserialize instance of boolean from VALUE_STRING value yes"));
    assert!(fields.is_empty());
    let date = run("Opportunity", Operation::Update, json!({"CloseDate": "2024/05/01"}));
    assert_eq!(error(date).0, "JSON_PARSER_ERROR");
    let amount = run("Opportunity", Operation::Update, json!({"Amount": "lots"}));
    assert_eq!(error(amount).0, "JSON_PARSER_ERROR");
    let stamp = run("Account", Operation::Update, json!({"Synced_At__c": "2024-05-01T12:00:00+02:00"}));
    let values = stamp.map(|v| v.values).unwrap_or_default();
    assert_eq!(values.get("Synced_At__c"), Some(&json!("2024-05-01T10:00:00.000+0000")));
}

#[test]
fn lookup_ids_are_checked() {
    let (code, message, fields) = error(run("Contact", Operation::Update, json!({"AccountId": "abc123"})));
    assert_eq!((code.as_str(), message.as_str()), ("MALFORMED_ID", "Account ID: id value of incorrect type: abc123"));
    assert_eq!(fields, strings(&["AccountId"]));
    let checksum = run("Contact", Operation::Update, json!({"AccountId": "001D000000IqhSLAAA"}));
    assert_eq!(error(checksum).0, "MALFORMED_ID");
    let (code, message, _) = error(run("Contact", Operation::Update, json!({"AccountId": "005D0000001KyEI"})));
    assert_eq!(code, "FIELD_INTEGRITY_EXCEPTION");
    assert_eq!(message, "Account ID: id value of incorrect type: 005D0000001KyEIIA0");
}

#[test]
fn numeric_range() {
    let (code, message, fields) = error(run("Account", Operation::Update, json!({"Score__c": 1000})));
    assert_eq!(code, "NUMBER_OUTSIDE_VALID_RANGE");
    assert_eq!(message, "Score: value outside of valid range on numeric field: 1000");
    assert_eq!(fields, strings(&["Score__c"]));
    assert!(run("Account", Operation::Update, json!({"Score__c": 999})).is_ok());
}

#[test]
fn dml_errors_are_collected_together() {
    let result = run("Opportunity", Operation::Create, json!({"Name": "n".repeat(121), "StageName": "Bad"}));
    let codes: Vec<&str> =
        result.as_ref().err().map(|e| e.iter().map(|e| e.code.as_str()).collect()).unwrap_or_default();
    assert_eq!(codes, ["STRING_TOO_LONG", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "REQUIRED_FIELD_MISSING"]);
}
