//! `/sobjects/{object}/updated` and `/deleted`: Ids changed in a window, by
//! SystemModstamp truncated to the minute.

use chrono::{DateTime, Duration, DurationRound, Utc};
use serde_json::{Value, json};

use crate::errors::{ErrorCode, SfError};
use crate::org::format_datetime;
use crate::state::SandboxState;

use super::{RestRequest, RestResponse};

const MAX_IDS: usize = 600_000;

fn window(request: &RestRequest<'_>) -> Result<(DateTime<Utc>, DateTime<Utc>), RestResponse> {
    let parse = |name: &str| {
        let raw = request.param(name).unwrap_or_default();
        DateTime::parse_from_rfc3339(&raw).map(|d| d.with_timezone(&Utc)).map_err(|_| {
            let message = format!("'{name}' must be a dateTime like 2026-05-01T00:00:00+00:00, got '{raw}'");
            RestResponse::error(400, SfError::new(ErrorCode::Other("INVALID_DATE_FORMAT"), message, Vec::new()))
        })
    };
    let minute = |d: DateTime<Utc>| d.duration_trunc(Duration::minutes(1)).unwrap_or(d);
    let (start, end) = (minute(parse("start")?), minute(parse("end")?));
    if start >= end {
        let error = SfError::new(ErrorCode::Other("INVALID_REPLICATION_DATE"), "start must be before end", Vec::new());
        return Err(RestResponse::error(400, error));
    }
    Ok((start, end))
}

fn stamped(record: &serde_json::Map<String, Value>) -> Option<DateTime<Utc>> {
    let raw = record.get("SystemModstamp")?.as_str()?;
    DateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S%.3f%z").ok().map(|d| d.with_timezone(&Utc))
}

/// Runs `pick` over the object's rows stamped within the window.
fn within<T>(
    state: &SandboxState,
    object: &str,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    deleted: bool,
    pick: impl Fn(&serde_json::Map<String, Value>) -> T,
) -> Vec<T> {
    let Some(table) = state.org.schema.object(object).and_then(|o| state.org.table(&o.name)) else { return Vec::new() };
    table
        .rows()
        .filter(|r| r.get("IsDeleted").and_then(Value::as_bool).unwrap_or(false) == deleted)
        .filter(|r| stamped(r).is_some_and(|at| at >= start && at < end))
        .map(pick)
        .collect()
}

fn too_many() -> RestResponse {
    let error = SfError::new(
        ErrorCode::Other("EXCEEDED_ID_LIMIT"),
        "record limit reached. cannot submit more than 600000 records into this call",
        Vec::new(),
    );
    RestResponse::error(400, error)
}

pub fn updated(state: &SandboxState, request: &RestRequest<'_>, object: &str) -> RestResponse {
    let window = match window(request) {
        Ok(window) => window,
        Err(response) => return response,
    };
    let ids = within(state, object, window, false, |r| r.get("Id").cloned().unwrap_or(Value::Null));
    if ids.len() > MAX_IDS {
        return too_many();
    }
    RestResponse::json(200, json!({ "ids": ids, "latestDateCovered": format_datetime(window.1) }))
}

pub fn deleted(state: &SandboxState, request: &RestRequest<'_>, object: &str) -> RestResponse {
    let window = match window(request) {
        Ok(window) => window,
        Err(response) => return response,
    };
    let mut deleted =
        within(state, object, window, true, |r| json!({ "id": r.get("Id"), "deletedDate": r.get("SystemModstamp") }));
    let purged =
        state.org.tombstones.iter().filter(|t| state.org.schema.object(object).is_some_and(|o| o.name == t.object));
    let in_window = |t: &&crate::org::Tombstone| {
        DateTime::parse_from_str(&t.deleted_date, "%Y-%m-%dT%H:%M:%S%.3f%z")
            .is_ok_and(|at| at.with_timezone(&Utc) >= window.0 && at.with_timezone(&Utc) < window.1)
    };
    deleted.extend(purged.filter(in_window).map(|t| json!({ "id": t.id, "deletedDate": t.deleted_date })));
    if deleted.len() > MAX_IDS {
        return too_many();
    }
    let earliest = format_datetime(Utc::now() - Duration::days(15));
    RestResponse::json(
        200,
        json!({ "deletedRecords": deleted, "earliestDateAvailable": earliest, "latestDateCovered": format_datetime(window.1) }),
    )
}
