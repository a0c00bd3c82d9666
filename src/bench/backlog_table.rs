//! The table `bench backlog` prints: empty queue beside backlog, then the drain, with notes on how it ran.

use std::time::Duration;

use crate::engine::EngineConfig;

use super::Table;
use super::backlog::{BacklogBenchArgs, PER_REQUEST, SKUS, Shape};
use super::backlog_console::PAGE_READS;
use super::backlog_probe::{Probe, READS, ms};
use super::harness::{Counters, cores, list};

/// What the run saw, for the table.
pub(super) struct Run {
    pub shape: Shape,
    pub empty: Probe,
    pub backlog: Probe,
    pub peak_empty: f64,
    pub peak_backlog: f64,
    pub peak_drain: f64,
    /// Peak heap (sampled RssAnon) with the queue empty, while the backlog came in and sat, and during the drain.
    pub heap: [f64; 3],
    pub rss_drained: f64,
    pub enqueue: Duration,
    pub folded: Duration,
    pub queued: i64,
    pub drain: Duration,
    pub drained_orders: usize,
    pub delta: Counters,
    pub db_drained: u64,
    pub total: Duration,
    pub peak_resets: bool,
    /// (heap, file pages) with the backlog queued, and after the drain.
    pub split_backlog: (f64, f64),
    pub split_drained: (f64, f64),
}

