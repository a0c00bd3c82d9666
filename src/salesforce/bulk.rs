//! Bulk API 2.0: ingest jobs (create, upload CSV, `UploadComplete`, poll,
//! then the successful/failed/unprocessed result files as typed rows) and
//! query jobs (create, poll, read result pages by `Sforce-Locator`). Control
//! calls are JSON through [`Client::send`]; CSV calls go through the same
//! session, re-login, retry and budget rules via `Client::with_session`.

mod query_jobs;
mod result_files;
mod rows;

use std::time::Duration;

use reqwest::Method;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use serde_json::{Value, json};

use super::auth::Session;
use super::client::{Call, Client, body_of, error_from_body};
use super::composite::{check_name, invalid_input};
use super::error::{Error, ErrorClass};

pub use query_jobs::BulkQueryPager;
pub use rows::{CsvRow, CsvWriter, parse_bulk_errors};

/// Raw CSV per upload, kept under the 150 MB (base64) limit.
const MAX_UPLOAD_BYTES: usize = 100_000_000;

/// What an ingest job does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkOperation {
    Insert,
    /// Rows need an `Id` column.
    Update,
    /// Rows need the external-id column.
    Upsert {
        external_id_field: String,
    },
    /// A single `Id` column.
    Delete,
    HardDelete,
}

impl BulkOperation {
    fn as_str(&self) -> &'static str {
        match self {
            Self::Insert => "insert",
            Self::Update => "update",
            Self::Upsert { .. } => "upsert",
            Self::Delete => "delete",
            Self::HardDelete => "hardDelete",
        }
    }
}

/// Ingest or query job: the resource it lives under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    Ingest,
    Query,
}

impl JobKind {
    fn path(self, id: &str) -> String {
        match self {
            Self::Ingest => format!("jobs/ingest/{id}"),
            Self::Query => format!("jobs/query/{id}"),
        }
    }
}

/// The parts of JobInfo the client acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobInfo {
    pub id: String,
    /// `Open`, `UploadComplete`, `InProgress`, `JobComplete`, `Failed` or `Aborted`.
    pub state: String,
    pub records_processed: u64,
    pub records_failed: u64,
    pub error_message: Option<String>,
}

impl JobInfo {
    fn parse(body: &Value) -> Result<Self, Error> {
        let text = |name: &str| body.get(name).and_then(Value::as_str).map(str::to_owned);
        let count = |name: &str| body.get(name).and_then(Value::as_u64).unwrap_or(0);
        let (Some(id), Some(state)) = (text("id"), text("state")) else {
            return Err(Error::bad_response(200, "JobInfo without id or state"));
        };
        let (records_processed, records_failed) = (count("numberRecordsProcessed"), count("numberRecordsFailed"));
        Ok(Self { id, state, records_processed, records_failed, error_message: text("errorMessage") })
    }

    /// `JobComplete`, `Failed` or `Aborted`.
    pub fn is_finished(&self) -> bool {
        matches!(self.state.as_str(), "JobComplete" | "Failed" | "Aborted")
    }

    /// Why a `Failed` or `Aborted` job did not complete (rows already committed stay).
    pub fn job_error(&self) -> Option<Error> {
        let code = match self.state.as_str() {
            "Failed" => "JOB_FAILED",
            "Aborted" => "JOB_ABORTED",
            _ => return None,
        };
        let message =
            self.error_message.clone().unwrap_or_else(|| format!("bulk job {} ended {}", self.id, self.state));
        Some(Error { class: ErrorClass::Transient, ..Error::new(code, message, None) })
    }
}

/// How to wait for a job: the interval doubles from `interval` up to
/// `max_interval`; after `max_polls` status calls the wait gives up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    pub interval: Duration,
    pub max_interval: Duration,
    pub max_polls: u32,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self { interval: Duration::from_secs(2), max_interval: Duration::from_secs(30), max_polls: 400 }
    }
}

/// A written row: its Id, whether it was inserted, the uploaded columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuccessRow {
    pub id: String,
    pub created: bool,
    pub row: CsvRow,
}

/// A refused row: its Id when known, why, the uploaded columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedRow {
    pub id: Option<String>,
    /// The first error of `sf__Error`.
    pub error: Error,
    /// Any further errors of the same row.
    pub more_errors: Vec<Error>,
    pub row: CsvRow,
}

/// A finished ingest job and its three result files. Row order is not the
/// upload order: correlate by a key column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestResult {
    pub job: JobInfo,
    pub successful: Vec<SuccessRow>,
    pub failed: Vec<FailedRow>,
    /// Rows never attempted (the job failed or was aborted).
    pub unprocessed: Vec<CsvRow>,
}

/// A CSV call's answer.
pub(super) struct CsvReply {
    pub(super) headers: HeaderMap,
    pub(super) text: String,
}

impl Client {
    /// One call with a CSV body or a CSV answer, under the rules of [`Client::send`].
    pub(super) async fn send_csv(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        csv: Option<&str>,
        idempotent: bool,
    ) -> Result<CsvReply, Error> {
        let attempt = |session: Session| {
            let method = method.clone();
            async move {
                let url = self.url_for(&session, path);
                let mut request = self.http().request(method, url).bearer_auth(session.access_token.expose());
                request = request.header(ACCEPT, "text/csv, application/json").query(query);
                if let Some(csv) = csv {
                    request = request.header(CONTENT_TYPE, "text/csv").body(csv.to_owned());
                }
                let response = request.send().await.map_err(|e| super::transport_error("", &e))?;
                let (status, headers) = (response.status().as_u16(), response.headers().clone());
                self.record_usage(&headers);
                let text = response.text().await.map_err(|e| super::transport_error("", &e))?;
                if (200..300).contains(&status) {
                    return Ok(CsvReply { headers, text });
                }
                Err(error_from_body(status, &body_of(text)))
            }
        };
        self.with_session(idempotent, path, attempt).await
    }

