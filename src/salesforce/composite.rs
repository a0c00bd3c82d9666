//! Composite requests: `/composite` (up to 25 subrequests that may use earlier
//! results through `@{referenceId.field}`, optionally all-or-none) and
//! `/composite/graph` (independent all-or-nothing graphs, packed greedily into
//! as few requests as the limits allow), with typed results. Each request
//! counts as one API call; it is retried only when every part is repeatable.

use std::collections::HashMap;

use reqwest::Method;
use serde_json::{Value, json};

use super::client::{Call, Client, error_from_body};
use super::error::{Error, ErrorClass};

const MAX_SUBREQUESTS: usize = 25;
const MAX_QUERY_SUBREQUESTS: usize = 5;
/// Graphs in one `/composite/graph` request.
pub const MAX_GRAPHS_PER_REQUEST: usize = 75;
/// Nodes in one graph, and in all graphs of one request together.
pub const MAX_NODES_PER_REQUEST: usize = 500;
const MAX_GRAPH_DEPTH: usize = 15;
/// Distinct (HTTP method, object) pairs in one graph request.
const MAX_NODE_KINDS: usize = 15;

/// A request the client refuses to build: the caller's data breaks a rule.
pub(crate) fn invalid_input(message: impl Into<String>) -> Error {
    Error { class: ErrorClass::Data, ..Error::new("INVALID_API_INPUT", message, None) }
}

/// Checks an object or field API name before it goes into a URL.
pub(crate) fn check_name(name: &str) -> Result<(), Error> {
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok { Ok(()) } else { Err(invalid_input(format!("'{name}' is not an API name"))) }
}

