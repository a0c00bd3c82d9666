//! Ingest jobs (`/jobs/ingest`): create, upload CSV, close or abort, JobInfo,
//! list, delete, and the three result CSVs.

use chrono::Utc;
use serde_json::{Map, Value, json};

use crate::errors::SfError;
use crate::rest::{Body, Method, RestRequest, RestResponse};
use crate::state::SandboxState;

use super::csv_rows::{self, Rows};
use super::job::{CsvFormat, Job, JobMeta, JobState, Operation, invalid_job};
use super::process::Plan;
use super::results::{self, ResultKind};
use super::{bad_request, internal_error, job_list, sf_error};

/// A row written: its index in the upload, the record Id, whether it was created.
#[derive(Debug, Clone)]
pub struct Success {
    pub row: usize,
    pub id: String,
    pub created: bool,
}

/// A row that failed: its index, the record Id if known, the `sf__Error` cell.
#[derive(Debug, Clone)]
pub struct Failure {
    pub row: usize,
    pub id: String,
    pub error: String,
}

#[derive(Debug)]
pub struct IngestJob {
    pub meta: JobMeta,
    /// Canonical name of the upsert key (`Id` or an external-id field).
    pub external_id: Option<String>,
    pub assignment_rule_id: Option<String>,
    /// Raw bodies of the PUTs, until processing parses them.
    pub uploads: Vec<Vec<u8>>,
    pub rows: Option<Rows>,
    pub plan: Option<Plan>,
    /// Index of the next row to process.
    pub cursor: usize,
    pub successes: Vec<Success>,
    pub failures: Vec<Failure>,
}

impl IngestJob {
    /// JobInfo as `GET /jobs/ingest/{id}` returns it.
    pub fn info(&self) -> Value {
        let mut info = self.meta.info();
        let url = format!("services/data/v{}/jobs/ingest/{}/batches", self.meta.api_version, self.meta.id);
        info.insert("contentUrl".into(), json!(url));
        info.insert("numberRecordsFailed".into(), json!(self.meta.failed));
        info.insert("apiActiveProcessingTime".into(), json!(self.meta.processing_ms));
        info.insert("apexProcessingTime".into(), json!(0));
        if let Some(field) = &self.external_id {
            info.insert("externalIdFieldName".into(), json!(field));
        }
        if let Some(rule) = &self.assignment_rule_id {
            info.insert("assignmentRuleId".into(), json!(rule));
        }
        Value::Object(info)
    }

    /// Parses the uploads once (moving them out); the error is the job's `errorMessage`.
    pub fn parse_uploads(&mut self) -> Result<(), String> {
        if self.rows.is_none() {
            let uploads = std::mem::take(&mut self.uploads);
            self.rows = Some(csv_rows::parse(&uploads, self.meta.format)?);
        }
        Ok(())
    }
}

/// `rest` is the path after `jobs/ingest/`.
pub fn route(state: &mut SandboxState, request: &RestRequest<'_>, rest: &[&str]) -> RestResponse {
    use Method::{Delete, Get, Head, Patch, Post, Put};
    match (request.method, rest) {
        (Get | Head, []) => job_list(state, false),
        (Post, []) => create(state, request),
        (method, []) => RestResponse::method_not_allowed(method, "GET,HEAD,POST"),
        (_, [id, ..]) if state.jobs.ingest(id).is_none() => RestResponse::not_found(),
        (Get | Head, [id]) => info(state, id),
        (Patch, [id]) => patch(state, request, id),
        (Delete, [id]) => super::delete_job(state, id, false),
        (method, [_]) => RestResponse::method_not_allowed(method, "GET,HEAD,PATCH,DELETE"),
        (Put, [id, "batches"]) => upload(state, request, id),
        (method, [_, "batches"]) => RestResponse::method_not_allowed(method, "PUT"),
        (Get | Head, [id, segment]) => match ResultKind::parse(segment) {
            Some(kind) => result_csv(state, id, kind),
            None => RestResponse::not_found(),
        },
        _ => RestResponse::not_found(),
    }
}

fn info(state: &SandboxState, id: &str) -> RestResponse {
    match state.jobs.ingest(id) {
        Some(job) => RestResponse::json(200, job.info()),
        None => RestResponse::not_found(),
    }
}

