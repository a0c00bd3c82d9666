//! What `bench backlog` measures at a moment, once with an empty queue and
//! once with the backlog queued: peak RSS, database bytes, PlaceOrder latency
//! at 64 in flight, the claim query, GetSyncStatus and ListSyncEvents, and
//! the web console's pages ([`super::backlog_console`]).

use std::time::{Duration, Instant};

use anyhow::Context as _;

use crate::pb::{self, get_sync_status_request::Entity};

use super::backlog_console::{ConsoleProbe, console_probe};
use super::harness::{Bearer, Bench, percentile};
use super::ingest::{Sample, channels, drive};

/// Reads sampled per read-side figure.
pub(super) const READS: usize = 200;

/// One moment's figures.
#[derive(Debug)]
pub(super) struct Probe {
    pub place_order: Sample,
    /// The claim's read (its filter and order, LIMIT one batch), sorted.
    pub claim: Vec<Duration>,
    pub status: Vec<Duration>,
    pub list: Vec<Duration>,
    pub console: ConsoleProbe,
    pub db_bytes: u64,
}

/// Milliseconds at the `p`-th percentile of sorted samples.
pub(super) fn ms(sorted: &[Duration], p: f64) -> f64 {
    percentile(sorted, p).as_secs_f64() * 1000.0
}

/// Kilobytes from a `/proc/self/status` line such as `VmHWM:  123 kB`.
fn status_kb(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    text.lines()
        .find_map(|line| line.strip_prefix(field))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_default()
}

/// The process's peak resident set since start or the last [`reset_peak_rss`], in MB.
pub(super) fn peak_rss_mb() -> f64 {
    status_kb("VmHWM:") as f64 / 1024.0
}

/// The process's resident set now, in MB.
pub(super) fn rss_mb() -> f64 {
    status_kb("VmRSS:") as f64 / 1024.0
}

/// The resident set now split into anonymous memory (heap) and file pages (SQLite's memory map among them), in MB.
pub(super) fn rss_split_mb() -> (f64, f64) {
    (status_kb("RssAnon:") as f64 / 1024.0, status_kb("RssFile:") as f64 / 1024.0)
}

/// The peak of the process's anonymous memory (its heap: RssAnon, without
/// the file pages of SQLite's memory map that VmHWM counts), sampled every
/// 100 ms by a task of its own, per window.
#[derive(Debug, Clone, Default)]
pub(super) struct HeapPeak {
    kb: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl HeapPeak {
    /// Starts sampling; stops with the runtime (the bench's end).
    pub(super) fn start() -> Self {
        let peak = Self::default();
        let kb = peak.kb.clone();
        tokio::spawn(async move {
            loop {
                kb.fetch_max(status_kb("RssAnon:"), std::sync::atomic::Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        });
        peak
    }

    /// The peak since the last call, in MB; starts a new window.
    pub(super) fn take_mb(&self) -> f64 {
        let now = status_kb("RssAnon:");
        self.kb.swap(now, std::sync::atomic::Ordering::Relaxed).max(now) as f64 / 1024.0
    }
}

/// Starts a new peak-RSS window (Linux: `5` to `/proc/self/clear_refs`); false if the kernel refused.
pub(super) fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Bytes the database takes: the SQLite files (with WAL), or the scratch schema's tables with their indexes.
pub(super) async fn db_bytes(bench: &Bench) -> anyhow::Result<u64> {
    use sqlx::Connection as _;
    if let Some(url) = bench.database_url() {
        let mut connection = sqlx::PgConnection::connect(&url).await?;
        let (bytes,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'",
        )
        .fetch_one(&mut connection)
        .await?;
        return Ok(u64::try_from(bytes).unwrap_or_default());
    }
    let mut total = 0;
    for entry in std::fs::read_dir(bench.data_dir())? {
        let meta = entry?.metadata()?;
        if meta.is_file() {
            total += meta.len();
        }
    }
    Ok(total)
}

/// Times `count` runs of `call`, sorted.
async fn timed<F, Fut>(count: usize, mut call: F) -> anyhow::Result<Vec<Duration>>
where
    F: FnMut(usize) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let mut samples = Vec::with_capacity(count);
    for i in 0..count {
        let started = Instant::now();
        call(i).await?;
        samples.push(started.elapsed());
    }
    samples.sort_unstable();
    Ok(samples)
}

/// Measures now: `requests` PlaceOrders (order ids `<prefix><n>`, after a fifth as many to warm up) at
/// `concurrency` in flight, then the reads;
/// `order_ids(i)` names an order the reads look up.
pub(super) async fn probe(
    bench: &Bench,
    prefix: &str,
    requests: usize,
    concurrency: usize,
    batch: i64,
    order_id: impl Fn(usize) -> String + Copy,
) -> anyhow::Result<Probe> {
    let lanes = channels(bench.server.addr, 2).await?;
    let bearer = Bearer::new(&bench.store_token)?;
    drive(&lanes, &bearer, &format!("{prefix}w"), (requests / 5).max(1), concurrency).await?;
    let place_order = drive(&lanes, &bearer, prefix, requests, concurrency).await?;
    let storage = &bench.server.storage;
    // Everything pending counts as due an hour from now, so the query walks the whole queue's index.
    let claim = timed(READS, |_| async {
        let now = chrono::Utc::now().timestamp_millis() + 3_600_000;
        storage.due_work(batch, now).await.context("claim query")?;
        Ok(())
    })
    .await?;
    let client = bench.sync()?;
    let status = timed(READS, |i| {
        let (mut client, order_id) = (client.clone(), order_id(i));
        async move {
            let request = pb::GetSyncStatusRequest { entity: Some(Entity::OrderId(order_id)) };
            client.get_sync_status(request).await.context("GetSyncStatus")?;
            Ok(())
        }
    })
    .await?;
    let list = timed(READS / 4, |i| {
        let mut client = client.clone();
        // Alternate between the pending events and everything.
        let state = if i % 2 == 0 { pb::SyncState::Pending } else { pb::SyncState::Unspecified };
        async move {
            let request = pb::ListSyncEventsRequest { page_size: 100, state: state as i32, ..Default::default() };
            client.list_sync_events(request).await.context("ListSyncEvents")?;
            Ok(())
        }
    })
    .await?;
    let console = console_probe(bench, "backlog", order_id).await?;
    Ok(Probe { place_order, claim, status, list, console, db_bytes: db_bytes(bench).await? })
}
