//! `/composite/sobjects`: create, update, upsert, delete and retrieve.

use serde_json::{Value, json};

use super::{Sandbox, error_code, json_body};
use crate::rest::Method;

fn collection(sandbox: &mut Sandbox, method: Method, path: &str, body: Option<Value>) -> Value {
    let response = sandbox.call(method, path, body);
    assert_eq!(response.status, 200, "{response:?}");
    json_body(&response)
}

fn account(name: &str) -> Value {
    json!({ "attributes": { "type": "Account" }, "Name": name })
}

#[test]
fn create_mixed_types_in_order() {
    let mut sandbox = Sandbox::new();
    let records = json!([account("A"), { "attributes": { "type": "contact" }, "LastName": "C" },
                         { "attributes": { "type": "Contact" }, "FirstName": "Bad" }, account("B")]);
    let body = collection(&mut sandbox, Method::Post, "composite/sobjects", Some(json!({ "records": records })));
    let success: Vec<bool> = body.as_array().expect("items").iter().map(|i| i["success"] == true).collect();
    assert_eq!(success, vec![true, true, false, true]);
    assert_eq!(body[0]["errors"], json!([]));
    assert_eq!(body[2]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING");
    assert!(body[2].get("id").is_none() && body[2]["errors"][0].get("errorCode").is_none());
    let created: Vec<String> = [0, 3].iter().filter_map(|&i| body[i]["id"].as_str().map(str::to_owned)).collect();
    assert_eq!(sandbox.ids("SELECT Id FROM Account"), created);
    assert_eq!(sandbox.ids("SELECT Id FROM Contact").len(), 1);
}

#[test]
fn all_or_none_rolls_back_every_record() {
    let mut sandbox = Sandbox::new();
    let existing = sandbox.account("Old");
    let records = json!([account("A"), { "attributes": { "type": "Account" }, "Name": null }]);
    let body = collection(
        &mut sandbox,
        Method::Post,
        "composite/sobjects",
        Some(json!({ "allOrNone": true, "records": records })),
    );
    assert_eq!(body[0]["success"], false);
    assert_eq!(body[0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
    assert_eq!(
        body[0]["errors"][0]["message"],
        "Record rolled back because not all records were valid and the request was using AllOrNone header"
    );
    assert_eq!(body[1]["errors"][0]["statusCode"], "REQUIRED_FIELD_MISSING");
    assert_eq!(sandbox.ids("SELECT Id FROM Account"), vec![existing.clone()]);
    let records = json!([{ "attributes": { "type": "Account" }, "id": existing, "Name": "New" },
                         { "attributes": { "type": "Account" }, "Name": "No id" }]);
    let body = collection(
        &mut sandbox,
        Method::Patch,
        "composite/sobjects",
        Some(json!({ "allOrNone": true, "records": records })),
    );
    assert_eq!(body[0]["id"], json!(existing), "an update keeps its Id when rolled back");
    assert_eq!(body[0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
    assert_eq!(body[1]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
    assert_eq!(sandbox.field("Account", &existing, "Name"), json!("Old"));
}

#[test]
fn update_strips_ids_and_reports_per_record() {
    let mut sandbox = Sandbox::new();
    let (a, b) = (sandbox.account("A"), sandbox.account("B"));
    let records = json!([
        { "attributes": { "type": "Account" }, "id": a, "Name": "A2" },
        { "attributes": { "type": "Account" }, "Id": &b[..15], "Phone": "123" },
        { "attributes": { "type": "Account" }, "id": "not-an-id", "Name": "X" },
    ]);
    let body = collection(&mut sandbox, Method::Patch, "composite/sobjects", Some(json!({ "records": records })));
    assert_eq!(body[0], json!({ "id": a, "success": true, "errors": [] }));
    assert_eq!(body[1]["id"], json!(b), "15-character Ids answer with 18");
    assert_eq!(body[2]["errors"][0]["statusCode"], "MALFORMED_ID");
    assert_eq!(sandbox.field("Account", &a, "Name"), json!("A2"));
    assert_eq!(sandbox.field("Account", &b, "Phone"), json!("123"));
}

#[test]
fn upsert_by_external_id() {
    let mut sandbox = Sandbox::new();
    let path = "composite/sobjects/Account/ForceSync_Key__c";
    let first = json!([{ "attributes": { "type": "Account" }, "ForceSync_Key__c": "K1", "Name": "One" }]);
    let body = collection(&mut sandbox, Method::Patch, path, Some(json!({ "records": first })));
    assert_eq!(body[0]["created"], true);
    let id = body[0]["id"].clone();
    let records = json!([
        { "attributes": { "type": "Account" }, "ForceSync_Key__c": "k1", "Name": "One again" },
        { "attributes": { "type": "Account" }, "ForceSync_Key__c": "K2", "Name": "Two" },
        { "attributes": { "type": "Account" }, "ForceSync_Key__c": "K3", "Name": "Dup" },
        { "attributes": { "type": "Account" }, "ForceSync_Key__c": "k3", "Name": "Dup" },
        { "attributes": { "type": "Account" }, "Name": "No key" },
    ]);
    let body = collection(&mut sandbox, Method::Patch, path, Some(json!({ "records": records })));
    assert_eq!(body[0], json!({ "id": id, "success": true, "errors": [], "created": false }));
    assert_eq!(body[1]["created"], true);
    assert_eq!(body[2]["errors"][0]["statusCode"], "DUPLICATE_EXTERNAL_ID");
    assert_eq!(body[3]["errors"][0]["statusCode"], "DUPLICATE_EXTERNAL_ID");
    assert_eq!(body[4]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
    assert_eq!(sandbox.ids("SELECT Id FROM Account").len(), 2);
    assert_eq!(sandbox.field("Account", id.as_str().unwrap_or_default(), "Name"), json!("One again"));
    let response = sandbox.call(Method::Patch, "composite/sobjects/Account/Phone", Some(json!({ "records": [] })));
    assert_eq!(response.status, 404, "Phone is not an external id");
}

#[test]
fn delete_by_ids() {
    let mut sandbox = Sandbox::new();
    let (a, b) = (sandbox.account("A"), sandbox.account("B"));
    let path = format!("composite/sobjects?ids={a},001000000000000AAA&allOrNone=true");
    let body = collection(&mut sandbox, Method::Delete, &path, None);
    assert_eq!(body[0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
    assert_eq!(body[1]["success"], false);
    assert_eq!(sandbox.ids("SELECT Id FROM Account").len(), 2, "rolled back");
    let body = collection(&mut sandbox, Method::Delete, &format!("composite/sobjects?ids={a},{b},junk"), None);
    assert_eq!((body[0]["success"].clone(), body[1]["success"].clone()), (json!(true), json!(true)));
    assert_eq!(body[2]["errors"][0]["statusCode"], "MALFORMED_ID");
    assert!(sandbox.ids("SELECT Id FROM Account").is_empty());
    let body = collection(&mut sandbox, Method::Delete, &format!("composite/sobjects?ids={a}"), None);
    assert_eq!(body[0]["errors"][0]["statusCode"], "ENTITY_IS_DELETED");
    assert_eq!(sandbox.call(Method::Delete, "composite/sobjects", None).status, 400);
}

#[test]
fn retrieve_by_get_and_post() {
    let mut sandbox = Sandbox::new();
    let (a, b) = (sandbox.account("A"), sandbox.account("B"));
    let missing = "001000000000000AAA";
    let body = collection(
        &mut sandbox,
        Method::Get,
        &format!("composite/sobjects/account?ids={b},{missing},{a}&fields=Name,Phone"),
        None,
    );
    assert_eq!(body[0]["Name"], "B");
    assert_eq!(body[0]["attributes"]["type"], "Account");
    assert_eq!(body[1], Value::Null);
    assert_eq!(body[2]["Id"], Value::Null, "only the requested fields");
    assert_eq!(body[2]["Name"], "A");
    let request = json!({ "ids": [a, missing], "fields": ["Name"] });
    let body = collection(&mut sandbox, Method::Post, "composite/sobjects/Account", Some(request));
    assert_eq!((body[0]["Name"].clone(), body[1].clone()), (json!("A"), Value::Null));
    let bad = sandbox.call(Method::Get, &format!("composite/sobjects/Account?ids={a}&fields=Nope"), None);
    assert_eq!((bad.status, error_code(&json_body(&bad)).to_owned()), (400, "INVALID_FIELD".to_owned()));
    assert_eq!(sandbox.call(Method::Get, "composite/sobjects/Nope?ids=x&fields=Name", None).status, 404);
}

#[test]
fn limits() {
    let mut sandbox = Sandbox::new();
    let many: Vec<Value> = (0..201).map(|i| account(&format!("A{i}"))).collect();
    let response = sandbox.call(Method::Post, "composite/sobjects", Some(json!({ "records": many })));
    assert_eq!((response.status, error_code(&json_body(&response)).to_owned()), (400, "EXCEEDED_ID_LIMIT".to_owned()));
    let contact = json!({ "attributes": { "type": "Contact" }, "LastName": "C" });
    let chunky: Vec<Value> = (0..11).map(|i| if i % 2 == 0 { account("A") } else { contact.clone() }).collect();
    let response = sandbox.call(Method::Post, "composite/sobjects", Some(json!({ "records": chunky })));
    assert_eq!(response.status, 400, "11 chunks");
    let untyped = json!({ "records": [{ "Name": "No type" }] });
    assert_eq!(sandbox.call(Method::Post, "composite/sobjects", Some(untyped)).status, 400);
    assert!(sandbox.ids("SELECT Id FROM Account").is_empty());
    let ten: Vec<Value> = (0..10).map(|i| if i % 2 == 0 { account("A") } else { contact.clone() }).collect();
    let full: Vec<Value> = (0..200).map(|i| account(&format!("A{i}"))).collect();
    collection(&mut sandbox, Method::Post, "composite/sobjects", Some(json!({ "records": ten })));
    collection(&mut sandbox, Method::Post, "composite/sobjects", Some(json!({ "records": full })));
    assert_eq!(sandbox.ids("SELECT Id FROM Account").len(), 205);
    assert_eq!(sandbox.call(Method::Put, "composite/sobjects", None).status, 405);
}
