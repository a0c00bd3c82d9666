//! `GET /id/{orgId}/{userId}`: the identity URL OAuth returns as `id` (and clients
//! build from SOAP login's userInfo). Not counted towards the API allocation.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::shared::{Shared, base_url, bearer, json};

pub async fn identity(
    State(shared): State<Shared>,
    Path((org_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let token = bearer(&headers);
    let base = base_url(&headers, "http://127.0.0.1");
    shared.with_state(|state| {
        state.count_call("identity");
        let modified = state.started_at;
        match state.directory.identity(token.as_deref(), &org_id, &user_id, &base, modified) {
            Ok(document) => json(200, &document),
            Err(error) => {
                let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::UNAUTHORIZED);
                (status, [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")], error.text()).into_response()
            }
        }
    })
}