fn create(state: &mut SandboxState, request: &RestRequest<'_>) -> RestResponse {
    let body = match request.json_object() {
        Ok(body) => body,
        Err(response) => return response,
    };
    let spec = match read_spec(state, &body) {
        Ok(spec) => spec,
        Err(error) => return RestResponse::error(400, error),
    };
    let id = match state.org.new_id("750") {
        Ok(id) => id.as_str().to_owned(),
        Err(detail) => return internal_error(&detail),
    };
    let now = request.writer.now;
    let meta = JobMeta {
        id,
        object: spec.object,
        operation: spec.operation,
        created_by: request.writer.user_id.clone(),
        created_date: now,
        modstamp: now,
        state: JobState::Open,
        api_version: request.version.to_owned(),
        format: spec.format,
        error_message: None,
        processed: 0,
        failed: 0,
        processing_ms: 0,
    };
    let job = IngestJob {
        meta,
        external_id: spec.external_id,
        assignment_rule_id: body.get("assignmentRuleId").and_then(Value::as_str).map(str::to_owned),
        uploads: Vec::new(),
        rows: None,
        plan: None,
        cursor: 0,
        successes: Vec::new(),
        failures: Vec::new(),
    };
    let info = job.info();
    state.jobs.insert(Job::Ingest(Box::new(job)));
    RestResponse::json(200, info)
}

struct Spec {
    object: String,
    operation: Operation,
    external_id: Option<String>,
    format: CsvFormat,
}

/// Checks a create request: object, operation, upsert key, CSV dialect.
fn read_spec(state: &SandboxState, body: &Map<String, Value>) -> Result<Spec, SfError> {
    let text = |key: &str| body.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let raw_object = text("object").ok_or_else(|| invalid_job("The object of the job is required"))?;
    let object = state
        .org
        .schema
        .object(raw_object)
        .ok_or_else(|| sf_error("INVALIDENTITY", format!("sObject type '{raw_object}' is not supported.")))?;
    let operation = match text("operation") {
        None => return Err(invalid_job("The operation of the job is required")),
        Some(raw) => Operation::parse(raw)
            .filter(|op| !op.is_query())
            .ok_or_else(|| invalid_job(format!("Invalid operation: '{raw}'")))?,
    };
    let allowed = match operation {
        Operation::Insert => object.createable,
        Operation::Update => object.updateable,
        Operation::Upsert => object.createable && object.updateable,
        _ => object.deletable,
    };
    if !allowed {
        let message = format!("Entity '{}' does not support the {} operation", object.name, operation.as_str());
        return Err(sf_error("INVALIDENTITY", message));
    }
    let format = CsvFormat::from_request(body)?;
    let external_id = if operation == Operation::Upsert {
        let raw = text("externalIdFieldName").ok_or_else(|| {
            invalid_job(format!(
                "External ID was blank for {}. An External ID must be specified for upsert.",
                object.name
            ))
        })?;
        let field = match object.field(raw) {
            Some(field) if field.name == "Id" || field.external_id || field.id_lookup => field.name.clone(),
            _ => {
                return Err(invalid_job(format!(
                    "Field name provided, {raw} is not an External ID or indexed field for {}",
                    object.name
                )));
            }
        };
        Some(field)
    } else {
        None
    };
    Ok(Spec { object: object.name.clone(), operation, external_id, format })
}

fn upload(state: &mut SandboxState, request: &RestRequest<'_>, id: &str) -> RestResponse {
    let Some(job) = state.jobs.ingest_mut(id) else { return RestResponse::not_found() };
    if job.meta.state != JobState::Open {
        let message = format!("Data can only be uploaded to an Open job; job {id} is {}", job.meta.state.as_str());
        return bad_request("INVALIDJOBSTATE", message);
    }
    job.uploads.push(request.body.to_vec());
    RestResponse::empty(201)
}

fn patch(state: &mut SandboxState, request: &RestRequest<'_>, id: &str) -> RestResponse {
    let requested = match super::requested_state(request) {
        Ok(requested) => requested,
        Err(response) => return response,
    };
    let Some(job) = state.jobs.ingest_mut(id) else { return RestResponse::not_found() };
    if let Err(error) = job.meta.request_state(&requested, request.writer.now) {
        return RestResponse::error(400, error);
    }
    if job.meta.state == JobState::Aborted {
        // What was uploaded but never processed is reported as unprocessed.
        let _unparseable = job.parse_uploads();
    }
    RestResponse::json(200, job.info())
}

fn result_csv(state: &SandboxState, id: &str, kind: ResultKind) -> RestResponse {
    let Some(job) = state.jobs.ingest(id) else { return RestResponse::not_found() };
    if !job.meta.state.is_terminal() {
        let message =
            format!("Results are available once the job has finished; job {id} is {}", job.meta.state.as_str());
        return bad_request("INVALIDJOBSTATE", message);
    }
    match results::render(job, kind) {
        Ok(text) => RestResponse { status: 200, body: Body::Csv(text), headers: Vec::new() },
        Err(detail) => internal_error(&detail),
    }
}

/// Marks a job `Failed` with `errorMessage`.
pub fn fail(job: &mut IngestJob, message: String) {
    job.meta.error_message = Some(message);
    job.meta.set_state(JobState::Failed, Utc::now());
}
