//! `forcesync bench ingest`: PlaceOrder requests per second with a durable
//! ack (the real SyncService on SQLite: auth, validation, group commit)
//! against a no-op SyncService ([`super::noop`]) in the same process, same
//! client, same concurrency, over real TCP; latency p50/p99. The durable side
//! runs twice: the SyncService and its intake writer alone, then the whole
//! server with the engine folding the events, so the table shows what each costs.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Args;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tonic::transport::Channel;

use crate::api::{StoreTokenLayer, SyncApi, TokenStores};
use crate::domain::settings::StoreSettings;
use crate::engine::EngineConfig;
use crate::pb;
use crate::pb::sync_service_client::SyncServiceClient;
use crate::pb::sync_service_server::SyncServiceServer;
use crate::storage::sync::Intake;
use crate::storage::{Actor, Storage};

use super::cpu::{CpuClock, CpuUsed};
use super::harness::{Bearer, Bench, ScratchDir, channel, percentile};
use super::noop::{Noop, Served};

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
    /// How often idle engine workers look for due work, in milliseconds (the engine's default: 100).
    #[arg(long, default_value_t = 100)]
    pub engine_poll_ms: u64,
    /// Measure only the SyncService and its intake, not the whole server with its engine.
    #[arg(long)]
    pub skip_server: bool,
    /// Also measure the whole server on this PostgreSQL database (in a scratch schema, dropped afterwards).
    #[arg(long)]
    pub database_url: Option<String>,
    /// Rounds of all sides, one after the other; the table shows each side's median round, so a
    /// burst of other work on the machine moves one round, not the result.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// `amqp`: events per second through RabbitMQ queue mode against gRPC SubmitEvents instead (see `ingest_amqp.rs`).
    #[arg(long, value_enum, default_value_t = Transport::Grpc)]
    pub transport: Transport,
    #[command(flatten)]
    pub amqp: super::ingest_amqp::AmqpBenchArgs,
}

/// What `bench ingest` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Transport {
    /// PlaceOrder with a durable ack against a no-op handler.
    Grpc,
    /// RabbitMQ queue mode against gRPC SubmitEvents.
    Amqp,
}

/// Every side measured once, one after the other.
#[derive(Debug)]
pub(super) struct Round {
    pub(super) baseline: Sample,
    pub(super) intake: Sample,
    pub(super) sqlite: Option<ServerSample>,
    pub(super) postgres: Option<ServerSample>,
}

impl Round {
    pub(super) fn server_rps(&self, postgres: bool) -> Option<f64> {
        let server = if postgres { &self.postgres } else { &self.sqlite };
        server.as_ref().map(|server| server.sample.rps())
    }
}

/// The whole server's run: its requests, then how far folding was behind.
#[derive(Debug)]
pub(super) struct ServerSample {
    pub(super) sample: Sample,
    /// Events received but not yet folded when the last request was answered.
    pub(super) unfolded: i64,
    /// From the last answer until every event was folded.
    pub(super) caught_up: Duration,
}

/// How long folding may take to catch up before the bench gives up.
const CATCH_UP_LIMIT: Duration = Duration::from_secs(300);

/// What one measured phase saw.
#[derive(Debug)]
pub(super) struct Sample {
    pub(super) requests: usize,
    pub(super) seconds: f64,
    /// Sorted.
    latencies: Vec<Duration>,
    /// Distinct commit times among the acks (events committed together share one).
    pub(super) commit_times: usize,
    /// The CPU the whole process used meanwhile (client and server), where Linux says.
    cpu: Option<CpuUsed>,
}

impl Sample {
    pub(super) fn rps(&self) -> f64 {
        self.requests as f64 / self.seconds.max(f64::EPSILON)
    }

    pub(super) fn millis(&self, p: f64) -> f64 {
        percentile(&self.latencies, p).as_secs_f64() * 1000.0
    }

    /// Microseconds of CPU per request, client's and server's together.
    pub(super) fn cpu_micros(&self) -> Option<f64> {
        Some(self.per_request_micros(self.cpu?.process))
    }

    /// Microseconds of the intake writer thread's CPU per request.
    pub(super) fn writer_micros(&self) -> Option<f64> {
        Some(self.per_request_micros(self.cpu?.writer?))
    }

    fn per_request_micros(&self, cpu: Duration) -> f64 {
        cpu.as_secs_f64() * 1e6 / self.requests.max(1) as f64
    }

    /// Cores busy on average: CPU time over wall time.
    pub(super) fn cores_busy(&self) -> Option<f64> {
        Some(self.cpu?.process.as_secs_f64() / self.seconds.max(f64::EPSILON))
    }
}

