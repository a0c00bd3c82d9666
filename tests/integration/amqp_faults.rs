//! RabbitMQ queue mode under faults (needs FORCESYNC_TEST_AMQP): a message
//! is acknowledged only once its events are committed (a shutdown while the
//! database holds the commit back puts it back in the queue); the broker
//! closing forcesync's connection while messages are being committed loses
//! and duplicates nothing; a message delivered twice has one effect. The
//! engine is stepped, and each test ends with what the sandbox holds.

use forcesync::engine::TestClock;
use forcesync::pb;
use sqlx::Connection as _;

use crate::helpers::amqp::{Broker, amqp_server, amqp_store, received_event_ids};
use crate::helpers::sync::{SyncSetup, eventually, sale_events};
use crate::helpers::{settle, stepped_engine};
use crate::sync_faults::{assert_exact_sales, checkout_event, order_events};

/// Holds SQLite's write lock on the server's database until dropped or rolled back: commits wait.
async fn hold_write_lock(setup: &SyncSetup) -> sqlx::SqliteConnection {
    let mut connection = sqlx::SqliteConnection::connect(&setup.app.database_url).await.expect("open the database");
    sqlx::query("BEGIN IMMEDIATE").execute(&mut connection).await.expect("take the write lock");
    connection
}

async fn stored_events(connection: &mut sqlx::SqliteConnection) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM sync_events").fetch_one(connection).await.expect("count events")
}

/// Syncs everything received, then checks the sandbox holds exactly `sales` paid sales.
async fn synced_exactly(setup: &SyncSetup, clock: &TestClock, sales: u32) {
    let engine = setup.app.server.engine().expect("engine");
    let report = settle(&engine, clock, stepped_engine(clock).retry_max).await;
    assert_eq!(report.parked, 0, "{report:?}");
    assert_exact_sales(setup, sales).await;
}

#[tokio::test]
async fn a_message_is_acknowledged_only_after_its_events_are_committed() {
    let Some(broker) = Broker::new().await else { return };
    let clock = TestClock::ahead_of_wall_clock();
    let setup = amqp_store(&broker, stepped_engine(&clock), pb::QueueMode::Rabbitmq).await;
    let queue = broker.topology.queue.clone();
    let mut lock = hold_write_lock(&setup).await;
    broker.publish_events(&setup.token, "sale", sale_events()).await;
    broker.until_ready(&queue, 0).await;

    // The consumer holds the message while its commit waits; stopping it now must give the message back.
    let SyncSetup { app, sandbox, token } = setup;
    let crate::helpers::TestApp { server, dir, database_url, .. } = app;
    let stopping = tokio::spawn(server.shutdown());
    broker.until_ready(&queue, 1).await;
    assert_eq!(stored_events(&mut lock).await, 0, "nothing was committed, and the message is back in the queue");
    sqlx::query("ROLLBACK").execute(&mut lock).await.expect("release the lock");
    stopping.await.expect("shutdown task").expect("clean shutdown");

    // Started again on the same database, forcesync takes the message, commits it, and only then acknowledges it.
    let server = amqp_server(&broker, dir.path(), Some(database_url.clone()), stepped_engine(&clock)).await;
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", server.addr)).expect("uri");
    let channel = channel.connect().await.expect("connect");
    let app = crate::helpers::TestApp { server, channel, database_url, dir, process: None };
    let setup = SyncSetup { app, sandbox, token };
    let ids = eventually("the events are committed", async || {
        let mut ids = received_event_ids(&setup).await;
        ids.sort();
        (ids.len() == 3).then_some(ids)
    })
    .await;
    assert_eq!(ids, ["e1", "e2", "e3"]);
    broker.until_ready(&queue, 0).await;
    let engine = setup.app.server.engine().expect("engine");
    let report = settle(&engine, &clock, stepped_engine(&clock).retry_max).await;
    assert_eq!(report.parked, 0, "{report:?}");
    assert_eq!(setup.sale_records().await, [1, 1, 1, 1, 1, 3], "Account, Contact, Opportunity, role, Order, items");
    setup.app.server.shutdown().await.expect("clean shutdown");
    assert_eq!(broker.ready(&queue).await, 0, "acknowledged: not given back when the consumer stopped");
    assert!(broker.dead_letters(0).await.is_empty());
    broker.remove().await;
}

