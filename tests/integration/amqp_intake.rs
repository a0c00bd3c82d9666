//! RabbitMQ queue mode (needs FORCESYNC_TEST_AMQP): a store in RABBITMQ
//! queue mode publishes SubmitEventsRequest messages with its token in a
//! header; forcesync commits them like the gRPC call and the engine syncs
//! them; a message it cannot accept lands in the dead-letter queue with the
//! reason in headers (never the token) and, when the store is known, in the
//! store's sync log. Each test has exchange and queue names of its own.

use forcesync::amqp::headers::{DETAIL_HEADER, REASON_HEADER, STORE_HEADER, TOKEN_HEADER};
use forcesync::pb;
use prost::Message as _;

use crate::helpers::amqp::{Broker, amqp_store, received_event_ids, sync_log, sync_log_of};
use crate::helpers::logs;
use crate::helpers::sync::{by_order, order, sale_events};
use crate::helpers::test_engine;

#[tokio::test]
async fn a_sale_published_to_rabbitmq_is_synced_like_one_sent_over_grpc() {
    let Some(broker) = Broker::new().await else { return };
    let setup = amqp_store(&broker, test_engine(), pb::QueueMode::Rabbitmq).await;
    broker.publish_events(&setup.token, "sale-1", sale_events()).await;

    let status = setup.caught_up(by_order("100000123")).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    assert_eq!(setup.sale_records().await, [1, 1, 1, 1, 1, 3], "Account, Contact, Opportunity, role, Order, items");
    let mut ids = received_event_ids(&setup).await;
    ids.sort();
    assert_eq!(ids, ["e1", "e2", "e3"]);
    assert_eq!(broker.ready(&broker.topology.queue).await, 0, "the message was acknowledged");
    assert!(broker.dead_letters(0).await.is_empty());
    broker.remove().await;
}

