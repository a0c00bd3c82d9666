//! Every way an RPC can fail, and the one place that turns it into a gRPC
//! status with machine-readable details (google.rpc.BadRequest, ErrorInfo,
//! ResourceInfo). Internal causes are logged here and never sent to callers.

use std::collections::HashMap;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::domain::FieldViolation;
use crate::storage::sync::IntakeError;
use crate::storage::{SealError, StorageError};

/// `ErrorInfo.domain` of every forcesync error.
pub const ERROR_DOMAIN: &str = "forcesync";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("invalid request: {}", describe(.0))]
    InvalidArgument(Vec<FieldViolation>),
    /// No `authorization` header; says which token the call needs.
    #[error("missing bearer token: this call needs {0}, sent as \"authorization: Bearer <token>\"")]
    MissingToken(&'static str),
    /// The header is there but its token will not do; says why.
    #[error("the bearer token is not valid: {0}")]
    InvalidToken(&'static str),
    #[error("this token may not access store {0:?}")]
    WrongStore(String),
    #[error("store {0:?} not found")]
    StoreNotFound(String),
    #[error("store {0:?} already exists")]
    StoreExists(String),
    #[error("the settings changed since etag {expected:?}; read them again (current etag {current:?})")]
    EtagMismatch { expected: String, current: String },
    #[error("event id {event_id:?} was already used for a different event (sequence {sequence}); use a new id")]
    EventIdReused { event_id: String, sequence: i64 },
    #[error("event id {0:?} was already used for a different inventory update; use a new id")]
    InventoryEventIdReused(String),
    #[error("nothing has been received for {0}")]
    EntityNotFound(String),
    #[error("change {0} was never delivered to this store: pull it before acknowledging it")]
    ChangeNotDelivered(i64),
    /// The service cannot take the request now; retrying later is safe.
    #[error("{0}; retry later")]
    Unavailable(String),
    #[error("internal error")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

fn describe(violations: &[FieldViolation]) -> String {
    let parts: Vec<String> = violations.iter().map(|v| format!("{}: {}", v.field, v.description)).collect();
    parts.join("; ")
}

impl ApiError {
    pub fn invalid(field: &str, description: impl Into<String>) -> Self {
        Self::InvalidArgument(vec![FieldViolation::new(field, description)])
    }

    fn code(&self) -> Code {
        match self {
            Self::InvalidArgument(_) => Code::InvalidArgument,
            Self::MissingToken(_) | Self::InvalidToken(_) => Code::Unauthenticated,
            Self::WrongStore(_) => Code::PermissionDenied,
            Self::StoreNotFound(_) => Code::NotFound,
            Self::StoreExists(_) => Code::AlreadyExists,
            Self::EtagMismatch { .. } => Code::Aborted,
            Self::EventIdReused { .. } => Code::AlreadyExists,
            Self::InventoryEventIdReused(_) => Code::AlreadyExists,
            Self::EntityNotFound(_) => Code::NotFound,
            Self::ChangeNotDelivered(_) => Code::FailedPrecondition,
            Self::Unavailable(_) => Code::Unavailable,
            Self::Internal(_) => Code::Internal,
        }
    }

    fn details(&self) -> ErrorDetails {
        let info = |reason: &str, metadata: HashMap<String, String>| {
            ErrorDetails::with_error_info(reason, ERROR_DOMAIN, metadata)
        };
        match self {
            Self::InvalidArgument(violations) => {
                let mut details = ErrorDetails::new();
                for v in violations {
                    details.add_bad_request_violation(v.field.clone(), v.description.clone());
                }
                details.set_error_info("INVALID_FIELDS", ERROR_DOMAIN, HashMap::new());
                details
            }
            Self::MissingToken(_) => info("MISSING_TOKEN", HashMap::new()),
            Self::InvalidToken(_) => info("INVALID_TOKEN", HashMap::new()),
            Self::WrongStore(code) => info("WRONG_STORE", HashMap::from([("store".into(), code.clone())])),
            Self::StoreNotFound(code) | Self::StoreExists(code) => {
                ErrorDetails::with_resource_info("forcesync.v1.Store", code.clone(), "", self.to_string())
            }
            Self::EtagMismatch { current, .. } => {
                info("ETAG_MISMATCH", HashMap::from([("current_etag".into(), current.clone())]))
            }
            Self::EventIdReused { event_id, sequence } => info(
                "EVENT_ID_REUSED",
                HashMap::from([("event_id".into(), event_id.clone()), ("sequence".into(), sequence.to_string())]),
            ),
            Self::InventoryEventIdReused(event_id) => {
                info("EVENT_ID_REUSED", HashMap::from([("event_id".into(), event_id.clone())]))
            }
            Self::EntityNotFound(alias) => {
                ErrorDetails::with_resource_info("forcesync.v1.SyncEntity", alias.clone(), "", self.to_string())
            }
            Self::ChangeNotDelivered(change) => {
                let mut details = ErrorDetails::new();
                details.add_precondition_failure_violation(
                    "NOT_DELIVERED",
                    format!("change/{change}"),
                    "acknowledge only changes PullChanges or WatchChanges delivered",
                );
                details.set_error_info("CHANGE_NOT_DELIVERED", ERROR_DOMAIN, HashMap::new());
                details
            }
            Self::Unavailable(_) => ErrorDetails::with_retry_info(Some(std::time::Duration::from_secs(1))),
            Self::Internal(_) => ErrorDetails::new(),
        }
    }
}

impl From<ApiError> for Status {
    fn from(error: ApiError) -> Status {
        if let ApiError::Internal(cause) = &error {
            tracing::error!(error = %cause, "request failed");
        }
        let error = error.bounded();
        Status::with_error_details(error.code(), clip(error.to_string(), MESSAGE_LIMIT), error.details())
    }
}

/// Characters of a value the caller sent that an error repeats.
const ECHO_LIMIT: usize = 200;
/// Characters of a status message.
const MESSAGE_LIMIT: usize = 2_000;
/// Field violations an INVALID_ARGUMENT lists; the rest are counted.
const VIOLATION_LIMIT: usize = 20;

/// `text` cut to `limit` characters, marked when cut.
fn clip(mut text: String, limit: usize) -> String {
    if let Some((cut, _)) = text.char_indices().nth(limit) {
        text.truncate(cut);
        text.push('…');
    }
    text
}

impl ApiError {
    /// The same error with what the caller sent cut short and at most
    /// `VIOLATION_LIMIT` violations: a status travels in HTTP/2 headers, and
    /// one too large for the client's header limit reaches the caller as a
    /// protocol error instead of the answer.
    fn bounded(self) -> Self {
        let echo = |text: String| clip(text, ECHO_LIMIT);
        match self {
            Self::InvalidArgument(mut violations) => {
                let more = violations.len().saturating_sub(VIOLATION_LIMIT);
                violations.truncate(VIOLATION_LIMIT);
                let mut violations: Vec<FieldViolation> =
                    violations.into_iter().map(|v| FieldViolation::new(echo(v.field), echo(v.description))).collect();
                if more > 0 {
                    violations.push(FieldViolation::new("", format!("and {more} more violations")));
                }
                Self::InvalidArgument(violations)
            }
            Self::WrongStore(code) => Self::WrongStore(echo(code)),
            Self::StoreNotFound(code) => Self::StoreNotFound(echo(code)),
            Self::StoreExists(code) => Self::StoreExists(echo(code)),
            Self::EtagMismatch { expected, current } => Self::EtagMismatch { expected: echo(expected), current },
            Self::EventIdReused { event_id, sequence } => Self::EventIdReused { event_id: echo(event_id), sequence },
            Self::EntityNotFound(alias) => Self::EntityNotFound(echo(alias)),
            Self::InventoryEventIdReused(event_id) => Self::InventoryEventIdReused(echo(event_id)),
            other @ (Self::MissingToken(_)
            | Self::InvalidToken(_)
            | Self::ChangeNotDelivered(_)
            | Self::Unavailable(_)
            | Self::Internal(_)) => other,
        }
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::StoreNotFound(code) => Self::StoreNotFound(code),
            StorageError::StoreExists(code) => Self::StoreExists(code),
            StorageError::VersionConflict { expected, current } => {
                Self::EtagMismatch { expected: super::etag(expected), current: super::etag(current) }
            }
            StorageError::Database(error) if StorageError::is_unreachable(&error) => {
                tracing::warn!(%error, "the database is unavailable");
                Self::Unavailable("the database is unavailable".into())
            }
            other @ (StorageError::Corrupt(_)
            | StorageError::Random(_)
            | StorageError::Migrate(_)
            | StorageError::Database(_)) => Self::Internal(Box::new(other)),
        }
    }
}

impl From<IntakeError> for ApiError {
    fn from(error: IntakeError) -> Self {
        match error {
            IntakeError::EventIdReused { event_id, sequence } => Self::EventIdReused { event_id, sequence },
            IntakeError::Stopped => Self::Unavailable("the service is shutting down".into()),
            IntakeError::Commit(reason) => {
                tracing::error!(%reason, "could not store received events");
                Self::Unavailable("the events could not be stored".into())
            }
            IntakeError::Storage(error) => error.into(),
        }
    }
}

impl From<SealError> for ApiError {
    fn from(error: SealError) -> Self {
        Self::Internal(Box::new(error))
    }
}

impl From<StorageError> for Status {
    fn from(error: StorageError) -> Status {
        ApiError::from(error).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_database_is_unavailable_and_a_bad_query_is_ours() {
        let status = |error: sqlx::Error| Status::from(StorageError::Database(error));
        for error in [sqlx::Error::PoolClosed, sqlx::Error::PoolTimedOut, sqlx::Error::WorkerCrashed] {
            let status = status(error);
            assert_eq!(status.code(), Code::Unavailable, "{status:?}");
            assert!(status.message().contains("retry later"), "{status:?}");
        }
        assert_eq!(status(sqlx::Error::RowNotFound).code(), Code::Internal);
    }

    #[test]
    fn what_the_caller_sent_is_echoed_cut_short() {
        let status = Status::from(ApiError::WrongStore("é".repeat(10_000)));
        assert!(status.message().chars().count() < 300, "{}", status.message());
        assert!(status.message().ends_with("…\""), "{}", status.message());
        let many = (0..100).map(|n| FieldViolation::new(format!("events[{n}].event_id"), "is required")).collect();
        let status = Status::from(ApiError::InvalidArgument(many));
        assert!(status.message().ends_with("and 80 more violations"), "{}", status.message());
        assert_eq!(clip("short".into(), 10), "short");
    }
}
