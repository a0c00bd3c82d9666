//! Logging in: SOAP `login()`/`logout()` and the OAuth token and userinfo
//! endpoints. Logins count towards call counters, not the API allocation.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use serde_json::json;

use crate::auth::LoginError;
use crate::auth::oauth::TokenRequest;
use crate::auth::soap::{self, Flavor, LoginResult, SoapCall};
use crate::rest::resources;

use super::shared::{Shared, base_url, bearer, json, xml};

fn version_number(version: &str) -> Option<u32> {
    version.strip_suffix(".0")?.parse().ok()
}

pub async fn soap(
    State(shared): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(params): Path<Vec<(String, String)>>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).unwrap_or_default();
    let Some(flavor) = Flavor::from_path_segment(param("flavor")) else {
        return xml(StatusCode::NOT_FOUND, String::new());
    };
    let version = param("version").to_owned();
    let base = base_url(&headers, "http://127.0.0.1");
    shared.with_state(|state| {
        state.count_call("soap");
        let prefixed = !state.config.unprefixed_faultcode;
        let fault = |error: &LoginError| {
            xml(
                StatusCode::INTERNAL_SERVER_ERROR,
                soap::fault(flavor, "LoginFault", error.code(), &error.message(), prefixed),
            )
        };
        let call = match soap::parse_call(&body) {
            Ok(call) => call,
            Err(reason) => {
                let body = soap::fault(flavor, "UnexpectedErrorFault", "INVALID_XML", &reason, prefixed);
                return xml(StatusCode::INTERNAL_SERVER_ERROR, body);
            }
        };
        if !resources::is_supported(&version) {
            return fault(&LoginError::UnsupportedApiVersion);
        }
        match call {
            SoapCall::Login { username, password } => {
                if version_number(&version).is_some_and(|v| v >= 65) {
                    return fault(&LoginError::SoapLoginUnavailable(version.clone()));
                }
                if !state.config.soap_login_enabled {
                    return fault(&LoginError::SoapLoginDisabled);
                }
                let user_id = match state.directory.check_login(&username, &password, peer.ip()) {
                    Ok(user_id) => user_id,
                    Err(error) => return fault(&error),
                };
                let Ok(session) = state.directory.open_session(&user_id) else {
                    return fault(&LoginError::InvalidLogin);
                };
                let user = state.directory.users.iter().find(|u| u.id == user_id);
                let result = LoginResult {
                    flavor,
                    base_url: &base,
                    api_version: &version,
                    org_id: &state.directory.org_id,
                    org_name: &state.config.org_name,
                    user_id: &user_id,
                    username: user.map_or(username.as_str(), |u| u.username.as_str()),
                    session_id: &session,
                    session_seconds_valid: state.config.session_timeout_secs,
                    sandbox: state.config.is_sandbox,
                    password_expired: user.is_some_and(|u| u.password_expired),
                    person_accounts: state.config.person_accounts,
                    multi_currency: state.config.multi_currency,
                };
                xml(StatusCode::OK, soap::login_response(&result))
            }
            SoapCall::Logout { session_id } => {
                if let Some(token) = session_id {
                    state.directory.sessions.revoke(&token);
                }
                xml(StatusCode::OK, soap::logout_response(flavor))
            }
            SoapCall::Other(name) => {
                let message = format!("The sandbox implements only login and logout over SOAP, not {name}");
                xml(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    soap::fault(flavor, "UnexpectedErrorFault", "INVALID_OPERATION", &message, prefixed),
                )
            }
        }
    })
}

/// `client_id:client_secret` from `Authorization: Basic …`.
fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_owned(), secret.to_owned()))
}

pub async fn oauth_token(
    State(shared): State<Shared>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let form = match crate::auth::form::parse(&body) {
        Ok(form) => form,
        Err(_) => return json(400, &json!({"error": "invalid_request", "error_description": "malformed form body"})),
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
    let base = base_url(&headers, "http://127.0.0.1");
    let request = TokenRequest {
        form: &form,
        basic_auth: basic_auth(&headers),
        ip: peer.ip(),
        to_login_host: host.starts_with("login.salesforce.com") || host.starts_with("test.salesforce.com"),
        base_url: &base,
        now_millis: Utc::now().timestamp_millis(),
    };
    shared.with_state(|state| {
        state.count_call("oauth_token");
        match state.directory.oauth_token(&request) {
            Ok(body) => json(200, &body),
            Err(error) => json(400, &error.body()),
        }
    })
}

pub async fn userinfo(State(shared): State<Shared>, headers: HeaderMap) -> Response {
    let token = bearer(&headers).unwrap_or_default();
    let base = base_url(&headers, "http://127.0.0.1");
    shared.with_state(|state| {
        state.count_call("userinfo");
        let Ok(session) = state.directory.authenticate(&token) else {
            return json(403, &json!("Bad_OAuth_Token"));
        };
        let org_id = state.directory.org_id.clone();
        let user = state.directory.users.iter().find(|u| u.id == session.user_id);
        let username = user.map(|u| u.username.clone()).unwrap_or_default();
        json(
            200,
            &json!({
                "sub": crate::auth::identity::url(&base, &org_id, &session.user_id),
                "user_id": session.user_id,
                "organization_id": org_id,
                "preferred_username": username,
                "email": username,
                "name": "Integration User",
                "active": true,
                "user_type": "STANDARD",
            }),
        )
    })
}
