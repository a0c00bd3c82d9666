//! `POST /composite/tree/{obj}`: nested inserts, all-or-nothing, limits.

use serde_json::{Value, json};

use super::{Sandbox, error_code, json_body};
use crate::rest::Method;

fn contact(reference: &str, last_name: Option<&str>) -> Value {
    json!({ "attributes": { "type": "Contact", "referenceId": reference }, "LastName": last_name })
}

#[test]
fn nested_children_get_their_parent() {
    let mut sandbox = Sandbox::new();
    let body = json!({ "records": [
        { "attributes": { "type": "Account", "referenceId": "ref1" }, "Name": "Parent",
          "Contacts": { "records": [contact("ref2", Some("Doe")), contact("ref3", Some("Roe"))] },
          "ChildAccounts": { "records": [{ "attributes": { "type": "Account", "referenceId": "ref4" }, "Name": "Child" }] } },
        { "attributes": { "type": "Account", "referenceId": "ref5" }, "Name": "Alone" },
    ]});
    let response = sandbox.call(Method::Post, "composite/tree/Account", Some(body));
    assert_eq!(response.status, 201, "{response:?}");
    let body = json_body(&response);
    assert_eq!(body["hasErrors"], false);
    let results = body["results"].as_array().expect("results");
    // Each parent comes before its children; JSON objects are unordered, so the
    // nested relationships come in name order (ChildAccounts, then Contacts).
    let refs: Vec<&str> = results.iter().filter_map(|r| r["referenceId"].as_str()).collect();
    assert_eq!(refs, vec!["ref1", "ref4", "ref2", "ref3", "ref5"]);
    let by_ref =
        |reference: &str| results.iter().find(|r| r["referenceId"] == reference).and_then(|r| r["id"].as_str());
    let id = |i: usize| by_ref(&format!("ref{}", i + 1)).expect("id").to_owned();
    assert_eq!(sandbox.field("Contact", &id(1), "AccountId"), json!(id(0)));
    assert_eq!(sandbox.field("Contact", &id(2), "AccountId"), json!(id(0)));
    assert_eq!(sandbox.field("Account", &id(3), "ParentId"), json!(id(0)));
    assert_eq!(sandbox.field("Account", &id(4), "ParentId"), Value::Null);
    assert_eq!(sandbox.ids("SELECT Id FROM Account").len(), 3);
}

#[test]
fn any_failure_inserts_nothing() {
    let mut sandbox = Sandbox::new();
    let body = json!({ "records": [
        { "attributes": { "type": "Account", "referenceId": "ok" }, "Name": "Fine",
          "Contacts": { "records": [contact("good", Some("Doe")), contact("bad", None)] } },
        { "attributes": { "type": "Account", "referenceId": "badAccount" }, "Name": null,
          "Contacts": { "records": [contact("orphan", Some("X"))] } },
    ]});
    let response = sandbox.call(Method::Post, "composite/tree/Account", Some(body));
    assert_eq!(response.status, 400);
    let body = json_body(&response);
    assert_eq!(body["hasErrors"], true);
    let refs: Vec<&str> =
        body["results"].as_array().expect("results").iter().filter_map(|r| r["referenceId"].as_str()).collect();
    assert_eq!(refs, vec!["bad", "badAccount"], "only failing records are listed");
    assert_eq!(body["results"][0]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING");
    assert!(sandbox.ids("SELECT Id FROM Account").is_empty());
    assert!(sandbox.ids("SELECT Id FROM Contact").is_empty());
}

#[test]
fn structure_errors_are_listed_per_record() {
    let mut sandbox = Sandbox::new();
    let body = json!({ "records": [
        { "attributes": { "type": "Account", "referenceId": "a" }, "Name": "A", "Nope": { "records": [] } },
        { "attributes": { "type": "Contact", "referenceId": "c" }, "LastName": "Wrong root" },
        { "attributes": { "type": "Account", "referenceId": "a" }, "Name": "Same ref" },
    ]});
    let response = sandbox.call(Method::Post, "composite/tree/Account", Some(body));
    assert_eq!(response.status, 400);
    let body = json_body(&response);
    let codes: Vec<(&str, &str)> = body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (r["referenceId"].as_str().unwrap_or_default(), r["errors"][0]["statusCode"].as_str().unwrap_or_default())
        })
        .collect();
    assert_eq!(
        codes,
        vec![("a", "INVALID_FIELD"), ("c", "INVALID_TYPE"), ("a", "INVALID_INPUT"), ("a", "INVALID_INPUT")]
    );
    assert!(sandbox.ids("SELECT Id FROM Account").is_empty());
}

#[test]
fn limits() {
    let mut sandbox = Sandbox::new();
    let many: Vec<Value> = (0..201)
        .map(|i| json!({ "attributes": { "type": "Account", "referenceId": format!("r{i}") }, "Name": "A" }))
        .collect();
    let response = sandbox.call(Method::Post, "composite/tree/Account", Some(json!({ "records": many })));
    assert_eq!((response.status, error_code(&json_body(&response)).to_owned()), (400, "LIMIT_EXCEEDED".to_owned()));
    let nest = |levels: usize| {
        let mut record =
            json!({ "attributes": { "type": "Account", "referenceId": format!("l{levels}") }, "Name": "L" });
        for level in (1..levels).rev() {
            let parent = json!({ "attributes": { "type": "Account", "referenceId": format!("l{level}") }, "Name": "L",
                                 "ChildAccounts": { "records": [record] } });
            record = parent;
        }
        json!({ "records": [record] })
    };
    let response = sandbox.call(Method::Post, "composite/tree/Account", Some(nest(6)));
    assert_eq!((response.status, error_code(&json_body(&response)).to_owned()), (400, "LIMIT_EXCEEDED".to_owned()));
    assert!(sandbox.ids("SELECT Id FROM Account").is_empty());
    let response = sandbox.call(Method::Post, "composite/tree/Account", Some(nest(5)));
    assert_eq!(response.status, 201, "five levels are allowed");
    assert_eq!(sandbox.ids("SELECT Id FROM Account").len(), 5);
    let missing_ref = json!({ "records": [{ "attributes": { "type": "Account" }, "Name": "A" }] });
    assert_eq!(sandbox.call(Method::Post, "composite/tree/Account", Some(missing_ref)).status, 400);
    assert_eq!(sandbox.call(Method::Post, "composite/tree/Nope", Some(json!({ "records": [] }))).status, 404);
    assert_eq!(sandbox.call(Method::Get, "composite/tree/Account", None).status, 405);
}
