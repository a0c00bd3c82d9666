//! The REST API under `/services/data/v{version}/`, as plain functions over
//! the sandbox state: the HTTP layer calls `dispatch`, and so does
//! `/composite` for each subrequest.

pub mod bulk;
mod changes;
pub mod composite;
mod query;
pub mod resources;
mod sobjects;

use serde_json::{Value, json};

use crate::errors::{ErrorCode, SfError, rest_error_body};
use crate::org::{DmlError, Writer};
use crate::state::SandboxState;

/// An HTTP method as the REST API distinguishes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Put,
    Delete,
    Head,
}

impl Method {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.to_ascii_uppercase().as_str() {
            "GET" => Some(Self::Get),
            "POST" => Some(Self::Post),
            "PATCH" => Some(Self::Patch),
            "PUT" => Some(Self::Put),
            "DELETE" => Some(Self::Delete),
            "HEAD" => Some(Self::Head),
            _ => None,
        }
    }

    pub fn is_write(self) -> bool {
        matches!(self, Self::Post | Self::Patch | Self::Put | Self::Delete)
    }
}

/// One REST call, already authenticated.
#[derive(Debug)]
pub struct RestRequest<'a> {
    pub method: Method,
    /// Version without the `v`, e.g. `64.0`.
    pub version: &'a str,
    /// Path after `/services/data/v{version}/`, without a trailing slash.
    pub path: &'a str,
    /// Raw query string (without `?`).
    pub query: &'a str,
    pub body: &'a [u8],
    pub content_type: Option<&'a str>,
    /// The `Sforce-Query-Options` header (`batchSize=N`), if sent.
    pub query_options: Option<&'a str>,
    /// Who calls, and when.
    pub writer: &'a Writer,
}

impl RestRequest<'_> {
    /// A query-string parameter, percent-decoded.
    pub fn param(&self, name: &str) -> Option<String> {
        crate::auth::form::parse(self.query).ok()?.remove(name)
    }

    /// The body as a JSON object, or Salesforce's JSON_PARSER_ERROR.
    pub fn json_object(&self) -> Result<serde_json::Map<String, Value>, RestResponse> {
        match serde_json::from_slice::<Value>(self.body) {
            Ok(Value::Object(map)) => Ok(map),
            Ok(_) => Err(RestResponse::error(400, json_parser_error("Expected a JSON object"))),
            Err(e) => Err(RestResponse::error(400, json_parser_error(&e.to_string()))),
        }
    }
}

fn json_parser_error(detail: &str) -> SfError {
    SfError::new(ErrorCode::JsonParserError, detail.to_owned(), Vec::new())
}

/// What a REST call answers.
#[derive(Debug, Clone, PartialEq)]
pub struct RestResponse {
    pub status: u16,
    pub body: Body,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Empty,
    Json(Value),
    Csv(String),
}

impl RestResponse {
    pub fn json(status: u16, value: Value) -> Self {
        Self { status, body: Body::Json(value), headers: Vec::new() }
    }

    pub fn empty(status: u16) -> Self {
        Self { status, body: Body::Empty, headers: Vec::new() }
    }

    pub fn error(status: u16, error: SfError) -> Self {
        Self::json(status, rest_error_body(&[error]))
    }

    pub fn errors(status: u16, errors: &[SfError]) -> Self {
        Self::json(status, rest_error_body(errors))
    }

    pub fn not_found() -> Self {
        Self::error(404, SfError::not_found())
    }

    pub fn method_not_allowed(method: Method, allowed: &str) -> Self {
        let message =
            format!("HTTP Method '{}' not allowed. Allowed are {allowed}", format!("{method:?}").to_uppercase());
        Self::error(405, SfError::new(ErrorCode::Other("METHOD_NOT_ALLOWED"), message, Vec::new()))
    }

    /// The response for a failed record operation.
    pub fn dml_error(error: &DmlError) -> Self {
        match error {
            DmlError::Invalid(errors) => Self::errors(400, errors),
            DmlError::MultipleMatches(ids) => Self::json(300, json!(ids)),
            other => Self::errors(404, &other.errors()),
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// A name for the counters: what kind of call this was.
pub fn call_kind(request: &RestRequest<'_>) -> &'static str {
    let first = request.path.split('/').next().unwrap_or_default();
    match (first, request.path) {
        ("composite", p) if p.starts_with("composite/graph") => "composite_graph",
        ("composite", p) if p.starts_with("composite/sobjects") => "composite_sobjects",
        ("composite", p) if p.starts_with("composite/batch") => "composite_batch",
        ("composite", p) if p.starts_with("composite/tree") => "composite_tree",
        ("composite", _) => "composite",
        ("jobs", p) if p.starts_with("jobs/ingest") => "bulk_ingest",
        ("jobs", _) => "bulk_query",
        ("query", _) | ("queryAll", _) => "query",
        ("sobjects", _) => match request.method {
            Method::Get | Method::Head => "sobject_read",
            _ => "sobject_write",
        },
        ("limits", _) => "limits",
        _ => "other",
    }
}

/// Runs one REST call against the state.
pub fn dispatch(state: &mut SandboxState, request: &RestRequest<'_>) -> RestResponse {
    let segments: Vec<&str> = request.path.split('/').filter(|s| !s.is_empty()).collect();
    match segments.as_slice() {
        [] => resources::index(request),
        ["limits"] => resources::limits(state, request),
        ["sobjects", rest @ ..] => sobjects::route(state, request, rest),
        ["query" | "queryAll", rest @ ..] => query::route(state, request, segments[0] == "queryAll", rest),
        ["composite", rest @ ..] => composite::route(state, request, rest),
        ["jobs", rest @ ..] => bulk::route(state, request, rest),
        _ => RestResponse::not_found(),
    }
}

/// Writes one record's result in the REST/collections success shape.
pub fn save_result(id: &str, created: Option<bool>) -> Value {
    let mut result = json!({ "id": id, "success": true, "errors": [] });
    if let (Some(created), Some(map)) = (created, result.as_object_mut()) {
        map.insert("created".into(), Value::Bool(created));
    }
    result
}
