//! Every transition of the sync state machine, and the uncertain flag
//! through a run of them.

use super::*;

const NOW: i64 = 1_700_000_000_000;
const LEASE: i64 = 120_000;

fn error(code: &str) -> RecordedError {
    RecordedError {
        code: code.into(),
        message: "it failed".into(),
        fields: vec!["LastName".into()],
        remedy: None,
        class: "data".into(),
    }
}

fn held(attempts: i64, uncertain: bool) -> Held {
    Held { version: 7, attempts, uncertain }
}

fn schedule(state: EntityState, next_run_at: i64, waiting_reason: Option<&str>) -> Schedule {
    Schedule { state, next_run_at, waiting_reason: waiting_reason.map(str::to_owned) }
}

#[test]
fn states_read_back_what_they_write() {
    let all =
        [EntityState::Pending, EntityState::Waiting, EntityState::Synced, EntityState::Parked, EntityState::Merged];
    for state in all {
        assert_eq!(EntityState::parse(state.as_str()), Some(state));
    }
    assert_eq!(EntityState::parse("done"), None);
    assert_eq!(EntityState::parse("Pending"), None, "stored names are lower case");
}

#[test]
fn a_first_claim_is_certain_and_leases_until_now_plus_the_lease() {
    let leased = claim(&Due { attempts: 0, uncertain: false, locked_until: None }, NOW, LEASE);
    assert_eq!(leased, Leased { locked_until: NOW + LEASE, uncertain: false });
}

#[test]
fn a_claim_after_a_failed_attempt_is_uncertain() {
    let leased = claim(&Due { attempts: 2, uncertain: false, locked_until: None }, NOW, LEASE);
    assert!(leased.uncertain);
}

#[test]
fn a_claim_of_a_lease_that_ran_out_is_uncertain() {
    // Its worker died mid-call: the lease ran out, never finished.
    let leased = claim(&Due { attempts: 0, uncertain: false, locked_until: Some(NOW - 1) }, NOW, LEASE);
    assert_eq!(leased, Leased { locked_until: NOW + LEASE, uncertain: true });
}

#[test]
fn uncertain_stays_uncertain_at_claim() {
    let leased = claim(&Due { attempts: 0, uncertain: true, locked_until: None }, NOW, LEASE);
    assert!(leased.uncertain);
}

#[test]
fn a_claim_never_overflows_the_lease_end() {
    let leased = claim(&Due { attempts: 0, uncertain: false, locked_until: None }, i64::MAX - 5, LEASE);
    assert_eq!(leased.locked_until, i64::MAX);
}

#[test]
fn success_marks_the_version_synced_and_clears_attempts_error_and_doubt() {
    let done = finish(&held(3, true), &Outcome::Synced, NOW);
    assert_eq!(
        done,
        Finish {
            attempts: 0,
            synced_version: Some(7),
            last_error: ErrorChange::Clear,
            uncertain: false,
            handled: schedule(EntityState::Synced, NOW, None),
            superseded: schedule(EntityState::Pending, NOW, None),
        }
    );
}

#[test]
fn waiting_records_the_reason_keeps_the_error_and_the_doubt() {
    let done = finish(&held(2, true), &Outcome::Waiting("its customer".into()), NOW);
    assert_eq!(
        done,
        Finish {
            attempts: 0,
            synced_version: Some(7),
            last_error: ErrorChange::Keep,
            uncertain: true,
            handled: schedule(EntityState::Waiting, NOW, Some("its customer")),
            superseded: schedule(EntityState::Pending, NOW, None),
        }
    );
}

#[test]
fn a_retry_counts_the_attempt_records_the_error_and_keeps_its_backoff() {
    let outcome = Outcome::Retry { error: error("UNABLE_TO_LOCK_ROW"), retry_at: NOW + 4_000 };
    let done = finish(&held(1, false), &outcome, NOW);
    assert_eq!(
        done,
        Finish {
            attempts: 2,
            synced_version: None,
            last_error: ErrorChange::Record(error("UNABLE_TO_LOCK_ROW")),
            uncertain: false,
            handled: schedule(EntityState::Pending, NOW + 4_000, None),
            // Events folded meanwhile wait for the backoff too: the org just failed.
            superseded: schedule(EntityState::Pending, NOW + 4_000, None),
        }
    );
}

