//! Sandbox logins over the wire: SOAP login() and its faults, OAuth grants.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use forcesync::sandbox::SandboxConfig;
use forcesync::sandbox::config::ConnectedAppSeed;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::sandbox::{
    PASSWORD, TOKEN, USER, VERSION, spawn_sandbox, spawn_sandbox_with, user_seed, xml_value,
};

fn fault_code(body: &str) -> Option<String> {
    xml_value(body, "sf:exceptionCode")
}

#[tokio::test]
async fn soap_login_returns_a_session_rest_accepts() {
    let sandbox = spawn_sandbox().await;
    let (status, body) = sandbox.soap_login(VERSION, USER, &format!("{PASSWORD}{TOKEN}")).await;
    assert_eq!(status, StatusCode::OK);
    let server_url = xml_value(&body, "serverUrl").expect("serverUrl");
    assert!(server_url.starts_with(&format!("{}/services/Soap/u/64.0/00D", sandbox.server.url)), "{server_url}");
    assert_eq!(xml_value(&body, "sessionSecondsValid").as_deref(), Some("7200"));
    assert!(xml_value(&body, "organizationId").is_some_and(|id| id.starts_with("00D") && id.len() == 18));
    let order: Vec<usize> =
        ["metadataServerUrl", "passwordExpired", "sandbox", "serverUrl", "sessionId", "userId", "userInfo"]
            .iter()
            .map(|tag| body.find(&format!("<{tag}>")).expect(tag))
            .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "LoginResult elements in WSDL order");

    let session = xml_value(&body, "sessionId").expect("session");
    let (status, headers, _) = sandbox.rest(Method::GET, "limits", &session, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["sforce-limit-info"], "api-usage=1/15000");
}

#[tokio::test]
async fn soap_login_faults() {
    let mut config = SandboxConfig::demo();
    config.users.push(user_seed("trusted@forcesync.test", &["127.0.0.0/8"]));
    config.users.push(user_seed("lock@forcesync.test", &[]));
    config.lockout_after_failures = 3;
    let sandbox = spawn_sandbox_with(config).await;

    let (status, body) = sandbox.soap_login(VERSION, USER, PASSWORD).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(fault_code(&body).as_deref(), Some("LOGIN_MUST_USE_SECURITY_TOKEN"), "{body}");
    assert!(body.contains("<faultcode>sf:LOGIN_MUST_USE_SECURITY_TOKEN</faultcode>"));

    // From a trusted range the token may be left off; XML special characters survive escaping.
    let (status, body) = sandbox.soap_login(VERSION, "trusted@forcesync.test", "pw&<secret>").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = sandbox.soap_login(VERSION, "trusted@forcesync.test", "pw&<secret>TOK").await;
    assert_eq!(status, StatusCode::OK);

    let (_, body) = sandbox.soap_login("65.0", USER, &format!("{PASSWORD}{TOKEN}")).await;
    assert_eq!(fault_code(&body).as_deref(), Some("INVALID_OPERATION"));
    assert!(body.contains("not available in the API version specified (65.0)"));
    let (_, body) = sandbox.soap_login("20.0", USER, &format!("{PASSWORD}{TOKEN}")).await;
    assert_eq!(fault_code(&body).as_deref(), Some("UNSUPPORTED_API_VERSION"));

    let locked = "lock@forcesync.test";
    for _ in 0..3 {
        let (_, body) = sandbox.soap_login(VERSION, locked, "wrong").await;
        assert_eq!(fault_code(&body).as_deref(), Some("INVALID_LOGIN"));
    }
    let (_, body) = sandbox.soap_login(VERSION, locked, "pw&<secret>TOK").await;
    assert_eq!(fault_code(&body).as_deref(), Some("PASSWORD_LOCKOUT"), "locked after 3 failures");
    sandbox.control(Method::POST, &format!("/users/{locked}/unlock"), None).await;
    assert_eq!(sandbox.soap_login(VERSION, locked, "pw&<secret>TOK").await.0, StatusCode::OK);

    sandbox.control(Method::PATCH, "/settings", Some(json!({"api_enabled": false}))).await;
    let (_, body) = sandbox.soap_login(VERSION, USER, &format!("{PASSWORD}{TOKEN}")).await;
    assert_eq!(fault_code(&body).as_deref(), Some("API_DISABLED_FOR_ORG"));
    sandbox.control(Method::PATCH, "/settings", Some(json!({"api_enabled": true, "soap_login_enabled": false}))).await;
    let (_, body) = sandbox.soap_login(VERSION, USER, &format!("{PASSWORD}{TOKEN}")).await;
    assert!(body.contains("SOAP API login() is disabled"), "{body}");
}

