//! `forcesync bench backlog`: a store's large backlog. The whole server and
//! the sandbox in one process; with the queue empty, then with `--events`
//! events for `--entities` entities queued while Salesforce is down (the
//! sandbox answers every REST call 503 SERVER_UNAVAILABLE, so the engine
//! pauses the store and checks it as in production), it measures peak RSS, database
//! bytes, PlaceOrder latency at 64 in flight, the claim query, GetSyncStatus,
//! ListSyncEvents and the web console's pages ([`super::backlog_probe`]);
//! then Salesforce comes back
//! and the backlog drains (pruning as it goes) until the sandbox holds every
//! order exactly once.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Args;
use tokio::task::JoinSet;

use crate::engine::EngineConfig;
use crate::pb::{self, sync_event::Event};

use super::backlog_probe::{HeapPeak, db_bytes, peak_rss_mb, probe, reset_peak_rss, rss_mb, rss_split_mb};
use super::backlog_table::{Run, render};
use super::harness::{Bench, Counters, SyncClient, sandbox};
use super::orders::wait_synced;
use super::shop::{order_events, order_id, sync_catalog};

/// Catalog products the backlog's carts draw from.
pub(super) const SKUS: usize = 20;
/// Events per SubmitEvents request at most.
pub(super) const PER_REQUEST: usize = 1_000;
/// How often the bench counts entity states while waiting (a scan of the store's entities: not too often).
const POLL: Duration = Duration::from_millis(500);
/// How long the folder may take to fold the backlog.
const FOLD_LIMIT: Duration = Duration::from_secs(1_800);

#[derive(Debug, Args)]
pub struct BacklogBenchArgs {
    /// Events queued while Salesforce is down.
    #[arg(long, default_value_t = 1_000_000)]
    pub events: usize,
    /// Entities they are for (half customers, half orders).
    #[arg(long, default_value_t = 100_000)]
    pub entities: usize,
    /// PlaceOrder requests per latency measurement (empty queue, backlog).
    #[arg(long, default_value_t = 5_000)]
    pub probe_requests: usize,
    /// PlaceOrder requests in flight while measuring.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// SubmitEvents requests (1,000 events each) in flight while enqueueing.
    #[arg(long, default_value_t = 4)]
    pub submitters: usize,
    /// Engine workers.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Use the sandbox already serving at this URL (`forcesync sandbox --daily-api-limit 100000000`) instead of
    /// one in this process, so peak RSS is forcesync's (and the client's) alone.
    #[arg(long)]
    pub sandbox_url: Option<String>,
    /// Run on this PostgreSQL database (in a scratch schema, dropped afterwards) instead of SQLite.
    #[arg(long)]
    pub database_url: Option<String>,
}

/// The backlog's shape: `orders` orders of `per_order` events each (customer, checkout, order,
/// payment, then customer updates).
#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    pub orders: usize,
    pub per_order: usize,
}

impl Shape {
    fn of(args: &BacklogBenchArgs) -> Self {
        let orders = (args.entities / 2).max(1);
        Self { orders, per_order: (args.events / orders).max(4) }
    }

    pub(super) fn events(&self) -> usize {
        self.orders * self.per_order
    }

    /// Whole orders per request, so an order's events are sent in order by one request.
    fn orders_per_request(&self) -> usize {
        (PER_REQUEST / self.per_order).max(1)
    }

    /// Event `step` of order `i`.
    fn event(&self, i: usize, step: usize) -> Event {
        let events = order_events(i, SKUS);
        match step {
            0 => Event::Customer(events.customer),
            1 => Event::Checkout(events.checkout),
            2 => Event::Order(events.order),
            3 => Event::Payment(events.payment),
            _ => {
                let mut update = events.customer;
                update.event_id = format!("customer-{i}-{step}");
                if let Some(customer) = update.customer.as_mut() {
                    customer.phone = format!("+1 555 {step:04}");
                }
                Event::Customer(update)
            }
        }
    }
}