/// Publishes sale `n` as two messages: its checkout, then its order with its payment.
async fn publish_sale(broker: &Broker, token: &str, n: u32) {
    broker.publish_events(token, &format!("sale-{n}-checkout"), vec![checkout_event(n)]).await;
    broker.publish_events(token, &format!("sale-{n}-order"), order_events(n).to_vec()).await;
}

#[tokio::test]
async fn the_broker_closing_the_connection_mid_stream_loses_and_duplicates_nothing() {
    let Some(broker) = Broker::new().await else { return };
    let clock = TestClock::ahead_of_wall_clock();
    let setup = amqp_store(&broker, stepped_engine(&clock), pb::QueueMode::Rabbitmq).await;
    let amqp = setup.app.server.amqp().expect("consumer");
    let queue = broker.topology.queue.clone();

    // Sales 0–9 are delivered and being committed (the commit waits for the lock) when the broker closes the connection.
    let mut lock = hold_write_lock(&setup).await;
    for n in 0..10 {
        publish_sale(&broker, &setup.token, n).await;
    }
    broker.until_ready(&queue, 0).await;
    assert_eq!(broker.close_forcesync_connections().await, 1, "forcesync's one connection was closed");
    tokio::time::timeout(std::time::Duration::from_secs(60), amqp.consuming(2)).await.expect("reconnected");
    assert!(crate::helpers::logs::captured().contains("lost the RabbitMQ connection; reconnecting"));
    assert_eq!(stored_events(&mut lock).await, 0);
    sqlx::query("ROLLBACK").execute(&mut lock).await.expect("release the lock");
    // Sales 10–19 arrive on the new connection.
    for n in 10..20 {
        publish_sale(&broker, &setup.token, n).await;
    }

    let received = eventually("all 60 events are committed", async || {
        let ids = received_event_ids(&setup).await;
        (ids.len() >= 60).then_some(ids)
    })
    .await;
    let mut distinct = received.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!((received.len(), distinct.len()), (60, 60), "each event once: {received:?}");
    broker.until_ready(&queue, 0).await;
    synced_exactly(&setup, &clock, 20).await;
    assert!(broker.dead_letters(0).await.is_empty());
    setup.app.server.shutdown().await.expect("clean shutdown");
    assert_eq!(broker.ready(&queue).await, 0, "every message was acknowledged");
    broker.remove().await;
}

#[tokio::test]
async fn a_message_delivered_again_is_taken_as_a_duplicate_with_one_effect() {
    let Some(broker) = Broker::new().await else { return };
    let clock = TestClock::ahead_of_wall_clock();
    let setup = amqp_store(&broker, stepped_engine(&clock), pb::QueueMode::Rabbitmq).await;
    for _ in 0..2 {
        publish_sale(&broker, &setup.token, 0).await;
    }
    eventually("the events are committed", async || (received_event_ids(&setup).await.len() == 3).then_some(())).await;
    // The same events over gRPC are duplicates of what came through RabbitMQ.
    let events = [vec![checkout_event(0)], order_events(0).to_vec()].concat();
    let answer = setup.sync().submit_events(pb::SubmitEventsRequest { events }).await.expect("submit");
    let acks = answer.into_inner().acks;
    assert!(acks.len() == 3 && acks.iter().all(|ack| ack.duplicate), "{acks:?}");
    assert_eq!(received_event_ids(&setup).await.len(), 3, "three events, each once");
    synced_exactly(&setup, &clock, 1).await;
    setup.app.server.shutdown().await.expect("clean shutdown");
    assert_eq!(broker.ready(&broker.topology.queue).await, 0, "both copies were acknowledged");
    assert!(broker.dead_letters(0).await.is_empty(), "neither copy was refused");
    broker.remove().await;
}
