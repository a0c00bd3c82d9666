//! The sync queue's tables: the event inbox ([`intake`]), events folded into
//! entities ([`fold`]), entities leased and finished as jobs ([`jobs`]), what
//! forcesync wrote to Salesforce ([`records`]), org pauses, the sync log and
//! the read side for the API ([`status`]).

mod fold;
mod intake;
mod jobs;
mod log;
mod records;
mod status;

pub use intake::{Ack, Intake, IntakeError};
pub use jobs::{ClaimedEntity, Outcome};
pub use log::LogLine;
pub use records::WrittenRecord;
pub use status::{EntityStatus, EventFilter, EventInfo};

use serde::{Deserialize, Serialize};

/// Where an entity stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityState {
    /// Has changes Salesforce does not hold yet.
    Pending,
    /// Cannot be written yet (see its waiting reason).
    Waiting,
    Synced,
    /// Stopped on an error that needs a person.
    Parked,
    /// Joined into another entity (two aliases turned out to be one sale).
    Merged,
}

impl EntityState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Waiting => "waiting",
            Self::Synced => "synced",
            Self::Parked => "parked",
            Self::Merged => "merged",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Pending, Self::Waiting, Self::Synced, Self::Parked, Self::Merged]
            .into_iter()
            .find(|state| state.as_str() == raw)
    }
}

/// An error as recorded on an entity: what Salesforce said, and what to do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedError {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub fields: Vec<String>,
    #[serde(default)]
    pub remedy: Option<String>,
    /// transient, session, limit, data or config.
    pub class: String,
}

fn corrupt(what: &str, error: impl std::fmt::Display) -> super::StorageError {
    super::StorageError::Corrupt(format!("{what}: {error}"))
}