#[tokio::test]
async fn oauth_grants_and_userinfo() {
    let sandbox = spawn_sandbox().await;
    let creds = [("client_id", "forcesync-app"), ("client_secret", "forcesync-app-secret")];
    let (status, token) = sandbox.oauth(&[&[("grant_type", "client_credentials")][..], &creds].concat()).await;
    assert_eq!(status, StatusCode::OK, "{token}");
    assert_eq!(token["instance_url"], sandbox.server.url.as_str());
    assert_eq!(token["token_type"], "Bearer");
    assert!(token["issued_at"].as_str().is_some_and(|s| s.parse::<i64>().is_ok()), "ms as a string");
    let access = token["access_token"].as_str().expect("token").to_owned();
    let info =
        sandbox.http.get(sandbox.url("/services/oauth2/userinfo")).bearer_auth(&access).send().await.expect("info");
    let info: serde_json::Value = info.json().await.expect("json");
    assert_eq!(info["preferred_username"], USER);

    let password = format!("{PASSWORD}{TOKEN}");
    let form =
        [&[("grant_type", "password"), ("username", USER), ("password", password.as_str())][..], &creds].concat();
    assert_eq!(sandbox.oauth(&form).await.0, StatusCode::OK);
    let form = [&[("grant_type", "password"), ("username", USER), ("password", "nope")][..], &creds].concat();
    assert_eq!(
        sandbox.oauth(&form).await,
        (StatusCode::BAD_REQUEST, json!({"error": "invalid_grant", "error_description": "authentication failure"}))
    );
    let wrong_secret = [("grant_type", "client_credentials"), ("client_id", "forcesync-app"), ("client_secret", "x")];
    assert_eq!(sandbox.oauth(&wrong_secret).await.1["error"], "invalid_client");
    assert_eq!(sandbox.oauth(&[("grant_type", "magic")]).await.1["error"], "unsupported_grant_type");
}

fn sign_jwt(claims: &serde_json::Value) -> String {
    let pem = include_str!("../fixtures/jwt_test_key.pem");
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body).expect("pem");
    let key = ring::signature::RsaKeyPair::from_pkcs8(&der).expect("pkcs8 key");
    let signing_input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .expect("sign");
    format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[tokio::test]
async fn oauth_jwt_bearer() {
    let mut config = SandboxConfig::demo();
    config.connected_apps.push(ConnectedAppSeed {
        client_id: "jwt-app".into(),
        client_secret: "unused".into(),
        run_as: None,
        jwt_public_key_pem: Some(include_str!("../fixtures/jwt_test_key.pub.pem").into()),
        jwt_users: vec![USER.into()],
    });
    let sandbox = spawn_sandbox_with(config).await;
    let exp = chrono::Utc::now().timestamp() + 120;
    let good = sign_jwt(&json!({"iss": "jwt-app", "sub": USER, "aud": "https://login.salesforce.com", "exp": exp}));
    let grant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    let (status, token) = sandbox.oauth(&[("grant_type", grant), ("assertion", &good)]).await;
    assert_eq!(status, StatusCode::OK, "{token}");

    let mut tampered = good.clone();
    tampered.insert(good.len() / 2, 'x');
    assert_eq!(sandbox.oauth(&[("grant_type", grant), ("assertion", &tampered)]).await.1["error"], "invalid_grant");
    let stranger =
        sign_jwt(&json!({"iss": "jwt-app", "sub": "nobody@x.test", "aud": "https://login.salesforce.com", "exp": exp}));
    let (_, error) = sandbox.oauth(&[("grant_type", grant), ("assertion", &stranger)]).await;
    assert_eq!(error["error_description"], "user hasn't approved this consumer");
    let expired =
        sign_jwt(&json!({"iss": "jwt-app", "sub": USER, "aud": "https://login.salesforce.com", "exp": exp - 600}));
    assert_eq!(sandbox.oauth(&[("grant_type", grant), ("assertion", &expired)]).await.0, StatusCode::BAD_REQUEST);
}
