//! `forcesync bench orders`: N orders (new customer, checkout, placed order,
//! payment) through the Sync API until Salesforce holds them all, once with
//! the batched engine and once with the naive one (one REST call per record),
//! each on a fresh sandbox and server. Compares API calls per 1,000 orders
//! (with the floor: records written ÷ 500) and orders per second.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Args;
use tokio::task::JoinSet;

use crate::engine::{EngineConfig, GRAPH_NODES, Strategy};

use super::Table;
use super::harness::{Bench, Counters, cores, list, sandbox};
use super::replica::Replica;
use super::shop::{submit_order, sync_catalog};

/// Records per composite request at best: the floor of API calls.
const RECORDS_PER_CALL: f64 = 500.0;
/// A run fails when nothing moves for this long.
const STALL: Duration = Duration::from_secs(120);

#[derive(Debug, Args)]
pub struct OrdersBenchArgs {
    /// Orders for the batched engine.
    #[arg(long, default_value_t = 1_000)]
    pub orders: usize,
    /// Orders for the naive engine (default: --orders); 0 skips it.
    #[arg(long)]
    pub naive_orders: Option<usize>,
    /// Orders in flight (each sends its 4 events in order).
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Engine workers.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Latency the sandbox adds to every Salesforce call, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub sf_latency_ms: u64,
    /// Products in the catalog the carts draw from.
    #[arg(long, default_value_t = 20)]
    pub skus: usize,
    /// Run on this PostgreSQL database (in a scratch schema, dropped afterwards) instead of SQLite.
    #[arg(long)]
    pub database_url: Option<String>,
    /// Compare one server with this many replicas on --database-url (batched engine only), the
    /// orders spread over them.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=16))]
    pub replicas: u16,
}

/// One strategy's run.
#[derive(Debug)]
pub(super) struct RunResult {
    pub(super) orders: usize,
    /// First submit to every order synced.
    pub(super) seconds: f64,
    /// First submit to the last event acknowledged.
    pub(super) submit_seconds: f64,
    /// With the store held while orders came in ([`Phases::QueueThenDrain`]): from
    /// its release to every order synced.
    pub(super) drain_seconds: Option<f64>,
    /// Sandbox counters during the order phase.
    pub(super) delta: Counters,
    /// Entities synced during the order phase (customers and sales).
    pub(super) entities: i64,
    /// Events acknowledged during the order phase.
    pub(super) events: u64,
}

/// How a run's two halves, taking orders in and syncing them, are timed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phases {
    /// The engine syncs while orders come in; timed from first submit to all synced.
    Overlapped,
    /// The store is paused while every order comes in and is folded, then
    /// released: intake and sync timed apart (a backlog after an outage).
    QueueThenDrain,
}

impl RunResult {
    fn per_1000(&self, value: f64) -> f64 {
        value * 1000.0 / self.orders.max(1) as f64
    }

    pub(super) fn calls_per_1000(&self) -> f64 {
        self.per_1000(self.delta.api_used as f64)
    }

    pub(super) fn orders_per_second(&self) -> f64 {
        self.orders as f64 / self.seconds.max(f64::EPSILON)
    }

    /// Events acknowledged per second (each order sends four, plus its customer's).
    pub(super) fn events_per_second(&self) -> f64 {
        self.events as f64 / self.submit_seconds.max(f64::EPSILON)
    }

    /// Queued orders synced per second once the store was released.
    pub(super) fn drained_per_second(&self) -> Option<f64> {
        self.drain_seconds.map(|seconds| self.orders as f64 / seconds.max(f64::EPSILON))
    }

    fn records(&self) -> u64 {
        self.delta.records.values().sum()
    }
}

/// Polls every `poll` until the sandbox holds `orders` Orders and no entity is pending or waiting.
pub(super) async fn wait_synced(
    bench: &Bench,
    http: &reqwest::Client,
    url: &str,
    orders: u64,
    poll: Duration,
) -> anyhow::Result<()> {
    let mut last = (u64::MAX, 0);
    let mut moved = Instant::now();
    loop {
        let counts = bench.server.storage.entity_counts(bench.store_id).await?;
        let count = |state: &str| counts.iter().find(|(s, _)| s == state).map_or(0, |(_, n)| *n);
        if count("parked") > 0 {
            bail!("{} entities were parked (GetSyncStatus / ListSyncEvents says why)", count("parked"));
        }
        let held = Counters::read(http, url).await?.records.get("Order").copied().unwrap_or_default();
        let open = count("pending") + count("waiting");
        if held >= orders && open == 0 {
            return Ok(());
        }
        if (held, open) != last {
            (last, moved) = ((held, open), Instant::now());
        } else if moved.elapsed() > STALL {
            bail!("stalled for {STALL:?}: {held}/{orders} Orders in the sandbox, {open} entities pending or waiting");
        }
        tokio::time::sleep(poll).await;
    }
}

async fn synced(bench: &Bench) -> anyhow::Result<i64> {
    let counts = bench.server.storage.entity_counts(bench.store_id).await?;
    Ok(counts.iter().find(|(state, _)| state == "synced").map_or(0, |(_, n)| *n))
}

