//! `POST /composite/batch`: independent subrequests, haltOnError, API usage.

use serde_json::{Value, json};

use super::{Sandbox, error_code, json_body};
use crate::rest::Method;

#[test]
fn runs_each_subrequest_and_counts_each_call() {
    let mut sandbox = Sandbox::new();
    let id = sandbox.account("Before");
    let before = sandbox.state.api_used;
    let body = json!({ "haltOnError": false, "batchRequests": [
        { "method": "PATCH", "url": format!("v64.0/sobjects/Account/{id}"), "richInput": { "Name": "After" } },
        { "method": "GET", "url": format!("v64.0/sobjects/Account/{id}?fields=Name") },
        { "method": "POST", "url": "v64.0/sobjects/Contact", "richInput": { "FirstName": "NoLast" } },
        { "method": "POST", "url": "/services/data/v64.0/sobjects/Account", "richInput": { "Name": "Second" } },
    ]});
    let response = sandbox.call(Method::Post, "composite/batch", Some(body));
    assert_eq!(response.status, 200);
    let body = json_body(&response);
    assert_eq!(body["hasErrors"], true);
    let statuses: Vec<u64> =
        body["results"].as_array().expect("results").iter().map(|r| r["statusCode"].as_u64().unwrap_or(0)).collect();
    assert_eq!(statuses, vec![204, 200, 400, 201]);
    assert_eq!(body["results"][0]["result"], Value::Null);
    assert_eq!(body["results"][1]["result"]["Name"], "After");
    assert_eq!(error_code(&body["results"][2]["result"]), "REQUIRED_FIELD_MISSING");
    assert_eq!(sandbox.ids("SELECT Id FROM Account").len(), 2, "not transactional: the later create stays");
    assert_eq!(sandbox.state.api_used - before, 3, "4 subrequests = 4 calls, one counted by the HTTP layer");
}

#[test]
fn halt_on_error_skips_the_rest_with_412() {
    let mut sandbox = Sandbox::new();
    let body = json!({ "haltOnError": true, "batchRequests": [
        { "method": "POST", "url": "v64.0/sobjects/Account", "richInput": { "Name": "First" } },
        { "method": "DELETE", "url": "v64.0/sobjects/Account/001000000000000AAA" },
        { "method": "POST", "url": "v64.0/sobjects/Account", "richInput": { "Name": "Skipped" } },
    ]});
    let response = sandbox.call(Method::Post, "composite/batch", Some(body));
    let body = json_body(&response);
    assert_eq!(body["hasErrors"], true);
    assert_eq!(body["results"][0]["statusCode"], 201);
    assert_eq!(body["results"][1]["statusCode"], 404);
    assert_eq!(body["results"][2]["statusCode"], 412);
    assert_eq!(error_code(&body["results"][2]["result"]), "PROCESSING_HALTED");
    assert_eq!(sandbox.ids("SELECT Id FROM Account WHERE Name = 'Skipped'").len(), 0);
    assert_eq!(sandbox.ids("SELECT Id FROM Account WHERE Name = 'First'").len(), 1);
    assert_eq!(sandbox.state.api_used, 1, "two subrequests ran");
}

#[test]
fn limits_and_shape() {
    let mut sandbox = Sandbox::new();
    let get = json!({ "method": "GET", "url": "v64.0/limits" });
    let cases = [
        (json!({ "batchRequests": vec![get.clone(); 26] }), "LIMIT_EXCEEDED"),
        (json!({ "batchRequests": [] }), "LIMIT_EXCEEDED"),
        (json!({ "batchRequests": [{ "method": "GET", "url": "sobjects" }] }), "INVALID_API_INPUT"),
        (json!({ "batchRequests": [{ "method": "POST", "url": "v64.0/composite/batch" }] }), "INVALID_API_INPUT"),
        (json!({ "batchRequests": {} }), "JSON_PARSER_ERROR"),
        (json!({ "haltOnError": "yes", "batchRequests": [get.clone()] }), "JSON_PARSER_ERROR"),
    ];
    for (body, code) in cases {
        let response = sandbox.call(Method::Post, "composite/batch", Some(body.clone()));
        assert_eq!(response.status, 400, "{body}");
        assert_eq!(error_code(&json_body(&response)), code, "{body}");
    }
    let response = sandbox.call(Method::Post, "composite/batch", Some(json!({ "batchRequests": vec![get; 25] })));
    assert_eq!(json_body(&response)["hasErrors"], false);
    assert_eq!(sandbox.state.api_used, 24);
}
