//! `forcesync bench ingest`: PlaceOrder requests per second with a durable
//! ack (the real SyncService on SQLite: auth, validation, group commit)
//! against a no-op SyncService in the same process, same client, same
//! concurrency, over real TCP. Latency p50/p99 for both.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Args;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Channel, Server};
use tonic::{Request, Response, Status};

use crate::engine::EngineConfig;
use crate::pb::sync_service_client::SyncServiceClient;
use crate::pb::sync_service_server::{SyncService, SyncServiceServer};
use crate::pb::{self, EventAck};

use super::Table;
use super::harness::{Bearer, Bench, channel, cores, percentile};

#[derive(Debug, Args)]
pub struct IngestBenchArgs {
    /// Measured requests per side.
    #[arg(long, default_value_t = 50_000)]
    pub requests: usize,
    /// Requests per side before measuring.
    #[arg(long, default_value_t = 2_000)]
    pub warmup: usize,
    /// Requests in flight.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Client connections (tonic Channels) the requests are spread over.
    #[arg(long, default_value_t = 2)]
    pub channels: usize,
}

/// A SyncService that answers PlaceOrder with an empty ack and does nothing else.
struct Noop;

#[tonic::async_trait]
impl SyncService for Noop {
    async fn place_order(&self, _: Request<pb::PlaceOrderRequest>) -> Result<Response<pb::PlaceOrderResponse>, Status> {
        Ok(Response::new(pb::PlaceOrderResponse { ack: Some(EventAck::default()) }))
    }
    async fn upsert_customer(
        &self,
        _: Request<pb::UpsertCustomerRequest>,
    ) -> Result<Response<pb::UpsertCustomerResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn upsert_products(
        &self,
        _: Request<pb::UpsertProductsRequest>,
    ) -> Result<Response<pb::UpsertProductsResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn start_checkout(
        &self,
        _: Request<pb::StartCheckoutRequest>,
    ) -> Result<Response<pb::StartCheckoutResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn record_payment(
        &self,
        _: Request<pb::RecordPaymentRequest>,
    ) -> Result<Response<pb::RecordPaymentResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn update_order_status(
        &self,
        _: Request<pb::UpdateOrderStatusRequest>,
    ) -> Result<Response<pb::UpdateOrderStatusResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn submit_events(
        &self,
        _: Request<pb::SubmitEventsRequest>,
    ) -> Result<Response<pb::SubmitEventsResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn get_sync_status(
        &self,
        _: Request<pb::GetSyncStatusRequest>,
    ) -> Result<Response<pb::GetSyncStatusResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn list_sync_events(
        &self,
        _: Request<pb::ListSyncEventsRequest>,
    ) -> Result<Response<pb::ListSyncEventsResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn retry_failed(
        &self,
        _: Request<pb::RetryFailedRequest>,
    ) -> Result<Response<pb::RetryFailedResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn preview_plan(
        &self,
        _: Request<pb::PreviewPlanRequest>,
    ) -> Result<Response<pb::PreviewPlanResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
}

/// What one measured phase saw.
#[derive(Debug)]
struct Sample {
    requests: usize,
    seconds: f64,
    /// Sorted.
    latencies: Vec<Duration>,
    /// Distinct commit times among the acks (events committed together share one).
    commit_times: usize,
}

impl Sample {
    fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds.max(f64::EPSILON)
    }

    fn millis(&self, p: f64) -> f64 {
        percentile(&self.latencies, p).as_secs_f64() * 1000.0
    }
}

/// A new order per request: new event id, new order id, one customer, 3 items.
fn place_order(prefix: &str, i: usize) -> pb::PlaceOrderRequest {
    let items =
        [("WB-01", "Water bottle", 2.0, "19.99"), ("CAP-7", "Cap", 1.0, "12.50"), ("TEE-3", "T-shirt", 3.0, "9.00")]
            .into_iter()
            .map(|(sku, name, quantity, price)| pb::LineItem {
                sku: sku.into(),
                name: name.into(),
                quantity,
                unit_price: price.into(),
            })
            .collect();
    pb::PlaceOrderRequest {
        event_id: format!("{prefix}-{i}"),
        order_id: format!("{prefix}{i}"),
        cart_id: String::new(),
        customer: Some(pb::Customer {
            customer_id: format!("{}", i % 5_000),
            email: format!("buyer{}@example.com", i % 5_000),
            first_name: "Buyer".into(),
            last_name: "Bench".into(),
            phone: String::new(),
        }),
        items,
        total: "79.48".into(),
        status: "pending".into(),
        occur_time: None,
    }
}