    /// Creates an ingest job for `object` (comma-separated, LF line endings).
    pub async fn bulk_create_ingest(&self, object: &str, operation: &BulkOperation) -> Result<JobInfo, Error> {
        check_name(object)?;
        let mut body = json!({ "object": object, "operation": operation.as_str(), "contentType": "CSV",
                               "lineEnding": "LF", "columnDelimiter": "COMMA" });
        if let (BulkOperation::Upsert { external_id_field }, Some(map)) = (operation, body.as_object_mut()) {
            check_name(external_id_field)?;
            map.insert("externalIdFieldName".into(), json!(external_id_field));
        }
        JobInfo::parse(&self.send(&Call::write(Method::POST, "jobs/ingest", body, false)).await?.body)
    }

    /// Uploads the job's CSV (LF line endings; see [`CsvWriter`]). Not repeated
    /// after a lost answer: a second upload would add the rows twice.
    pub async fn bulk_upload(&self, job_id: &str, csv: &str) -> Result<(), Error> {
        if csv.len() > MAX_UPLOAD_BYTES {
            return Err(invalid_input(format!("{} bytes of CSV: split it into jobs of at most 100 MB", csv.len())));
        }
        let path = format!("{}/batches", JobKind::Ingest.path(job_id));
        self.send_csv(Method::PUT, &path, &[], Some(csv), false).await.map(drop)
    }

    /// Asks for a new state (`UploadComplete` or `Aborted`). Repeated after a
    /// lost answer; a repeat that finds the job already moved on succeeds.
    pub async fn bulk_set_state(&self, kind: JobKind, job_id: &str, state: &str) -> Result<JobInfo, Error> {
        let call = Call::write(Method::PATCH, kind.path(job_id), json!({ "state": state }), true);
        match self.send(&call).await {
            Ok(reply) => JobInfo::parse(&reply.body),
            Err(error) if error.code == "INVALIDJOBSTATE" => {
                let info = self.bulk_job(kind, job_id).await?;
                if info.state == state || (state == "UploadComplete" && info.state != "Open") {
                    Ok(info)
                } else {
                    Err(error)
                }
            }
            Err(error) => Err(error),
        }
    }

    /// The job's current JobInfo (one API call).
    pub async fn bulk_job(&self, kind: JobKind, job_id: &str) -> Result<JobInfo, Error> {
        JobInfo::parse(&self.send(&Call::get(kind.path(job_id))).await?.body)
    }

    /// Polls until the job is `JobComplete`, `Failed` or `Aborted`.
    pub async fn bulk_wait(&self, kind: JobKind, job_id: &str, poll: &PollPolicy) -> Result<JobInfo, Error> {
        let mut interval = poll.interval;
        for polled in 1..=poll.max_polls {
            let info = self.bulk_job(kind, job_id).await?;
            if info.is_finished() {
                return Ok(info);
            }
            if polled == poll.max_polls {
                break;
            }
            tokio::time::sleep(interval).await;
            interval = interval.saturating_mul(2).min(poll.max_interval.max(poll.interval));
        }
        let message =
            format!("bulk job {job_id} did not finish within {} polls; wait for it again later", poll.max_polls);
        Err(Error::new("TIMEOUT", message, None))
    }

    /// Reads the three result files of a finished ingest job.
    pub async fn bulk_ingest_results(&self, job: JobInfo) -> Result<IngestResult, Error> {
        let base = JobKind::Ingest.path(&job.id);
        let file = |name: &str| format!("{base}/{name}");
        let successful = self.send_csv(Method::GET, &file("successfulResults"), &[], None, true).await?;
        let successful = rows::read_table::<2>(&successful.text)?
            .into_iter()
            .map(|([id, created], row)| SuccessRow { id, created: created.eq_ignore_ascii_case("true"), row })
            .collect();
        let failed = self.send_csv(Method::GET, &file("failedResults"), &[], None, true).await?;
        let failed = rows::read_table::<2>(&failed.text)?
            .into_iter()
            .map(|([id, cell], row)| {
                let mut errors = parse_bulk_errors(&cell).into_iter();
                let error = errors.next().unwrap_or_else(|| Error::new("UNKNOWN", cell, Some(400)));
                let id = Some(id).filter(|id| !id.is_empty());
                FailedRow { id, error, more_errors: errors.collect(), row }
            })
            .collect();
        let unprocessed = self.send_csv(Method::GET, &file("unprocessedrecords"), &[], None, true).await?;
        let unprocessed = rows::read_table::<0>(&unprocessed.text)?.into_iter().map(|(_, row)| row).collect();
        Ok(IngestResult { job, successful, failed, unprocessed })
    }

    /// The whole ingest: create, upload, close, wait, read results. A job that
    /// ends `Failed` or `Aborted` still returns its results; see [`JobInfo::job_error`].
    pub async fn bulk_ingest(
        &self,
        object: &str,
        operation: &BulkOperation,
        csv: &str,
        poll: &PollPolicy,
    ) -> Result<IngestResult, Error> {
        let job = self.bulk_create_ingest(object, operation).await?;
        if let Err(error) = self.bulk_upload(&job.id, csv).await {
            let _aborted = self.bulk_set_state(JobKind::Ingest, &job.id, "Aborted").await;
            return Err(error);
        }
        self.bulk_set_state(JobKind::Ingest, &job.id, "UploadComplete").await?;
        let job = self.bulk_wait(JobKind::Ingest, &job.id, poll).await?;
        self.bulk_ingest_results(job).await
    }
}
