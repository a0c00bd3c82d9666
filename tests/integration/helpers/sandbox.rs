//! An in-process sandbox on port 0 and a plain HTTP client for it, to test
//! the emulator exactly as a Salesforce client library would reach it.

use forcesync::sandbox::config::UserSeed;
use forcesync::sandbox::{CustomSchema, SandboxConfig, SandboxServer};
use reqwest::{Method, StatusCode};
use serde_json::Value;

pub const USER: &str = "sync@forcesync.test";
pub const PASSWORD: &str = "sandbox-password";
pub const TOKEN: &str = "SANDBOXTOKEN";
pub const VERSION: &str = "64.0";

pub struct TestSandbox {
    pub server: SandboxServer,
    pub http: reqwest::Client,
}

/// The demo org (one user, one connected app) with forcesync's custom fields.
pub async fn spawn_sandbox() -> TestSandbox {
    spawn_sandbox_with(SandboxConfig::demo()).await
}

pub async fn spawn_sandbox_with(config: SandboxConfig) -> TestSandbox {
    spawn_sandbox_with_schema(config, CustomSchema::default_forcesync()).await
}

/// An org with only `custom` added to the standard objects.
pub async fn spawn_sandbox_with_schema(config: SandboxConfig, custom: CustomSchema) -> TestSandbox {
    super::install_crypto();
    let listen = "127.0.0.1:0".parse().expect("addr");
    let server = SandboxServer::start(config, Some(custom), listen).await.expect("sandbox");
    let http = reqwest::Client::builder().build().expect("client");
    TestSandbox { server, http }
}

pub fn user_seed(username: &str, trusted: &[&str]) -> UserSeed {
    UserSeed {
        username: username.into(),
        password: "pw&<secret>".into(),
        security_token: "TOK".into(),
        trusted_ranges: trusted.iter().map(|s| (*s).to_owned()).collect(),
        password_expired: false,
        api_enabled: true,
    }
}

/// A SOAP login envelope with the credentials XML-escaped, as real clients send it.
pub fn login_envelope(username: &str, password: &str) -> String {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;");
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>{}</n1:username><n1:password>{}</n1:password></n1:login></env:Body></env:Envelope>"#,
        esc(username),
        esc(password)
    )
}

/// Pulls `<tag>value</tag>` out of XML text.
pub fn xml_value(xml: &str, tag: &str) -> Option<String> {
    let start = xml.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = xml[start..].find(&format!("</{tag}>"))? + start;
    Some(xml[start..end].to_owned())
}

impl TestSandbox {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url)
    }

    pub async fn soap_login(&self, version: &str, username: &str, password: &str) -> (StatusCode, String) {
        let response = self
            .http
            .post(self.url(&format!("/services/Soap/u/{version}")))
            .header("Content-Type", "text/xml; charset=UTF-8")
            .header("SOAPAction", "login")
            .body(login_envelope(username, password))
            .send()
            .await
            .expect("soap login");
        (response.status(), response.text().await.expect("body"))
    }

    /// A session for the demo user (SOAP login with the token appended).
    pub async fn session(&self) -> String {
        let (status, body) = self.soap_login(VERSION, USER, &format!("{PASSWORD}{TOKEN}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        xml_value(&body, "sessionId").expect("sessionId")
    }

    pub async fn oauth(&self, form: &[(&str, &str)]) -> (StatusCode, Value) {
        let response = self.http.post(self.url("/services/oauth2/token")).form(form).send().await.expect("token");
        (response.status(), response.json().await.expect("json"))
    }

    /// A REST call under /services/data/v64.0; returns status, headers and JSON (Null when empty).
    pub async fn rest(
        &self,
        method: Method,
        path: &str,
        session: &str,
        body: Option<Value>,
    ) -> (StatusCode, reqwest::header::HeaderMap, Value) {
        let url = if path.starts_with("/services") {
            self.url(path)
        } else {
            self.url(&format!("/services/data/v{VERSION}/{path}"))
        };
        let mut request = self.http.request(method, url).bearer_auth(session);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("rest call");
        let (status, headers) = (response.status(), response.headers().clone());
        let text = response.text().await.expect("body");
        let json =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        (status, headers, json)
    }

    /// Creates a record over REST; returns its Id.
    pub async fn create(&self, session: &str, object: &str, body: Value) -> String {
        let (status, _, created) = self.rest(Method::POST, &format!("sobjects/{object}"), session, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{object}: {created}");
        created["id"].as_str().expect("id").to_owned()
    }

    pub async fn query(&self, session: &str, soql: &str) -> (StatusCode, Value) {
        let url = self.url(&format!("/services/data/v{VERSION}/query"));
        let response = self.http.get(url).query(&[("q", soql)]).bearer_auth(session).send().await.expect("query");
        (response.status(), response.json().await.expect("json"))
    }

    /// Calls a control endpoint.
    pub async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, self.url(&format!("/_sandbox{path}")));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("control");
        assert!(response.status().is_success(), "control {path}: {}", response.status());
        response.json().await.expect("json")
    }
}
