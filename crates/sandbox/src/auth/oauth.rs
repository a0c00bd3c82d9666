//! The OAuth 2.0 token endpoint: password, client credentials and JWT bearer
//! grants, with Salesforce's success JSON and `{error, error_description}`.

use std::collections::HashMap;
use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::{Directory, jwt};

pub const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A refused token request: HTTP 400 with `{error, error_description}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    pub error: &'static str,
    pub description: &'static str,
}

impl OAuthError {
    const fn new(error: &'static str, description: &'static str) -> Self {
        Self { error, description }
    }

    pub fn body(&self) -> Value {
        json!({ "error": self.error, "error_description": self.description })
    }
}

const AUTH_FAILURE: OAuthError = OAuthError::new("invalid_grant", "authentication failure");
const UNKNOWN_CLIENT: OAuthError = OAuthError::new("invalid_client_id", "client identifier invalid");
const BAD_SECRET: OAuthError = OAuthError::new("invalid_client", "invalid client credentials");

/// Where the request came from and what it carried besides the form.
#[allow(missing_debug_implementations, reason = "holds client secrets and passwords: never printed")]
pub struct TokenRequest<'a> {
    pub form: &'a HashMap<String, String>,
    /// `client_id:client_secret` from an `Authorization: Basic` header.
    pub basic_auth: Option<(String, String)>,
    pub ip: IpAddr,
    /// Sent to `login.`/`test.salesforce.com` rather than the org's own domain.
    pub to_login_host: bool,
    pub base_url: &'a str,
    pub now_millis: i64,
}

impl Directory {
    /// Runs the grant; on success returns the token response JSON.
    pub fn oauth_token(&mut self, request: &TokenRequest<'_>) -> Result<Value, OAuthError> {
        let form = request.form;
        let field = |name: &str| form.get(name).map(String::as_str).filter(|v| !v.is_empty());
        let grant = field("grant_type").ok_or(OAuthError::new("invalid_request", "grant type is missing"))?;
        let (client_id, client_secret) = match (&request.basic_auth, field("client_id")) {
            (Some((id, secret)), _) => (Some(id.as_str()), Some(secret.as_str())),
            (None, id) => (id, field("client_secret")),
        };
        let (user_id, secret) = match grant {
            "password" => {
                let app = self.app(client_id)?;
                if client_secret != Some(app.client_secret.as_str()) {
                    return Err(BAD_SECRET);
                }
                let secret = app.client_secret.clone();
                let username = field("username").ok_or(AUTH_FAILURE)?;
                let password = field("password").ok_or(AUTH_FAILURE)?;
                let user = self.check_login(username, password, request.ip).map_err(|_| AUTH_FAILURE)?;
                (user, secret)
            }
            "client_credentials" => {
                if request.to_login_host {
                    return Err(OAuthError::new("invalid_grant", "request not supported on this domain"));
                }
                let app = self.app(client_id)?;
                if client_secret != Some(app.client_secret.as_str()) {
                    return Err(BAD_SECRET);
                }
                let run_as =
                    app.run_as.clone().ok_or(OAuthError::new("invalid_grant", "no client credentials user enabled"))?;
                let secret = app.client_secret.clone();
                let user = self.find_user(&run_as).ok_or(AUTH_FAILURE)?.id.clone();
                (user, secret)
            }
            JWT_GRANT => self.jwt_grant(
                field("assertion").ok_or(OAuthError::new("invalid_request", "assertion is missing"))?,
                request.now_millis,
            )?,
            _ => return Err(OAuthError::new("unsupported_grant_type", "grant type not supported")),
        };
        let token = self.open_session(&user_id).map_err(|_| AUTH_FAILURE)?;
        let id_url = super::identity::url(request.base_url, &self.org_id, &user_id);
        let issued_at = request.now_millis.to_string();
        let signature = ring::hmac::sign(
            &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret.as_bytes()),
            format!("{id_url}{issued_at}").as_bytes(),
        );
        Ok(json!({
            "access_token": token,
            "instance_url": request.base_url,
            "id": id_url,
            "token_type": "Bearer",
            "issued_at": issued_at,
            "signature": STANDARD.encode(signature.as_ref()),
            "scope": "api",
        }))
    }

    fn app(&self, client_id: Option<&str>) -> Result<&super::ConnectedApp, OAuthError> {
        let client_id = client_id.ok_or(OAuthError::new("invalid_client_id", "client identifier invalid"))?;
        self.apps.iter().find(|app| app.client_id == client_id).ok_or(UNKNOWN_CLIENT)
    }

    fn jwt_grant(&self, assertion: &str, now_millis: i64) -> Result<(String, String), OAuthError> {
        let invalid = OAuthError::new("invalid_grant", "invalid assertion");
        // The issuer names the app, so read it before the signature can be checked.
        let unverified =
            assertion.split('.').nth(1).and_then(|p| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(p).ok());
        let issuer = unverified
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
            .and_then(|claims| claims.get("iss").and_then(Value::as_str).map(str::to_owned))
            .ok_or(invalid.clone())?;
        let app = self.app(Some(&issuer))?;
        let key = app.jwt_public_key.as_ref().ok_or(invalid.clone())?;
        let claims = jwt::verify(assertion, key).map_err(|_| invalid.clone())?;
        let now = now_millis / 1000;
        // [unconfirmed] description for an expired assertion.
        if claims.exp <= now || claims.exp > now + 300 {
            return Err(OAuthError::new("invalid_grant", "expired authorization code"));
        }
        let user = self
            .find_user(&claims.sub)
            .ok_or(OAuthError::new("invalid_grant", "user hasn't approved this consumer"))?;
        if !app.jwt_users.is_empty() && !app.jwt_users.iter().any(|u| u.eq_ignore_ascii_case(&claims.sub)) {
            return Err(OAuthError::new("invalid_grant", "user hasn't approved this consumer"));
        }
        Ok((user.id.clone(), app.client_secret.clone()))
    }
}
