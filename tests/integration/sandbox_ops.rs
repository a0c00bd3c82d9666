//! Sandbox behaviour under load and failure, over the wire: query paging and
//! errors, the daily API limit, session expiry, injected faults, control.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::sandbox::{TestSandbox, spawn_sandbox};

async fn create_accounts(sandbox: &TestSandbox, session: &str, count: usize) {
    for i in 0..count {
        let body = json!({"Name": format!("Account {i:03}"), "ForceSync_Key__c": format!("k{i}")});
        let (status, _, _) = sandbox.rest(Method::POST, "sobjects/Account", session, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED);
    }
}

#[tokio::test]
async fn query_pages_follow_next_records_url() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    create_accounts(&sandbox, &session, 7).await;
    sandbox.control(Method::PATCH, "/settings", Some(json!({"query_page_size": 3}))).await;

    let (_, mut page) = sandbox.query(&session, "SELECT Name FROM Account ORDER BY Name DESC").await;
    let mut names = Vec::new();
    loop {
        assert_eq!(page["totalSize"], 7);
        names.extend(
            page["records"].as_array().expect("records").iter().filter_map(|r| r["Name"].as_str().map(str::to_owned)),
        );
        let Some(next) = page["nextRecordsUrl"].as_str() else { break };
        assert_eq!(page["done"], false);
        page = sandbox.rest(Method::GET, next, &session, None).await.2;
    }
    let expected: Vec<String> = (0..7).rev().map(|i| format!("Account {i:03}")).collect();
    assert_eq!(names, expected);

    let (_, count) = sandbox.query(&session, "SELECT COUNT() FROM Account WHERE Name LIKE 'account 00%'").await;
    assert_eq!((count["totalSize"].as_u64(), count["records"].as_array().map(Vec::len)), (Some(7), Some(0)));
    let (_, escaped) = sandbox.query(&session, "SELECT Id FROM Account WHERE Name = 'O\\'Hara'").await;
    assert_eq!(escaped["totalSize"], 0);

    let (status, error) = sandbox.query(&session, "SELECT Id, Nope__c FROM Account").await;
    assert_eq!((status, error[0]["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_FIELD")));
    assert!(error[0]["message"].as_str().is_some_and(|m| m.contains("No such column 'Nope__c' on entity 'Account'")));
    let (_, error) = sandbox.query(&session, "SELECT Id FROM").await;
    assert_eq!(error[0]["errorCode"], "MALFORMED_QUERY");
    let (status, _, error) = sandbox.rest(Method::GET, "query/01gbogus-2000", &session, None).await;
    assert_eq!((status, error[0]["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_QUERY_LOCATOR")));
}

