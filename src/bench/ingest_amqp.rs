//! `forcesync bench ingest --transport amqp`: PlaceOrder events per second
//! into the durable intake through RabbitMQ queue mode against gRPC
//! SubmitEvents, in the same run, on the same server (SQLite, engine
//! folding), with the same events: one and `--batch` events per message or
//! request. gRPC: `--concurrency` requests in flight, each answered once
//! committed. RabbitMQ: one publisher with confirms (up to [`CONFIRM_WINDOW`]
//! unconfirmed, persistent messages), the consumer with `--amqp-prefetch`;
//! the clock stops when the last event is committed.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, ExchangeDeleteOptions, QueueDeleteOptions};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Connection, ConnectionProperties};
use prost::Message as _;
use tokio::task::JoinSet;

use crate::amqp::{AmqpConfig, Topology, headers};
use crate::domain::settings::{QueueMode, StoreSettings};
use crate::engine::EngineConfig;
use crate::pb::sync_service_client::SyncServiceClient;
use crate::pb::{self, sync_event::Event};
use crate::server::RunningServer;
use crate::storage::Actor;

use super::Table;
use super::harness::{Bearer, ScratchDir, channel, cores, serve_config};
use super::ingest::{IngestBenchArgs, place_order};

/// Published messages not yet confirmed by the broker, at most.
pub const CONFIRM_WINDOW: usize = 1_000;
/// How long the intake may take to commit what was published before the bench gives up.
const COMMIT_LIMIT: Duration = Duration::from_secs(300);

#[derive(Debug, clap::Args)]
pub struct AmqpBenchArgs {
    /// The broker for `--transport amqp`.
    #[arg(
        long,
        env = "FORCESYNC_AMQP_URL",
        default_value = "amqp://guest:guest@127.0.0.1:5672/%2f",
        hide_env_values = true
    )]
    pub amqp_url: String,
    /// Events per message (and per SubmitEvents request) in the batched rows.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub batch: u16,
    /// Unacknowledged messages the consumer takes at once (serve's --amqp-prefetch).
    #[arg(long, default_value_t = crate::amqp::DEFAULT_PREFETCH)]
    pub amqp_prefetch: u16,
}

/// A whole server with store `bench` in RabbitMQ queue mode.
struct Side {
    server: RunningServer,
    token: String,
    _dir: ScratchDir,
}

impl Side {
    async fn start(args: &IngestBenchArgs, amqp: Option<AmqpConfig>, label: &str) -> anyhow::Result<Self> {
        let dir = ScratchDir::new(label)?;
        let engine = EngineConfig { poll: Duration::from_millis(args.engine_poll_ms), ..EngineConfig::default() };
        let mut config = serve_config(&dir, None, engine)?;
        config.amqp = amqp;
        let server = crate::server::start(config, std::future::pending()).await?;
        let settings = StoreSettings { queue_mode: QueueMode::RabbitMq, ..StoreSettings::default() };
        let (_, issued) = server.storage.create_store("bench", "Bench", &settings, &Actor::Cli).await?;
        if let Some(amqp) = server.amqp() {
            tokio::time::timeout(Duration::from_secs(30), amqp.consuming(1))
                .await
                .context("the RabbitMQ consumer did not start (is the broker at --amqp-url running?)")?;
        }
        Ok(Self { server, token: issued.token.expose().to_owned(), _dir: dir })
    }

