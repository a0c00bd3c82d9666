//! Bidirectional mode in RabbitMQ queue mode (issue 15 item 4): a store's
//! Salesforce changes are published to its own durable queue, each as the
//! `forcesync.v1.Change` protobuf with the change id as message id, and count
//! as delivered and acknowledged once the broker confirms them. Runs against
//! the real broker when FORCESYNC_TEST_AMQP is set.

use std::time::Duration;

use forcesync::engine::TestClock;
use forcesync::pb::{self, ChangeCaptureSettings, IntegrationMode, QueueMode};
use prost::Message as _;
use reqwest::Method;
use serde_json::json;

use crate::changes::{human_session, id};
use crate::helpers::amqp::{Broker, amqp_store};
use crate::helpers::stepped_engine;
use crate::helpers::sync::{customer_save, jane};
use crate::helpers::{Bearer, settle};

#[tokio::test]
async fn a_rabbitmq_store_takes_its_changes_from_its_own_queue() {
    let Some(broker) = Broker::new().await else { return };
    let clock = TestClock::ahead_of_wall_clock();
    let setup = amqp_store(&broker, stepped_engine(&clock), QueueMode::Rabbitmq).await;
    let settings = pb::StoreSettings {
        queue_mode: QueueMode::Rabbitmq as i32,
        integration_mode: IntegrationMode::Bidirectional as i32,
        change_capture: Some(ChangeCaptureSettings::default()),
        // The stepped clock runs an hour ahead of the org's: capture reads from today.
        order_download: Some(pb::OrderDownloadSettings {
            start_date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
            ..Default::default()
        }),
        ..Default::default()
    };
    setup.connect(settings, vec!["queue_mode", "integration_mode", "order_download.start_date"]).await;
    let engine = setup.app.server.engine().expect("stepped engine");
    setup.sync().upsert_customer(customer_save("c0", jane())).await.expect("customer");
    settle(&engine, &clock, Duration::from_secs(300)).await;
    clock.advance(Duration::from_secs(3_600));
    engine.step_changes().await;

    let human = human_session(&setup.sandbox).await;
    let contact = id(&setup.records("Contact").await[0]);
    let path = format!("sobjects/Contact/{contact}");
    let (status, _, _) =
        setup.sandbox.rest(Method::PATCH, &path, &human, Some(json!({"Email": "jane.mq@example.org"}))).await;
    assert!(status.is_success());
    clock.advance(Duration::from_secs(3_600));
    assert_eq!(engine.step_changes().await.queued, 1);

    let message = broker.take(&broker.topology.changes_queue("main")).await;
    let change = pb::Change::decode(message.body.as_slice()).expect("a Change");
    assert_eq!(change.kind(), pb::ChangeKind::CustomerChanged);
    assert_eq!(change.fields.iter().map(|f| f.new_value.as_str()).collect::<Vec<_>>(), ["jane.mq@example.org"]);
    assert_eq!(message.properties.message_id().as_ref().map(|m| m.to_string()), Some(change.change_id.to_string()));
    assert_eq!(message.properties.delivery_mode(), &Some(2), "persistent");

    // Confirmed by the broker: acknowledged, nothing left to pull.
    let mut client = pb::change_service_client::ChangeServiceClient::with_interceptor(
        setup.app.channel.clone(),
        Bearer::new(&setup.token),
    );
    let pulled = crate::helpers::sync::eventually("the change acknowledged", async || {
        let pulled = client.pull_changes(pb::PullChangesRequest::default()).await.ok()?.into_inner();
        (pulled.pending == 0).then_some(pulled)
    })
    .await;
    assert!(pulled.changes.is_empty() && pulled.acked_cursor == change.change_id, "{pulled:?}");
    assert_eq!(broker.ready(&broker.topology.changes_queue("main")).await, 0, "published once");
    broker.remove().await;
}
