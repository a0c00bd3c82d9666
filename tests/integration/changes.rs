//! Bidirectional mode end to end (issue 14) against the in-process sandbox,
//! with a stepped engine: Salesforce edits of synced records (made by a
//! second, human user) reach the store once through PullChanges/AckChanges,
//! the store's echo costs no API call and never ping-pongs, conflicts follow
//! the policy, deletions arrive, an unacknowledged change comes back with
//! the same id, a late commit with an older SystemModstamp is still caught,
//! and a store-to-Salesforce store receives nothing.

use std::time::Duration;

use forcesync::engine::{Engine, TestClock};
use forcesync::pb::change_service_client::ChangeServiceClient;
use forcesync::pb::{self, ChangeCaptureSettings, ChangeKind, ConflictPolicy, IntegrationMode, OrderDownloadSettings};
use reqwest::Method;
use serde_json::{Value, json};
use tonic::codegen::InterceptedService;
use tonic::transport::Channel;

use crate::helpers::sandbox::spawn_sandbox;
use crate::helpers::sandbox::{TestSandbox, VERSION};
use crate::helpers::sync::{SyncSetup, customer_save, jane, sale_events};
use crate::helpers::{Bearer, postgres, settle, spawn_app_with, stepped_engine};

pub type ChangeClient = ChangeServiceClient<InterceptedService<Channel, Bearer>>;

pub struct Bidi {
    pub setup: SyncSetup,
    pub clock: TestClock,
    pub engine: Engine,
    /// A session of a person editing in Salesforce (not forcesync's user).
    pub human: String,
}

/// A bidirectional store with `policy`, order download on (filter `filter`),
/// its capture reading from today; on SQLite.
pub async fn bidirectional(policy: ConflictPolicy, filter: &str) -> Bidi {
    bidirectional_on(None, policy, filter).await
}

/// Like [`bidirectional`], on `database_url` (`None`: SQLite).
pub async fn bidirectional_on(database_url: Option<String>, policy: ConflictPolicy, filter: &str) -> Bidi {
    let clock = TestClock::ahead_of_wall_clock();
    let today = chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string();
    let settings = pb::StoreSettings {
        integration_mode: IntegrationMode::Bidirectional as i32,
        order_download: Some(OrderDownloadSettings { enabled: true, soql_filter: filter.into(), start_date: today }),
        change_capture: Some(ChangeCaptureSettings { conflict_policy: policy as i32, ..Default::default() }),
        ..Default::default()
    };
    let paths = vec!["integration_mode", "order_download", "change_capture.conflict_policy"];
    let app = spawn_app_with(database_url, stepped_engine(&clock)).await;
    let (_, token) = app.create_store("main").await;
    let setup = SyncSetup { app, sandbox: spawn_sandbox().await, token };
    setup.connect(settings, paths).await;
    let engine = setup.app.server.engine().expect("stepped engine");
    let human = human_session(&setup.sandbox).await;
    Bidi { setup, clock, engine, human }
}

/// A second user of the org, signed in: what they change is not forcesync's doing.
pub async fn human_session(sandbox: &TestSandbox) -> String {
    let user = json!({"username": "ada@example.com", "password": "Human-pass-1", "trusted_ranges": ["127.0.0.0/8"]});
    sandbox.control(Method::POST, "/users", Some(user)).await;
    let (status, body) = sandbox.soap_login(VERSION, "ada@example.com", "Human-pass-1").await;
    assert!(status.is_success(), "{body}");
    crate::helpers::sandbox::xml_value(&body, "sessionId").expect("sessionId")
}

impl Bidi {
    pub fn changes(&self) -> ChangeClient {
        ChangeServiceClient::with_interceptor(self.setup.app.channel.clone(), Bearer::new(&self.setup.token))
    }

    /// Syncs everything the store sent.
    pub async fn sync(&self) {
        settle(&self.engine, &self.clock, Duration::from_secs(300)).await;
    }

    /// One capture run of the store (its poll interval passes first).
    pub async fn capture(&self) -> forcesync::engine::ChangesReport {
        self.clock.advance(Duration::from_secs(3_600));
        self.engine.step_changes().await
    }

    pub async fn pull(&self) -> Vec<pb::Change> {
        let request = pb::PullChangesRequest { page_size: 100, lease_seconds: 1 };
        self.changes().pull_changes(request).await.expect("pull").into_inner().changes
    }

    pub async fn ack(&self, through: i64, results: Vec<pb::AckResult>) -> pb::AckChangesResponse {
        let request = pb::AckChangesRequest { through_change_id: through, results };
        self.changes().ack_changes(request).await.expect("ack").into_inner()
    }

    /// A person's edit of `object` `id`.
    pub async fn edit(&self, object: &str, id: &str, body: Value) {
        let path = format!("sobjects/{object}/{id}");
        let (status, _, answer) = self.setup.sandbox.rest(Method::PATCH, &path, &self.human, Some(body)).await;
        assert!(status.is_success(), "{object} edit: {answer}");
    }