#[tokio::test]
async fn a_message_with_a_bad_or_no_token_is_dead_lettered_without_the_token() {
    let Some(broker) = Broker::new().await else { return };
    let setup = amqp_store(&broker, test_engine(), pb::QueueMode::Rabbitmq).await;
    let wrong = "fs_nosuchtoken_0123456789abcdefghijklmnopqrstuv";
    let body = pb::SubmitEventsRequest { events: sale_events() }.encode_to_vec();
    broker.publish(Some(wrong), "wrong-token", &body).await;
    broker.publish(None, "no-token", &body).await;
    broker.publish(Some("admin-token-not-a-store-token"), "not-a-store-token", &body).await;

    let mut letters = broker.dead_letters(3).await;
    letters.sort_by_key(|letter| letter.properties.message_id().as_ref().map(|id| id.to_string()));
    let seen: Vec<(String, String)> = letters
        .iter()
        .map(|l| {
            (
                l.properties.message_id().as_ref().map(|id| id.to_string()).unwrap_or_default(),
                l.header(REASON_HEADER).unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("no-token".to_owned(), "MISSING_TOKEN".to_owned()),
            ("not-a-store-token".to_owned(), "INVALID_TOKEN".to_owned()),
            ("wrong-token".to_owned(), "INVALID_TOKEN".to_owned()),
        ]
    );
    for letter in &letters {
        assert_eq!(letter.body, body, "the body is kept for a replay");
        assert_eq!(letter.header(TOKEN_HEADER), None, "the token is never copied");
        assert_eq!(letter.header(STORE_HEADER), None, "no store is known");
        assert_eq!(letter.header("magento-topic").as_deref(), Some("forcesync.events"), "other headers are kept");
        assert!(!format!("{:?}", letter.properties).contains(wrong));
    }
    assert!(letters[0].header(DETAIL_HEADER).unwrap_or_default().contains(TOKEN_HEADER), "{letters:?}");
    assert!(received_event_ids(&setup).await.is_empty(), "nothing was taken");
    let logs = crate::helpers::sync::eventually("a warning for each", async || {
        let logs = logs::captured();
        let warned = ["wrong-token", "no-token", "not-a-store-token"]
            .iter()
            .all(|id| logs.contains(&format!("message_id=\"{id}\" routing_key=\"store.main\"")));
        warned.then_some(logs)
    })
    .await;
    assert!(sync_log(&setup).await.is_empty(), "an unknown token's store is not guessed");
    assert!(!logs.contains(wrong), "the token never reaches the log");
    broker.remove().await;
}

#[tokio::test]
async fn an_undecodable_body_is_dead_lettered_and_shows_in_the_sync_log() {
    let Some(broker) = Broker::new().await else { return };
    let setup = amqp_store(&broker, test_engine(), pb::QueueMode::Rabbitmq).await;
    broker.publish(Some(&setup.token), "json-body", br#"{"events": []}"#).await;

    let letters = broker.dead_letters(1).await;
    assert_eq!(letters[0].header(REASON_HEADER).as_deref(), Some("UNDECODABLE_BODY"));
    assert_eq!(letters[0].header(STORE_HEADER).as_deref(), Some("main"));
    assert_eq!(letters[0].header(TOKEN_HEADER), None);
    assert_eq!(letters[0].body, br#"{"events": []}"#);
    let log = sync_log_of(&setup, 1).await;
    let (level, entity, message) = &log[0];
    assert_eq!((level.as_str(), entity.as_str()), ("error", "message:json-body"));
    assert!(message.contains("UNDECODABLE_BODY") && message.contains("SubmitEventsRequest"), "{message}");
    assert!(!message.contains(&setup.token));
    broker.remove().await;
}

#[tokio::test]
async fn an_invalid_event_is_dead_lettered_naming_the_field_path_and_nothing_of_it_is_taken() {
    let Some(broker) = Broker::new().await else { return };
    let setup = amqp_store(&broker, test_engine(), pb::QueueMode::Rabbitmq).await;
    let mut events = sale_events();
    let mut bad = order("e2", "", "77", crate::helpers::sync::jane(), 2);
    bad.total = "lots".into();
    events[1] = pb::SyncEvent { event: Some(pb::sync_event::Event::Order(bad)) };
    broker.publish_events(&setup.token, "bad-order", events).await;

    let letters = broker.dead_letters(1).await;
    assert_eq!(letters[0].header(REASON_HEADER).as_deref(), Some("INVALID_FIELDS"));
    let detail = letters[0].header(DETAIL_HEADER).unwrap_or_default();
    assert!(detail.contains("events[1].order.order_id") && detail.contains("events[1].order.total"), "{detail}");
    assert!(received_event_ids(&setup).await.is_empty(), "no event of an invalid message is taken");
    let log = sync_log_of(&setup, 1).await;
    assert!(log.iter().any(|(_, _, message)| message.contains("events[1].order.order_id")), "{log:?}");
    broker.remove().await;
}

#[tokio::test]
async fn a_store_in_standard_queue_mode_cannot_publish() {
    let Some(broker) = Broker::new().await else { return };
    let setup = amqp_store(&broker, test_engine(), pb::QueueMode::Standard).await;
    broker.publish_events(&setup.token, "standard", sale_events()).await;

    let letters = broker.dead_letters(1).await;
    assert_eq!(letters[0].header(REASON_HEADER).as_deref(), Some("NOT_RABBITMQ_MODE"));
    assert!(letters[0].header(DETAIL_HEADER).unwrap_or_default().contains("QUEUE_MODE_RABBITMQ"));
    assert!(received_event_ids(&setup).await.is_empty());
    sync_log_of(&setup, 1).await;
    broker.remove().await;
}

#[tokio::test]
async fn a_server_whose_broker_is_unreachable_serves_grpc_and_keeps_trying_without_logging_the_password() {
    logs::capture();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = crate::helpers::serve_config(dir.path(), None, test_engine());
    let unused = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr");
    config.amqp = Some(forcesync::amqp::AmqpConfig::new(format!("amqp://guest:s3cr3t-pw@{unused}/%2f")));
    let server = forcesync::server::start(config, std::future::pending()).await.expect("starts without the broker");
    let channel = tonic::transport::Channel::from_shared(format!("http://{}", server.addr)).expect("uri");
    let app = crate::helpers::TestApp {
        channel: channel.connect().await.expect("connect"),
        server,
        database_url: String::new(),
        dir,
        process: None,
    };
    app.create_store("main").await;
    crate::helpers::sync::eventually("a failed attempt is logged", async || {
        logs::captured().contains(&format!("broker=amqp://{unused}/%2f")).then_some(())
    })
    .await;
    let amqp = app.server.amqp().expect("consumer");
    assert_eq!((amqp.state().consuming, amqp.state().sessions), (false, 0));
    assert!(!logs::captured().contains("s3cr3t-pw"), "the broker password never reaches the log");
    app.server.shutdown().await.expect("shuts down while still trying");
}