/// A fresh sandbox and server (plus `replicas − 1` more on its database),
/// the catalog synced, then `orders` orders, spread over the servers, timed
/// until all are synced.
pub(super) async fn run_strategy(
    args: &OrdersBenchArgs,
    strategy: Strategy,
    orders: usize,
    replicas: usize,
    phases: Phases,
) -> anyhow::Result<RunResult> {
    let org = sandbox(args.sf_latency_ms).await?;
    // The naive baseline takes one entity at a time, so every worker has a request in flight.
    let batch_size = if strategy == Strategy::Naive { 1 } else { EngineConfig::default().batch_size };
    let engine = EngineConfig { workers: args.workers.max(1), strategy, batch_size, ..EngineConfig::default() };
    let bench = Bench::start(engine.clone(), "bench", args.database_url.as_deref()).await?;
    bench.connect("bench", &org.url).await?;
    let mut others = Vec::new();
    for _ in 1..replicas {
        others.push(Replica::start(&bench, engine.clone()).await?);
    }
    let http = reqwest::Client::new();
    let skus = args.skus.max(3);
    sync_catalog(&mut bench.sync()?, skus).await?;
    let before = Counters::read(&http, &org.url).await?;
    let synced_before = synced(&bench).await?;
    let events_before = bench.server.storage.received_events().await?;
    if phases == Phases::QueueThenDrain {
        let held = "held by the benchmark until every order is queued";
        let a_day_on = crate::storage::now_millis() + 86_400_000;
        bench.server.storage.pause_store(bench.store_id, a_day_on, held, 0).await?;
    }

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for task in 0..args.concurrency.clamp(1, orders.max(1)) {
        let client = match task % replicas.max(1) {
            0 => bench.sync()?,
            n => others[n - 1].sync(&bench.store_token)?,
        };
        let (next, mut client) = (next.clone(), client);
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= orders {
                    return anyhow::Ok(());
                }
                submit_order(&mut client, i, skus).await.with_context(|| format!("order {i}"))?;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let submit_seconds = started.elapsed().as_secs_f64();
    let events = u64::try_from(bench.server.storage.received_events().await? - events_before).unwrap_or(0);
    let drain_started = match phases {
        Phases::Overlapped => None,
        Phases::QueueThenDrain => {
            let folding = Instant::now();
            while bench.server.storage.unapplied_events().await? > 0 {
                if folding.elapsed() > STALL {
                    bail!("the queued orders' events were not folded within {STALL:?}");
                }
                tokio::time::sleep(Duration::from_millis(25)).await;
            }
            bench.server.storage.resume_store(bench.store_id).await?;
            Some(Instant::now())
        }
    };
    wait_synced(&bench, &http, &org.url, orders as u64, Duration::from_millis(25)).await?;
    let seconds = started.elapsed().as_secs_f64();
    let drain_seconds = drain_started.map(|at| at.elapsed().as_secs_f64());
    let delta = Counters::read(&http, &org.url).await?.since(&before);
    let entities = synced(&bench).await? - synced_before;
    for replica in others {
        replica.stop().await?;
    }
    bench.stop().await?;
    org.shutdown().await;
    Ok(RunResult { orders, seconds, submit_seconds, drain_seconds, delta, entities, events })
}

pub async fn run(args: OrdersBenchArgs) -> anyhow::Result<()> {
    if args.replicas > 1 {
        return super::orders_replicas::run(&args).await;
    }
    let batched = run_strategy(&args, Strategy::Batched, args.orders, 1, Phases::Overlapped).await?;
    let naive_orders = args.naive_orders.unwrap_or(args.orders);
    let naive = match naive_orders {
        0 => None,
        n => Some(run_strategy(&args, Strategy::Naive, n, 1, Phases::Overlapped).await?),
    };
    print!("{}", render(&args, &batched, naive.as_ref()).render());
    Ok(())
}

fn render(args: &OrdersBenchArgs, batched: &RunResult, naive: Option<&RunResult>) -> Table {
    let mut table = Table::new("Orders to Salesforce: API calls and throughput", "naive", "batched");
    let of = |f: fn(&RunResult) -> f64| naive.map_or(0.0, f);
    table.row("API calls per 1,000 orders", of(RunResult::calls_per_1000), batched.calls_per_1000(), "calls");
    let throughput = "throughput, first submit to all synced";
    table.row(throughput, of(RunResult::orders_per_second), batched.orders_per_second(), "orders/s");
    let records = batched.per_1000(batched.records() as f64);
    let floor = records / RECORDS_PER_CALL;
    table.note(format!(
        "Floor: {records:.0} records per 1,000 orders ÷ {RECORDS_PER_CALL:.0} per request = {floor:.1} calls; \
         batched makes {:.1} calls = {:.2}× the floor (targets: ≤ 30 calls per 1,000 orders, ≤ ~1.5× the floor; \
         at 100 ms latency ≥ 50× the naive orders/s).",
        batched.calls_per_1000(),
        batched.calls_per_1000() / floor.max(f64::EPSILON),
    ));
    table.note(format!(
        "Batched, the engine packs several entities into each composite graph (up to {GRAPH_NODES} records, all or \
         nothing) and up to {RECORDS_PER_CALL:.0} records into each request; {:.0} entities (customers, sales) were \
         written per 1,000 orders. Workers wait up to 500 ms for a full batch of due work.",
        batched.per_1000(batched.entities as f64),
    ));
    for (name, result) in [("batched", Some(batched)), ("naive", naive)] {
        let Some(result) = result else { continue };
        table.note(format!(
            "{name}: {} orders in {:.1} s (events acknowledged after {:.1} s); {} API calls: {}; records: {}.",
            result.orders,
            result.seconds,
            result.submit_seconds,
            result.delta.api_used,
            list(&result.delta.calls),
            list(&result.delta.records),
        ));
    }
    table.note(format!(
        "Each order: new customer, checkout (3 items of {} SKUs), placed order, payment; {} orders in flight; \
         {} engine workers, 200 ms linger; sandbox latency {} ms; {}; everything in one process on {} cores.",
        args.skus.max(3),
        args.concurrency,
        args.workers.max(1),
        args.sf_latency_ms,
        if args.database_url.is_some() { "PostgreSQL" } else { "SQLite" },
        cores(),
    ));
    table
}