#[test]
fn parking_counts_the_attempt_and_records_the_error() {
    let done = finish(&held(0, true), &Outcome::Parked(error("REQUIRED_FIELD_MISSING")), NOW);
    assert_eq!(
        done,
        Finish {
            attempts: 1,
            synced_version: Some(7),
            last_error: ErrorChange::Record(error("REQUIRED_FIELD_MISSING")),
            uncertain: true,
            handled: schedule(EntityState::Parked, NOW, None),
            superseded: schedule(EntityState::Pending, NOW, None),
        }
    );
}

#[test]
fn a_deferral_is_not_an_attempt_and_learns_nothing() {
    let done = finish(&held(4, true), &Outcome::Deferred { retry_at: NOW + 60_000 }, NOW);
    assert_eq!(
        done,
        Finish {
            attempts: 4,
            synced_version: None,
            last_error: ErrorChange::Keep,
            uncertain: true,
            handled: schedule(EntityState::Pending, NOW + 60_000, None),
            superseded: schedule(EntityState::Pending, NOW + 60_000, None),
        }
    );
}

#[test]
fn a_newer_version_makes_every_outcome_pending_again() {
    let outcomes = [
        Outcome::Synced,
        Outcome::Waiting("its customer".into()),
        Outcome::Retry { error: error("UNABLE_TO_LOCK_ROW"), retry_at: NOW + 9 },
        Outcome::Parked(error("INVALID_FIELD")),
        Outcome::Deferred { retry_at: NOW + 9 },
    ];
    for outcome in outcomes {
        let done = finish(&held(0, false), &outcome, NOW);
        let newer = done.pick(7, 8);
        assert_eq!(newer.state, EntityState::Pending, "{outcome:?}");
        assert_eq!(newer.waiting_reason, None, "{outcome:?}: a pending entity waits for nothing");
        assert!(newer.next_run_at <= NOW + 9, "{outcome:?}: due now or at its retry");
        assert_eq!(done.pick(7, 7), &done.handled, "{outcome:?}: the claimed version is the current one");
    }
}

#[test]
fn a_newer_version_does_not_undo_what_the_claimed_one_did() {
    // The claimed version was written: the next claim must know (attempts, error, synced version).
    let done = finish(&held(2, true), &Outcome::Synced, NOW);
    assert_eq!((done.attempts, done.synced_version, done.uncertain), (0, Some(7), false));
    assert_eq!(done.pick(7, 9).state, EntityState::Pending);
}

#[test]
fn release_lets_go_of_the_lease_and_marks_the_work_uncertain() {
    assert_eq!(release(), Released { locked_until: None, uncertain: true });
}

#[test]
fn only_a_parked_entity_is_queued_again_due_now_with_fresh_attempts() {
    assert_eq!(
        requeue_parked(EntityState::Parked, NOW),
        Some(Requeued { state: EntityState::Pending, attempts: 0, next_run_at: NOW })
    );
    for state in [EntityState::Pending, EntityState::Waiting, EntityState::Synced, EntityState::Merged] {
        assert_eq!(requeue_parked(state, NOW), None, "{state:?}");
    }
}

/// The columns the transitions touch, as storage would hold them.
#[derive(Debug, Clone, PartialEq)]
struct Row {
    state: EntityState,
    version: i64,
    attempts: i64,
    uncertain: bool,
    locked_until: Option<i64>,
}

impl Row {
    fn claim(&mut self, now: i64) -> Held {
        let leased = claim(
            &Due { attempts: self.attempts, uncertain: self.uncertain, locked_until: self.locked_until },
            now,
            LEASE,
        );
        (self.locked_until, self.uncertain) = (Some(leased.locked_until), leased.uncertain);
        Held { version: self.version, attempts: self.attempts, uncertain: self.uncertain }
    }