/// Sends `total` PlaceOrders with `concurrency` in flight over `channels`; every ack must be new.
async fn drive(
    channels: &[Channel],
    bearer: &Bearer,
    prefix: &str,
    total: usize,
    concurrency: usize,
) -> anyhow::Result<Sample> {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for task in 0..concurrency.clamp(1, total.max(1)) {
        let mut client = SyncServiceClient::with_interceptor(channels[task % channels.len()].clone(), bearer.clone());
        let (next, prefix) = (next.clone(), prefix.to_owned());
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(total / concurrency + 1);
            let mut commits = HashSet::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return anyhow::Ok((latencies, commits));
                }
                let request = place_order(&prefix, i);
                let sent = Instant::now();
                let ack = client.place_order(request).await.context("PlaceOrder")?.into_inner().ack;
                latencies.push(sent.elapsed());
                let ack = ack.context("PlaceOrder answered without an ack")?;
                if ack.duplicate {
                    bail!("event {} was taken as a duplicate", ack.event_id);
                }
                commits.insert(ack.receive_time.map(|t| (t.seconds, t.nanos)));
            }
        });
    }
    let (mut latencies, mut commits) = (Vec::with_capacity(total), HashSet::new());
    while let Some(done) = tasks.join_next().await {
        let (more, times) = done??;
        latencies.extend(more);
        commits.extend(times);
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    Ok(Sample { requests: total, seconds, latencies, commit_times: commits.len() })
}

async fn channels(addr: std::net::SocketAddr, count: usize) -> anyhow::Result<Vec<Channel>> {
    let mut out = Vec::new();
    for _ in 0..count.max(1) {
        out.push(channel(addr).await?);
    }
    Ok(out)
}

pub async fn run(args: IngestBenchArgs) -> anyhow::Result<()> {
    let concurrency = args.concurrency.max(1);
    let bench = Bench::start(EngineConfig::default(), "ingest").await?;
    let bearer = Bearer::new(&bench.store_token)?;

    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let noop_addr = listener.local_addr()?;
    let (stop_noop, stopped) = tokio::sync::oneshot::channel::<()>();
    let noop = tokio::spawn(Server::builder().add_service(SyncServiceServer::new(Noop)).serve_with_incoming_shutdown(
        TcpIncoming::from(listener),
        async {
            let _ = stopped.await;
        },
    ));

    // The no-op side first, so the engine folding the durable side's events cannot slow it.
    let noop_channels = channels(noop_addr, args.channels).await?;
    drive(&noop_channels, &bearer, "nw", args.warmup, concurrency).await?;
    let baseline = drive(&noop_channels, &bearer, "n", args.requests, concurrency).await?;
    let durable_channels = channels(bench.server.addr, args.channels).await?;
    drive(&durable_channels, &bearer, "w", args.warmup, concurrency).await?;
    let durable = drive(&durable_channels, &bearer, "m", args.requests, concurrency).await?;

    let _ = stop_noop.send(());
    noop.await.context("no-op server panicked")??;
    bench.stop().await?;

    let mut table = Table::new("PlaceOrder ingest: durable ack vs no-op handler", "no-op handler", "durable (SQLite)");
    table.row("PlaceOrder requests/s", baseline.rps(), durable.rps(), "req/s");
    table.row("latency p50", baseline.millis(50.0), durable.millis(50.0), "ms");
    table.row("latency p99", baseline.millis(99.0), durable.millis(99.0), "ms");
    table.note(format!(
        "{} requests per side after {} warm-up, {concurrency} in flight over {} HTTP/2 connection(s), client and \
         servers in one process on {} cores. Durable: the real SyncService (store token, validation, event \
         committed to SQLite before the answer), with the engine running (the store has no Salesforce \
         credentials, so it only folds the events into entities). Target: durable ≥ 0.5× the no-op requests/s.",
        args.requests,
        args.warmup,
        args.channels.max(1),
        cores(),
    ));
    table.note(format!(
        "Group commit: the durable acks carry {} distinct commit times (milliseconds), so ≤ {:.1} events per transaction.",
        durable.commit_times,
        durable.requests as f64 / durable.commit_times.max(1) as f64,
    ));
    print!("{}", table.render());
    Ok(())
}
