//! `POST /composite`: references, all-or-none rollback, limits, shapes.

use serde_json::{Value, json};

use super::{Sandbox, error_code, json_body};
use crate::rest::Method;

const V: &str = "/services/data/v64.0";

fn composite(sandbox: &mut Sandbox, all_or_none: bool, requests: Value) -> Value {
    let body = json!({ "allOrNone": all_or_none, "collateSubrequests": false, "compositeRequest": requests });
    let response = sandbox.call(Method::Post, "composite", Some(body));
    assert_eq!(response.status, 200, "{response:?}");
    json_body(&response)["compositeResponse"].clone()
}

#[test]
fn references_chain_creates_and_queries() {
    let mut sandbox = Sandbox::new();
    let items = composite(
        &mut sandbox,
        true,
        json!([
            { "method": "PATCH", "url": format!("{V}/sobjects/Account/ForceSync_Key__c/A-1"), "referenceId": "acct",
              "body": { "Name": "Acme" } },
            { "method": "POST", "url": format!("{V}/sobjects/Contact"), "referenceId": "contact",
              "body": { "LastName": "Doe", "AccountId": "@{acct.id}" } },
            { "method": "GET", "referenceId": "check",
              "url": format!("{V}/query/?q=SELECT+Id,+AccountId+FROM+Contact+WHERE+Id+%3D+'@{{contact.id}}'") },
            { "method": "GET", "referenceId": "parent",
              "url": format!("{V}/sobjects/Account/@{{check.records[0].AccountId}}?fields=Name") },
        ]),
    );
    let statuses: Vec<u64> =
        items.as_array().expect("items").iter().map(|i| i["httpStatusCode"].as_u64().unwrap_or(0)).collect();
    assert_eq!(statuses, vec![201, 201, 200, 200], "{items}");
    let account = items[0]["body"]["id"].as_str().expect("account id").to_owned();
    let contact = items[1]["body"]["id"].as_str().expect("contact id").to_owned();
    assert_eq!(items[0]["body"]["created"], true);
    assert_eq!(items[1]["referenceId"], "contact");
    assert_eq!(items[1]["httpHeaders"]["Location"], format!("{V}/sobjects/Contact/{contact}"));
    assert_eq!(items[2]["body"]["totalSize"], 1);
    assert_eq!(items[2]["httpHeaders"], json!({}));
    assert_eq!(items[3]["body"]["Name"], "Acme");
    assert_eq!(sandbox.field("Contact", &contact, "AccountId"), json!(account));
    assert_eq!(sandbox.ids("SELECT Id FROM Account WHERE ForceSync_Key__c = 'A-1'"), vec![account]);
}

#[test]
fn all_or_none_failure_rolls_everything_back() {
    let mut sandbox = Sandbox::new();
    let existing = sandbox.account("Keep");
    let items = composite(
        &mut sandbox,
        true,
        json!([
            { "method": "POST", "url": format!("{V}/sobjects/Account"), "referenceId": "a", "body": { "Name": "New" } },
            { "method": "PATCH", "url": format!("{V}/sobjects/Account/{existing}"), "referenceId": "u",
              "body": { "Name": "Changed" } },
            { "method": "POST", "url": format!("{V}/sobjects/Contact"), "referenceId": "bad", "body": { "FirstName": "No" } },
            { "method": "POST", "url": format!("{V}/sobjects/Account"), "referenceId": "later", "body": { "Name": "Never" } },
        ]),
    );
    assert_eq!(items.as_array().map(Vec::len), Some(4));
    for index in [0, 1, 3] {
        assert_eq!(items[index]["httpStatusCode"], 400);
        assert_eq!(error_code(&items[index]["body"]), "PROCESSING_HALTED", "{}", items[index]);
        assert_eq!(
            items[index]["body"][0]["message"],
            "The transaction was rolled back since another operation in the same transaction failed."
        );
    }
    assert_eq!(items[2]["httpStatusCode"], 400);
    assert_eq!(error_code(&items[2]["body"]), "REQUIRED_FIELD_MISSING");
    assert_eq!(items[3]["referenceId"], "later");
    assert_eq!(sandbox.ids("SELECT Id FROM Account"), vec![existing.clone()], "the create was undone");
    assert_eq!(sandbox.field("Account", &existing, "Name"), json!("Keep"), "the update was undone");
}

#[test]
fn without_all_or_none_dependants_halt_and_others_commit() {
    let mut sandbox = Sandbox::new();
    let items = composite(
        &mut sandbox,
        false,
        json!([
            { "method": "POST", "url": format!("{V}/sobjects/Account"), "referenceId": "bad", "body": { "Name": null } },
            { "method": "POST", "url": format!("{V}/sobjects/Contact"), "referenceId": "child",
              "body": { "LastName": "X", "AccountId": "@{bad.id}" } },
            { "method": "POST", "url": format!("{V}/sobjects/Account"), "referenceId": "ok", "body": { "Name": "Fine" } },
            { "method": "GET", "url": format!("{V}/sobjects/Account/@{{unknown.id}}"), "referenceId": "ghost" },
            { "method": "GET", "url": format!("{V}/sobjects/Account/@{{ok.Id}}"), "referenceId": "wrongCase" },
        ]),
    );
    assert_eq!(items[0]["httpStatusCode"], 400);
    for index in [1, 3, 4] {
        assert_eq!(items[index]["httpStatusCode"], 400);
        assert_eq!(error_code(&items[index]["body"]), "PROCESSING_HALTED");
        let message = items[index]["body"][0]["message"].as_str().unwrap_or_default();
        assert!(message.starts_with("Invalid reference specified"), "{message}");
    }
    assert_eq!(items[2]["httpStatusCode"], 201);
    let ok = items[2]["body"]["id"].as_str().expect("id").to_owned();
    assert_eq!(sandbox.ids("SELECT Id FROM Account"), vec![ok]);
    assert!(sandbox.ids("SELECT Id FROM Contact").is_empty());
}

