//! One connection's life: connect, declare the topology, consume the intake
//! queue with a bounded prefetch, and settle every message after its
//! verdict: ack once committed, dead-letter (publish the copy with its
//! reason, wait for the broker's confirm, then ack) when it can never be
//! accepted, put back after [`RETRY_DELAY`] when the database cannot take it
//! now. Messages are judged concurrently (up to the prefetch), so their
//! events share the intake's group commits.

use std::time::Duration;

use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicCancelOptions, BasicConsumeOptions, BasicNackOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions,
};
use lapin::types::{FieldTable, ShortString};
use lapin::{Channel, Connection, ConnectionProperties};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_stream::StreamExt as _;

use super::verdict::{Judge, Rejection, Verdict};
use super::{AmqpConfig, AmqpState, SHUTDOWN_GRACE, Topology, headers};

/// How long a message the database could not take waits before it goes back to the queue.
pub const RETRY_DELAY: Duration = Duration::from_secs(1);

/// How a session ended.
#[derive(Debug)]
pub enum Ended {
    /// Shutdown was asked for.
    Stopped,
    /// The broker or the network ended it; reconnect.
    Lost(String),
}

/// Connects and consumes until shutdown or until the connection is lost.
pub async fn session(
    config: &AmqpConfig,
    judge: &Judge,
    stop: &mut watch::Receiver<bool>,
    report: &watch::Sender<AmqpState>,
) -> Result<Ended, lapin::Error> {
    let name = format!("forcesync {} (pid {})", config.prefix, std::process::id());
    let properties = ConnectionProperties::default().with_connection_name(name.into());
    let connection = Connection::connect(&config.url, properties).await?;
    let channel = connection.create_channel().await?;
    let topology = Topology::new(&config.prefix);
    topology.declare(&channel).await?;
    channel.basic_qos(config.prefetch, BasicQosOptions::default()).await?;
    channel.confirm_select(ConfirmSelectOptions::default()).await?;
    let queue = topology.queue.as_str().into();
    let mut consumer =
        channel.basic_consume(queue, "".into(), BasicConsumeOptions::default(), FieldTable::default()).await?;
    report.send_modify(|state| {
        state.sessions += 1;
        state.consuming = true;
    });
    tracing::info!(broker = %config.redacted_url(), queue = %topology.queue, prefetch = config.prefetch,
        "consuming store events from RabbitMQ");
    let mut tasks = JoinSet::new();
    let ended = loop {
        tokio::select! {
            changed = stop.changed() => {
                if changed.is_err() || *stop.borrow() {
                    break Ended::Stopped;
                }
            }
            Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            delivery = consumer.next() => match delivery {
                Some(Ok(delivery)) => {
                    let (channel, judge) = (channel.clone(), judge.clone());
                    let dlx = topology.dead_letter_exchange.clone();
                    tasks.spawn(async move { settle(delivery, &channel, &judge, &dlx).await });
                }
                Some(Err(error)) => break Ended::Lost(error.to_string()),
                None => break Ended::Lost("the broker cancelled the consumer".into()),
            },
        }
    };
    report.send_modify(|state| state.consuming = false);
    match &ended {
        Ended::Stopped => {
            // Take nothing new, let what is being committed be acknowledged, then close: the broker requeues the rest.
            let _ = channel.basic_cancel(consumer.tag(), BasicCancelOptions::default()).await;
            let _ = tokio::time::timeout(SHUTDOWN_GRACE, async { while tasks.join_next().await.is_some() {} }).await;
            tasks.abort_all();
            let _ = connection.close(200, "forcesync is shutting down".into()).await;
        }
        // Messages being judged can no longer be settled on this connection;
        // the broker redelivers them and the intake takes them as duplicates.
        Ended::Lost(_) => tasks.detach_all(),
    }
    Ok(ended)
}

/// Judges one message and settles it. A message that cannot be settled (the connection is gone) is redelivered.
async fn settle(delivery: Delivery, channel: &Channel, judge: &Judge, dead_letter_exchange: &str) {
    let settled = match judge.judge(&delivery.properties, &delivery.data).await {
        Verdict::Accepted { store, events, duplicates } => {
            tracing::debug!(%store, events, duplicates, redelivered = delivery.redelivered,
                "RabbitMQ message committed");
            delivery.acker.ack(BasicAckOptions::default()).await
        }
        Verdict::Rejected(rejection) => dead_letter(&delivery, channel, judge, dead_letter_exchange, &rejection).await,
        Verdict::Retry(why) => {
            tracing::warn!(%why, "a RabbitMQ message goes back to the queue");
            tokio::time::sleep(RETRY_DELAY).await;
            delivery.acker.nack(BasicNackOptions { requeue: true, multiple: false }).await
        }
    };
    if let Err(error) = settled {
        tracing::info!(%error, "could not settle a RabbitMQ message; the broker delivers it again");
    }
}

/// Publishes the message to the dead-letter exchange with its reason and,
/// once the broker confirms the copy, acknowledges the original.
async fn dead_letter(
    delivery: &Delivery,
    channel: &Channel,
    judge: &Judge,
    dead_letter_exchange: &str,
    rejection: &Rejection,
) -> Result<bool, lapin::Error> {
    let store = rejection.store.as_ref().map(|s| s.code.as_str());
    let properties =
        headers::dead_letter_properties(&delivery.properties, rejection.reason.code(), &rejection.detail, store);
    let options = BasicPublishOptions::default();
    let exchange = dead_letter_exchange.into();
    let routing_key = delivery.routing_key.clone();
    let confirmation = channel.basic_publish(exchange, routing_key, options, &delivery.data, properties).await?.await?;
    if !confirmation.is_ack() {
        tracing::warn!("the broker refused a dead-lettered copy; the message goes back to the queue");
        return delivery.acker.nack(BasicNackOptions { requeue: true, multiple: false }).await;
    }
    let acked = delivery.acker.ack(BasicAckOptions::default()).await?;
    let message_id = delivery.properties.message_id().as_ref().map(ShortString::as_str);
    judge.record(rejection, message_id, delivery.routing_key.as_str()).await;
    Ok(acked)
}
