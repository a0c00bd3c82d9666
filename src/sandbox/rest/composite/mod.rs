//! Composite resources: `/composite`, `/composite/batch`, `/composite/sobjects`,
//! `/composite/graph` and `/composite/tree`.

use crate::sandbox::state::SandboxState;

use super::{RestRequest, RestResponse};

/// `rest` is the path after `composite/`.
pub fn route(_state: &mut SandboxState, _request: &RestRequest<'_>, _rest: &[&str]) -> RestResponse {
    RestResponse::not_found()
}
