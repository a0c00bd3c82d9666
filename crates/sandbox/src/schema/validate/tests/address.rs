//! State and Country/Territory picklists off and on.

use serde_json::json;

use super::*;

#[test]
fn picklists_off_means_no_code_fields_and_free_text() {
    let (code, message, _) = error(run("Account", Operation::Update, json!({"BillingStateCode": "CA"})));
    assert_eq!(
        (code.as_str(), message.as_str()),
        ("INVALID_FIELD", "No such column 'BillingStateCode' on sobject of type Account")
    );
    let free = run("Account", Operation::Update, json!({"BillingState": "Calif.", "BillingCountry": "Narnia"}));
    assert!(free.is_ok());
}

#[test]
fn picklists_on_fill_codes_and_names() {
    let schema = schema(true);
    let by_name = run_with(
        &schema,
        "Account",
        Operation::Create,
        json!({"Name": "A", "BillingCountry": "united states", "BillingState": "California"}),
    );
    let values = by_name.map(|v| v.values).unwrap_or_default();
    assert_eq!(values.get("BillingCountryCode"), Some(&json!("US")));
    assert_eq!(values.get("BillingCountry"), Some(&json!("United States")));
    assert_eq!(values.get("BillingStateCode"), Some(&json!("CA")));
    let by_code =
        run_with(&schema, "Contact", Operation::Update, json!({"MailingCountryCode": "CA", "MailingStateCode": "QC"}));
    let values = by_code.map(|v| v.values).unwrap_or_default();
    assert_eq!(values.get("MailingState"), Some(&json!("Quebec")));
    let lead = run_with(
        &schema,
        "Lead",
        Operation::Create,
        json!({"LastName": "L", "Company": "C", "State": "Ontario", "Country": "Canada"}),
    );
    assert_eq!(lead.ok().and_then(|v| v.values.get("StateCode").cloned()), Some(json!("ON")));
}

#[test]
fn picklists_on_reject_unknown_states_and_countries() {
    let schema = schema(true);
    let state =
        run_with(&schema, "Account", Operation::Update, json!({"BillingCountryCode": "US", "BillingState": "Calif."}));
    let (code, message, fields) = error(state);
    assert_eq!(code, "FIELD_INTEGRITY_EXCEPTION");
    assert_eq!(
        message,
        "There's a problem with this state, even though it may appear correct. Please select a state \
        from the list of valid states.: Billing State/Province"
    );
    assert_eq!(fields, strings(&["BillingState"]));
    let country = run_with(&schema, "Account", Operation::Update, json!({"ShippingCountry": "Narnia"}));
    let (_, message, fields) = error(country);
    assert_eq!(
        message,
        "There's a problem with this country, even though it may appear correct. Please select a \
        country/territory from the list of valid countries.: Shipping Country"
    );
    assert_eq!(fields, strings(&["ShippingCountry"]));
    let mismatch = run_with(
        &schema,
        "Account",
        Operation::Update,
        json!({"BillingCountryCode": "US", "BillingCountry": "Canada"}),
    );
    assert_eq!(error(mismatch).2, strings(&["BillingCountry"]));
    let orphan = run_with(&schema, "Account", Operation::Create, json!({"Name": "A", "BillingStateCode": "TX"}));
    assert!(error(orphan).1.starts_with("A country/territory must be specified before specifying a state value"));
    let no_states =
        run_with(&schema, "Account", Operation::Update, json!({"BillingCountryCode": "DE", "BillingState": "Bavaria"}));
    assert_eq!(error(no_states).0, "FIELD_INTEGRITY_EXCEPTION");
}

#[test]
fn picklists_on_updates_use_the_stored_record() {
    let schema = schema(true);
    let Some(account) = schema.object("Account") else { panic!("Account") };
    let stored = body(json!({"BillingCountryCode": "US", "BillingCountry": "United States", "BillingStateCode": "TX"}));
    let validator = Validator::new(&schema, account, Operation::Update).with_existing(&stored);
    let state_only = validator.validate(&body(json!({"BillingStateCode": "NY"})));
    assert_eq!(state_only.ok().and_then(|v| v.values.get("BillingState").cloned()), Some(json!("New York")));
    let moved = validator.validate(&body(json!({"BillingCountryCode": "CA"})));
    assert_eq!(error(moved).2, strings(&["BillingState"]));
    assert!(validator.validate(&body(json!({"BillingCountryCode": "CA", "BillingStateCode": "ON"}))).is_ok());
}
