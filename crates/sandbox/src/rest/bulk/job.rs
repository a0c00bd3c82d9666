//! What every Bulk 2.0 job has: its state machine, CSV dialect, operation and the
//! JobInfo JSON, plus the typed store of jobs that `SandboxState` holds.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use crate::errors::SfError;
use crate::org::format_datetime;

use super::ingest::IngestJob;
use super::query_jobs::QueryJob;
use super::sf_error;

/// `Open → UploadComplete → InProgress → JobComplete | Failed`, or `Aborted`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Open,
    UploadComplete,
    InProgress,
    JobComplete,
    Failed,
    Aborted,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "Open",
            Self::UploadComplete => "UploadComplete",
            Self::InProgress => "InProgress",
            Self::JobComplete => "JobComplete",
            Self::Failed => "Failed",
            Self::Aborted => "Aborted",
        }
    }

    pub fn is_terminal(self) -> bool {
        matches!(self, Self::JobComplete | Self::Failed | Self::Aborted)
    }

    /// Waiting for `process_some`.
    pub fn is_pending(self) -> bool {
        matches!(self, Self::UploadComplete | Self::InProgress)
    }
}

/// The job's operation; the last two are query jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Insert,
    Update,
    Upsert,
    Delete,
    HardDelete,
    Query,
    QueryAll,
}

impl Operation {
    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Insert, Self::Update, Self::Upsert, Self::Delete, Self::HardDelete, Self::Query, Self::QueryAll]
            .into_iter()
            .find(|op| op.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Insert => "insert",
            Self::Update => "update",
            Self::Upsert => "upsert",
            Self::Delete => "delete",
            Self::HardDelete => "hardDelete",
            Self::Query => "query",
            Self::QueryAll => "queryAll",
        }
    }

    pub fn is_query(self) -> bool {
        matches!(self, Self::Query | Self::QueryAll)
    }
}

/// `columnDelimiter` and `lineEnding` of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CsvFormat {
    pub delimiter: u8,
    pub crlf: bool,
}

const DELIMITERS: [(&str, u8); 6] =
    [("COMMA", b','), ("TAB", b'\t'), ("PIPE", b'|'), ("SEMICOLON", b';'), ("CARET", b'^'), ("BACKQUOTE", b'`')];

impl CsvFormat {
    /// Reads `columnDelimiter`, `lineEnding` and `contentType` of a create request.
    pub fn from_request(body: &Map<String, Value>) -> Result<Self, SfError> {
        let text = |key: &str| body.get(key).filter(|v| !v.is_null()).map(|v| v.as_str().unwrap_or_default());
        if let Some(content) = text("contentType").filter(|c| *c != "CSV") {
            return Err(invalid_job(format!("Invalid contentType: '{content}'. Bulk API 2.0 supports only CSV")));
        }
        let delimiter = match text("columnDelimiter") {
            None => b',',
            Some(raw) => DELIMITERS
                .iter()
                .find(|(name, _)| *name == raw)
                .map(|(_, byte)| *byte)
                .ok_or_else(|| invalid_job(format!("Invalid columnDelimiter: '{raw}'")))?,
        };
        let crlf = match text("lineEnding") {
            None | Some("LF") => false,
            Some("CRLF") => true,
            Some(raw) => return Err(invalid_job(format!("Invalid lineEnding: '{raw}'"))),
        };
        Ok(Self { delimiter, crlf })
    }

    pub fn delimiter_name(self) -> &'static str {
        DELIMITERS.iter().find(|(_, byte)| *byte == self.delimiter).map_or("COMMA", |(name, _)| name)
    }

    pub fn line_ending_name(self) -> &'static str {
        if self.crlf { "CRLF" } else { "LF" }
    }
}

/// `INVALIDJOB`: the job request is not acceptable.
pub fn invalid_job(message: impl Into<String>) -> SfError {
    sf_error("INVALIDJOB", message)
}

/// What ingest and query jobs share.
#[derive(Debug, Clone)]
pub struct JobMeta {
    pub id: String,
    pub object: String,
    pub operation: Operation,
    pub created_by: String,
    pub created_date: DateTime<Utc>,
    pub modstamp: DateTime<Utc>,
    pub state: JobState,
    /// Version without the `v`, e.g. `62.0`.
    pub api_version: String,
    pub format: CsvFormat,
    pub error_message: Option<String>,
    pub processed: usize,
    pub failed: usize,
    pub processing_ms: u64,
}

impl JobMeta {
    /// Moves to `state`, stamping `systemModstamp`.
    pub fn set_state(&mut self, state: JobState, now: DateTime<Utc>) {
        self.state = state;
        self.modstamp = now;
    }

