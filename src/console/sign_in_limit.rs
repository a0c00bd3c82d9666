//! Failed sign-ins limited per client address: after [`MAX_FAILURES`] wrong
//! tokens from one address within [`WINDOW`] (counted from its first
//! failure), that address is refused with 429 until the window ends, and no
//! token is compared meanwhile. A successful sign-in does not count. The
//! table is bounded ([`MAX_ADDRESSES`]): expired windows are dropped first,
//! then the oldest. The clock is passed in, so the rules are tested without
//! sleeping. Per replica, like sessions; behind a proxy every client shares
//! the proxy's address (forwarded headers are not trusted).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong tokens allowed from one address per window.
pub const MAX_FAILURES: u32 = 5;
/// How long an address's failures count, from its first one.
pub const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered at most.
pub const MAX_ADDRESSES: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Failures {
    first: Instant,
    count: u32,
}

/// The per-address failure counts (this process only).
#[derive(Debug, Default)]
pub struct SignInLimit {
    table: Mutex<HashMap<IpAddr, Failures>>,
}

impl SignInLimit {
    /// `Err(retry_after)` when `ip` has used up its failures in the current window.
    pub fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let Ok(table) = self.table.lock() else { return Ok(()) };
        match table.get(&ip) {
            Some(f) if f.count >= MAX_FAILURES && now.duration_since(f.first) < WINDOW => {
                Err(WINDOW.saturating_sub(now.duration_since(f.first)))
            }
            _ => Ok(()),
        }
    }

    /// Counts a wrong token from `ip`.
    pub fn failed(&self, ip: IpAddr, now: Instant) {
        let Ok(mut table) = self.table.lock() else { return };
        if let Some(f) = table.get_mut(&ip) {
            if now.duration_since(f.first) < WINDOW {
                f.count = f.count.saturating_add(1);
            } else {
                *f = Failures { first: now, count: 1 };
            }
            return;
        }
        if table.len() >= MAX_ADDRESSES {
            table.retain(|_, f| now.duration_since(f.first) < WINDOW);
        }
        while table.len() >= MAX_ADDRESSES {
            let Some(oldest) = table.iter().min_by_key(|(_, f)| f.first).map(|(ip, _)| *ip) else { break };
            table.remove(&oldest);
        }
        table.insert(ip, Failures { first: now, count: 1 });
    }

    /// Addresses remembered now.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.table.lock().map(|t| t.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    fn ip(n: u32) -> IpAddr {
        IpAddr::V4(Ipv4Addr::from(n))
    }

    #[test]
    fn the_sixth_failure_in_a_minute_is_refused_until_the_window_ends() {
        let limit = SignInLimit::default();
        let start = Instant::now();
        for i in 0..MAX_FAILURES {
            let now = start + Duration::from_secs(u64::from(i));
            assert_eq!(limit.check(ip(1), now), Ok(()), "failure {i} is still allowed");
            limit.failed(ip(1), now);
        }
        let later = start + Duration::from_secs(10);
        assert_eq!(limit.check(ip(1), later), Err(Duration::from_secs(50)));
        assert_eq!(limit.check(ip(2), later), Ok(()), "another address is not limited");
        assert_eq!(limit.check(ip(1), start + WINDOW), Ok(()), "the window ended");
        limit.failed(ip(1), start + WINDOW);
        assert_eq!(limit.check(ip(1), start + WINDOW), Ok(()), "a new window starts with one failure");
    }

    #[test]
    fn the_table_is_bounded_and_the_oldest_goes_first() {
        let limit = SignInLimit::default();
        let start = Instant::now();
        for n in 0..MAX_ADDRESSES as u32 {
            for _ in 0..MAX_FAILURES {
                limit.failed(ip(n), start + Duration::from_millis(u64::from(n)));
            }
        }
        let now = start + Duration::from_secs(5);
        assert!(limit.check(ip(0), now).is_err());
        limit.failed(ip(u32::MAX), now);
        assert_eq!(limit.len(), MAX_ADDRESSES);
        assert_eq!(limit.check(ip(0), now), Ok(()), "the oldest address was evicted");
        assert!(limit.check(ip(1), now).is_err(), "the others are kept");
    }
}
