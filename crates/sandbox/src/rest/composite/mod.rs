//! Composite resources: `/composite` (chained subrequests with references),
//! `/composite/batch`, `/composite/sobjects` (sObject Collections),
//! `/composite/graph` and `/composite/tree/{obj}`. Each request counts as one
//! API call, except that `/composite/batch` counts every subrequest.

mod batch;
mod chain;
mod collections;
mod graph;
mod references;
mod retrieve;
mod subrequest;
mod tree;

#[cfg(test)]
mod tests;

use crate::state::SandboxState;

use super::{RestRequest, RestResponse};

/// `rest` is the path after `composite/`.
pub fn route(state: &mut SandboxState, request: &RestRequest<'_>, rest: &[&str]) -> RestResponse {
    match rest {
        [] => chain::handle(state, request),
        ["batch"] => batch::handle(state, request),
        ["graph"] => graph::handle(state, request),
        ["sobjects", rest @ ..] => collections::route(state, request, rest),
        ["tree", object] => tree::handle(state, request, object),
        _ => RestResponse::not_found(),
    }
}