#[test]
fn nested_collections_follow_the_outer_all_or_none() {
    let mut sandbox = Sandbox::new();
    let items = composite(
        &mut sandbox,
        true,
        json!([
            { "method": "POST", "url": format!("{V}/sobjects/Account"), "referenceId": "a", "body": { "Name": "A" } },
            { "method": "POST", "url": format!("{V}/composite/sobjects"), "referenceId": "many",
              "body": { "allOrNone": false, "records": [
                  { "attributes": { "type": "Contact" }, "LastName": "Ok", "AccountId": "@{a.id}" },
                  { "attributes": { "type": "Contact" }, "FirstName": "Missing" } ] } },
        ]),
    );
    assert_eq!(items[1]["httpStatusCode"], 200);
    assert_eq!(items[1]["body"][0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
    assert_eq!(items[1]["body"][1]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(error_code(&items[0]["body"]), "PROCESSING_HALTED");
    assert!(sandbox.ids("SELECT Id FROM Account").is_empty());
    assert!(sandbox.ids("SELECT Id FROM Contact").is_empty());
}

#[test]
fn request_level_limits_and_checks() {
    let mut sandbox = Sandbox::new();
    let create = |i: usize| json!({ "method": "POST", "url": format!("{V}/sobjects/Account"), "referenceId": format!("r{i}"), "body": { "Name": "X" } });
    let query = |i: usize| json!({ "method": "GET", "url": format!("{V}/query?q=SELECT+Id+FROM+Account"), "referenceId": format!("q{i}") });
    let cases: Vec<(Value, &str)> = vec![
        (Value::Array((0..26).map(create).collect()), "LIMIT_EXCEEDED"),
        (Value::Array((0..6).map(query).collect()), "LIMIT_EXCEEDED"),
        (json!([{ "method": "GET", "url": format!("{V}/sobjects"), "referenceId": "bad-id" }]), "INVALID_API_INPUT"),
        (json!([create(1), create(1)]), "INVALID_API_INPUT"),
        (json!([{ "method": "GET", "url": format!("{V}/limits"), "referenceId": "l" }]), "INVALID_API_INPUT"),
        (json!([{ "method": "get", "url": format!("{V}/sobjects"), "referenceId": "m" }]), "INVALID_API_INPUT"),
        (json!([{ "method": "GET", "url": "/services/data/sobjects", "referenceId": "u" }]), "INVALID_API_INPUT"),
        (
            json!([{ "method": "GET", "url": format!("{V}/sobjects"), "referenceId": "h", "httpHeaders": { "Accept": "x" } }]),
            "INVALID_API_INPUT",
        ),
        (json!({ "not": "a list" }), "JSON_PARSER_ERROR"),
    ];
    for (requests, code) in cases {
        let response = sandbox.call(Method::Post, "composite", Some(json!({ "compositeRequest": requests })));
        assert_eq!(response.status, 400, "{requests}");
        assert_eq!(error_code(&json_body(&response)), code, "{requests}");
    }
    let five: Vec<Value> = (0..5).map(query).chain((0..20).map(create)).collect();
    let response = sandbox.call(Method::Post, "composite", Some(json!({ "compositeRequest": five })));
    assert_eq!(response.status, 200, "25 subrequests, 5 of them queries, are allowed");
    assert_eq!(sandbox.ids("SELECT Id FROM Account").len(), 20);
    assert!(sandbox.ids("SELECT Id FROM Contact").is_empty());
    assert_eq!(sandbox.call(Method::Get, "composite", None).status, 405);
}

#[test]
fn null_values_resolve_from_v52_only() {
    let requests = |id: &str, version: &str| {
        json!([
            { "method": "GET", "referenceId": "read",
              "url": format!("/services/data/v{version}/sobjects/Account/{id}?fields=Name,Phone") },
            { "method": "PATCH", "url": format!("/services/data/v{version}/sobjects/Account/{id}"), "referenceId": "copy",
              "body": { "Phone": "@{read.Phone}", "Description": "was @{read.Name}" } },
        ])
    };
    let mut sandbox = Sandbox::new();
    let id = sandbox.account("Plain");
    let items = composite(&mut sandbox, false, requests(&id, "64.0"));
    assert_eq!(items[1]["httpStatusCode"], 204, "{items}");
    assert_eq!(items[1]["body"], Value::Null);
    assert_eq!(sandbox.field("Account", &id, "Description"), json!("was Plain"));
    let body = json!({ "compositeRequest": requests(&id, "51.0") });
    let response = sandbox.call_version("51.0", Method::Post, "composite", Some(body));
    let items = json_body(&response)["compositeResponse"].clone();
    assert_eq!(error_code(&items[1]["body"]), "PROCESSING_HALTED", "a null field fails before v52: {items}");
}
