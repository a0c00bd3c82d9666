//! Bulk API 2.0 tests through `rest::dispatch` and `process_some`, on the demo
//! org with the ForceSync custom fields.

mod ingest;
mod lifecycle;
mod query;
mod rollup;
mod speed;

use serde_json::{Value, json};

use crate::config::SandboxConfig;
use crate::org::Writer;
use crate::rest::{Body, Method, RestRequest, RestResponse, dispatch};
use crate::schema::CustomSchema;
use crate::state::SandboxState;

use super::process_some;

pub(super) struct Harness {
    pub state: SandboxState,
    pub writer: Writer,
}

impl Harness {
    pub fn new() -> Self {
        let state = SandboxState::new(SandboxConfig::demo(), Some(CustomSchema::default_forcesync())).expect("state");
        let user = state.directory.users.first().map(|u| u.id.clone()).expect("a user");
        Self { state, writer: Writer::new(user) }
    }

    pub fn call(&mut self, method: Method, path: &str, query: &str, body: &[u8]) -> RestResponse {
        let request = RestRequest {
            method,
            version: "62.0",
            path,
            query,
            body,
            content_type: None,
            query_options: None,
            writer: &self.writer,
        };
        dispatch(&mut self.state, &request)
    }

    pub fn json_call(&mut self, method: Method, path: &str, body: Value) -> (u16, Value) {
        let response = self.call(method, path, "", body.to_string().as_bytes());
        let value = match response.body {
            Body::Json(value) => value,
            Body::Empty => Value::Null,
            Body::Csv(text) => panic!("unexpected CSV: {text}"),
        };
        (response.status, value)
    }

    /// Creates an ingest job; returns its Id.
    pub fn create_ingest(&mut self, spec: Value) -> String {
        let (status, info) = self.json_call(Method::Post, "jobs/ingest", spec);
        assert_eq!(status, 200, "{info}");
        info["id"].as_str().expect("id").to_owned()
    }

    pub fn upload(&mut self, id: &str, csv: &str) -> RestResponse {
        self.call(Method::Put, &format!("jobs/ingest/{id}/batches"), "", csv.as_bytes())
    }

    pub fn close(&mut self, id: &str) -> (u16, Value) {
        self.json_call(Method::Patch, &format!("jobs/ingest/{id}"), json!({"state": "UploadComplete"}))
    }

    /// Calls `process_some` until no work remains.
    pub fn drain(&mut self) {
        for _ in 0..100_000 {
            if !process_some(&mut self.state, 1_000) {
                return;
            }
        }
        panic!("process_some never finished");
    }

    /// Create, upload, close, process; returns the job Id and its final JobInfo.
    pub fn ingest(&mut self, spec: Value, csv: &str) -> (String, Value) {
        let id = self.create_ingest(spec);
        assert_eq!(self.upload(&id, csv).status, 201);
        assert_eq!(self.close(&id).0, 200);
        self.drain();
        let info = self.info("ingest", &id);
        (id, info)
    }

    pub fn info(&mut self, kind: &str, id: &str) -> Value {
        let (status, info) = self.json_call(Method::Get, &format!("jobs/{kind}/{id}"), Value::Null);
        assert_eq!(status, 200, "{info}");
        info
    }

    /// A result CSV of an ingest job, as rows of cells.
    pub fn results(&mut self, id: &str, segment: &str) -> Vec<Vec<String>> {
        let response = self.call(Method::Get, &format!("jobs/ingest/{id}/{segment}"), "", b"");
        assert_eq!(response.status, 200, "{response:?}");
        csv_cells(&csv_body(&response), b',')
    }

    pub fn query(&self, soql: &str, all_rows: bool) -> Vec<Value> {
        let today = chrono::Utc::now().date_naive();
        self.state.org.query(soql, all_rows, "62.0", today).expect("query").records
    }
}

pub(super) fn csv_body(response: &RestResponse) -> String {
    match &response.body {
        Body::Csv(text) => text.clone(),
        other => panic!("expected CSV, got {other:?}"),
    }
}

pub(super) fn csv_cells(text: &str, delimiter: u8) -> Vec<Vec<String>> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).delimiter(delimiter).from_reader(text.as_bytes());
    reader.records().map(|r| r.expect("record").iter().map(str::to_owned).collect()).collect()
}

pub(super) fn header(response: &RestResponse, name: &str) -> Option<String> {
    response.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

pub(super) fn json_of(response: &RestResponse) -> Value {
    match &response.body {
        Body::Json(value) => value.clone(),
        other => panic!("expected JSON, got {other:?}"),
    }
}

pub(super) fn error_code(body: &Value) -> &str {
    body[0]["errorCode"].as_str().unwrap_or_default()
}
