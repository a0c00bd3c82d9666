//! The sync state machine, pure: where an entity stands ([`EntityState`]), how
//! a claimed entity's work ended ([`Outcome`]), and every transition of its
//! job columns as a function of those columns and `now`: [`claim`],
//! [`finish`] (with the race against events folded meanwhile), [`release`]
//! on graceful shutdown, [`requeue_parked`] once a person fixed the cause, and
//! [`block`] / [`wake`]: an entity whose dependency (a sale's customer) still
//! has changes to write leaves the due work until the dependency stops being
//! pending.
//! Storage persists what these return; nothing here reads a clock.
//!
//! What a failure means (retry with backoff, park, defer) is decided in
//! [`super::retry`]; it yields the [`Outcome`] that [`finish`] records.

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

/// How a claimed entity's work ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Salesforce holds everything the claimed version called for.
    Synced,
    /// Nothing can be written yet.
    Waiting(String),
    /// Try again at `retry_at` (a transient error).
    Retry { error: RecordedError, retry_at: i64 },
    /// Stopped until a person acts (a data or configuration error).
    Parked(RecordedError),
    /// The org is out of budget (or the work was rolled back with another's):
    /// try again at `retry_at`, not counted as an attempt.
    Deferred { retry_at: i64 },
}

/// An entity's job columns as a claim finds it due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Due {
    /// Failed attempts in a row so far.
    pub attempts: i64,
    pub uncertain: bool,
    /// Set when a lease was held and never finished (its worker died).
    pub locked_until: Option<i64>,
}

/// What a claim writes: the lease, and whether this attempt is uncertain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Leased {
    pub locked_until: i64,
    /// An earlier attempt may have reached Salesforce without its outcome
    /// being recorded: it failed, or it held a lease it never finished.
    /// Sticky: only [`Outcome::Synced`] clears it.
    pub uncertain: bool,
}

/// Leases a due entity until `now + lease_ms`.
pub fn claim(due: &Due, now: i64, lease_ms: i64) -> Leased {
    Leased {
        locked_until: now.saturating_add(lease_ms),
        uncertain: due.uncertain || due.attempts > 0 || due.locked_until.is_some(),
    }
}

/// What the lease holder knows of the entity it finishes (from its claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Held {
    /// The version claimed: finishing marks exactly this version handled.
    pub version: i64,
    pub attempts: i64,
    pub uncertain: bool,
}

/// What a finish does to the recorded error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorChange {
    /// Leave the last error as it is (nothing new was learnt).
    Keep,
    /// A success: no error stands.
    Clear,
    Record(RecordedError),
}

/// The state, schedule and waiting reason a finish leaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub state: EntityState,
    pub next_run_at: i64,
    pub waiting_reason: Option<String>,
}

/// What a finish writes; the lease is let go in either case. `handled`
/// applies when the entity's version is still the claimed one, `superseded`
/// when events were folded into it meanwhile: then any outcome leaves it
/// pending (due now, unless the outcome scheduled a retry), so those events
/// are written too. An entity merged into another meanwhile stays merged
/// (storage does not touch it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finish {
    pub attempts: i64,
    /// `None`: unchanged (a pending outcome handled nothing).
    pub synced_version: Option<i64>,
    pub last_error: ErrorChange,
    pub uncertain: bool,
    pub handled: Schedule,
    pub superseded: Schedule,
}

impl Finish {
    /// The schedule for an entity whose version is now `version`.
    pub fn pick(&self, claimed: i64, version: i64) -> &Schedule {
        if version > claimed { &self.superseded } else { &self.handled }
    }
}

/// The finish of `held`'s claimed version with `outcome`, at `now`.
pub fn finish(held: &Held, outcome: &Outcome, now: i64) -> Finish {
    let schedule = |state, next_run_at, waiting_reason| Schedule { state, next_run_at, waiting_reason };
    let (handled, attempts, last_error) = match outcome {
        Outcome::Synced => (schedule(EntityState::Synced, now, None), 0, ErrorChange::Clear),
        Outcome::Waiting(reason) => (schedule(EntityState::Waiting, now, Some(reason.clone())), 0, ErrorChange::Keep),
        Outcome::Retry { error, retry_at } => {
            (schedule(EntityState::Pending, *retry_at, None), held.attempts + 1, ErrorChange::Record(error.clone()))
        }
        Outcome::Parked(error) => {
            (schedule(EntityState::Parked, now, None), held.attempts + 1, ErrorChange::Record(error.clone()))
        }
        Outcome::Deferred { retry_at } => {
            (schedule(EntityState::Pending, *retry_at, None), held.attempts, ErrorChange::Keep)
        }
    };
    let pending = handled.state == EntityState::Pending;
    // A pending outcome keeps its schedule (a backoff still applies); any other is due again now.
    let superseded = if pending { handled.clone() } else { schedule(EntityState::Pending, now, None) };
    Finish {
        attempts,
        synced_version: (!pending).then_some(held.version),
        last_error,
        uncertain: held.uncertain && *outcome != Outcome::Synced,
        handled,
        superseded,
    }
}

/// What a graceful shutdown writes on every entity its workers still hold:
/// no lease (the work is due again at once), and uncertain, since the
/// abandoned call may have reached Salesforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Released {
    pub locked_until: Option<i64>,
    pub uncertain: bool,
}

/// Lets go of a held lease on shutdown.
pub fn release() -> Released {
    Released { locked_until: None, uncertain: true }
}

/// What queueing a parked entity again writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Requeued {
    pub state: EntityState,
    pub attempts: i64,
    pub next_run_at: i64,
}

/// A parked entity queued again (`RetryFailed`): pending, due now, with a
/// fresh count of attempts. Any other state is left as it is (`None`).
pub fn requeue_parked(state: EntityState, now: i64) -> Option<Requeued> {
    (state == EntityState::Parked).then_some(Requeued { state: EntityState::Pending, attempts: 0, next_run_at: now })
}

/// What a due entity whose dependency is still pending is left as: waiting
/// (not parked: nothing failed), out of the due work, naming the dependency.
/// Its schedule, attempts and lease columns are kept, so once woken it comes
/// back in its place, and a lease its worker never finished still counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocked {
    pub state: EntityState,
    /// The dependency's entity id: finishing it wakes this entity.
    pub blocked_on: i64,
    pub waiting_reason: String,
}

/// Takes a due entity out of the due work while `dependency` (its alias, e.g.
/// `customer:42`, entity `dependency_id`) has changes to write. Only a pending
/// entity is blocked (`None` otherwise).
pub fn block(state: EntityState, dependency: &str, dependency_id: i64) -> Option<Blocked> {
    (state == EntityState::Pending).then(|| Blocked {
        state: EntityState::Waiting,
        blocked_on: dependency_id,
        waiting_reason: format!("waiting for {dependency} to be written first"),
    })
}

/// What waking a blocked entity writes: pending again (due at the time it
/// was due before it was blocked), no dependency, no waiting reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Woken {
    pub state: EntityState,
}

/// Wakes an entity blocked on a dependency once the dependency is no longer
/// pending (synced, parked, waiting, merged: whatever the finish left). An
/// entity not blocked, or whose dependency is still pending, is left as it
/// is (`None`).
pub fn wake(state: EntityState, blocked: bool, dependency: EntityState) -> Option<Woken> {
    (state == EntityState::Waiting && blocked && dependency != EntityState::Pending)
        .then_some(Woken { state: EntityState::Pending })
}

#[cfg(test)]
#[path = "job_state_tests.rs"]
mod tests;
