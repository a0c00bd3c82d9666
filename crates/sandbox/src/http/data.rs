//! `/services/data`: the version list, then every REST call through one
//! gate: session, API allocation, faults, latency, dispatch, `Sforce-Limit-Info`.

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use crate::errors::{ErrorCode, SfError, rest_error_body};
use crate::faults::FaultKind;
use crate::org::Writer;
use crate::rest::{self, Body, Method, RestRequest, RestResponse, resources};

use super::shared::{Shared, bearer, drop_connection, json};

/// The version list: free and without a session, but down with the org (a
/// 503 at the fault's rate: Salesforce's maintenance takes the instance down whole).
pub async fn versions(State(shared): State<Shared>) -> Response {
    let down = shared.with_state(|state| {
        state.count_call("versions");
        state.faults.unavailable()
    });
    if down {
        return finish(error(503, "SERVER_UNAVAILABLE", "Server is unavailable"), None);
    }
    json(200, &resources::versions())
}

pub async fn not_found() -> Response {
    json(404, &rest_error_body(&[SfError::not_found()]))
}

fn error(status: u16, code: &'static str, message: &str) -> RestResponse {
    RestResponse::error(status, SfError::new(ErrorCode::Other(code), message.to_owned(), Vec::new()))
}

/// What the gate decided before any work is done.
enum Gate {
    Answer(RestResponse),
    Drop,
    Run { user_id: String, fault: Option<FaultKind> },
}

pub async fn rest(
    State(shared): State<Shared>,
    Path(params): Path<Vec<(String, String)>>,
    method: http::Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let param = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default();
    let Some(version) = param("version").strip_prefix('v').map(str::to_owned) else {
        return not_found().await;
    };
    let path = param("rest").trim_end_matches('/').to_owned();
    let query = uri.query().unwrap_or_default().to_owned();
    // POST …?_HttpMethod=PATCH tunnels a PATCH.
    let tunnelled = crate::auth::form::parse(&query).ok().and_then(|q| q.get("_HttpMethod").cloned());
    let Some(method) = Method::parse(tunnelled.as_deref().unwrap_or(method.as_str())) else {
        return finish(error(405, "METHOD_NOT_ALLOWED", "HTTP method not allowed"), None);
    };
    let latency = shared.with_state(|state| Duration::from_millis(state.config.latency_ms));
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let token = bearer(&headers);
    let gate = shared.with_state(|state| {
        if !resources::is_supported(&version) {
            return Gate::Answer(RestResponse::not_found());
        }
        let Some(session) = token.as_deref().and_then(|t| state.directory.authenticate(t).ok()) else {
            return Gate::Answer(error(401, "INVALID_SESSION_ID", "Session expired or invalid"));
        };
        if session.password_expired {
            let message =
                "The users password has expired, you must call SetPassword before attempting any other API operations";
            return Gate::Answer(error(403, "INVALID_OPERATION_WITH_EXPIRED_PASSWORD", message));
        }
        if !state.config.api_enabled {
            return Gate::Answer(error(
                403,
                "API_DISABLED_FOR_ORG",
                "API is not enabled for this Organization or Partner",
            ));
        }
        if state.api_used >= state.config.daily_api_limit {
            state.count_call("rejected_limit");
            return Gate::Answer(error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."));
        }
        state.api_used += 1;
        match state.faults.draw(method.is_write()) {
            Some(FaultKind::DropConnection) => Gate::Drop,
            Some(FaultKind::Http500) => Gate::Answer(error(
                500,
                "UNKNOWN_EXCEPTION",
                "An unexpected error occurred. Please include this ErrorId if you contact support: 1337-42 (-1)",
            )),
            Some(FaultKind::Http503) => Gate::Answer(error(503, "SERVER_UNAVAILABLE", "Server is unavailable")),
            Some(FaultKind::ExpireSession) => {
                if let Some(token) = &token {
                    state.directory.sessions.revoke(token);
                }
                Gate::Answer(error(401, "INVALID_SESSION_ID", "Session expired or invalid"))
            }
            fault => Gate::Run { user_id: session.user_id, fault },
        }
    });
    let (user_id, fault) = match gate {
        Gate::Answer(response) => return shared.with_state(|state| finish(response, Some(state.limit_info()))),
        Gate::Drop => return drop_connection(),
        Gate::Run { user_id, fault } => (user_id, fault),
    };
    let text_header = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_owned);
    let content_type = text_header(header::CONTENT_TYPE.as_str());
    let query_options = text_header("sforce-query-options");
    let writer = Writer::new(user_id);
    let request = RestRequest {
        method,
        version: &version,
        path: &path,
        query: &query,
        body: &body,
        content_type: content_type.as_deref(),
        query_options: query_options.as_deref(),
        writer: &writer,
    };
    let (response, limit_info) = shared.with_state(|state| {
        state.count_call(rest::call_kind(&request));
        state.org.lock_error_pending = fault == Some(FaultKind::UnableToLockRow);
        let response = rest::dispatch(state, &request);
        state.org.lock_error_pending = false;
        (response, state.limit_info())
    });
    if path.starts_with("jobs/") {
        shared.bulk_work.notify_one();
    }
    if fault == Some(FaultKind::TimeoutAfterCommit) {
        return drop_connection();
    }
    finish(response, Some(limit_info))
}

fn finish(response: RestResponse, limit_info: Option<String>) -> Response {
    let status = StatusCode::from_u16(response.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut http = match response.body {
        Body::Empty => status.into_response(),
        Body::Json(value) => json(response.status, &value),
        Body::Csv(text) => (status, [(header::CONTENT_TYPE, "text/csv")], text).into_response(),
    };
    let headers = http.headers_mut();
    for (name, value) in response.headers {
        if let (Ok(name), Ok(value)) = (header::HeaderName::try_from(name), HeaderValue::try_from(value)) {
            headers.insert(name, value);
        }
    }
    if let Some(info) = limit_info.and_then(|info| HeaderValue::try_from(info).ok()) {
        headers.insert("sforce-limit-info", info);
    }
    http
}