/// Sends the backlog with `submitters` SubmitEvents in flight; every event must be acknowledged as new.
async fn enqueue(client: &SyncClient, shape: Shape, submitters: usize) -> anyhow::Result<()> {
    let requests = shape.orders.div_ceil(shape.orders_per_request());
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = JoinSet::new();
    for _ in 0..submitters.clamp(1, requests.max(1)) {
        let (next, mut client) = (next.clone(), client.clone());
        tasks.spawn(async move {
            loop {
                let request = next.fetch_add(1, Ordering::Relaxed);
                if request >= requests {
                    return anyhow::Ok(());
                }
                let first = request * shape.orders_per_request();
                let last = (first + shape.orders_per_request()).min(shape.orders);
                let events: Vec<pb::SyncEvent> = (first..last)
                    .flat_map(|i| (0..shape.per_order).map(move |step| (i, step)))
                    .map(|(i, step)| pb::SyncEvent { event: Some(shape.event(i, step)) })
                    .collect();
                let sent = events.len();
                let acks = client
                    .submit_events(pb::SubmitEventsRequest { events })
                    .await
                    .with_context(|| format!("SubmitEvents of orders {first}..{last}"))?
                    .into_inner()
                    .acks;
                if acks.len() != sent || acks.iter().any(|ack| ack.duplicate) {
                    bail!(
                        "SubmitEvents of orders {first}..{last}: {} acks for {sent} events, or a duplicate",
                        acks.len()
                    );
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

/// The products `bench ingest`'s PlaceOrders name, so the probes' orders can sync too.
async fn probe_catalog(client: &mut SyncClient) -> anyhow::Result<()> {
    let products = [("WB-01", "Water bottle", "19.99"), ("CAP-7", "Cap", "12.50"), ("TEE-3", "T-shirt", "9.00")]
        .into_iter()
        .map(|(sku, name, price)| pb::Product {
            sku: sku.into(),
            name: name.into(),
            price: price.into(),
            active: Some(true),
        })
        .collect();
    let request = pb::UpsertProductsRequest { event_id: "probe-catalog".into(), products, occur_time: None };
    client.upsert_products(request).await.context("UpsertProducts")?;
    Ok(())
}

async fn set_outage(http: &reqwest::Client, url: &str, down: bool) -> anyhow::Result<()> {
    let faults = format!("{url}/_sandbox/faults");
    let request =
        if down { http.patch(faults).json(&serde_json::json!({ "http_503": 1.0 })) } else { http.delete(faults) };
    request.send().await?.error_for_status().context("sandbox faults")?;
    Ok(())
}

/// Entities not yet synced: pending, or waiting (a sale blocked on its pending customer).
async fn pending(bench: &Bench) -> anyhow::Result<i64> {
    let counts = bench.server.storage.entity_counts(bench.store_id).await?;
    Ok(counts.iter().filter(|(state, _)| state == "pending" || state == "waiting").map(|(_, n)| *n).sum())
}

pub async fn run(args: BacklogBenchArgs) -> anyhow::Result<()> {
    let begun = Instant::now();
    let shape = Shape::of(&args);
    let in_process = match &args.sandbox_url {
        Some(_) => None,
        None => Some(sandbox(0).await?),
    };
    let url = match (&args.sandbox_url, &in_process) {
        (Some(url), _) => url.trim_end_matches('/').to_owned(),
        (None, Some(org)) => org.url.clone(),
        (None, None) => bail!("no sandbox"),
    };
    let engine = EngineConfig {
        workers: args.workers.max(1),
        // Backoff as in production, capped lower so the outage's checks find Salesforce back within 10 s.
        retry_base: Duration::from_secs(1),
        retry_max: Duration::from_secs(10),
        // Prune every second everything Salesforce holds, so pruning runs during the drain.
        retention: Duration::ZERO,
        prune_every: Duration::from_secs(1),
        ..EngineConfig::default()
    };
    let bench = Bench::start(engine, "backlog", args.database_url.as_deref()).await?;
    bench.connect("backlog", &url).await?;
    let http = reqwest::Client::new();
    let mut client = bench.sync()?;
    sync_catalog(&mut client, SKUS).await?;
    probe_catalog(&mut client).await?;
    let requests = args.probe_requests.max(1);
    let (concurrency, batch) = (args.concurrency.max(1), EngineConfig::default().batch_size);

    let peak_resets = reset_peak_rss();
    let heap = HeapPeak::start();
    heap.take_mb();
    let empty = probe(&bench, "e", requests, concurrency, batch, |i| format!("e{i}")).await?;
    wait_synced(&bench, &http, &url, 0, POLL).await.context("the empty-queue probe's orders")?;
    let peak_empty = peak_rss_mb();
    let heap_empty = heap.take_mb();

    set_outage(&http, &url, true).await?;
    reset_peak_rss();
    let started = Instant::now();
    enqueue(&client, shape, args.submitters).await?;
    let enqueue_time = started.elapsed();
    while bench.server.storage.unapplied_events().await? > 0 {
        if started.elapsed() > FOLD_LIMIT {
            bail!("the backlog was not folded within {FOLD_LIMIT:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let folded = started.elapsed();
    let queued = pending(&bench).await?;
    let backlog = probe(&bench, "b", requests, concurrency, batch, |i| order_id(i * 7_919 % shape.orders)).await?;
    let peak_backlog = peak_rss_mb();
    let heap_backlog = heap.take_mb();
    let split_backlog = rss_split_mb();

    reset_peak_rss();
    let before = Counters::read(&http, &url).await?;
    set_outage(&http, &url, false).await?;
    let started = Instant::now();
    // The probes' orders are unpaid: with the default create_order (paid only) they write no Order.
    let expected = shape.orders;
    wait_synced(&bench, &http, &url, expected as u64, POLL).await.context("the drain")?;
    let drain = started.elapsed();
    let after = Counters::read(&http, &url).await?;
    let held = after.records.get("Order").copied().unwrap_or_default();
    if held != expected as u64 {
        bail!("the sandbox holds {held} Orders, expected exactly {expected}: lost or duplicated");
    }
    // One more pruning round after the last order, so the size shows what pruning leaves.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let run = Run {
        shape,
        peak_empty,
        peak_backlog,
        peak_drain: peak_rss_mb(),
        heap: [heap_empty, heap_backlog, heap.take_mb()],
        rss_drained: rss_mb(),
        enqueue: enqueue_time,
        folded,
        queued,
        drain,
        drained_orders: shape.orders,
        delta: after.since(&before),
        db_drained: db_bytes(&bench).await?,
        empty,
        backlog,
        total: begun.elapsed(),
        peak_resets,
        split_backlog,
        split_drained: rss_split_mb(),
    };
    bench.stop().await?;
    if let Some(org) = in_process {
        org.shutdown().await;
    }
    print!("{}", render(&args, &run).render());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        args: BacklogBenchArgs,
    }

    #[test]
    fn a_million_events_are_fifty_thousand_orders_of_twenty_sent_whole() {
        let args = Cli::parse_from(["backlog"]).args;
        let shape = Shape::of(&args);
        assert_eq!((shape.orders, shape.per_order, shape.events()), (50_000, 20, 1_000_000));
        assert_eq!(shape.orders_per_request(), 50, "1,000 events per request, no order split");
        assert!(matches!(shape.event(7, 2), Event::Order(order) if order.order_id == order_id(7)));
        let Event::Customer(update) = shape.event(7, 19) else { panic!("steps past the payment update the customer") };
        assert_eq!(update.event_id, "customer-7-19");
        let small = Shape::of(&Cli::parse_from(["backlog", "--events", "10", "--entities", "100"]).args);
        assert_eq!((small.orders, small.per_order), (50, 4), "every order gets its four events");
    }
}
