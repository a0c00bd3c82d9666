//! Bulk API 2.0: ingest jobs (`/jobs/ingest`) and query jobs (`/jobs/query`).

use crate::sandbox::state::SandboxState;

use super::{RestRequest, RestResponse};

/// `rest` is the path after `jobs/`.
pub fn route(_state: &mut SandboxState, _request: &RestRequest<'_>, _rest: &[&str]) -> RestResponse {
    RestResponse::not_found()
}

/// Processes up to `max_records` records of jobs in `UploadComplete`/`InProgress`
/// state; returns whether work remains. The HTTP layer calls it repeatedly from a
/// background task, releasing the state lock between calls.
pub fn process_some(_state: &mut SandboxState, _max_records: usize) -> bool {
    false
}
