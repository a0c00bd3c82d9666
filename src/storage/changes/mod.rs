//! Bidirectional mode's tables: each store's capture run, leased by one
//! process at a time ([`runs`]); what capture knows of the records forcesync
//! synced and writes in one transaction per poll page — the changes found,
//! the records' last-seen values, the stream's watermark ([`capture`]); the
//! change queue the store pulls and acknowledges ([`queue`]); and the orders
//! downloaded from Salesforce ([`downloads`]).

mod capture;
mod downloads;
mod queue;
mod runs;

pub use capture::{CaptureRecord, CaptureWrite, NewChange, RecordUpdate};
pub use downloads::AckedDownload;
pub use queue::{AckResult, ChangeAckError, StoredChange};

fn corrupt(what: &str, error: impl std::fmt::Display) -> super::StorageError {
    super::StorageError::Corrupt(format!("{what}: {error}"))
}
