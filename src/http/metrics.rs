//! `/metrics`: every metric in the Prometheus text format (see `crate::metrics`).

use std::time::Duration;

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::HttpState;

/// How long a scrape may wait for the database.
const SCRAPE_TIMEOUT: Duration = Duration::from_secs(5);

pub(super) async fn metrics(State(state): State<HttpState>) -> Response {
    let now = chrono::Utc::now().timestamp_millis();
    match tokio::time::timeout(SCRAPE_TIMEOUT, crate::metrics::scrape::render(&state.storage, now)).await {
        Ok(Ok(text)) => ([(header::CONTENT_TYPE, crate::metrics::scrape::CONTENT_TYPE)], text).into_response(),
        Ok(Err(error)) => {
            tracing::warn!(error = %crate::error_text::report(&error), "metrics: the database does not answer");
            (StatusCode::SERVICE_UNAVAILABLE, "metrics unavailable: the database does not answer\n").into_response()
        }
        Err(_) => (StatusCode::SERVICE_UNAVAILABLE, "metrics unavailable: the database did not answer in time\n")
            .into_response(),
    }
}