/// A new order per request: new event id, new order id, one customer, 3 items.
pub(super) fn place_order(prefix: &str, i: usize) -> pb::PlaceOrderRequest {
    let items =
        [("WB-01", "Water bottle", 2.0, "19.99"), ("CAP-7", "Cap", 1.0, "12.50"), ("TEE-3", "T-shirt", 3.0, "9.00")]
            .into_iter()
            .map(|(sku, name, quantity, price)| pb::LineItem {
                sku: sku.into(),
                name: name.into(),
                quantity,
                unit_price: price.into(),
                ..Default::default()
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
            ..Default::default()
        }),
        items,
        total: "79.48".into(),
        status: "pending".into(),
        occur_time: None,
        ..Default::default()
    }
}

/// Sends `total` PlaceOrders with `concurrency` in flight over `channels`; every ack must be new.
pub(super) async fn drive(
    channels: &[Channel],
    bearer: &Bearer,
    prefix: &str,
    total: usize,
    concurrency: usize,
) -> anyhow::Result<Sample> {
    let next = Arc::new(AtomicUsize::new(0));
    let cpu_at_start = CpuClock::read();
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
    let cpu = cpu_at_start.zip(CpuClock::read()).map(|(start, end)| start.until(&end));
    latencies.sort_unstable();
    Ok(Sample { requests: total, seconds, latencies, commit_times: commits.len(), cpu })
}

pub(super) async fn channels(addr: std::net::SocketAddr, count: usize) -> anyhow::Result<Vec<Channel>> {
    let mut out = Vec::new();
    for _ in 0..count.max(1) {
        out.push(channel(addr).await?);
    }
    Ok(out)
}

/// Warm-up, then the measured requests, against `addr`.
async fn measure(
    args: &IngestBenchArgs,
    addr: std::net::SocketAddr,
    token: &str,
    side: &str,
) -> anyhow::Result<Sample> {
    let channels = channels(addr, args.channels).await?;
    let bearer = Bearer::new(token)?;
    let concurrency = args.concurrency.max(1);
    drive(&channels, &bearer, &format!("{side}w"), args.warmup, concurrency).await?;
    drive(&channels, &bearer, side, args.requests, concurrency).await
}

/// The SyncService and its intake writer on a fresh SQLite database, no engine.
async fn intake_only(args: &IngestBenchArgs) -> anyhow::Result<Sample> {
    let dir = ScratchDir::new("intake")?;
    let storage = Storage::connect(&Storage::default_sqlite_url(&dir.0)).await?;
    storage.migrate().await?;
    let (_, issued) = storage.create_store("intake", "Intake", &StoreSettings::default(), &Actor::Cli).await?;
    let intake = Intake::start(storage.clone(), Arc::new(Notify::new()));
    let service = SyncServiceServer::new(SyncApi::new(storage.clone(), intake))
        .max_decoding_message_size(crate::api::MAX_REQUEST_BYTES);
    let tokens = StoreTokenLayer::new(TokenStores::new(storage.clone()));
    let served = Served::start(service, Some(tokens)).await?;
    let sample = measure(args, served.addr, issued.token.expose(), "i").await?;
    served.stop().await?;
    storage.close().await;
    Ok(sample)
}

/// The whole server (intake, folder, workers) on SQLite or the PostgreSQL `database_url`; then waits
/// until the folder has applied every received event.
async fn whole_server(args: &IngestBenchArgs, database_url: Option<&str>) -> anyhow::Result<ServerSample> {
    let engine = EngineConfig { poll: Duration::from_millis(args.engine_poll_ms), ..EngineConfig::default() };
    let bench = Bench::start(engine, "ingest", database_url).await?;
    let sample = measure(args, bench.server.addr, &bench.store_token, "m").await?;
    let storage = &bench.server.storage;
    let unfolded = storage.unapplied_events().await?;
    let answered = Instant::now();
    while storage.unapplied_events().await? > 0 {
        if answered.elapsed() > CATCH_UP_LIMIT {
            bail!("folding did not catch up within {CATCH_UP_LIMIT:?}");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let caught_up = answered.elapsed();
    bench.stop().await?;
    Ok(ServerSample { sample, unfolded, caught_up })
}

/// One round: the no-op side first (so no engine folding earlier events can slow it), then each durable side.
async fn round(args: &IngestBenchArgs) -> anyhow::Result<Round> {
    let noop = Served::start(SyncServiceServer::new(Noop), None).await?;
    let baseline = measure(args, noop.addr, "any-token", "n").await?;
    noop.stop().await?;
    let intake = intake_only(args).await?;
    let (sqlite, postgres) = if args.skip_server {
        (None, None)
    } else {
        let sqlite = whole_server(args, None).await?;
        let postgres = match &args.database_url {
            Some(url) => Some(whole_server(args, Some(url)).await?),
            None => None,
        };
        (Some(sqlite), postgres)
    };
    Ok(Round { baseline, intake, sqlite, postgres })
}

pub async fn run(args: IngestBenchArgs) -> anyhow::Result<()> {
    if args.transport == Transport::Amqp {
        return super::ingest_amqp::run(&args).await;
    }
    let mut rounds = Vec::new();
    for _ in 0..args.rounds.max(1) {
        rounds.push(round(&args).await?);
    }
    print!("{}", super::ingest_table::render(&args, &rounds)?);
    Ok(())
}
