//! Bidirectional mode with the engine running on its own, in a server
//! process of its own: a Salesforce edit reaches a store watching with
//! WatchChanges; a server killed (kill -9) between delivery and
//! acknowledgement delivers the same change again, with the same id, once
//! restarted. On PostgreSQL too (when FORCESYNC_TEST_PG is set).

use std::time::Duration;

use forcesync::pb::change_service_client::ChangeServiceClient;
use forcesync::pb::{self, ChangeCaptureSettings, IntegrationMode};
use reqwest::Method;
use serde_json::json;

use crate::changes::{ChangeClient, human_session, id};
use crate::helpers::postgres;
use crate::helpers::sync::{SyncSetup, customer_save, eventually, jane};
use crate::helpers::{Bearer, process};
use crate::sync_restart::{Stop, engine, restart};

fn client(setup: &SyncSetup) -> ChangeClient {
    ChangeServiceClient::with_interceptor(setup.app.channel.clone(), Bearer::new(&setup.token))
}

/// A bidirectional store polling every 5 seconds (the shortest interval), its customer synced.
async fn watched_store(database_url: Option<String>) -> SyncSetup {
    let sandbox = crate::helpers::sandbox::spawn_sandbox().await;
    let app = process::spawn_process(database_url, engine()).await;
    let (_, token) = app.create_store("main").await;
    let setup = SyncSetup { app, sandbox, token };
    let settings = pb::StoreSettings {
        integration_mode: IntegrationMode::Bidirectional as i32,
        change_capture: Some(ChangeCaptureSettings { poll_interval_seconds: 5, ..Default::default() }),
        ..Default::default()
    };
    setup.connect(settings, vec!["integration_mode", "change_capture.poll_interval_seconds"]).await;
    setup.sync().upsert_customer(customer_save("c0", jane())).await.expect("customer");
    setup.settled(pb::get_sync_status_request::Entity::CustomerId("42".into())).await;
    setup
}

async fn edit_email(setup: &SyncSetup, email: &str) {
    let human = human_session(&setup.sandbox).await;
    let contact = id(&setup.records("Contact").await[0]);
    let path = format!("sobjects/Contact/{contact}");
    let (status, _, answer) = setup.sandbox.rest(Method::PATCH, &path, &human, Some(json!({"Email": email}))).await;
    assert!(status.is_success(), "{answer}");
}

async fn pulled(setup: &SyncSetup) -> Vec<pb::Change> {
    let request = pb::PullChangesRequest { page_size: 10, lease_seconds: 1 };
    eventually("a change to pull", async || {
        let changes = client(setup).pull_changes(request).await.ok()?.into_inner().changes;
        (!changes.is_empty()).then_some(changes)
    })
    .await
}

async fn killed_between_delivery_and_ack(database_url: Option<String>) {
    let setup = watched_store(database_url).await;
    edit_email(&setup, "jane.new@example.org").await;
    let first = pulled(&setup).await;
    assert_eq!(first.len(), 1, "{first:#?}");
    let setup = restart(setup, Stop::Kill).await;
    let again = pulled(&setup).await;
    assert_eq!(again.len(), 1, "{again:#?}");
    assert_eq!((again[0].change_id, again[0].delivery_count), (first[0].change_id, 2), "the same change, again");
    let request = pb::AckChangesRequest { through_change_id: again[0].change_id, results: Vec::new() };
    let acked = client(&setup).ack_changes(request).await.expect("ack").into_inner();
    assert_eq!(acked.acked_cursor, first[0].change_id);
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let request = pb::PullChangesRequest { page_size: 10, lease_seconds: 1 };
    let after = client(&setup).pull_changes(request).await.expect("pull").into_inner();
    assert!(after.changes.is_empty() && after.pending == 0, "{after:?}");
}

#[tokio::test]
async fn a_change_not_acknowledged_before_a_kill_comes_back_with_the_same_id() {
    killed_between_delivery_and_ack(None).await;
}

#[tokio::test]
async fn a_change_not_acknowledged_before_a_kill_comes_back_with_the_same_id_on_postgres() {
    let Some(url) = postgres::fresh_database().await else { return };
    killed_between_delivery_and_ack(Some(url)).await;
}

#[tokio::test]
async fn a_watching_store_receives_the_change_as_it_is_queued() {
    let setup = watched_store(None).await;
    let mut stream =
        client(&setup).watch_changes(pb::WatchChangesRequest { lease_seconds: 30 }).await.expect("watch").into_inner();
    edit_email(&setup, "jane.watched@example.org").await;
    let message = tokio::time::timeout(Duration::from_secs(60), stream.message())
        .await
        .expect("a change within a minute")
        .expect("stream open")
        .expect("a message");
    let emails: Vec<&str> = message.changes.iter().flat_map(|c| &c.fields).map(|f| f.new_value.as_str()).collect();
    assert_eq!(emails, ["jane.watched@example.org"], "{message:#?}");
    let bad = pb::AckChangesRequest { through_change_id: message.changes[0].change_id + 5, results: Vec::new() };
    let refused = client(&setup).ack_changes(bad).await.expect_err("not delivered");
    assert_eq!(refused.code(), tonic::Code::FailedPrecondition, "{refused:?}");
}