#[tokio::test]
async fn daily_limit_is_enforced_and_reported() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    sandbox.control(Method::PATCH, "/settings", Some(json!({"daily_api_limit": 3}))).await;
    for used in 1..=3 {
        let (status, headers, _) = sandbox.rest(Method::GET, "limits", &session, None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers["sforce-limit-info"], format!("api-usage={used}/3").as_str());
    }
    let (status, headers, body) = sandbox.rest(Method::GET, "limits", &session, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(body, json!([{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]));
    assert_eq!(headers["sforce-limit-info"], "api-usage=3/3");
    sandbox.control(Method::PATCH, "/settings", Some(json!({"api_used": 0}))).await;
    let (_, _, limits) = sandbox.rest(Method::GET, "limits", &session, None).await;
    assert_eq!(limits["DailyApiRequests"], json!({"Max": 3, "Remaining": 2}));
    let versions: Value =
        sandbox.http.get(sandbox.url("/services/data")).send().await.expect("versions").json().await.expect("json");
    assert!(versions.as_array().is_some_and(|v| v.iter().any(|v| v["version"] == "64.0")), "free and unauthenticated");
}

#[tokio::test]
async fn sessions_expire() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    assert_eq!(sandbox.rest(Method::GET, "limits", &session, None).await.0, StatusCode::OK);
    sandbox.control(Method::DELETE, "/sessions", None).await;
    let (status, _, body) = sandbox.rest(Method::GET, "limits", &session, None).await;
    assert_eq!(
        (status, body),
        (
            StatusCode::UNAUTHORIZED,
            json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
        )
    );
    sandbox.control(Method::PATCH, "/settings", Some(json!({"session_timeout_secs": 0}))).await;
    let idle = sandbox.session().await;
    assert_eq!(sandbox.rest(Method::GET, "limits", &idle, None).await.0, StatusCode::UNAUTHORIZED, "idle timeout");
    assert_eq!(sandbox.rest(Method::GET, "limits", "garbage", None).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn injected_faults() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let create = |key: &str| Some(json!({"Name": key, "ForceSync_Key__c": key}));

    sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "http_500"}))).await;
    let (status, _, body) = sandbox.rest(Method::POST, "sobjects/Account", &session, create("a")).await;
    assert_eq!((status, body[0]["errorCode"].as_str()), (StatusCode::INTERNAL_SERVER_ERROR, Some("UNKNOWN_EXCEPTION")));
    sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "http_503"}))).await;
    assert_eq!(
        sandbox.rest(Method::POST, "sobjects/Account", &session, create("a")).await.0,
        StatusCode::SERVICE_UNAVAILABLE
    );

    sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "unable_to_lock_row"}))).await;
    let (status, _, body) = sandbox.rest(Method::POST, "sobjects/Account", &session, create("a")).await;
    assert_eq!((status, body[0]["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("UNABLE_TO_LOCK_ROW")));

    sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "drop_connection"}))).await;
    let url = sandbox.url("/services/data/v64.0/sobjects/Account");
    let dropped = sandbox.http.post(&url).bearer_auth(&session).json(&create("b")).send().await;
    assert!(dropped.is_err(), "no response at all");

    sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "timeout_after_commit"}))).await;
    let lost = sandbox.http.post(&url).bearer_auth(&session).json(&create("c")).send().await;
    assert!(lost.is_err(), "the response never arrives");

    let (_, result) = sandbox.query(&session, "SELECT ForceSync_Key__c FROM Account ORDER BY ForceSync_Key__c").await;
    let keys: Vec<&str> =
        result["records"].as_array().expect("rows").iter().filter_map(|r| r["ForceSync_Key__c"].as_str()).collect();
    assert_eq!(keys, ["c"], "only the write whose response was lost committed");
    let counters = sandbox.control(Method::GET, "/counters", None).await;
    assert_eq!(
        counters["faults_injected"],
        json!({"http_500": 1, "http_503": 1, "drop_connection": 1, "timeout_after_commit": 1, "unable_to_lock_row": 1})
    );
}

#[tokio::test]
async fn control_endpoints() {
    let sandbox = spawn_sandbox().await;
    let added = sandbox
        .control(
            Method::POST,
            "/users",
            Some(json!({"username": "new@x.test", "password": "p", "security_token": "T"})),
        )
        .await;
    assert!(added["id"].as_str().is_some_and(|id| id.starts_with("005")));
    let (status, _) = sandbox.soap_login("64.0", "new@x.test", "pT").await;
    assert_eq!(status, StatusCode::OK);
    let session = sandbox.session().await;
    create_accounts(&sandbox, &session, 2).await;
    let dump = sandbox.control(Method::GET, "/dump", None).await;
    assert_eq!(dump["Account"].as_array().map(Vec::len), Some(2));
    let counters = sandbox.control(Method::GET, "/counters", None).await;
    assert_eq!(
        (counters["calls"]["sobject_write"].as_u64(), counters["api_usage"]["used"].as_u64()),
        (Some(2), Some(2))
    );
    sandbox.control(Method::POST, "/reset", None).await;
    let counters = sandbox.control(Method::GET, "/counters", None).await;
    assert_eq!((counters["records"].get("Account"), counters["api_usage"]["used"].as_u64()), (None, Some(0)));
    assert_eq!(sandbox.rest(Method::GET, "limits", &session, None).await.0, StatusCode::OK, "sessions survive a reset");
}