    pub async fn only(&self, object: &str) -> Value {
        let records = self.setup.records(object).await;
        assert_eq!(records.len(), 1, "{object}: {records:?}");
        records[0].clone()
    }
}

pub fn id(record: &Value) -> String {
    record["Id"].as_str().expect("Id").to_owned()
}

fn fields(change: &pb::Change) -> Vec<(&str, &str)> {
    change.fields.iter().map(|f| (f.field.as_str(), f.new_value.as_str())).collect()
}

#[tokio::test]
async fn salesforce_edits_of_synced_records_reach_the_store_once() {
    let b = bidirectional(ConflictPolicy::LatestWins, "Status = 'Activated'").await;
    b.setup.sync().submit_events(pb::SubmitEventsRequest { events: sale_events() }).await.expect("submit");
    b.sync().await;
    let report = b.capture().await;
    assert_eq!(report.queued, 0, "forcesync's own writes read back are no change: {report:?}");
    assert!(b.pull().await.is_empty());

    let (opportunity, order, contact) = (b.only("Opportunity").await, b.only("Order").await, b.only("Contact").await);
    b.edit("Opportunity", &id(&opportunity), json!({"StageName": "Negotiation/Review"})).await;
    let flipped = if order["Status"] == "Activated" { "Draft" } else { "Activated" };
    b.edit("Order", &id(&order), json!({"Status": flipped})).await;
    b.edit("Contact", &id(&contact), json!({"Email": "jane.doe@example.org"})).await;
    let report = b.capture().await;
    assert_eq!(report.queued, 3, "{report:?}");

    let changes = b.pull().await;
    let kinds: Vec<ChangeKind> = changes.iter().map(|c| c.kind()).collect();
    assert_eq!(kinds.len(), 3, "{changes:#?}");
    for (kind, object, entity, field, value) in [
        (ChangeKind::OpportunityChanged, "Opportunity", ("order", "100000123"), "StageName", "Negotiation/Review"),
        (ChangeKind::OrderChanged, "Order", ("order", "100000123"), "Status", flipped),
        (ChangeKind::CustomerChanged, "Contact", ("customer", "42"), "Email", "jane.doe@example.org"),
    ] {
        let change = changes.iter().find(|c| c.kind() == kind).unwrap_or_else(|| panic!("{kind:?}: {changes:#?}"));
        assert_eq!(change.object, object);
        assert_eq!((change.store_entity_kind.as_str(), change.store_entity_id.as_str()), entity);
        assert_eq!(fields(change), [(field, value)]);
        assert_eq!(change.delivery_count, 1);
        assert_ne!(change.changed_by, "", "the human user's id");
    }
    assert!(b.pull().await.is_empty(), "leased: not delivered twice at once");
    let last = changes.iter().map(|c| c.change_id).max().unwrap_or_default();
    let failed =
        pb::AckResult { change_id: changes[0].change_id, error: "order is locked".into(), ..Default::default() };
    let acked = b.ack(last, vec![failed]).await;
    assert_eq!((acked.acknowledged, acked.acked_cursor), (3, last));
    let storage = &b.setup.app.server.storage;
    let log = storage.sync_log(storage.store_id("main").await.expect("store"), 10).await.expect("log");
    let shown = format!("the store could not apply change {}: order is locked", changes[0].change_id);
    assert!(log.iter().any(|(_, level, _, message)| level == "warn" && *message == shown), "kept and shown: {log:?}");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    assert!(b.pull().await.is_empty(), "acknowledged changes never come back");
    assert_eq!(b.ack(last, Vec::new()).await.acknowledged, 0, "acknowledging again is a no-op");
}

#[tokio::test]
async fn the_stores_echo_costs_no_call_and_ten_round_trips_never_ping_pong() {
    echo_round_trips(None).await;
}

#[tokio::test]
async fn the_stores_echo_costs_no_call_and_ten_round_trips_never_ping_pong_on_postgres() {
    let Some(url) = postgres::fresh_database().await else { return };
    echo_round_trips(Some(url)).await;
}

async fn echo_round_trips(database_url: Option<String>) {
    let b = bidirectional_on(database_url, ConflictPolicy::LatestWins, "Status = 'Activated'").await;
    let mut sync = b.setup.sync();
    sync.upsert_customer(customer_save("c0", jane())).await.expect("customer");
    b.sync().await;
    b.capture().await;
    let contact = id(&b.only("Contact").await);
    for round in 1..=10 {
        let email = format!("jane.{round}@example.org");
        b.edit("Contact", &contact, json!({"Email": email})).await;
        assert_eq!(b.capture().await.queued, 1, "round {round}");
        let changes = b.pull().await;
        assert_eq!(changes.iter().map(fields).collect::<Vec<_>>(), [vec![("Email", email.as_str())]], "round {round}");
        b.ack(changes[0].change_id, Vec::new()).await;

        // The store applies it and, as stores do, reports the customer saved.
        let calls = b.setup.api_calls().await;
        let echoed = pb::Customer { email: email.clone(), ..jane() };
        sync.upsert_customer(customer_save(&format!("echo-{round}"), echoed)).await.expect("echo");
        b.sync().await;
        assert_eq!(b.setup.api_calls().await, calls, "round {round}: the echo cost an API call");
        assert_eq!(b.capture().await.queued, 0, "round {round}: nothing comes back");
        assert!(b.pull().await.is_empty(), "round {round}");
    }
    assert_eq!(b.only("Contact").await["Email"], "jane.10@example.org");
}

