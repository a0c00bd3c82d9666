//! One org connection: logs in lazily, reuses the session, logs in again once
//! on INVALID_SESSION_ID, retries transient failures of repeatable calls with
//! backoff, and records the API budget from every response.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::sync::Mutex;

use super::auth::{self, Credentials, Session};
use super::budget::{Budget, parse_limit_info};
use super::error::{Error, ErrorClass};
use super::retry::RetryPolicy;

/// Where and how to log in.
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    pub login_url: String,
    /// Like `64.0`.
    pub api_version: String,
    pub credentials: Credentials,
}

/// One REST call.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    /// Relative to `/services/data/v{version}/` (e.g. `sobjects/Account`), or
    /// absolute from the host when it starts with `/`.
    pub path: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    /// Safe to repeat after a lost response: reads, upserts by external id, updates by Id.
    pub idempotent: bool,
}

impl Call {
    pub fn get(path: impl Into<String>) -> Self {
        Self { method: Method::GET, path: path.into(), query: Vec::new(), body: None, idempotent: true }
    }

    pub fn with_query(mut self, name: &str, value: impl Into<String>) -> Self {
        self.query.push((name.to_owned(), value.into()));
        self
    }

    pub fn write(method: Method, path: impl Into<String>, body: Value, idempotent: bool) -> Self {
        Self { method, path: path.into(), query: Vec::new(), body: Some(body), idempotent }
    }
}

/// A successful answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    /// `Value::Null` for empty bodies.
    pub body: Value,
}

#[derive(Debug)]
pub struct Client {
    http: reqwest::Client,
    settings: ConnectionSettings,
    session: Mutex<Option<Session>>,
    budget: Budget,
    policy: RetryPolicy,
    logins: AtomicU64,
    describes: super::describe::DescribeCache,
    /// The store whose org this is, for metrics (`None`: not counted).
    store: Option<crate::metrics::StoreLabel>,
}

/// A response body as JSON: `Value::Null` when empty, the text itself as a
/// string when it is not JSON (an HTML error page from Salesforce's edge).
pub(crate) fn body_of(text: String) -> Value {
    if text.trim().is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) }
}