pub(super) fn render(args: &BacklogBenchArgs, run: &Run) -> Table {
    let events = run.shape.events();
    let mut table = Table::new(
        &format!("Backlog: {events} events for {} entities queued while Salesforce is down", run.shape.orders * 2),
        "empty queue",
        "backlog",
    );
    let mb = |bytes: u64| bytes as f64 / 1_048_576.0;
    let (empty, backlog) = (&run.empty, &run.backlog);
    table.row("peak RSS (whole process)", run.peak_empty, run.peak_backlog, "MB");
    table.row("peak heap (RssAnon, sampled)", run.heap[0], run.heap[1], "MB");
    table.row("database size", mb(empty.db_bytes), mb(backlog.db_bytes), "MB");
    let per_event = backlog.db_bytes.saturating_sub(empty.db_bytes) as f64 / events.max(1) as f64;
    table.row("database bytes per queued event", 0.0, per_event, "B");
    table.row("PlaceOrder p50 (64 in flight)", empty.place_order.millis(50.0), backlog.place_order.millis(50.0), "ms");
    table.row("PlaceOrder p99 (64 in flight)", empty.place_order.millis(99.0), backlog.place_order.millis(99.0), "ms");
    table.row("PlaceOrder throughput", empty.place_order.rps(), backlog.place_order.rps(), "req/s");
    let (console_empty, console_backlog) = (&empty.console, &backlog.console);
    let reads: [(&str, &[Duration], &[Duration]); 7] = [
        ("claim query", &empty.claim, &backlog.claim),
        ("GetSyncStatus", &empty.status, &backlog.status),
        ("ListSyncEvents (page of 100)", &empty.list, &backlog.list),
        ("console overview", &console_empty.overview, &console_backlog.overview),
        ("console parked items", &console_empty.parked, &console_backlog.parked),
        ("console sync log (first page)", &console_empty.log, &console_backlog.log),
        ("console lookup of one order", &console_empty.lookup, &console_backlog.lookup),
    ];
    for (name, before, after) in reads {
        table.row(&format!("{name} p50"), ms(before, 50.0), ms(after, 50.0), "ms");
        table.row(&format!("{name} p99"), ms(before, 99.0), ms(after, 99.0), "ms");
    }
    let drain_rate = run.drained_orders as f64 / run.drain.as_secs_f64().max(f64::EPSILON);
    table.row("drain rate, Salesforce back to all synced", 0.0, drain_rate, "orders/s");
    let calls = run.delta.api_used as f64 * 1000.0 / run.drained_orders.max(1) as f64;
    table.row("API calls per 1,000 orders drained", 0.0, calls, "calls");
    table.row("peak RSS during the drain", run.peak_empty, run.peak_drain, "MB");
    table.row("peak heap during the drain", run.heap[0], run.heap[2], "MB");
    table.row("database size after the drain and pruning", mb(empty.db_bytes), mb(run.db_drained), "MB");
    table.note(format!(
        "Backlog: {} orders × {} events (new customer, checkout of 3 items from {SKUS} SKUs, placed order, payment, \
         then customer updates) = {events} events sent as SubmitEvents of ≤ {PER_REQUEST} events, {} in flight, \
         acknowledged in {:.1} s ({:.0} events/s), folded after {:.1} s; {} entities pending or waiting when measured. \
         Salesforce down = the sandbox answers every REST call and the version list 503 SERVER_UNAVAILABLE; the \
         engine pauses the store at its first batch's 503 and checks the version list (free) 1 s later, doubling \
         to 10 s for the bench (the retry backoff's schedule; production default 2 s doubling to 300 s).",
        run.shape.orders,
        run.shape.per_order,
        args.submitters.max(1),
        run.enqueue.as_secs_f64(),
        events as f64 / run.enqueue.as_secs_f64().max(f64::EPSILON),
        run.folded.as_secs_f64(),
        run.queued,
    ));
    table.note(format!(
        "Each side: {} PlaceOrders after a fifth as many to warm up ({} in flight over 2 connections), {} claim queries (the claim's SELECT with \
         LIMIT {}, everything pending counted due), {} GetSyncStatus by order id, {} ListSyncEvents pages (pending \
         only / any, alternately), one at a time; then {PAGE_READS} GETs of each console page (signed in, one at a \
         time, each checked to be the page: the stores overview, the store's parked items, the sync log's first \
         page, the lookup of one order by id). The backlog side's PlaceOrders join the backlog (unpaid, so \
         with the default create_order = paid only they write customers but no Order).",
        args.probe_requests.max(1),
        args.concurrency.max(1),
        READS,
        EngineConfig::default().batch_size,
        READS,
        READS / 4,
    ));
    table.note(format!(
        "Drain: {} orders synced in {:.1} s, including up to 10 s until the paused store's next check found \
         Salesforce back; the sandbox then held exactly the expected Orders (none lost or duplicated). \
         {} API calls: {}; records written: {}. Pruning (retention 0, every second) ran during the drain; SQLite \
         files do not shrink after deletes (the space is reused).",
        run.drained_orders,
        run.drain.as_secs_f64(),
        run.delta.api_used,
        list(&run.delta.calls),
        list(&run.delta.records),
    ));
    table.note(format!(
        "RSS is the whole process: client, server, engine{}. Peak RSS is VmHWM{}, which counts the pages of SQLite's memory-mapped \
         database file it touched (page cache the kernel can reclaim); peak heap is RssAnon sampled every 100 ms. \
         RSS after the drain {:.0} MB. \
         {} engine workers; {}; {} cores; the run took {:.0} s in all.",
        if args.sandbox_url.is_some() {
            " (the sandbox ran in its own process)"
        } else {
            " and the sandbox (which holds every Salesforce record in memory)"
        },
        if run.peak_resets { ", reset before each phase" } else { " since start (the kernel refused a reset)" },
        run.rss_drained,
        args.workers.max(1),
        if args.database_url.is_some() { "PostgreSQL (a scratch schema)" } else { "SQLite" },
        cores(),
        run.total.as_secs_f64(),
    ));
    table.note(format!(
        "RSS split (RssAnon heap / RssFile file pages, which include SQLite's memory-mapped database): with the \
         backlog queued {:.0} / {:.0} MB; after the drain {:.0} / {:.0} MB.",
        run.split_backlog.0, run.split_backlog.1, run.split_drained.0, run.split_drained.1,
    ));
    table
}
