//! What the composite resources share about one subrequest: its URL split into
//! version, path and query, running it through `rest::dispatch`, and turning
//! the answer into a `compositeResponse` item.

use serde_json::{Map, Value, json};

use crate::errors::{ErrorCode, SfError};
use crate::org::Writer;
use crate::state::SandboxState;

use crate::rest::{Body, Method, RestRequest, RestResponse, dispatch};

/// A subrequest URL: `/services/data/v64.0/sobjects/Account?x=1` (or the
/// batch form `v64.0/sobjects/Account`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Without the `v`, e.g. `64.0`.
    pub version: String,
    /// Percent-decoded, without leading or trailing slashes.
    pub path: String,
    /// Raw (still encoded); `RestRequest::param` decodes `+` and `%XX`.
    pub query: String,
}

impl Target {
    pub fn parse(url: &str) -> Option<Self> {
        let rest = url.strip_prefix('/').unwrap_or(url);
        let rest = rest.strip_prefix("services/data/").unwrap_or(rest);
        let (version, rest) = rest.split_once('/').unwrap_or((rest, ""));
        let version = version.strip_prefix('v')?;
        let (major, minor) = version.split_once('.')?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(major) || !digits(minor) {
            return None;
        }
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        let path = path.trim_matches('/');
        Some(Self { version: version.to_owned(), path: decode_path(path), query: query.to_owned() })
    }

    /// The path's segments.
    pub fn segments(&self) -> Vec<&str> {
        self.path.split('/').filter(|s| !s.is_empty()).collect()
    }

    /// The resource family, for the composite limits.
    pub fn kind(&self) -> Kind {
        match self.segments().as_slice() {
            ["sobjects", ..] => Kind::Sobjects,
            ["query" | "queryAll", ..] => Kind::Query,
            ["composite", "sobjects", ..] => Kind::Collections,
            _ => Kind::Other,
        }
    }
}

/// Which resource a subrequest addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sobjects,
    Query,
    Collections,
    Other,
}

/// `%XX` escapes in a path (not `+`, which is literal there); a bad escape is kept as written.
fn decode_path(raw: &str) -> String {
    if !raw.contains('%') {
        return raw.to_owned();
    }
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = raw.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (other, _) => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| raw.to_owned())
}

/// A subrequest method, spelled as Salesforce requires (upper case).
pub fn parse_method(raw: &str) -> Option<Method> {
    match raw {
        "GET" | "POST" | "PUT" | "PATCH" | "DELETE" => Method::parse(raw),
        _ => None,
    }
}

/// Runs one subrequest as its own REST call, as the same user.
pub fn run(
    state: &mut SandboxState,
    writer: &Writer,
    method: Method,
    target: &Target,
    body: Option<&Value>,
) -> RestResponse {
    let bytes = match body {
        Some(Value::Null) | None => Vec::new(),
        Some(value) => serde_json::to_vec(value).unwrap_or_default(),
    };
    let request = RestRequest {
        method,
        version: &target.version,
        path: &target.path,
        query: &target.query,
        body: &bytes,
        content_type: Some("application/json"),
        query_options: None,
        writer,
    };
    dispatch(state, &request)
}

/// A response body as JSON (`null` for none).
pub fn body_json(response: &RestResponse) -> Value {
    match &response.body {
        Body::Empty => Value::Null,
        Body::Json(value) => value.clone(),
        Body::Csv(text) => Value::String(text.clone()),
    }
}

/// One `compositeResponse` item; a 201 create gets its `Location`.
pub fn item(state: &SandboxState, response: &RestResponse, target: Option<&Target>, reference_id: &str) -> Value {
    let body = body_json(response);
    let mut headers: Map<String, Value> = response
        .headers
        .iter()
        .filter(|(name, _)| !name.eq_ignore_ascii_case("Content-Length"))
        .map(|(name, value)| (name.clone(), Value::String(value.clone())))
        .collect();
    if let (201, Some(target), Some(id)) = (response.status, target, body.get("id").and_then(Value::as_str))
        && let ["sobjects", object, ..] = target.segments().as_slice()
        && let Some(schema) = state.org.schema.object(object)
    {
        let location = format!("/services/data/v{}/sobjects/{}/{id}", target.version, schema.name);
        headers.insert("Location".into(), Value::String(location));
    }
    json!({ "body": body, "httpHeaders": headers, "httpStatusCode": response.status, "referenceId": reference_id })
}

/// The item every other subrequest of a rolled-back unit answers.
pub fn rolled_back_item(reference_id: &str) -> Value {
    let message = "The transaction was rolled back since another operation in the same transaction failed.";
    error_item(reference_id, &SfError::new(ErrorCode::ProcessingHalted, message, Vec::new()))
}

/// A 400 item with one error, for a subrequest that was not (or could not be) run.
pub fn error_item(reference_id: &str, error: &SfError) -> Value {
    json!({ "body": [error.to_rest_json()], "httpHeaders": {}, "httpStatusCode": 400, "referenceId": reference_id })
}

/// A 400 for a request the composite resource rejects as a whole. The codes
/// are Salesforce's generic ones; the exact code per check is [unconfirmed].
pub fn bad_request(code: &'static str, message: impl Into<String>) -> RestResponse {
    RestResponse::error(400, SfError::new(ErrorCode::Other(code), message, Vec::new()))
}

/// `JSON_PARSER_ERROR` for a body of the wrong shape.
pub fn malformed(message: impl Into<String>) -> RestResponse {
    RestResponse::error(400, SfError::new(ErrorCode::JsonParserError, message, Vec::new()))
}

/// An optional boolean flag of a request body.
pub fn flag(body: &Map<String, Value>, name: &str) -> Result<bool, RestResponse> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(value)) => Ok(*value),
        Some(_) => Err(malformed(format!("Cannot deserialize value of type `boolean` for field '{name}'"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_split_into_version_path_and_query() {
        let target = Target::parse("/services/data/v64.0/query/?q=SELECT+Id+FROM+Account").expect("url");
        assert_eq!((target.version.as_str(), target.path.as_str()), ("64.0", "query"));
        assert_eq!(target.query, "q=SELECT+Id+FROM+Account");
        assert_eq!(target.kind(), Kind::Query);
        let batch = Target::parse("v62.0/sobjects/Account/Key__c/a%40b+c").expect("batch url");
        assert_eq!(batch.path, "sobjects/Account/Key__c/a@b+c");
        assert_eq!(Target::parse("/services/data/v64.0/composite/sobjects").map(|t| t.kind()), Some(Kind::Collections));
        assert_eq!(Target::parse("/services/data/64.0/sobjects"), None);
        assert_eq!(Target::parse("/services/data/vX/sobjects"), None);
        assert_eq!(decode_path("a%zzb%4"), "a%zzb%4");
    }

    #[test]
    fn methods_are_upper_case() {
        assert_eq!(parse_method("PATCH"), Some(Method::Patch));
        assert_eq!(parse_method("patch"), None);
        assert_eq!(parse_method("HEAD"), None);
    }
}