    /// Applies a PATCH `{"state": ...}`: `UploadComplete` (ingest jobs in `Open`) or
    /// `Aborted` (any job not yet finished).
    pub fn request_state(&mut self, requested: &str, now: DateTime<Utc>) -> Result<(), SfError> {
        let current = self.state;
        let next = match requested {
            "UploadComplete" if current == JobState::Open && !self.operation.is_query() => JobState::UploadComplete,
            "Aborted" if !current.is_terminal() => JobState::Aborted,
            "UploadComplete" | "Aborted" | "Open" | "InProgress" | "JobComplete" | "Failed" => {
                let message =
                    format!("Cannot change the state of job {} from {} to {requested}", self.id, current.as_str());
                return Err(sf_error("INVALIDJOBSTATE", message));
            }
            other => return Err(sf_error("INVALIDJOBSTATE", format!("Invalid job state: '{other}'"))),
        };
        self.set_state(next, now);
        Ok(())
    }

    /// The JobInfo fields both kinds share (§7.1).
    pub fn info(&self) -> Map<String, Value> {
        let api_version = self.api_version.parse::<f64>().map_or_else(|_| json!(self.api_version), |v| json!(v));
        let job_type = if self.operation.is_query() { "V2Query" } else { "V2Ingest" };
        let mut info = json!({
            "id": self.id,
            "operation": self.operation.as_str(),
            "object": self.object,
            "createdById": self.created_by,
            "createdDate": format_datetime(self.created_date),
            "systemModstamp": format_datetime(self.modstamp),
            "state": self.state.as_str(),
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": api_version,
            "jobType": job_type,
            "lineEnding": self.format.line_ending_name(),
            "columnDelimiter": self.format.delimiter_name(),
            "numberRecordsProcessed": self.processed,
            "retries": 0,
            "totalProcessingTime": self.processing_ms,
        });
        let mut map = info.as_object_mut().map(std::mem::take).unwrap_or_default();
        if let Some(message) = &self.error_message {
            map.insert("errorMessage".into(), json!(message));
        }
        map
    }
}

/// One job of either kind.
#[derive(Debug)]
pub enum Job {
    Ingest(Box<IngestJob>),
    Query(Box<QueryJob>),
}

impl Job {
    pub fn meta(&self) -> &JobMeta {
        match self {
            Self::Ingest(job) => &job.meta,
            Self::Query(job) => &job.meta,
        }
    }

    pub fn meta_mut(&mut self) -> &mut JobMeta {
        match self {
            Self::Ingest(job) => &mut job.meta,
            Self::Query(job) => &mut job.meta,
        }
    }
}

/// The org's Bulk jobs by Id (Ids grow, so the map is in creation order).
#[derive(Default)]
pub struct Jobs {
    by_id: BTreeMap<String, Job>,
}

impl std::fmt::Debug for Jobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Jobs").field("count", &self.by_id.len()).finish_non_exhaustive()
    }
}

impl Jobs {
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    pub fn insert(&mut self, job: Job) {
        self.by_id.insert(job.meta().id.clone(), job);
    }

    pub fn remove(&mut self, id: &str) -> Option<Job> {
        self.by_id.remove(id)
    }

    pub fn meta_mut(&mut self, id: &str) -> Option<&mut JobMeta> {
        self.by_id.get_mut(id).map(Job::meta_mut)
    }

    pub fn ingest(&self, id: &str) -> Option<&IngestJob> {
        match self.by_id.get(id)? {
            Job::Ingest(job) => Some(job),
            Job::Query(_) => None,
        }
    }

    pub fn ingest_mut(&mut self, id: &str) -> Option<&mut IngestJob> {
        match self.by_id.get_mut(id)? {
            Job::Ingest(job) => Some(job),
            Job::Query(_) => None,
        }
    }

    pub fn query(&self, id: &str) -> Option<&QueryJob> {
        match self.by_id.get(id)? {
            Job::Query(job) => Some(job),
            Job::Ingest(_) => None,
        }
    }

    pub fn query_mut(&mut self, id: &str) -> Option<&mut QueryJob> {
        match self.by_id.get_mut(id)? {
            Job::Query(job) => Some(job),
            Job::Ingest(_) => None,
        }
    }

    pub fn iter(&self) -> impl Iterator<Item = &Job> {
        self.by_id.values()
    }

    /// The oldest job waiting for processing, and whether it is a query job.
    pub fn next_pending(&self) -> Option<(String, bool)> {
        self.by_id
            .values()
            .find(|job| job.meta().state.is_pending())
            .map(|job| (job.meta().id.clone(), job.meta().operation.is_query()))
    }
}
