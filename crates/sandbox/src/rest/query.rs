//! `/query` and `/queryAll`: SOQL with `nextRecordsUrl` paging.

use chrono::Utc;
use serde_json::{Value, json};

use crate::errors::{ErrorCode, SfError};
use crate::state::{Cursor, SandboxState};

use super::{Method, RestRequest, RestResponse};

/// The page sizes `Sforce-Query-Options: batchSize=N` may ask for (§3.2, §5.1).
const MIN_BATCH_SIZE: usize = 200;
const MAX_BATCH_SIZE: usize = 2000;

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

/// The page size a `Sforce-Query-Options` header asks for, if it names a batch size.
/// Salesforce accepts 200–2000; values outside are clamped into that range.
// [unconfirmed] what Salesforce does with an out-of-range or unparsable batchSize
// (clamp, ignore or reject); the reference only gives the range and that the size is
// not guaranteed. An unparsable value is ignored here.
fn batch_size(options: &str) -> Option<usize> {
    options.split([';', ',']).find_map(|option| {
        let (key, value) = option.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("batchSize") {
            return None;
        }
        let size = value.trim().parse::<u64>().ok()?;
        let size = usize::try_from(size).unwrap_or(MAX_BATCH_SIZE);
        Some(size.clamp(MIN_BATCH_SIZE, MAX_BATCH_SIZE))
    })
}

fn run(state: &mut SandboxState, request: &RestRequest<'_>, all_rows: bool) -> RestResponse {
    let Some(soql) = request.param("q").filter(|q| !q.trim().is_empty()) else {
        let error = SfError::new(ErrorCode::Other("MALFORMED_QUERY"), "A query string has to be specified", Vec::new());
        return RestResponse::error(400, error);
    };
    let size = request.query_options.and_then(batch_size).unwrap_or(state.config.query_page_size);
    match state.org.query(&soql, all_rows, request.version, Utc::now().date_naive()) {
        Ok(output) => {
            let cursor = Cursor { rows: output.records, total_size: output.total_size, page_size: size };
            page(state, request.version, None, cursor)
        }
        Err(error) => RestResponse::error(400, SfError::new(ErrorCode::Other(error.code), error.message, Vec::new())),
    }
}

/// Answers the cursor's next `page_size` rows and keeps the rest behind a locator:
/// a new one for a first page, else `(id, offset of these rows)`.
fn page(state: &mut SandboxState, version: &str, locator: Option<(&str, usize)>, mut cursor: Cursor) -> RestResponse {
    let (total, size) = (cursor.total_size, cursor.page_size);
    if cursor.rows.len() <= size {
        return RestResponse::json(200, json!({ "totalSize": total, "done": true, "records": cursor.rows }));
    }
    let rest = cursor.rows.split_off(size);
    let rows: Vec<Value> = std::mem::replace(&mut cursor.rows, rest);
    let (id, next_offset) = match locator {
        Some((id, offset)) => {
            state.cursors.insert(id.to_owned(), cursor);
            (id.to_owned(), offset + size)
        }
        None => (state.open_cursor(cursor.rows, total, size), size),
    };
    let next = format!("/services/data/v{version}/query/{id}-{next_offset}");
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
    page(state, request.version, Some((id, offset)), cursor)
}

#[cfg(test)]
mod tests {
    use super::batch_size;

    #[test]
    fn batch_size_is_read_and_clamped_to_200_through_2000() {
        assert_eq!(batch_size("batchSize=500"), Some(500));
        assert_eq!(batch_size(" batchsize = 1000 "), Some(1000));
        assert_eq!(batch_size("batchSize=1"), Some(200));
        assert_eq!(batch_size("batchSize=99999999999999999999"), None, "not a number we can read");
        assert_eq!(batch_size("batchSize=5000"), Some(2000));
        assert_eq!(batch_size("other=1;batchSize=300"), Some(300));
        assert_eq!(batch_size("batchSize=abc"), None);
        assert_eq!(batch_size(""), None);
    }
}
