//! Tests that drive `rest::dispatch` on a demo sandbox with the forcesync
//! custom fields, and check what the org holds afterwards.

mod batch;
mod chain;
mod collections;
mod graph;
mod tree;

use chrono::Utc;
use serde_json::{Value, json};

use crate::config::SandboxConfig;
use crate::org::Writer;
use crate::rest::{Body, Method, RestRequest, RestResponse, dispatch};
use crate::schema::CustomSchema;
use crate::state::SandboxState;

pub struct Sandbox {
    pub state: SandboxState,
    pub writer: Writer,
}

impl Sandbox {
    pub fn new() -> Self {
        let state = SandboxState::new(SandboxConfig::demo(), Some(CustomSchema::default_forcesync())).expect("state");
        let user = state.directory.users.first().map(|u| u.id.clone()).expect("a user");
        Self { state, writer: Writer::new(user) }
    }

    /// Calls `path` (after `/services/data/v64.0/`, query string allowed).
    pub fn call(&mut self, method: Method, path: &str, body: Option<Value>) -> RestResponse {
        self.call_version("64.0", method, path, body)
    }

    /// Calls `path` under `/services/data/v{version}/`.
    pub fn call_version(&mut self, version: &str, method: Method, path: &str, body: Option<Value>) -> RestResponse {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let bytes = body.map(|b| serde_json::to_vec(&b).expect("json")).unwrap_or_default();
        let request = RestRequest {
            method,
            version,
            path,
            query,
            body: &bytes,
            content_type: Some("application/json"),
            query_options: None,
            writer: &self.writer,
        };
        dispatch(&mut self.state, &request)
    }

    /// The Ids a SOQL query returns.
    pub fn ids(&self, soql: &str) -> Vec<String> {
        let output = self.state.org.query(soql, false, "64.0", Utc::now().date_naive()).expect("query");
        output.records.iter().filter_map(|r| r.get("Id").and_then(Value::as_str).map(str::to_owned)).collect()
    }

    /// A record's field as stored.
    pub fn field(&self, object: &str, id: &str, field: &str) -> Value {
        let table = self.state.org.table(object).expect("table");
        table.get(id).and_then(|r| r.get(field)).cloned().unwrap_or(Value::Null)
    }

    /// Creates an Account and returns its Id.
    pub fn account(&mut self, name: &str) -> String {
        let response = self.call(Method::Post, "sobjects/Account", Some(json!({ "Name": name })));
        assert_eq!(response.status, 201, "{response:?}");
        json_body(&response)["id"].as_str().expect("id").to_owned()
    }
}

pub fn json_body(response: &RestResponse) -> Value {
    match &response.body {
        Body::Json(value) => value.clone(),
        other => panic!("expected JSON, got {other:?}"),
    }
}

/// The first error code of an error array.
pub fn error_code(body: &Value) -> &str {
    body[0]["errorCode"].as_str().unwrap_or_default()
}