/// The first error of a Salesforce error body (array of `{errorCode, message, fields}`).
pub(crate) fn error_from_body(status: u16, body: &Value) -> Error {
    let first = body.as_array().and_then(|a| a.first()).unwrap_or(body);
    let text = |name: &str| first.get(name).and_then(Value::as_str).map(str::to_owned);
    match text("errorCode").or_else(|| text("error")) {
        Some(code) => {
            let message = text("message").or_else(|| text("error_description")).unwrap_or_default();
            let fields = first
                .get("fields")
                .and_then(Value::as_array)
                .map(|f| f.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
                .unwrap_or_default();
            Error::new(code, message, Some(status)).with_fields(fields)
        }
        None => Error::new(format!("HTTP_{status}"), format!("Salesforce answered HTTP {status}"), Some(status)),
    }
}

impl Client {
    pub fn new(http: reqwest::Client, settings: ConnectionSettings, policy: RetryPolicy) -> Self {
        Self {
            http,
            settings,
            session: Mutex::new(None),
            budget: Budget::default(),
            policy,
            logins: AtomicU64::new(0),
            describes: Default::default(),
            store: None,
        }
    }

    /// Counts this client's requests, logins and API usage under store `code`.
    pub fn for_store(mut self, code: &str) -> Self {
        self.store = Some(code.into());
        self
    }

    /// Counts one request of `kind` in the metrics, by its result.
    fn count<T>(&self, kind: &'static str, result: &Result<T, Error>) {
        super::tally::note(kind);
        if let Some(store) = &self.store {
            let outcome = match result {
                Ok(_) => "ok",
                Err(error) => error.class.as_str(),
            };
            crate::metrics::global().salesforce_request(store, kind, outcome);
        }
    }

    pub fn settings(&self) -> &ConnectionSettings {
        &self.settings
    }

    pub(crate) fn describe_cache(&self) -> &super::describe::DescribeCache {
        &self.describes
    }

    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// The org's instance URL (its record pages live under it), logging in
    /// first when there is no session yet.
    pub async fn instance_url(&self) -> Result<String, Error> {
        Ok(self.current_session().await?.instance_url)
    }

    /// Logins made so far (tests prove a re-login happened exactly once).
    pub fn login_count(&self) -> u64 {
        self.logins.load(Ordering::Relaxed)
    }

    /// Logs in now, replacing any cached session.
    pub async fn login(&self) -> Result<Session, Error> {
        let s = &self.settings;
        self.logins.fetch_add(1, Ordering::Relaxed);
        let session = self.login_once(s).await;
        self.count("login", &session);
        let session = session?;
        *self.session.lock().await = Some(session.clone());
        Ok(session)
    }

    async fn login_once(&self, s: &ConnectionSettings) -> Result<Session, Error> {
        Ok(match &s.credentials {
            Credentials::Password { username, password, security_token } => {
                auth::soap_login(&self.http, &s.login_url, &s.api_version, username, password, security_token).await?
            }
            Credentials::ClientCredentials { client_id, client_secret } => {
                auth::client_credentials(&self.http, &s.login_url, client_id, client_secret).await?
            }
            Credentials::JwtBearer { client_id, username, private_key_pem } => {
                auth::jwt_bearer(&self.http, &s.login_url, client_id, username, private_key_pem).await?
            }
        })
    }

    async fn current_session(&self) -> Result<Session, Error> {
        if let Some(session) = self.session.lock().await.clone() {
            return Ok(session);
        }
        self.login().await
    }

    /// Sends `call`; on INVALID_SESSION_ID logs in again and repeats once; on a
    /// transient failure of an idempotent call, retries with backoff.
    pub async fn send(&self, call: &Call) -> Result<Reply, Error> {
        self.with_session(call.idempotent, &call.path, |session| async move { self.send_once(&session, call).await })
            .await
    }

    /// The session, re-login and retry rules of [`Client::send`] around any
    /// single attempt: the hook for calls whose bodies are not JSON (Bulk CSV).
    pub(crate) async fn with_session<T, F, Fut>(
        &self,
        idempotent: bool,
        path: &str,
        mut attempt_once: F,
    ) -> Result<T, Error>
    where
        F: FnMut(Session) -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let mut attempt = 1;
        let mut relogged = false;
        let kind = crate::metrics::request_kind(path);
        loop {
            let session = self.current_session().await?;
            let org_id = session.org_id.clone();
            let result = attempt_once(session).await;
            self.count(kind, &result);
            match result {
                Err(error) if error.class == ErrorClass::Session && !relogged => {
                    relogged = true;
                    if let Some(store) = &self.store {
                        crate::metrics::global().relogin(store);
                    }
                    tracing::info!(org = %org_id, "session expired; logging in again");
                    self.login().await?;
                }
                Err(error) if error.is_retryable() && idempotent && attempt < self.policy.max_attempts => {
                    let delay = self.policy.delay(attempt, RetryPolicy::jitter());
                    tracing::warn!(code = %error.code, attempt, delay_ms = delay.as_millis() as u64, path = %path, "transient Salesforce error; retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    /// The HTTP client the calls go through.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The URL of `path`: relative to `/services/data/v{version}/`, or absolute from the host when it starts with `/`.
    pub(crate) fn url_for(&self, session: &Session, path: &str) -> String {
        if path.starts_with('/') {
            format!("{}{}", session.instance_url, path)
        } else {
            format!("{}/services/data/v{}/{}", session.instance_url, self.settings.api_version, path)
        }
    }

    /// Records the API usage a response reports in `Sforce-Limit-Info`.
    pub(crate) fn record_usage(&self, headers: &reqwest::header::HeaderMap) {
        if let Some(usage) = headers.get("sforce-limit-info").and_then(|v| v.to_str().ok()).and_then(parse_limit_info) {
            self.note_usage(usage);
        }
    }

    /// Keeps the API usage Salesforce reported, in the budget and the metrics.
    pub(crate) fn note_usage(&self, usage: super::budget::ApiUsage) {
        self.budget.record(usage);
        if let Some(store) = &self.store {
            crate::metrics::global().api_usage(store, usage.used, usage.max);
        }
    }

    async fn send_once(&self, session: &Session, call: &Call) -> Result<Reply, Error> {
        let url = self.url_for(session, &call.path);
        let mut request = self.http.request(call.method.clone(), &url).bearer_auth(session.access_token.expose());
        if !call.query.is_empty() {
            request = request.query(&call.query);
        }
        if let Some(body) = &call.body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| super::transport_error("", &e))?;
        let status = response.status();
        self.record_usage(response.headers());
        let text = response.text().await.map_err(|e| super::transport_error("", &e))?;
        let body = body_of(text);
        if status.is_success() || status == StatusCode::MULTIPLE_CHOICES && call.method == Method::GET {
            return Ok(Reply { status: status.as_u16(), body });
        }
        Err(error_from_body(status.as_u16(), &body))
    }

    /// `GET /services/data`: the versions the org serves (no session needed, not counted).
    pub async fn versions(&self) -> Result<Vec<String>, Error> {
        let body = self.services_data(&self.settings.login_url).await?;
        Ok(body
            .as_array()
            .map(|list| list.iter().filter_map(|v| v["version"].as_str().map(str::to_owned)).collect())
            .unwrap_or_default())
    }

    /// Whether the org answers: `GET /services/data` once, on its instance
    /// when logged in (else on the login URL), without retries. Free: no
    /// session, not counted against the API allocation.
    pub async fn probe(&self) -> Result<(), Error> {
        let base = match self.session.lock().await.as_ref() {
            Some(session) => session.instance_url.clone(),
            None => self.settings.login_url.clone(),
        };
        let result = self.services_data(&base).await.map(drop);
        self.count("other", &result);
        result
    }

    /// `GET {base}/services/data`, its error as Salesforce's when not 2xx.
    async fn services_data(&self, base: &str) -> Result<Value, Error> {
        let url = format!("{}/services/data", base.trim_end_matches('/'));
        let response = self
            .http
            .get(&url)
            .timeout(Duration::from_secs(30))
            .send()
            .await
            .map_err(|e| super::transport_error("", &e))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| super::transport_error("", &e))?;
        let body = body_of(text);
        if (200..300).contains(&status) {
            return Ok(body);
        }
        Err(error_from_body(status, &body))
    }

    /// Runs a query and follows `nextRecordsUrl` to the end.
    pub async fn query_all_pages(&self, soql: &str) -> Result<Vec<Value>, Error> {
        self.query_stream(soql, false).collect_all().await
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn error_bodies() {
        let e = super::error_from_body(
            400,
            &json!([{"errorCode": "INVALID_FIELD", "message": "No such column", "fields": ["X__c"]}]),
        );
        assert_eq!(
            (e.code.as_str(), e.fields.as_slice(), e.status),
            ("INVALID_FIELD", &["X__c".to_owned()][..], Some(400))
        );
        let e = super::error_from_body(
            401,
            &json!([{"errorCode": "INVALID_SESSION_ID", "message": "Session expired or invalid"}]),
        );
        assert_eq!(e.class, super::ErrorClass::Session);
        let e = super::error_from_body(502, &json!("<html>bad gateway</html>"));
        assert_eq!((e.code.as_str(), e.class), ("HTTP_502", super::ErrorClass::Transient));
    }
}
