//! `/query` and `/queryAll`: SOQL with `nextRecordsUrl` paging.

use chrono::Utc;
use serde_json::json;

use crate::sandbox::errors::{ErrorCode, SfError};
use crate::sandbox::state::SandboxState;

use super::{Method, RestRequest, RestResponse};

pub fn route(state: &mut SandboxState, request: &RestRequest<'_>, all_rows: bool, rest: &[&str]) -> RestResponse {
    if request.method != Method::Get {
        return RestResponse::method_not_allowed(request.method, "GET,HEAD");
    }
    match rest {
        [] => run(state, request, all_rows),
        [locator] => next_page(state, request, locator),
        _ => RestResponse::not_found(),
    }
}

fn run(state: &mut SandboxState, request: &RestRequest<'_>, all_rows: bool) -> RestResponse {
    let Some(soql) = request.param("q").filter(|q| !q.trim().is_empty()) else {
        let error = SfError::new(ErrorCode::Other("MALFORMED_QUERY"), "A query string has to be specified", Vec::new());
        return RestResponse::error(400, error);
    };
    match state.org.query(&soql, all_rows, request.version, Utc::now().date_naive()) {
        Ok(output) => {
            let total = output.total_size;
            page(state, request.version, output.records, total)
        }
        Err(error) => RestResponse::error(400, SfError::new(ErrorCode::Other(error.code), error.message, Vec::new())),
    }
}

/// Answers the first `query_page_size` rows and keeps the rest behind a locator.
fn page(state: &mut SandboxState, version: &str, mut rows: Vec<serde_json::Value>, total: usize) -> RestResponse {
    let size = state.config.query_page_size;
    if rows.len() <= size {
        return RestResponse::json(200, json!({ "totalSize": total, "done": true, "records": rows }));
    }
    let rest = rows.split_off(size);
    let locator = state.open_cursor(rest, total);
    let next = format!("/services/data/v{version}/query/{locator}-{size}");
    RestResponse::json(200, json!({ "totalSize": total, "done": false, "nextRecordsUrl": next, "records": rows }))
}

fn next_page(state: &mut SandboxState, request: &RestRequest<'_>, locator: &str) -> RestResponse {
    let invalid = || {
        let error = SfError::new(ErrorCode::Other("INVALID_QUERY_LOCATOR"), "invalid query locator", Vec::new());
        RestResponse::error(400, error)
    };
    let Some((id, offset)) = locator.rsplit_once('-') else { return invalid() };
    let Ok(offset) = offset.parse::<usize>() else { return invalid() };
    let Some(cursor) = state.cursors.remove(id) else { return invalid() };
    let size = state.config.query_page_size;
    let mut rows = cursor.rows;
    if rows.len() <= size {
        return RestResponse::json(200, json!({ "totalSize": cursor.total_size, "done": true, "records": rows }));
    }
    let rest = rows.split_off(size);
    state.cursors.insert(id.to_owned(), crate::sandbox::state::Cursor { rows: rest, total_size: cursor.total_size });
    let next = format!("/services/data/v{}/query/{id}-{}", request.version, offset + size);
    RestResponse::json(
        200,
        json!({ "totalSize": cursor.total_size, "done": false, "nextRecordsUrl": next, "records": rows }),
    )
}
