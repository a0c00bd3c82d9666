//! `serve --log-format json` as an operator runs it: a sale synced to the
//! sandbox leaves JSON lines that name the store, the entity and the event,
//! and the Salesforce requests by kind and count, and no secret.

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use forcesync::pb::store_admin_service_client::StoreAdminServiceClient;
use forcesync::pb::sync_service_client::SyncServiceClient;
use forcesync::pb::{self, get_sync_status_request::Entity};
use serde_json::Value;

use crate::helpers::sandbox::{PASSWORD, TOKEN, spawn_sandbox};
use crate::helpers::sync::{connect_at, sale_events};
use crate::helpers::{ADMIN_TOKEN, Bearer, MASTER_KEY_B64};

/// Kills the child when the test ends, however it ends.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The JSON line whose message is `message` and whose fields satisfy `check`.
fn line<'a>(lines: &'a [Value], message: &str, check: impl Fn(&Value) -> bool) -> Option<&'a Value> {
    lines.iter().find(|line| line["fields"]["message"] == message && check(&line["fields"]))
}

#[tokio::test]
async fn json_lines_carry_store_entity_event_and_request_fields_and_no_secret() {
    let sandbox = spawn_sandbox().await;
    let dir = tempfile::tempdir().expect("temp dir");
    let log_path = dir.path().join("forcesync.log");
    let log_file = std::fs::File::create(&log_path).expect("log file");
    let mut child = Child(
        Command::new(env!("CARGO_BIN_EXE_forcesync"))
            .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0", "--http-listen", "off", "--data-dir"])
            .arg(dir.path().join("data"))
            .env("RUST_LOG", "info,forcesync=debug")
            .env("FORCESYNC_ADMIN_TOKEN", ADMIN_TOKEN)
            .env("FORCESYNC_MASTER_KEY", MASTER_KEY_B64)
            .env_remove("FORCESYNC_DATABASE_URL")
            .stdout(Stdio::piped())
            .stderr(log_file)
            .spawn()
            .expect("start forcesync serve"),
    );
    let stdout = BufReader::new(child.0.stdout.take().expect("stdout"));
    let addr = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|line| line.strip_prefix("forcesync listening on ").map(str::to_owned))
        .expect("the server started");
    let channel = tonic::transport::Channel::from_shared(format!("http://{addr}")).expect("uri");
    let channel = channel.connect().await.expect("connect");
    let mut admin = StoreAdminServiceClient::with_interceptor(channel.clone(), Bearer::new(ADMIN_TOKEN));
    let created = admin
        .create_store(pb::CreateStoreRequest { code: "logs".into(), display_name: "Logs".into() })
        .await
        .expect("create store")
        .into_inner();
    let token = created.store_token;
    connect_at(&channel, &token, "logs", &sandbox.server.url, Default::default(), vec![]).await;
    let mut sync = SyncServiceClient::with_interceptor(channel, Bearer::new(&token));
    sync.submit_events(pb::SubmitEventsRequest { events: sale_events() }).await.expect("submit the sale");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let status =
            sync.get_sync_status(pb::GetSyncStatusRequest { entity: Some(Entity::OrderId("100000123".into())) }).await;
        if status.is_ok_and(|s| s.into_inner().state == pb::SyncState::Synced as i32) {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "the order was not synced");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(child);

    let text = std::fs::read_to_string(&log_path).expect("read the log");
    let lines: Vec<Value> = text
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}")))
        .collect();
    let received = line(&lines, "event received", |f| f["event_id"] == "e2");
    let received = received.unwrap_or_else(|| panic!("no 'event received' line for e2:\n{text}"));
    assert_eq!(received["fields"]["store"], "logs");
    assert_eq!(received["fields"]["kind"], "order_placed");
    assert!(received["fields"]["entity"].as_str().is_some_and(|e| !e.is_empty()), "{received}");

    let requests = line(&lines, "Salesforce requests", |f| f["store"] == "logs" && f["requests"].as_u64() > Some(0));
    let requests = requests.unwrap_or_else(|| panic!("no 'Salesforce requests' line:\n{text}"));
    assert!(requests["fields"]["request_kind"].as_str().is_some_and(|k| !k.is_empty()), "{requests}");

    // The order joins its cart's entity, named by its first alias.
    let synced = line(&lines, "entity synced", |f| f["store"] == "logs" && f["entity"] == "cart:77");
    let synced = synced.unwrap_or_else(|| panic!("no 'entity synced' line for the sale:\n{text}"));
    assert!(synced["fields"]["entity_id"].as_i64().is_some(), "{synced}");

    for secret in [ADMIN_TOKEN, token.as_str(), PASSWORD, TOKEN, MASTER_KEY_B64] {
        assert!(!text.contains(secret), "a secret in the log: {secret}");
    }
}
