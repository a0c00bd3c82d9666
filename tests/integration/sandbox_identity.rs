//! The identity URL login hands out (`/id/{orgId}/{userId}`) answers like Salesforce's
//! identity service.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::sandbox::{PASSWORD, TOKEN, TestSandbox, USER, VERSION, spawn_sandbox, xml_value};

async fn identity(sandbox: &TestSandbox, url: &str, token: &str) -> (StatusCode, String) {
    let response = sandbox.http.get(url).bearer_auth(token).send().await.expect("identity");
    (response.status(), response.text().await.expect("body"))
}

#[tokio::test]
async fn oauth_id_url_serves_the_identity_of_the_token_user() {
    let sandbox = spawn_sandbox().await;
    let creds = [
        ("grant_type", "client_credentials"),
        ("client_id", "forcesync-app"),
        ("client_secret", "forcesync-app-secret"),
    ];
    let (status, token) = sandbox.oauth(&creds).await;
    assert_eq!(status, StatusCode::OK, "{token}");
    let url = token["id"].as_str().expect("id url").to_owned();
    let access = token["access_token"].as_str().expect("token").to_owned();
    let (status, body) = identity(&sandbox, &url, &access).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let info: Value = serde_json::from_str(&body).expect("json");
    let mut segments = url.rsplit('/');
    let (user, org) = (segments.next().expect("user"), segments.next().expect("org"));
    assert_eq!(
        (info["id"].as_str(), info["user_id"].as_str(), info["organization_id"].as_str()),
        (Some(url.as_str()), Some(user), Some(org))
    );
    assert_eq!((info["username"].as_str(), info["email"].as_str()), (Some(USER), Some(USER)));
    assert_eq!(
        (&info["asserted_user"], &info["active"], &info["is_app_installed"]),
        (&json!(true), &json!(true), &json!(true))
    );
    assert_eq!(
        (info["user_type"].as_str(), info["language"].as_str(), info["locale"].as_str()),
        (Some("STANDARD"), Some("en_US"), Some("en_US"))
    );
    assert!(info["nick_name"].is_string() && info["display_name"].is_string(), "{info}");
    assert!(info["utcOffset"].is_i64(), "{info}");
    assert!(info["last_modified_date"].as_str().is_some_and(|d| d.ends_with(".000+0000")), "{info}");
    let base = &sandbox.server.url;
    let urls = &info["urls"];
    assert_eq!(urls["rest"], format!("{base}/services/data/v{{version}}/").as_str());
    assert_eq!(urls["sobjects"], format!("{base}/services/data/v{{version}}/sobjects/").as_str());
    assert_eq!(urls["query"], format!("{base}/services/data/v{{version}}/query/").as_str());
    assert_eq!(urls["enterprise"], format!("{base}/services/Soap/c/{{version}}/{}", &org[..15]).as_str());
    assert_eq!(urls["partner"], format!("{base}/services/Soap/u/{{version}}/{}", &org[..15]).as_str());
    assert_eq!(urls["profile"], format!("{base}/{user}").as_str());

    let (status, body) = identity(&sandbox, &url, "00Dbogus!token").await;
    assert_eq!((status, body.as_str()), (StatusCode::UNAUTHORIZED, "Bad_OAuth_Token"));
    let response = sandbox.http.get(&url).send().await.expect("identity");
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "no token");
    let other_org = format!("{base}/id/00D000000000001AAA/{user}");
    assert_eq!(identity(&sandbox, &other_org, &access).await.0, StatusCode::FORBIDDEN);
    let short = format!("{base}/id/{}/{}", &org[..15], &user[..15]);
    assert_eq!(identity(&sandbox, &short, &access).await.0, StatusCode::OK, "15-character Ids");
}

#[tokio::test]
async fn soap_login_identity_url_as_clients_build_it() {
    let sandbox = spawn_sandbox().await;
    let (status, body) = sandbox.soap_login(VERSION, USER, &format!("{PASSWORD}{TOKEN}")).await;
    assert_eq!(status, StatusCode::OK);
    let session = xml_value(&body, "sessionId").expect("session");
    let (org, user) = (xml_value(&body, "organizationId").expect("org"), xml_value(&body, "userId").expect("user"));
    // jsforce: the login URL's scheme and host, then /id/{organizationId}/{userId}.
    let url = format!("{}/id/{org}/{user}", sandbox.server.url);
    let (status, body) = identity(&sandbox, &url, &session).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let info: Value = serde_json::from_str(&body).expect("json");
    assert_eq!((info["id"].as_str(), info["user_id"].as_str()), (Some(url.as_str()), Some(user.as_str())));

    let added = sandbox
        .control(
            Method::POST,
            "/users",
            Some(json!({"username": "other@x.test", "password": "p", "security_token": "T"})),
        )
        .await;
    let other = added["id"].as_str().expect("id");
    let (status, _) = identity(&sandbox, &format!("{}/id/{org}/{other}", sandbox.server.url), &session).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another user's identity");
}