/// The Account phone edited in Salesforce while the store's own change of it waits to be written.
async fn phone_conflict(
    database_url: Option<String>,
    policy: ConflictPolicy,
    store_changed_later: bool,
) -> (Bidi, Vec<pb::Change>) {
    let b = bidirectional_on(database_url, policy, "Status = 'Activated'").await;
    let mut sync = b.setup.sync();
    let days = |n: i64| Some(prost_types::Timestamp { seconds: chrono::Utc::now().timestamp() + n * 86_400, nanos: 0 });
    let first = pb::UpsertCustomerRequest { event_id: "c0".into(), customer: Some(jane()), occur_time: days(-2) };
    sync.upsert_customer(first).await.expect("customer");
    b.sync().await;
    b.capture().await;
    let account = id(&b.only("Account").await);
    // The store's change: made a day before or after the Salesforce edit (now).
    let occur_time = if store_changed_later { days(1) } else { days(-1) };
    let store = pb::Customer { phone: "+1 555 0300".into(), ..jane() };
    let save = pb::UpsertCustomerRequest { event_id: "c1".into(), customer: Some(store), occur_time };
    sync.upsert_customer(save).await.expect("store change");
    b.setup.app.server.storage.fold_events(100, 0, b.engine.now()).await.expect("fold");
    b.edit("Account", &account, json!({"Phone": "+1 555 0200"})).await;
    b.capture().await;
    let changes = b.pull().await;
    b.sync().await;
    (b, changes)
}

#[tokio::test]
async fn a_field_both_sides_changed_follows_the_policy() {
    conflicts(false).await;
}

#[tokio::test]
async fn a_field_both_sides_changed_follows_the_policy_on_postgres() {
    if postgres::fresh_database().await.is_none() {
        return;
    }
    conflicts(true).await;
}

/// Each policy on a store of its own (a fresh PostgreSQL database each, with `postgres`).
async fn conflicts(on_postgres: bool) {
    for (policy, store_later, salesforce_wins) in [
        (ConflictPolicy::StoreWins, false, false),
        (ConflictPolicy::SalesforceWins, true, true),
        (ConflictPolicy::LatestWins, true, false),
        (ConflictPolicy::LatestWins, false, true),
    ] {
        let database_url = if on_postgres { postgres::fresh_database().await } else { None };
        let (b, changes) = phone_conflict(database_url, policy, store_later).await;
        let phone = b.only("Account").await["Phone"].as_str().unwrap_or_default().to_owned();
        let case = format!("{policy:?}, store changed later: {store_later}");
        if salesforce_wins {
            assert_eq!(phone, "+1 555 0200", "{case}: the store's pending write gave way");
            assert_eq!(changes.len(), 1, "{case}: {changes:#?}");
            assert_eq!(fields(&changes[0]), [("Phone", "+1 555 0200")], "{case}");
            let conflict = &changes[0].conflicts[0];
            assert_eq!(
                (conflict.store_value.as_str(), conflict.salesforce_value.as_str(), conflict.winner.as_str()),
                ("+1 555 0300", "+1 555 0200", "SALESFORCE"),
                "{case}"
            );
        } else {
            assert_eq!(phone, "+1 555 0300", "{case}: the store's value was written");
            assert!(changes.is_empty(), "{case}: the losing Salesforce value is not delivered: {changes:#?}");
        }
        let storage = &b.setup.app.server.storage;
        let store = storage.store_id("main").await.expect("store");
        let log = storage.sync_log(store, 50).await.expect("log");
        let logged = log.iter().any(|(_, _, _, m)| m.contains("conflict on Account") && m.contains("+1 555 0300"));
        assert!(logged, "{case}: both values are logged: {log:?}");
    }
}

#[tokio::test]
async fn acknowledged_changes_go_after_the_retention_and_unacknowledged_ones_stay() {
    let b = bidirectional(ConflictPolicy::LatestWins, "Status = 'Activated'").await;
    b.setup.sync().upsert_customer(customer_save("c0", jane())).await.expect("customer");
    b.sync().await;
    b.capture().await;
    let contact = id(&b.only("Contact").await);
    for email in ["first@example.org", "second@example.org"] {
        b.edit("Contact", &contact, json!({"Email": email})).await;
        assert_eq!(b.capture().await.queued, 1);
    }
    let changes = b.pull().await;
    assert_eq!(changes.len(), 2);
    b.ack(changes[0].change_id, Vec::new()).await;
    b.clock.advance(Duration::from_secs(31 * 86_400));
    let pruned = b.engine.prune().await;
    assert_eq!(pruned.changes, 1, "{pruned:?}");
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    let left = b.pull().await;
    assert_eq!(left.iter().map(|c| c.change_id).collect::<Vec<_>>(), [changes[1].change_id], "kept until acknowledged");
}
