//! OAuth 2.0 token requests: client credentials and JWT bearer (RS256, signed with ring).

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

use super::{Secret, Session, origin};
use crate::salesforce::error::Error;

/// How long a JWT assertion is valid (Salesforce accepts at most ~3 minutes).
const ASSERTION_SECONDS: i64 = 170;

async fn token_request(http: &reqwest::Client, login_url: &str, form: &[(&str, &str)]) -> Result<Session, Error> {
    let url = format!("{}/services/oauth2/token", login_url.trim_end_matches('/'));
    let response = http
        .post(&url)
        .form(form)
        .send()
        .await
        .map_err(|e| super::super::transport_error(&format!("cannot reach {url}: "), &e))?;
    let status = response.status().as_u16();
    let body: Value =
        response.json().await.map_err(|e| Error::bad_response(status, format!("token answer is not JSON: {e}")))?;
    if let Some(code) = body.get("error").and_then(Value::as_str) {
        let description = body.get("error_description").and_then(Value::as_str).unwrap_or_default();
        return Err(Error::new(code, description, Some(status)));
    }
    let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
    let missing = |name: &str| Error::bad_response(status, format!("token answer has no {name}"));
    let identity = text("id").ok_or_else(|| missing("id"))?;
    let mut parts = identity.rsplit('/');
    let (user_id, org_id) = (parts.next().unwrap_or_default().to_owned(), parts.next().unwrap_or_default().to_owned());
    let instance = text("instance_url").ok_or_else(|| missing("instance_url"))?;
    Ok(Session {
        instance_url: origin(&instance).ok_or_else(|| missing("usable instance_url"))?,
        access_token: Secret::new(text("access_token").ok_or_else(|| missing("access_token"))?),
        org_id,
        user_id,
        valid_seconds: None,
    })
}

pub async fn client_credentials(
    http: &reqwest::Client,
    login_url: &str,
    client_id: &str,
    client_secret: &Secret,
) -> Result<Session, Error> {
    let form =
        [("grant_type", "client_credentials"), ("client_id", client_id), ("client_secret", client_secret.expose())];
    token_request(http, login_url, &form).await
}

/// Reads a PEM private key: PKCS#8 (`PRIVATE KEY`) or PKCS#1 (`RSA PRIVATE KEY`).
fn key_pair(pem: &str) -> Result<ring::signature::RsaKeyPair, Error> {
    let invalid = |why: &str| Error::new("INVALID_PRIVATE_KEY", format!("the JWT private key {why}"), None);
    let body: String = pem.lines().filter(|line| !line.starts_with("-----")).collect();
    let der = STANDARD.decode(body.trim()).map_err(|_| invalid("is not PEM"))?;
    let pair = if pem.contains("BEGIN RSA PRIVATE KEY") {
        ring::signature::RsaKeyPair::from_der(&der)
    } else {
        ring::signature::RsaKeyPair::from_pkcs8(&der)
    };
    pair.map_err(|_| invalid("is not an RSA key"))
}

/// The signed assertion for `client_id` acting as `username`, for `audience`.
pub fn assertion(client_id: &str, username: &str, audience: &str, pem: &Secret, now: i64) -> Result<String, Error> {
    let pair = key_pair(pem.expose())?;
    let claims = json!({"iss": client_id, "sub": username, "aud": audience, "exp": now + ASSERTION_SECONDS});
    let signing_input =
        format!("{}.{}", URL_SAFE_NO_PAD.encode(r#"{"alg":"RS256"}"#), URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut signature = vec![0; pair.public().modulus_len()];
    pair.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut signature,
    )
    .map_err(|_| Error::new("INVALID_PRIVATE_KEY", "signing the JWT assertion failed", None))?;
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

pub async fn jwt_bearer(
    http: &reqwest::Client,
    login_url: &str,
    client_id: &str,
    username: &str,
    private_key_pem: &Secret,
) -> Result<Session, Error> {
    // Production and sandbox logins name their own host as audience; a My Domain login uses the login host too.
    let audience = if login_url.contains("test.salesforce.com") {
        "https://test.salesforce.com"
    } else {
        "https://login.salesforce.com"
    };
    let assertion = assertion(client_id, username, audience, private_key_pem, chrono::Utc::now().timestamp())?;
    let form = [("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"), ("assertion", assertion.as_str())];
    token_request(http, login_url, &form).await
}
