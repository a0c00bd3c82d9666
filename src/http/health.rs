//! `/healthz` (the process runs) and `/readyz` (it can take work: the
//! database answers and no shutdown has begun).

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;

use super::HttpState;

/// How long `/readyz` waits for the database before calling it unreachable.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

/// 200 while the process serves HTTP at all.
pub(super) async fn healthz() -> (StatusCode, &'static str) {
    (StatusCode::OK, "ok\n")
}

/// 200 when the database answers and the server is not shutting down, else
/// 503 with a one-line reason.
pub(super) async fn readyz(State(state): State<HttpState>) -> (StatusCode, String) {
    if state.is_shutting_down() {
        return (StatusCode::SERVICE_UNAVAILABLE, "not ready: shutting down\n".into());
    }
    match tokio::time::timeout(DATABASE_TIMEOUT, state.storage.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ready\n".into()),
        Ok(Err(error)) => {
            tracing::warn!(error = %crate::error_text::report(&error), "readyz: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "not ready: the database does not answer\n".into())
        }
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: the database did not answer within {} s\n", DATABASE_TIMEOUT.as_secs()),
        ),
    }
}