    fn finish(&mut self, held: &Held, outcome: Outcome, now: i64) {
        let done = finish(held, &outcome, now);
        self.state = done.pick(held.version, self.version).state;
        (self.attempts, self.uncertain, self.locked_until) = (done.attempts, done.uncertain, None);
    }
}

#[test]
fn uncertain_is_sticky_until_a_success_records_what_was_written() {
    let mut row = Row { state: EntityState::Pending, version: 1, attempts: 0, uncertain: false, locked_until: None };
    let first = row.claim(NOW);
    assert!(!first.uncertain, "nothing was ever sent");
    row.finish(&first, Outcome::Retry { error: error("SERVER_UNAVAILABLE"), retry_at: NOW + 1 }, NOW);
    let second = row.claim(NOW + 1);
    assert!(second.uncertain, "the failed call may have landed");
    row.finish(&second, Outcome::Deferred { retry_at: NOW + 2 }, NOW + 1);
    let third = row.claim(NOW + 2);
    assert!(third.uncertain && third.attempts == 1, "a deferral learns nothing and is no attempt");
    row.finish(&third, Outcome::Waiting("its customer".into()), NOW + 2);
    assert_eq!((row.state, row.uncertain), (EntityState::Waiting, true));
    row.state = EntityState::Pending;
    row.version += 1;
    let fourth = row.claim(NOW + 3);
    assert!(fourth.uncertain, "nor does waiting");
    row.finish(&fourth, Outcome::Synced, NOW + 3);
    assert_eq!((row.state, row.attempts, row.uncertain), (EntityState::Synced, 0, false));
    row.state = EntityState::Pending;
    row.version += 1;
    assert!(!row.claim(NOW + 4).uncertain, "a success recorded what was written");
}

#[test]
fn events_folded_during_a_lease_are_not_lost() {
    let mut row = Row { state: EntityState::Pending, version: 3, attempts: 0, uncertain: false, locked_until: None };
    let held = row.claim(NOW);
    row.version += 1; // the folder applied an event meanwhile
    row.finish(&held, Outcome::Synced, NOW);
    assert_eq!(row.state, EntityState::Pending, "version 4 is still to be written");
    let again = row.claim(NOW);
    assert_eq!(again.version, 4);
    row.finish(&again, Outcome::Synced, NOW);
    assert_eq!(row.state, EntityState::Synced);
}

#[test]
fn a_pending_entity_whose_dependency_is_pending_is_blocked_as_waiting_not_parked() {
    let blocked = block(EntityState::Pending, "customer:42", 9).expect("a pending entity is blocked");
    assert_eq!(blocked.state, EntityState::Waiting);
    assert_ne!(blocked.state, EntityState::Parked, "waiting for another is no failure");
    assert_eq!(blocked.blocked_on, 9);
    assert!(blocked.waiting_reason.contains("customer:42"), "{}", blocked.waiting_reason);
    for state in [EntityState::Waiting, EntityState::Synced, EntityState::Parked, EntityState::Merged] {
        assert_eq!(block(state, "customer:42", 9), None, "{state:?} is not due work");
    }
}

#[test]
fn a_blocked_entity_wakes_once_its_dependency_is_no_longer_pending() {
    let woken = Some(Woken { state: EntityState::Pending });
    for dependency in [EntityState::Synced, EntityState::Parked, EntityState::Waiting, EntityState::Merged] {
        assert_eq!(wake(EntityState::Waiting, true, dependency), woken, "dependency {dependency:?}");
    }
    assert_eq!(wake(EntityState::Waiting, true, EntityState::Pending), None, "its dependency still has changes");
    assert_eq!(wake(EntityState::Waiting, false, EntityState::Synced), None, "waiting for an event, not for another");
    assert_eq!(wake(EntityState::Pending, true, EntityState::Synced), None, "already due");
}