/// Percent-encodes a URL path segment or query value, keeping `@{…}` references verbatim.
pub(crate) fn encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while !rest.is_empty() {
        if rest.starts_with("@{")
            && let Some(end) = rest.find('}')
        {
            out.push_str(&rest[..=end]);
            rest = &rest[end + 1..];
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        let mut buf = [0u8; 4];
        for byte in c.encode_utf8(&mut buf).bytes() {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                out.push(char::from(byte));
            } else {
                out.push_str(&format!("%{byte:02X}"));
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `@{reference_id.id}`: the Id of an earlier create or upsert, for a body or URL.
pub fn reference(reference_id: &str) -> String {
    format!("@{{{reference_id}.id}}")
}

/// The reference ids a text uses (`@{acct.id}` → `acct`).
fn references_in(text: &str, out: &mut Vec<String>) {
    for (at, _) in text.match_indices("@{") {
        let name: String = text[at + 2..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        out.push(name);
    }
}

/// What a subrequest does, which decides whether repeating it is safe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubrequestKind {
    Create,
    /// By external id: repeatable.
    Upsert,
    /// By record Id: repeatable.
    Update,
    Delete,
    Read,
    Query,
}

/// One subrequest of `/composite`, or one node of a graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Subrequest {
    /// Letters, digits and `_`; unique within the request or graph.
    pub reference_id: String,
    pub operation: SubrequestKind,
    /// The object, then the external-id field of an upsert (checked as API names).
    names: Vec<String>,
    /// Relative to `/services/data/v{version}/`, already encoded.
    path: String,
    body: Option<Value>,
    /// Cleared by [`Subrequest::once`]: not to be sent again after a lost answer.
    repeatable: bool,
}

impl Subrequest {
    fn new(reference_id: &str, operation: SubrequestKind, names: &[&str], path: String, body: Option<Value>) -> Self {
        let names = names.iter().map(|n| (*n).to_owned()).collect();
        Self { reference_id: reference_id.to_owned(), operation, names, path, body, repeatable: true }
    }

    /// Marks a write that must not be repeated blindly after a lost answer,
    /// such as an upsert carrying fields Salesforce accepts on create only: if
    /// the lost attempt created the record, the repeat fails
    /// (INVALID_FIELD_FOR_INSERT_UPDATE). The caller looks the record up instead.
    pub fn once(mut self) -> Self {
        self.repeatable = false;
        self
    }

    /// `POST sobjects/{object}`.
    pub fn create(reference_id: &str, object: &str, body: Value) -> Self {
        Self::new(reference_id, SubrequestKind::Create, &[object], format!("sobjects/{object}"), Some(body))
    }

    /// `PATCH sobjects/{object}/{field}/{value}`: insert or update by external
    /// id. The value is percent-encoded, but a `/` in it still splits the path
    /// (NOT_FOUND): upsert such keys through collections, which carry them in the body.
    pub fn upsert(reference_id: &str, object: &str, field: &str, value: &str, body: Value) -> Self {
        let path = format!("sobjects/{object}/{field}/{}", encode(value));
        Self::new(reference_id, SubrequestKind::Upsert, &[object, field], path, Some(body))
    }

    /// `PATCH sobjects/{object}/{id}`; `id` may be a reference.
    pub fn update(reference_id: &str, object: &str, id: &str, body: Value) -> Self {
        Self::new(
            reference_id,
            SubrequestKind::Update,
            &[object],
            format!("sobjects/{object}/{}", encode(id)),
            Some(body),
        )
    }

    /// `DELETE sobjects/{object}/{id}`.
    pub fn delete(reference_id: &str, object: &str, id: &str) -> Self {
        Self::new(reference_id, SubrequestKind::Delete, &[object], format!("sobjects/{object}/{}", encode(id)), None)
    }

    /// `GET sobjects/{object}/{id}?fields=…` (all fields when `fields` is empty).
    pub fn read(reference_id: &str, object: &str, id: &str, fields: &[&str]) -> Self {
        let mut path = format!("sobjects/{object}/{}", encode(id));
        if !fields.is_empty() {
            path.push_str(&format!("?fields={}", encode(&fields.join(","))));
        }
        Self::new(reference_id, SubrequestKind::Read, &[object], path, None)
    }

    /// `GET query?q=…` (`/composite` only; at most 5 per request).
    pub fn query(reference_id: &str, soql: &str) -> Self {
        Self::new(reference_id, SubrequestKind::Query, &[], format!("query?q={}", encode(soql)), None)
    }

    fn method(&self) -> Method {
        match self.operation {
            SubrequestKind::Create => Method::POST,
            SubrequestKind::Upsert | SubrequestKind::Update => Method::PATCH,
            SubrequestKind::Delete => Method::DELETE,
            SubrequestKind::Read | SubrequestKind::Query => Method::GET,
        }
    }

    /// Whether sending it twice leaves the same data as sending it once.
    pub fn is_idempotent(&self) -> bool {
        self.repeatable && !matches!(self.operation, SubrequestKind::Create | SubrequestKind::Delete)
    }

    fn references(&self) -> Vec<String> {
        let mut out = Vec::new();
        references_in(&self.path, &mut out);
        if let Some(body) = &self.body {
            references_in(&body.to_string(), &mut out);
        }
        out
    }

    /// Checks names and reference id, and that references point at `known` ids.
    fn check(&self, known: &HashMap<String, usize>) -> Result<(), Error> {
        let id = &self.reference_id;
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(invalid_input(format!("referenceId '{id}' may contain only letters, digits and _")));
        }
        if known.contains_key(id) {
            return Err(invalid_input(format!("referenceId '{id}' is used twice")));
        }
        for name in &self.names {
            check_name(name)?;
        }
        match self.references().into_iter().find(|r| !known.contains_key(r)) {
            Some(unknown) => Err(invalid_input(format!("'{id}' refers to '{unknown}', which is not an earlier node"))),
            None => Ok(()),
        }
    }

    fn to_json(&self, version: &str) -> Value {
        let mut item = json!({ "method": self.method().as_str(), "referenceId": self.reference_id,
                               "url": format!("/services/data/v{version}/{}", self.path) });
        if let (Some(body), Some(map)) = (&self.body, item.as_object_mut()) {
            map.insert("body".into(), body.clone());
        }
        item
    }
}

/// A `/composite` request under construction.
#[derive(Debug, Clone, Default)]
pub struct CompositeRequest {
    all_or_none: bool,
    items: Vec<Subrequest>,
    /// Reference ids so far (the value, a graph's node depth, is unused here).
    ids: HashMap<String, usize>,
}

impl CompositeRequest {
    /// With `all_or_none`, any failure rolls back every subrequest.
    pub fn new(all_or_none: bool) -> Self {
        Self { all_or_none, ..Self::default() }
    }

    /// Appends a subrequest; it may refer only to earlier ones.
    pub fn add(&mut self, item: Subrequest) -> Result<&mut Self, Error> {
        item.check(&self.ids)?;
        let queries = self.items.iter().filter(|i| i.operation == SubrequestKind::Query).count();
        if self.items.len() >= MAX_SUBREQUESTS {
            return Err(invalid_input(format!("a composite request holds at most {MAX_SUBREQUESTS} subrequests")));
        }
        if item.operation == SubrequestKind::Query && queries >= MAX_QUERY_SUBREQUESTS {
            return Err(invalid_input(format!("a composite request holds at most {MAX_QUERY_SUBREQUESTS} queries")));
        }
        self.ids.insert(item.reference_id.clone(), 1);
        self.items.push(item);
        Ok(self)
    }

    /// Subrequests so far.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Repeatable when every subrequest is a read, an upsert by external id or an update by Id.
    pub fn is_idempotent(&self) -> bool {
        self.items.iter().all(Subrequest::is_idempotent)
    }
}

/// The answer to one subrequest or graph node.
#[derive(Debug, Clone, PartialEq)]
pub struct SubResult {
    pub reference_id: String,
    pub status: u16,
    /// The body the call alone would have returned (`Null` when empty).
    pub body: Value,
}

impl SubResult {
    /// 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The record Id of a create, upsert or read.
    pub fn id(&self) -> Option<&str> {
        self.body.get("id").or_else(|| self.body.get("Id")).and_then(Value::as_str)
    }

    /// Whether an upsert or create inserted a record.
    pub fn created(&self) -> bool {
        self.body.get("created").and_then(Value::as_bool).unwrap_or(self.status == 201)
    }

    /// The first error of a failed subrequest.
    pub fn error(&self) -> Option<Error> {
        (!self.is_success()).then(|| error_from_body(self.status, &self.body))
    }

    fn parse_all(list: Option<&Value>) -> Result<Vec<Self>, Error> {
        let Some(items) = list.and_then(Value::as_array) else {
            return Err(Error::bad_response(200, "no compositeResponse array"));
        };
        let parse = |item: &Value| {
            let status = item.get("httpStatusCode").and_then(Value::as_u64).and_then(|s| u16::try_from(s).ok());
            let reference_id = item.get("referenceId").and_then(Value::as_str).unwrap_or_default().to_owned();
            let body = item.get("body").cloned().unwrap_or(Value::Null);
            status.map(|status| Self { reference_id, status, body })
        };
        items
            .iter()
            .map(parse)
            .collect::<Option<_>>()
            .ok_or_else(|| Error::bad_response(200, "a subresult without a status"))
    }
}

impl Client {
    /// Sends a `/composite` request; the results follow the subrequests' order.
    pub async fn composite(&self, request: &CompositeRequest) -> Result<Vec<SubResult>, Error> {
        let version = &self.settings().api_version;
        let items: Vec<Value> = request.items.iter().map(|i| i.to_json(version)).collect();
        let body = json!({ "allOrNone": request.all_or_none, "compositeRequest": items });
        let reply = self.send(&Call::write(Method::POST, "composite", body, request.is_idempotent())).await?;
        SubResult::parse_all(reply.body.get("compositeResponse"))
    }

    /// Sends one subrequest on its own: one API call per record.
    pub async fn send_one(&self, item: &Subrequest) -> Result<SubResult, Error> {
        let call = Call {
            method: item.method(),
            path: item.path.clone(),
            query: Vec::new(),
            body: item.body.clone(),
            idempotent: item.is_idempotent(),
        };
        let reply = self.send(&call).await?;
        Ok(SubResult { reference_id: item.reference_id.clone(), status: reply.status, body: reply.body })
    }
}

mod graph;

pub use graph::{Graph, GraphBuilder, GraphRequest, GraphResult};
