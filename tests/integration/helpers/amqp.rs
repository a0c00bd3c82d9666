//! RabbitMQ for tests: when FORCESYNC_TEST_AMQP holds a broker URL, each
//! caller gets exchange and queue names of its own (a unique prefix, so tests
//! run in parallel on one vhost), a server consuming them, and a publisher.
//! Without it, each caller says on stderr that it was skipped.

use std::time::Duration;

use forcesync::amqp::{AmqpConfig, Topology, headers};
use forcesync::pb;
use lapin::options::{
    BasicAckOptions, BasicGetOptions, BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable};
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use prost::Message as _;

use super::sandbox::spawn_sandbox;
use super::sync::SyncSetup;
use super::{TestApp, connect, logs, serve_config};

/// Longest wait for the broker or the consumer; tests go on as soon as the outcome is there.
const PATIENCE: Duration = Duration::from_secs(60);

/// A test's own names on the broker, and a confirming publisher.
pub struct Broker {
    pub url: String,
    pub prefix: String,
    pub topology: Topology,
    connection: Connection,
    channel: Channel,
}

/// A message taken from the dead-letter queue.
#[derive(Debug)]
pub struct DeadLetter {
    pub properties: BasicProperties,
    pub body: Vec<u8>,
}

impl DeadLetter {
    pub fn header(&self, name: &str) -> Option<String> {
        headers::text(&self.properties, name)
    }
}

impl Broker {
    /// A broker with fresh names, or `None` (said on stderr) when FORCESYNC_TEST_AMQP is not set.
    pub async fn new() -> Option<Broker> {
        let Some(url) = std::env::var("FORCESYNC_TEST_AMQP").ok().filter(|url| !url.is_empty()) else {
            say_skipped();
            return None;
        };
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
        let random = forcesync::domain::token::new_token_id().expect("random")[4..].to_lowercase();
        let prefix = format!("fs-test-{now}-{random}");
        let connection =
            Connection::connect(&url, ConnectionProperties::default()).await.expect("connect to FORCESYNC_TEST_AMQP");
        STALE_REMOVED.get_or_init(|| remove_stale(&connection, now)).await;
        let channel = connection.create_channel().await.expect("channel");
        channel.confirm_select(ConfirmSelectOptions::default()).await.expect("confirm mode");
        let topology = Topology::new(&prefix);
        Some(Broker { url, prefix, topology, connection, channel })
    }

    /// forcesync's configuration for these names.
    pub fn config(&self) -> AmqpConfig {
        AmqpConfig { prefix: self.prefix.clone(), ..AmqpConfig::new(self.url.clone()) }
    }

    /// Publishes `body` to the events exchange with `token` in the token header, and waits for the broker's confirm.
    pub async fn publish(&self, token: Option<&str>, message_id: &str, body: &[u8]) {
        let mut table = FieldTable::default();
        if let Some(token) = token {
            table.insert(headers::TOKEN_HEADER.into(), AMQPValue::LongString(token.into()));
        }
        table.insert("magento-topic".into(), AMQPValue::LongString("forcesync.events".into()));
        let properties = BasicProperties::default()
            .with_headers(table)
            .with_message_id(message_id.into())
            .with_content_type("application/x-protobuf".into())
            .with_delivery_mode(2);
        let exchange = self.topology.exchange.as_str().into();
        let options = BasicPublishOptions { mandatory: true, ..Default::default() };
        let confirm = self.channel.basic_publish(exchange, "store.main".into(), options, body, properties).await;
        let confirm = confirm.expect("publish").await.expect("confirm");
        assert!(confirm.is_ack(), "the broker took the message: {confirm:?}");
    }

    /// Publishes `events` as one SubmitEventsRequest.
    pub async fn publish_events(&self, token: &str, message_id: &str, events: Vec<pb::SyncEvent>) {
        let body = pb::SubmitEventsRequest { events }.encode_to_vec();
        self.publish(Some(token), message_id, &body).await;
    }

    /// Messages ready in `queue` (not delivered, or delivered and put back).
    pub async fn ready(&self, queue: &str) -> u32 {
        let passive = QueueDeclareOptions { passive: true, ..Default::default() };
        let declared = self.channel.queue_declare(queue.into(), passive, FieldTable::default()).await;
        declared.expect("the queue exists").message_count()
    }

