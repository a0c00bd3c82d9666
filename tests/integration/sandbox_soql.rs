//! Sandbox SOQL over the wire: page sizes from `Sforce-Query-Options`, semi-joins
//! and child relationship subqueries.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::sandbox::{TestSandbox, VERSION, spawn_sandbox};

/// Creates `count` Accounts through sObject Collections (200 per call).
async fn create_accounts(sandbox: &TestSandbox, session: &str, count: usize) {
    let records: Vec<Value> =
        (0..count).map(|i| json!({"attributes": {"type": "Account"}, "Name": format!("Account {i:04}")})).collect();
    for chunk in records.chunks(200) {
        let body = json!({"allOrNone": true, "records": chunk});
        let (status, _, results) = sandbox.rest(Method::POST, "composite/sobjects", session, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{results}");
    }
}

/// A `/query` (or `/queryAll`) call with an optional `Sforce-Query-Options` header.
async fn query_with_options(sandbox: &TestSandbox, session: &str, resource: &str, options: Option<&str>) -> Value {
    let url = sandbox.url(&format!("/services/data/v{VERSION}/{resource}"));
    let mut request = sandbox.http.get(url).query(&[("q", "SELECT Id FROM Account")]).bearer_auth(session);
    if let Some(options) = options {
        request = request.header("Sforce-Query-Options", options);
    }
    let response = request.send().await.expect("query");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// The sizes of every page, following `nextRecordsUrl` without the header.
async fn page_sizes(sandbox: &TestSandbox, session: &str, mut page: Value) -> Vec<usize> {
    let mut sizes = Vec::new();
    loop {
        assert_eq!(page["totalSize"], 450);
        sizes.push(page["records"].as_array().map_or(0, Vec::len));
        let Some(next) = page["nextRecordsUrl"].as_str() else { return sizes };
        page = sandbox.rest(Method::GET, next, session, None).await.2;
    }
}

#[tokio::test]
async fn batch_size_header_sets_the_page_size_for_every_page() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    create_accounts(&sandbox, &session, 450).await;
    sandbox.control(Method::PATCH, "/settings", Some(json!({"query_page_size": 100}))).await;

    let first = query_with_options(&sandbox, &session, "query", Some("batchSize=200")).await;
    assert_eq!(page_sizes(&sandbox, &session, first).await, [200, 200, 50], "continuations keep the size");
    let first = query_with_options(&sandbox, &session, "queryAll", Some("batchSize=300")).await;
    assert_eq!(page_sizes(&sandbox, &session, first).await, [300, 150]);
    let first = query_with_options(&sandbox, &session, "query", None).await;
    assert_eq!(
        page_sizes(&sandbox, &session, first).await,
        [100, 100, 100, 100, 50],
        "without the header the org's page size"
    );
    let first = query_with_options(&sandbox, &session, "query", Some("batchSize=5")).await;
    assert_eq!(page_sizes(&sandbox, &session, first).await, [200, 200, 50], "below 200 clamps to 200");
    let first = query_with_options(&sandbox, &session, "query", Some("batchSize=5000")).await;
    assert_eq!(page_sizes(&sandbox, &session, first).await, [450], "above 2000 clamps to 2000");
}