    /// Waits until `events` events are committed.
    async fn committed(&self, events: usize) -> anyhow::Result<()> {
        let started = Instant::now();
        while usize::try_from(self.server.storage.received_events().await?).unwrap_or_default() < events {
            if started.elapsed() > COMMIT_LIMIT {
                bail!("the intake did not commit {events} events within {COMMIT_LIMIT:?}");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Ok(())
    }
}

/// `count` events from number `first` on, `batch` per request, as SubmitEvents bodies.
fn requests(prefix: &str, first: usize, count: usize, batch: usize) -> Vec<pb::SubmitEventsRequest> {
    let numbers: Vec<usize> = (first..first + count).collect();
    numbers
        .chunks(batch.max(1))
        .map(|chunk| pb::SubmitEventsRequest {
            events: chunk
                .iter()
                .map(|i| pb::SyncEvent { event: Some(Event::Order(place_order(prefix, *i))) })
                .collect(),
        })
        .collect()
}

/// Sends `requests` over gRPC with `concurrency` in flight; every event must be new.
async fn send_grpc(args: &IngestBenchArgs, side: &Side, requests: Vec<pb::SubmitEventsRequest>) -> anyhow::Result<()> {
    let requests = Arc::new(requests);
    let next = Arc::new(AtomicUsize::new(0));
    let bearer = Bearer::new(&side.token)?;
    let mut channels = Vec::new();
    for _ in 0..args.channels.max(1) {
        channels.push(channel(side.server.addr).await?);
    }
    let mut tasks = JoinSet::new();
    for task in 0..args.concurrency.max(1) {
        let channel = channels[task % channels.len()].clone();
        let mut client = SyncServiceClient::with_interceptor(channel, bearer.clone());
        let (requests, next) = (requests.clone(), next.clone());
        tasks.spawn(async move {
            loop {
                let Some(request) = requests.get(next.fetch_add(1, Ordering::Relaxed)) else { return anyhow::Ok(()) };
                let acks = client.submit_events(request.clone()).await.context("SubmitEvents")?.into_inner().acks;
                if acks.len() != request.events.len() || acks.iter().any(|ack| ack.duplicate) {
                    bail!("SubmitEvents did not take every event as new");
                }
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(())
}

/// gRPC SubmitEvents: events per second.
async fn grpc(args: &IngestBenchArgs, batch: usize) -> anyhow::Result<f64> {
    let side = Side::start(args, None, "ingest-grpc").await?;
    send_grpc(args, &side, requests("gw", 0, args.warmup, batch)).await?;
    let started = Instant::now();
    send_grpc(args, &side, requests("g", 0, args.requests, batch)).await?;
    let seconds = started.elapsed().as_secs_f64();
    side.committed(args.warmup + args.requests).await?;
    side.server.shutdown().await?;
    Ok(args.requests as f64 / seconds.max(f64::EPSILON))
}

/// A confirming publisher on the bench's own exchange.
struct Publisher {
    connection: Connection,
    channel: lapin::Channel,
    topology: Topology,
}

impl Publisher {
    async fn connect(url: &str, topology: Topology) -> anyhow::Result<Self> {
        let connection =
            Connection::connect(url, ConnectionProperties::default()).await.context("connect to --amqp-url")?;
        let channel = connection.create_channel().await?;
        channel.confirm_select(ConfirmSelectOptions::default()).await?;
        Ok(Self { connection, channel, topology })
    }

    /// Publishes every request as a persistent message, keeping up to [`CONFIRM_WINDOW`] unconfirmed.
    async fn publish(&self, token: &str, requests: &[pb::SubmitEventsRequest]) -> anyhow::Result<()> {
        let mut headers = FieldTable::default();
        headers.insert(headers::TOKEN_HEADER.into(), AMQPValue::LongString(token.into()));
        let properties = BasicProperties::default().with_headers(headers).with_delivery_mode(2);
        let mut pending = VecDeque::with_capacity(CONFIRM_WINDOW);
        for request in requests {
            let exchange = self.topology.exchange.as_str().into();
            let body = request.encode_to_vec();
            let confirm = self
                .channel
                .basic_publish(
                    exchange,
                    "store.bench".into(),
                    BasicPublishOptions::default(),
                    &body,
                    properties.clone(),
                )
                .await?;
            pending.push_back(confirm);
            if pending.len() >= CONFIRM_WINDOW
                && let Some(oldest) = pending.pop_front()
            {
                confirmed(oldest.await?)?;
            }
        }
        for confirm in pending {
            confirmed(confirm.await?)?;
        }
        Ok(())
    }

    /// Deletes the bench's queues and exchanges and disconnects.
    async fn remove(self) -> anyhow::Result<()> {
        let t = &self.topology;
        for queue in [&t.queue, &t.dead_letter_queue] {
            self.channel.queue_delete(queue.as_str().into(), QueueDeleteOptions::default()).await?;
        }
        for exchange in [&t.exchange, &t.dead_letter_exchange] {
            self.channel.exchange_delete(exchange.as_str().into(), ExchangeDeleteOptions::default()).await?;
        }
        self.connection.close(200, "bench done".into()).await?;
        Ok(())
    }
}

fn confirmed(confirmation: lapin::Confirmation) -> anyhow::Result<()> {
    if confirmation.is_ack() { Ok(()) } else { bail!("the broker refused a message: {confirmation:?}") }
}

/// RabbitMQ queue mode: events per second, and how long publishing alone took.
async fn amqp(args: &IngestBenchArgs, batch: usize) -> anyhow::Result<(f64, Duration)> {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
    let prefix = format!("forcesync-bench-{}-{nanos}", std::process::id());
    let config = AmqpConfig {
        prefix: prefix.clone(),
        prefetch: args.amqp.amqp_prefetch,
        ..AmqpConfig::new(&args.amqp.amqp_url)
    };
    let side = Side::start(args, Some(config), "ingest-amqp").await?;
    let publisher = Publisher::connect(&args.amqp.amqp_url, Topology::new(&prefix)).await?;
    publisher.publish(&side.token, &requests("aw", 0, args.warmup, batch)).await?;
    side.committed(args.warmup).await?;
    let started = Instant::now();
    publisher.publish(&side.token, &requests("a", 0, args.requests, batch)).await?;
    let published = started.elapsed();
    side.committed(args.warmup + args.requests).await?;
    let seconds = started.elapsed().as_secs_f64();
    side.server.shutdown().await?;
    publisher.remove().await?;
    Ok((args.requests as f64 / seconds.max(f64::EPSILON), published))
}

pub async fn run(args: &IngestBenchArgs) -> anyhow::Result<()> {
    let batch = usize::from(args.amqp.batch);
    let mut table =
        Table::new("PlaceOrder events into the durable intake: RabbitMQ vs gRPC", "gRPC SubmitEvents", "RabbitMQ");
    let mut published = Vec::new();
    for per in [1, batch] {
        let grpc = grpc(args, per).await?;
        let (amqp, publishing) = amqp(args, per).await?;
        table.row(&format!("events/s, {per} per request/message"), grpc, amqp, "ev/s");
        published.push((per, publishing));
    }
    table.note(format!(
        "{} PlaceOrder events per side after {} warm-up, each a new order and event id; the whole server on SQLite \
         (engine folding, no Salesforce credentials) on {} cores, with RabbitMQ, client and server on the same machine. \
         gRPC: {} SubmitEvents requests in flight over {} HTTP/2 connection(s), each answered after commit. RabbitMQ: one publisher with confirms \
         (≤ {CONFIRM_WINDOW} unconfirmed, persistent messages), the consumer with prefetch {}; the clock stops when \
         the last event is committed.",
        args.requests,
        args.warmup,
        cores(),
        args.concurrency.max(1),
        args.channels.max(1),
        args.amqp.amqp_prefetch,
    ));
    for (per, publishing) in published {
        table.note(format!("Publishing alone, {per} per message: {} ms.", publishing.as_millis()));
    }
    print!("{}", table.render());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_carry_every_event_once_in_batches() {
        let batches = requests("x", 5, 23, 10);
        let sizes: Vec<usize> = batches.iter().map(|r| r.events.len()).collect();
        assert_eq!(sizes, [10, 10, 3]);
        let ids: Vec<String> = batches
            .iter()
            .flat_map(|r| &r.events)
            .filter_map(|e| match &e.event {
                Some(Event::Order(order)) => Some(order.event_id.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(ids.len(), 23);
        assert_eq!((ids[0].as_str(), ids[22].as_str()), ("x-5", "x-27"));
    }
}