    /// Polls until `queue` holds `count` ready messages.
    pub async fn until_ready(&self, queue: &str, count: u32) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while self.ready(queue).await != count {
            assert!(tokio::time::Instant::now() < deadline, "{queue} never held {count} ready messages");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Takes one message from `queue` (acknowledged), waiting for it. The
    /// queue is declared first (durable), as a consumer does: declaring what exists is a no-op.
    pub async fn take(&self, queue: &str) -> DeadLetter {
        let durable = QueueDeclareOptions { durable: true, ..Default::default() };
        self.channel.queue_declare(queue.into(), durable, FieldTable::default()).await.expect("declare");
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            if let Some(message) = self.channel.basic_get(queue.into(), BasicGetOptions::default()).await.expect("get")
            {
                let delivery = message.delivery;
                delivery.acker.ack(BasicAckOptions::default()).await.expect("ack");
                return DeadLetter { properties: delivery.properties, body: delivery.data };
            }
            assert!(tokio::time::Instant::now() < deadline, "nothing arrived in {queue}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Takes `count` messages from the dead-letter queue, waiting for them; then checks none is left.
    pub async fn dead_letters(&self, count: usize) -> Vec<DeadLetter> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let mut taken = Vec::new();
        let queue = self.topology.dead_letter_queue.as_str();
        while taken.len() < count {
            match self.channel.basic_get(queue.into(), BasicGetOptions::default()).await.expect("basic.get") {
                Some(message) => {
                    let delivery = message.delivery;
                    delivery.acker.ack(BasicAckOptions::default()).await.expect("ack");
                    taken.push(DeadLetter { properties: delivery.properties, body: delivery.data });
                }
                None => {
                    assert!(
                        tokio::time::Instant::now() < deadline,
                        "{} of {count} dead letters: {taken:?}",
                        taken.len()
                    );
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
        assert_eq!(self.ready(queue).await, 0, "no more dead letters than {count}");
        taken
    }

    /// Deletes this test's queues and exchanges.
    pub async fn remove(self) {
        let t = &self.topology;
        for queue in [&t.queue, &t.dead_letter_queue, &t.changes_queue("main")] {
            let _ = self.channel.queue_delete(queue.as_str().into(), QueueDeleteOptions::default()).await;
        }
        for exchange in [&t.exchange, &t.dead_letter_exchange] {
            let _ = self.channel.exchange_delete(exchange.as_str().into(), Default::default()).await;
        }
        let _ = self.connection.close(200, "test done".into()).await;
    }

    /// Closes, from the broker's side, every connection forcesync opened for these names (`rabbitmqctl`).
    pub async fn close_forcesync_connections(&self) -> usize {
        // One line per connection: its pid (`<rabbit@host.1581.0>`), a tab, its client properties.
        let listed = rabbitmqctl(&["list_connections", "pid", "client_properties"]).await;
        let name = format!("forcesync {} ", self.prefix);
        let mut closed = 0;
        for line in listed.lines().filter(|line| line.contains(&name)) {
            let pid = line.split('\t').next().expect("connection pid");
            rabbitmqctl(&["close_connection", pid, "closed by a forcesync test"]).await;
            closed += 1;
        }
        closed
    }
}

/// Set once this process has removed what earlier test runs left behind.
static STALE_REMOVED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();

/// Deletes test queues and exchanges (`fs-test-<unix seconds>-…`) made more than an hour before `now`
/// (a failed test leaves its names behind).
async fn remove_stale(connection: &Connection, now: u64) {
    let stale = |name: &&str| {
        let created = name.strip_prefix("fs-test-").and_then(|rest| rest.split('-').next()?.parse::<u64>().ok());
        name.starts_with("fs-test-") && created.is_none_or(|t| t + 3600 < now)
    };
    let channel = connection.create_channel().await.expect("channel");
    let queues = rabbitmqctl(&["list_queues", "name"]).await;
    for queue in queues.lines().map(str::trim).filter(stale) {
        let _ = channel.queue_delete(queue.into(), QueueDeleteOptions::default()).await;
    }
    let exchanges = rabbitmqctl(&["list_exchanges", "name"]).await;
    for exchange in exchanges.lines().map(str::trim).filter(stale) {
        let _ = channel.exchange_delete(exchange.into(), Default::default()).await;
    }
    let _ = channel.close(200, "stale test names removed".into()).await;
}

/// Runs rabbitmqctl and returns what it printed.
async fn rabbitmqctl(args: &[&str]) -> String {
    let args: Vec<String> = args.iter().map(|arg| (*arg).to_owned()).collect();
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new("rabbitmqctl").arg("-q").args(&args).output().map(|output| (args, output))
    });
    let (args, output) = output.await.expect("rabbitmqctl task").expect("rabbitmqctl runs");
    assert!(output.status.success(), "rabbitmqctl {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A server consuming `broker`'s names on the database at `database_url`
/// (`None`: a new SQLite file in `dir`); returns once the consumer consumes.
pub async fn amqp_server(
    broker: &Broker,
    dir: &std::path::Path,
    database_url: Option<String>,
    engine: forcesync::engine::EngineConfig,
) -> forcesync::server::RunningServer {
    logs::capture();
    let mut config = serve_config(dir, database_url, engine);
    config.amqp = Some(broker.config());
    let server = forcesync::server::start(config, std::future::pending()).await.expect("server starts");
    let amqp = server.amqp().expect("the server consumes RabbitMQ");
    tokio::time::timeout(PATIENCE, amqp.consuming(1)).await.expect("the consumer starts");
    server
}

/// A server consuming `broker`'s names, with store `main` connected to a
/// fresh sandbox and in queue mode `mode`; returns once the consumer consumes.
pub async fn amqp_store(broker: &Broker, engine: forcesync::engine::EngineConfig, mode: pb::QueueMode) -> SyncSetup {
    let dir = tempfile::tempdir().expect("temp dir");
    let server = amqp_server(broker, dir.path(), None, engine).await;
    let database_url = forcesync::storage::Storage::default_sqlite_url(dir.path());
    let app = TestApp { channel: connect(&server).await, server, database_url, dir, process: None };
    let (_, token) = app.create_store("main").await;
    let setup = SyncSetup { app, sandbox: spawn_sandbox().await, token };
    let settings = pb::StoreSettings { queue_mode: mode as i32, ..Default::default() };
    setup.connect(settings, vec!["queue_mode"]).await;
    setup
}

/// Every event the store's SubmitEvents/RabbitMQ intake holds, by id (ListSyncEvents, all pages).
pub async fn received_event_ids(setup: &SyncSetup) -> Vec<String> {
    let mut client = setup.sync();
    let (mut ids, mut page_token) = (Vec::new(), String::new());
    loop {
        let request = pb::ListSyncEventsRequest { page_size: 500, page_token, ..Default::default() };
        let page = client.list_sync_events(request).await.expect("list events").into_inner();
        ids.extend(page.events.into_iter().map(|event| event.event_id));
        if page.next_page_token.is_empty() {
            return ids;
        }
        page_token = page.next_page_token;
    }
}

/// The store's sync log once it has `lines` lines (the consumer writes a
/// dead-lettered message's line after the broker took the copy), newest first.
pub async fn sync_log_of(setup: &SyncSetup, lines: usize) -> Vec<(String, String, String)> {
    let log = super::sync::eventually("the sync log lines", async || {
        let log = sync_log(setup).await;
        (log.len() >= lines).then_some(log)
    })
    .await;
    assert_eq!(log.len(), lines, "{log:?}");
    log
}

/// The store's sync log lines, newest first: (level, entity, message).
pub async fn sync_log(setup: &SyncSetup) -> Vec<(String, String, String)> {
    let storage = &setup.app.server.storage;
    let store_id = storage.store_id("main").await.expect("store id");
    let lines = storage.sync_log(store_id, 100).await.expect("sync log");
    lines.into_iter().map(|(_, level, entity, message)| (level, entity, message)).collect()
}

fn say_skipped() {
    use std::io::Write as _;
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    let _ = writeln!(std::io::stderr(), "skipped: FORCESYNC_TEST_AMQP is not set (RabbitMQ tests need it): {test}");
}
