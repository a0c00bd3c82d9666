//! The Salesforce client against the sandbox: logins, one re-login on an
//! expired session, retries only where repeating is safe, paging, budget.

use std::time::Duration;

use forcesync::salesforce::auth::{Credentials, Secret};
use forcesync::salesforce::retry::RetryPolicy;
use forcesync::salesforce::soql::{Literal, Soql};
use forcesync::salesforce::{Call, Client, ConnectionSettings, ErrorClass};
use reqwest::Method;
use serde_json::json;

use crate::helpers::sandbox::{PASSWORD, TOKEN, TestSandbox, USER, spawn_sandbox};

fn client(sandbox: &TestSandbox, credentials: Credentials) -> Client {
    let settings =
        ConnectionSettings { login_url: sandbox.server.url.clone(), api_version: "64.0".into(), credentials };
    let fast =
        RetryPolicy { max_attempts: 3, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(20) };
    Client::new(reqwest::Client::new(), settings, fast)
}

fn password() -> Credentials {
    Credentials::Password { username: USER.into(), password: Secret::new(PASSWORD), security_token: Secret::new(TOKEN) }
}

async fn calls(sandbox: &TestSandbox, kind: &str) -> u64 {
    sandbox.control(Method::GET, "/counters", None).await["calls"][kind].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn expired_session_is_renewed_exactly_once() {
    let sandbox = spawn_sandbox().await;
    let client = client(&sandbox, password());
    client.send(&Call::get("limits")).await.expect("first call logs in");
    sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "expire_session"}))).await;
    let reply = client.send(&Call::get("limits")).await.expect("renewed");
    assert_eq!(reply.status, 200);
    assert_eq!((client.login_count(), calls(&sandbox, "soap").await), (2, 2), "one login, one re-login");

    sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "expire_session", "count": 2}))).await;
    let error = client.send(&Call::get("limits")).await.expect_err("a second expiry in a row is not retried");
    assert_eq!(error.class, ErrorClass::Session);
    assert_eq!(client.login_count(), 3);
}

#[tokio::test]
async fn only_repeatable_calls_are_retried() {
    let sandbox = spawn_sandbox().await;
    let client = client(&sandbox, password());
    sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "http_503", "count": 2}))).await;
    client.send(&Call::get("limits")).await.expect("retried through two 503s");
    let used = sandbox.control(Method::GET, "/counters", None).await["api_usage"]["used"].as_u64();
    assert_eq!(used, Some(3), "two 503s, then the answer");

    sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "http_500"}))).await;
    let create = Call::write(Method::POST, "sobjects/Account", json!({"Name": "Once"}), false);
    let error = client.send(&create).await.expect_err("a plain create is never blindly retried");
    assert_eq!((error.code.as_str(), error.class), ("UNKNOWN_EXCEPTION", ErrorClass::Transient));
    let upsert = Call::write(Method::PATCH, "sobjects/Account/ForceSync_Key__c/k1", json!({"Name": "Keyed"}), true);
    sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "timeout_after_commit"}))).await;
    client.send(&upsert).await.expect("upsert retried after a lost response");
    let rows = client.query_all_pages("SELECT Id FROM Account").await.expect("query");
    assert_eq!(rows.len(), 1, "the lost-response upsert did not duplicate; the failed create wrote nothing");

    sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "unable_to_lock_row"}))).await;
    client.send(&upsert).await.expect("UNABLE_TO_LOCK_ROW is retried for an upsert");
    let bad = Call::write(Method::POST, "sobjects/Contact", json!({"FirstName": "x"}), false);
    let error = client.send(&bad).await.expect_err("validation");
    assert_eq!(
        (error.code.as_str(), error.class, error.fields.as_slice()),
        ("REQUIRED_FIELD_MISSING", ErrorClass::Data, &["LastName".to_owned()][..])
    );
}

#[tokio::test]
async fn queries_follow_pages_and_escape_values() {
    let sandbox = spawn_sandbox().await;
    let client = client(&sandbox, password());
    for i in 0..5 {
        let body = json!({"LastName": format!("C{i}"), "Email": if i == 3 { "o'hara@example.com".to_owned() } else { format!("c{i}@example.com") }});
        client.send(&Call::write(Method::POST, "sobjects/Contact", body, false)).await.expect("create");
    }
    sandbox.control(Method::PATCH, "/settings", Some(json!({"query_page_size": 2}))).await;
    assert_eq!(client.query_all_pages("SELECT Id FROM Contact").await.expect("pages").len(), 5);
    let soql = Soql::select(&["LastName"], "Contact")
        .and_then(|q| q.where_eq("Email", Literal::str("o'hara@example.com")))
        .expect("soql")
        .build();
    let rows = client.query_all_pages(&soql).await.expect("escaped query");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["LastName"], "C3");
    let usage = client.budget().latest().expect("Sforce-Limit-Info was read");
    assert!(usage.used >= 9 && usage.max == 15_000, "{usage:?}");
}

#[tokio::test]
async fn oauth_logins() {
    let sandbox = spawn_sandbox().await;
    let app = Credentials::ClientCredentials {
        client_id: "forcesync-app".into(),
        client_secret: Secret::new("forcesync-app-secret"),
    };
    let session = client(&sandbox, app).login().await.expect("client credentials");
    assert!(session.org_id.starts_with("00D") && session.user_id.starts_with("005"));
    let wrong =
        Credentials::ClientCredentials { client_id: "forcesync-app".into(), client_secret: Secret::new("nope") };
    let error = client(&sandbox, wrong).login().await.expect_err("wrong secret");
    assert_eq!((error.code.as_str(), error.class), ("invalid_client", ErrorClass::Auth));
    assert!(error.remedy().is_some_and(|r| r.contains("consumer secret")));
}

#[tokio::test]
async fn describe_global_and_limits() {
    let sandbox = spawn_sandbox().await;
    let client = client(&sandbox, password());
    let objects = client.describe_global().await.expect("describeGlobal");
    assert!(objects.iter().any(|o| o.name == "OpportunityContactRole" && o.createable));
    let order = client.describe("order").await.expect("describe").expect("Order exists");
    assert!(order.field("ForceSync_Key__c").is_some_and(|f| f.external_id && f.unique));
    assert!(client.describe("NoSuch__c").await.expect("describe").is_none());
    sandbox.control(Method::PATCH, "/settings", Some(json!({"daily_api_limit": 100, "api_used": 90}))).await;
    let usage = client.limits().await.expect("limits");
    assert_eq!((usage.max, usage.remaining()), (100, 9), "the /limits call itself counts");
    assert_eq!(client.budget().latest().map(|u| u.max), Some(100));
}
