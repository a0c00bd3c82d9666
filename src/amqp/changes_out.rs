//! In bidirectional mode, a store in RabbitMQ queue mode takes its changes
//! from a queue of its own, `<prefix>.changes.<store code>` (durable), as an
//! alternative to PullChanges. Each change is published as the same
//! `forcesync.v1.Change` protobuf the RPCs return, persistent, with the
//! change id as message id; it counts as delivered and acknowledged only once
//! the broker confirms it (publisher confirms), so a lost connection loses
//! nothing: what was not confirmed is published again after its lease (the
//! store drops a repeated message id). A downloaded order is still
//! acknowledged with its store number through AckChanges.

use std::sync::Arc;
use std::time::{Duration, Instant};

use lapin::options::{BasicPublishOptions, ConfirmSelectOptions, QueueDeclareOptions};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel, Connection, ConnectionProperties};
use prost::Message as _;
use tokio::sync::{Notify, watch};

use crate::api::changes_convert;
use crate::domain::settings::{IntegrationMode, QueueMode};
use crate::storage::Storage;

use super::reconnect::Backoff;
use super::{AmqpConfig, Topology};

/// Changes published per store per round, and how long an unconfirmed one waits before it is published again.
const BATCH: i64 = 100;
const LEASE: Duration = Duration::from_secs(60);
/// How often the stores in RabbitMQ mode are listed again, and the longest wait between rounds.
const STORES_EVERY: Duration = Duration::from_secs(5);
const ROUND_EVERY: Duration = Duration::from_secs(1);

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

/// The bidirectional stores in RabbitMQ queue mode: (id, code).
async fn rabbitmq_stores(storage: &Storage) -> Vec<(i64, String)> {
    let mut found = Vec::new();
    let mut after = String::new();
    loop {
        let Ok(page) = storage.list_stores(&after, 500).await else { return found };
        for store in &page {
            let Ok(settings) = storage.get_settings(&store.code).await else { continue };
            let settings = settings.settings;
            let wanted = settings.queue_mode == QueueMode::RabbitMq
                && settings.integration_mode == IntegrationMode::Bidirectional;
            if wanted && let Ok(id) = storage.store_id(&store.code).await {
                found.push((id, store.code.clone()));
            }
        }
        match page.last() {
            Some(last) if page.len() == 500 => after = last.code.clone(),
            _ => return found,
        }
    }
}

/// Publishes the store's due changes, each confirmed before the next; acknowledges the confirmed ones.
async fn publish_store(
    channel: &Channel,
    storage: &Storage,
    store_id: i64,
    queue: &str,
) -> Result<usize, lapin::Error> {
    let now = chrono::Utc::now().timestamp_millis();
    let pulled = match storage.pull_changes(store_id, BATCH, millis(LEASE), now).await {
        Ok(pulled) => pulled,
        Err(error) => {
            tracing::error!(%error, store_id, "could not read the store's changes; trying again");
            return Ok(0);
        }
    };
    let mut confirmed = None;
    for stored in pulled {
        let id = stored.id;
        let change = match changes_convert::change(stored) {
            Ok(change) => change,
            Err(error) => {
                tracing::error!(%error, change = id, "a stored change could not be read");
                break;
            }
        };
        let properties = BasicProperties::default()
            .with_message_id(id.to_string().into())
            .with_type("forcesync.v1.Change".into())
            .with_content_type("application/x-protobuf".into())
            .with_delivery_mode(2);
        let options = BasicPublishOptions { mandatory: true, ..Default::default() };
        let body = change.encode_to_vec();
        let confirm = channel.basic_publish("".into(), queue.into(), options, &body, properties).await?.await?;
        if !confirm.is_ack() || confirm.take_message().is_some() {
            tracing::warn!(change = id, queue, "the broker did not take a change; it is published again later");
            break;
        }
        confirmed = Some(id);
    }
    let Some(through) = confirmed else { return Ok(0) };
    let now = chrono::Utc::now().timestamp_millis();
    match storage.ack_changes(store_id, through, &[], now).await {
        Ok(acked) => Ok(usize::try_from(acked).unwrap_or_default()),
        Err(error) => {
            tracing::error!(%error, store_id, "published changes not recorded; they are published again");
            Ok(0)
        }
    }
}

/// How a session ended.
enum Ended {
    Stopped,
    /// No store takes its changes from RabbitMQ any more: the connection is closed.
    Idle,
}

/// One connection: publishes until shutdown, until no store needs it, or until the connection fails.
async fn session(
    config: &AmqpConfig,
    storage: &Storage,
    queued: &Notify,
    stop: &mut watch::Receiver<bool>,
    backoff: &mut Backoff,
) -> Result<Ended, lapin::Error> {
    let name = format!("forcesync {} changes (pid {})", config.prefix, std::process::id());
    let connection =
        Connection::connect(&config.url, ConnectionProperties::default().with_connection_name(name.into())).await?;
    let channel = connection.create_channel().await?;
    channel.confirm_select(ConfirmSelectOptions::default()).await?;
    backoff.reset();
    let topology = Topology::new(&config.prefix);
    let (mut stores, mut listed) = (Vec::new(), None::<Instant>);
    let mut declared = std::collections::HashSet::new();
    loop {
        if *stop.borrow() {
            let _ = connection.close(200, "shutting down".into()).await;
            return Ok(Ended::Stopped);
        }
        let signal = queued.notified();
        if listed.is_none_or(|at| at.elapsed() >= STORES_EVERY) {
            stores = rabbitmq_stores(storage).await;
            listed = Some(Instant::now());
            if stores.is_empty() {
                let _ = connection.close(200, "no store takes changes from RabbitMQ".into()).await;
                return Ok(Ended::Idle);
            }
        }
        let mut published = 0;
        for (store_id, code) in &stores {
            let queue = topology.changes_queue(code);
            if declared.insert(queue.clone()) {
                let durable = QueueDeclareOptions { durable: true, ..Default::default() };
                channel.queue_declare(queue.as_str().into(), durable, FieldTable::default()).await?;
            }
            published += publish_store(&channel, storage, *store_id, &queue).await?;
        }
        if published > 0 {
            continue;
        }
        tokio::select! {
            () = signal => {}
            () = tokio::time::sleep(ROUND_EVERY) => {}
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    let _ = connection.close(200, "shutting down".into()).await;
                    return Ok(Ended::Stopped);
                }
            }
        }
    }
}

/// Publishes changes until `stop` turns true, reconnecting with backoff; it
/// holds a connection only while some store takes its changes from RabbitMQ.
pub async fn run(config: AmqpConfig, storage: Storage, queued: Arc<Notify>, mut stop: watch::Receiver<bool>) {
    let mut backoff = Backoff::new();
    loop {
        let wait = if rabbitmq_stores(&storage).await.is_empty() {
            STORES_EVERY
        } else {
            match session(&config, &storage, &queued, &mut stop, &mut backoff).await {
                Ok(Ended::Stopped) => break,
                Ok(Ended::Idle) => STORES_EVERY,
                Err(error) => {
                    let broker = config.redacted_url();
                    tracing::warn!(%error, %broker, "cannot publish changes to RabbitMQ; retrying");
                    backoff.next(super::reconnect::random())
                }
            }
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {}
            _ = stop.wait_for(|stopped| *stopped) => break,
        }
    }
}
