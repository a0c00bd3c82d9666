//! Bulk API 2.0: ingest jobs (`/jobs/ingest`) and query jobs (`/jobs/query`).
//!
//! Requests only change job state; the rows are written (ingest) and the query
//! is run (query jobs) by [`process_some`], which the HTTP layer's background
//! task calls between requests and tests call until it returns false. A query
//! job is created in `UploadComplete` and completes on its first
//! `process_some` call, with a snapshot of the result.
//!
//! `job` holds the state machine, JobInfo and the store; `ingest` and
//! `query_jobs` the endpoints; `csv_rows` reads uploads; `process` writes rows;
//! `results` renders the result CSVs.

mod csv_rows;
mod ingest;
mod job;
mod process;
mod query_jobs;
mod results;

#[cfg(test)]
mod tests;

use std::time::Instant;

pub use job::{Job, JobState, Jobs};

use crate::errors::{ErrorCode, SfError};
use crate::state::SandboxState;

use super::{RestRequest, RestResponse};

/// `rest` is the path after `jobs/`.
pub fn route(state: &mut SandboxState, request: &RestRequest<'_>, rest: &[&str]) -> RestResponse {
    let major = request.version.split('.').next().and_then(|m| m.parse::<u32>().ok()).unwrap_or(0);
    match rest {
        ["ingest", tail @ ..] if major >= 41 => ingest::route(state, request, tail),
        ["query", tail @ ..] if major >= 47 => query_jobs::route(state, request, tail),
        _ => RestResponse::not_found(),
    }
}

/// Processes up to `max_records` records of jobs in `UploadComplete`/`InProgress`
/// state; returns whether work remains. The HTTP layer calls it repeatedly from a
/// background task, releasing the state lock between calls. A budget of 0 is
/// treated as 1 so that every call makes progress; a query job runs whole.
pub fn process_some(state: &mut SandboxState, max_records: usize) -> bool {
    let mut budget = max_records.max(1);
    while let Some((id, is_query)) = state.jobs.next_pending() {
        if budget == 0 {
            return true;
        }
        let started = Instant::now();
        let used = if is_query { query_jobs::run(state, &id) } else { process::step(state, &id, budget) };
        let elapsed = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if let Some(meta) = state.jobs.meta_mut(&id) {
            meta.processing_ms = meta.processing_ms.saturating_add(elapsed);
        }
        budget = budget.saturating_sub(used);
    }
    false
}

/// An error with a Bulk-specific code (`INVALIDJOB`, `INVALIDJOBSTATE`, ...).
fn sf_error(code: &'static str, message: impl Into<String>) -> SfError {
    SfError::new(ErrorCode::Other(code), message, Vec::new())
}

/// A 400 with one Bulk-specific error.
fn bad_request(code: &'static str, message: impl Into<String>) -> RestResponse {
    RestResponse::error(400, sf_error(code, message))
}

/// The 500 Salesforce answers when something unexpected breaks.
fn internal_error(detail: &str) -> RestResponse {
    RestResponse::error(500, sf_error("UNKNOWN_EXCEPTION", format!("An unexpected error occurred: {detail}")))
}

/// `{"done": true, "records": [...], "nextRecordsUrl": null}` for the job lists.
fn job_list(state: &SandboxState, queries: bool) -> RestResponse {
    let records: Vec<serde_json::Value> = state
        .jobs
        .iter()
        .filter(|job| job.meta().operation.is_query() == queries)
        .map(|job| match job {
            Job::Ingest(job) => job.info(),
            Job::Query(job) => job.info(),
        })
        .collect();
    RestResponse::json(200, serde_json::json!({ "done": true, "records": records, "nextRecordsUrl": null }))
}

/// The `state` a `PATCH /jobs/…/{id}` body asks for.
fn requested_state(request: &RestRequest<'_>) -> Result<String, RestResponse> {
    let body = request.json_object()?;
    match body.get("state").and_then(serde_json::Value::as_str) {
        Some(requested) => Ok(requested.to_owned()),
        None => Err(bad_request("INVALIDJOBSTATE", "The new state of the job is required")),
    }
}

/// `DELETE /jobs/{ingest|query}/{id}`: only finished or aborted jobs of that kind.
fn delete_job(state: &mut SandboxState, id: &str, query: bool) -> RestResponse {
    let Some(meta) = state.jobs.meta_mut(id).filter(|meta| meta.operation.is_query() == query) else {
        return RestResponse::not_found();
    };
    if !meta.state.is_terminal() {
        let message = format!("Job {id} is {}; only finished or aborted jobs can be deleted", meta.state.as_str());
        return bad_request("INVALIDJOBSTATE", message);
    }
    state.jobs.remove(id);
    RestResponse::empty(204)
}
