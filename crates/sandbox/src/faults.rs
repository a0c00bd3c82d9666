//! Deterministic fault injection: a seeded generator decides, call by call,
//! whether to fail, so a run can be replayed; tests can also queue exact faults.

use std::collections::{BTreeMap, VecDeque};

use serde::{Deserialize, Serialize};

use super::config::FaultSeed;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// 500 UNKNOWN_EXCEPTION; nothing is done.
    #[serde(rename = "http_500")]
    Http500,
    /// 503 SERVER_UNAVAILABLE; nothing is done.
    #[serde(rename = "http_503")]
    Http503,
    /// The connection closes without a response; nothing is done.
    DropConnection,
    /// The work is committed, then the connection closes without a response.
    TimeoutAfterCommit,
    /// The first record write fails with UNABLE_TO_LOCK_ROW.
    UnableToLockRow,
    /// The session expires: 401 INVALID_SESSION_ID, and the token stops working.
    ExpireSession,
}

#[derive(Debug)]
pub struct Faults {
    seed: FaultSeed,
    state: u64,
    queued: VecDeque<FaultKind>,
    injected: BTreeMap<FaultKind, u64>,
}

impl Faults {
    pub fn new(seed: FaultSeed) -> Self {
        let state = seed.seed ^ 0x9E37_79B9_7F4A_7C15;
        Self { seed, state, queued: VecDeque::new(), injected: BTreeMap::new() }
    }

    /// Replaces the probabilities and restarts the generator from the seed.
    pub fn configure(&mut self, seed: FaultSeed) {
        *self = Self {
            queued: std::mem::take(&mut self.queued),
            injected: std::mem::take(&mut self.injected),
            ..Self::new(seed)
        };
    }

    /// Makes the next `count` eligible calls fail with `kind`.
    pub fn queue(&mut self, kind: FaultKind, count: usize) {
        self.queued.extend(std::iter::repeat_n(kind, count));
    }

    pub fn clear(&mut self) {
        self.configure(FaultSeed::default());
        self.queued.clear();
    }

    /// SplitMix64: small, fast, good enough to spread faults evenly.
    fn next_unit(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The fault for this call, if any. Lock errors apply only to writes.
    pub fn draw(&mut self, is_write: bool) -> Option<FaultKind> {
        let queued = self.queued.front().copied().filter(|k| is_write || *k != FaultKind::UnableToLockRow);
        let fault = match queued {
            Some(kind) => {
                self.queued.pop_front();
                Some(kind)
            }
            None => {
                let s = self.seed.clone();
                let roll = self.next_unit();
                let lock = if is_write { s.unable_to_lock_row } else { 0.0 };
                let table = [
                    (FaultKind::Http500, s.http_500),
                    (FaultKind::Http503, s.http_503),
                    (FaultKind::DropConnection, s.drop_connection),
                    (FaultKind::TimeoutAfterCommit, s.timeout_after_commit),
                    (FaultKind::UnableToLockRow, lock),
                ];
                let mut edge = 0.0;
                table.into_iter().find_map(|(kind, p)| {
                    edge += p;
                    (roll < edge).then_some(kind)
                })
            }
        };
        if let Some(kind) = fault {
            *self.injected.entry(kind).or_default() += 1;
        }
        fault
    }

    /// Whether an unauthenticated call (the version list, the engine's free
    /// probe) meets the outage the 503 rate stands for: that rate alone,
    /// from the same generator. Queued faults are left for the REST calls.
    pub fn unavailable(&mut self) -> bool {
        let down = self.seed.http_503 > 0.0 && self.next_unit() < self.seed.http_503;
        if down {
            *self.injected.entry(FaultKind::Http503).or_default() += 1;
        }
        down
    }

    pub fn injected(&self) -> BTreeMap<FaultKind, u64> {
        self.injected.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_faults_and_queue_first() {
        let seed = FaultSeed { seed: 7, http_500: 0.3, unable_to_lock_row: 0.2, ..FaultSeed::default() };
        let draws = |mut f: Faults| (0..200).map(|i| f.draw(i % 2 == 0)).collect::<Vec<_>>();
        let (a, b) = (draws(Faults::new(seed.clone())), draws(Faults::new(seed.clone())));
        assert_eq!(a, b);
        let failures = a.iter().filter(|f| f.is_some()).count();
        assert!((40..120).contains(&failures), "about 30-40% fail: {failures}");
        assert!(a.iter().skip(1).step_by(2).all(|f| *f != Some(FaultKind::UnableToLockRow)), "reads never lock");

        let mut f = Faults::new(FaultSeed::default());
        assert_eq!(f.draw(true), None);
        f.queue(FaultKind::UnableToLockRow, 1);
        assert_eq!(f.draw(false), None, "a queued lock error waits for a write");
        assert_eq!(f.draw(true), Some(FaultKind::UnableToLockRow));
        assert_eq!(f.injected().get(&FaultKind::UnableToLockRow), Some(&1));
    }

    #[test]
    fn the_version_list_meets_the_503_rate_alone_and_leaves_queued_faults() {
        let mut down = Faults::new(FaultSeed { http_503: 1.0, ..FaultSeed::default() });
        assert!((0..50).all(|_| down.unavailable()), "a full outage answers every probe 503");
        let mut up = Faults::new(FaultSeed { http_500: 1.0, ..FaultSeed::default() });
        up.queue(FaultKind::Http503, 1);
        assert!((0..50).all(|_| !up.unavailable()), "500s and queued faults are the REST calls'");
        assert_eq!(up.draw(false), Some(FaultKind::Http503), "the queued fault is still there");
        let mut some = Faults::new(FaultSeed { seed: 3, http_503: 0.3, ..FaultSeed::default() });
        let failed = (0..200).filter(|_| some.unavailable()).count();
        assert!((30..90).contains(&failed), "about 30% fail: {failed}");
    }
}
