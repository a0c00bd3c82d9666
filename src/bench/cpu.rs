//! The CPU time this process spends, read from Linux's `/proc`: every
//! thread's (live or exited) and the intake writer's, so `bench ingest` can
//! say what a request costs in CPU as well as in wall time. With the client
//! and the server on the same cores, CPU per request bounds the rate: a side
//! that needs twice the no-op's CPU per request cannot pass half its rate
//! however well the work overlaps.
//!
//! `/proc` counts in clock ticks of 1/100 s (`USER_HZ`, fixed by Linux's
//! user-space ABI), so a phase of a few seconds is measured to within about 1%.
//! Elsewhere nothing is read and the bench leaves the CPU rows out.

use std::time::Duration;

/// Clock ticks per second in `/proc/*/stat`.
const TICKS_PER_SECOND: u64 = 100;

/// The intake writer thread's name (`storage::sync::intake`).
const WRITER_THREAD: &str = "intake-writer";

/// CPU time used so far.
#[derive(Debug, Clone, Copy)]
pub(super) struct CpuClock {
    process: Duration,
    /// The intake writer's thread, when one is running; a new server starts a new one.
    writer: Option<(u32, Duration)>,
}

/// CPU time a phase used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct CpuUsed {
    pub process: Duration,
    /// The intake writer's, when the same writer ran through the whole phase.
    pub writer: Option<Duration>,
}

impl CpuClock {
    /// Now, or `None` where `/proc/self/stat` cannot be read.
    pub(super) fn read() -> Option<Self> {
        let process = cpu_time(&std::fs::read_to_string("/proc/self/stat").ok()?)?;
        Some(Self { process, writer: writer() })
    }

    /// What was used from `self` until `later`.
    pub(super) fn until(&self, later: &Self) -> CpuUsed {
        let writer = match (self.writer, later.writer) {
            (Some((before_tid, before)), Some((after_tid, after))) if before_tid == after_tid => {
                Some(after.saturating_sub(before))
            }
            _ => None,
        };
        CpuUsed { process: later.process.saturating_sub(self.process), writer }
    }
}

/// The intake writer thread's id and CPU time.
fn writer() -> Option<(u32, Duration)> {
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let name = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if name.trim_end() != WRITER_THREAD {
            continue;
        }
        let tid = task.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
        return Some((tid, cpu_time(&stat)?));
    }
    None
}

/// User plus system time from a `stat` line: fields 14 and 15, counted after the command name,
/// which is in parentheses and may itself hold spaces or parentheses.
fn cpu_time(stat: &str) -> Option<Duration> {
    let (_, after_name) = stat.rsplit_once(')')?;
    // After the name: field 3 (state) is the first, so utime (14) is the 12th and stime (15) the 13th.
    let mut fields = after_name.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    let ticks = user.checked_add(system)?;
    Some(Duration::from_millis(ticks.checked_mul(1000 / TICKS_PER_SECOND)?))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::{CpuClock, cpu_time};

    #[test]
    fn reads_user_and_system_time_after_an_awkward_name() {
        let stat = "4242 (intake) (writer) S 1 2 3 4 5 6 7 8 9 10 250 75 0 0 20 0 9 0 100 0";
        assert_eq!(cpu_time(stat), Some(Duration::from_millis(3250)));
        assert_eq!(cpu_time("4242 (short) S 1 2"), None);
        assert_eq!(cpu_time("no parenthesis"), None);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn reads_this_process_cpu_time_as_it_grows() {
        let start = CpuClock::read().expect("/proc/self/stat is readable on Linux");
        // Spin until the clock moves two ticks: however loaded the machine, it does, and a
        // misread field would stay put (or never parse).
        let mut x = 0u64;
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        let used = loop {
            for _ in 0..100_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
            let used = start.until(&CpuClock::read().expect("still readable"));
            if used.process >= Duration::from_millis(20) || std::time::Instant::now() > deadline {
                break used;
            }
        };
        assert!(used.process >= Duration::from_millis(20), "{used:?}");
    }
}
