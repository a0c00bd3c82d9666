//! A store connected to the in-process sandbox, Sync API clients, event
//! builders, and waits that poll GetSyncStatus until an outcome (never for a
//! fixed time).

use std::time::Duration;

use forcesync::engine::EngineConfig;
use forcesync::pb::store_config_service_client::StoreConfigServiceClient;
use forcesync::pb::sync_service_client::SyncServiceClient;
use forcesync::pb::{self, get_sync_status_request::Entity};
use prost_types::FieldMask;
use reqwest::Method;
use serde_json::Value;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

use super::sandbox::{PASSWORD, TOKEN, TestSandbox, USER, spawn_sandbox};
use super::{Bearer, TestApp, spawn_app_with};

pub type SyncClient = SyncServiceClient<InterceptedService<Channel, Bearer>>;

/// Longest wait for the engine; tests finish as soon as the outcome is there.
const PATIENCE: Duration = Duration::from_secs(60);

pub struct SyncSetup {
    pub app: TestApp,
    pub sandbox: TestSandbox,
    pub token: String,
}

/// A server with store `main` connected (Test Connection & Apply) to a fresh sandbox.
pub async fn connected_store() -> SyncSetup {
    connected_store_with(super::test_engine(), pb::StoreSettings::default(), Vec::new()).await
}

/// Like [`connected_store`], with engine tuning and settings changes (`paths` name them).
pub async fn connected_store_with(engine: EngineConfig, settings: pb::StoreSettings, paths: Vec<&str>) -> SyncSetup {
    connected_store_on(spawn_sandbox().await, engine, settings, paths).await
}

/// Like [`connected_store_with`] (default settings), with the Salesforce client retrying a failed call
/// `retry`'s way (the engine's own backoff is unchanged).
pub async fn connected_store_retrying(
    engine: EngineConfig,
    retry: forcesync::salesforce::retry::RetryPolicy,
) -> SyncSetup {
    let app = super::spawn_app_retrying(None, engine, retry).await;
    let (_, token) = app.create_store("main").await;
    let setup = SyncSetup { app, sandbox: spawn_sandbox().await, token };
    setup.connect_store("main", pb::StoreSettings::default(), Vec::new()).await;
    setup
}

/// Like [`connected_store_with`], against a sandbox the test set up.
pub async fn connected_store_on(
    sandbox: TestSandbox,
    engine: EngineConfig,
    settings: pb::StoreSettings,
    paths: Vec<&str>,
) -> SyncSetup {
    connected_store_named("main", sandbox, engine, settings, paths).await
}

/// Like [`connected_store_on`], for a store with this code (the setup's
/// `etag` and `connect` are for store `main` only).
pub async fn connected_store_named(
    code: &str,
    sandbox: TestSandbox,
    engine: EngineConfig,
    settings: pb::StoreSettings,
    paths: Vec<&str>,
) -> SyncSetup {
    let app = spawn_app_with(None, engine).await;
    let (_, token) = app.create_store(code).await;
    let setup = SyncSetup { app, sandbox, token };
    setup.connect_store(code, settings, paths).await;
    setup
}

impl SyncSetup {
    pub fn sync(&self) -> SyncClient {
        SyncServiceClient::with_interceptor(self.app.channel.clone(), Bearer::new(&self.token))
    }

    /// The store's settings etag now (what a config update or Test Connection names).
    pub async fn etag(&self) -> String {
        self.etag_of("main").await
    }

    async fn etag_of(&self, code: &str) -> String {
        etag_at(&self.app.channel, &self.token, code).await
    }

    /// Applies connection settings for the sandbox plus `settings` (fields in `paths`).
    pub async fn connect(&self, settings: pb::StoreSettings, paths: Vec<&str>) {
        self.connect_store("main", settings, paths).await;
    }

    async fn connect_store(&self, code: &str, settings: pb::StoreSettings, paths: Vec<&str>) {
        connect_at(&self.app.channel, &self.token, code, &self.sandbox.server.url, settings, paths).await;
    }

    /// Polls until the entity is synced or parked (or waiting, when `accept_waiting`).
    pub async fn settled(&self, entity: Entity) -> pb::GetSyncStatusResponse {
        let mut client = self.sync();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let status = client.get_sync_status(pb::GetSyncStatusRequest { entity: Some(entity.clone()) }).await;
            if let Ok(status) = status.map(tonic::Response::into_inner) {
                let state = pb::SyncState::try_from(status.state).unwrap_or_default();
                if matches!(state, pb::SyncState::Synced | pb::SyncState::Parked) {
                    return status;
                }
                assert!(tokio::time::Instant::now() < deadline, "still {state:?} after {PATIENCE:?}: {status:?}");
            }
            assert!(tokio::time::Instant::now() < deadline, "no status for {entity:?} after {PATIENCE:?}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Polls until every event received so far has been applied to its entity.
    pub async fn applied(&self) {
        let mut client = self.sync();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let newest = pb::ListSyncEventsRequest { page_size: 1, ..Default::default() };
            let newest = client.list_sync_events(newest).await.expect("list events").into_inner().events;
            // Events are applied in sequence order: once the newest is, all are.
            if newest.first().is_none_or(|event| event.event_state == pb::EventState::Applied as i32) {
                return;
            }
            assert!(tokio::time::Instant::now() < deadline, "events not applied after {PATIENCE:?}: {newest:?}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Like [`SyncSetup::settled`], after every event sent so far is applied:
    /// the wait for an entity that was synced before its latest events.
    pub async fn caught_up(&self, entity: Entity) -> pb::GetSyncStatusResponse {
        self.applied().await;
        self.settled(entity).await
    }

    /// Submits [`sale_events`] at once and waits until order 100000123 is synced.
    pub async fn paid_sale(&self) -> pb::GetSyncStatusResponse {
        self.sync().submit_events(pb::SubmitEventsRequest { events: sale_events() }).await.expect("submit the sale");
        let status = self.caught_up(by_order("100000123")).await;
        assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
        status
    }

    /// Polls until the entity is in `state`.
    pub async fn reaches(&self, entity: Entity, state: pb::SyncState) -> pb::GetSyncStatusResponse {
        let mut client = self.sync();
        let deadline = tokio::time::Instant::now() + PATIENCE;
        loop {
            let status = client.get_sync_status(pb::GetSyncStatusRequest { entity: Some(entity.clone()) }).await;
            let status = status.map(tonic::Response::into_inner).ok();
            if let Some(status) = status.as_ref().filter(|s| s.state == state as i32) {
                return status.clone();
            }
            assert!(tokio::time::Instant::now() < deadline, "not {state:?} after {PATIENCE:?}: {status:?}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }

    /// Every record of `object` the sandbox holds.
    pub async fn records(&self, object: &str) -> Vec<Value> {
        let dump = self.sandbox.control(Method::GET, "/dump", None).await;
        dump.get(object).and_then(Value::as_array).cloned().unwrap_or_default()
    }

    /// How many records of each object the sandbox holds.
    pub async fn counts(&self) -> std::collections::BTreeMap<String, usize> {
        let dump = self.sandbox.control(Method::GET, "/dump", None).await;
        let objects = dump.as_object().cloned().unwrap_or_default();
        objects.into_iter().map(|(object, records)| (object, records.as_array().map_or(0, Vec::len))).collect()
    }

    /// How many Accounts, Contacts, Opportunities, contact roles, Orders and OrderItems the sandbox holds.
    pub async fn sale_records(&self) -> Vec<usize> {
        let counts = self.counts().await;
        let objects = ["Account", "Contact", "Opportunity", "OpportunityContactRole", "Order", "OrderItem"];
        objects.iter().map(|object| counts.get(*object).copied().unwrap_or_default()).collect()
    }

    /// API calls the sandbox counted so far.
    pub async fn api_calls(&self) -> u64 {
        let counters = self.sandbox.control(Method::GET, "/counters", None).await;
        counters["api_usage"]["used"].as_u64().unwrap_or_default()
    }
}

/// Polls `probe` until it gives a value (at most [`PATIENCE`]; `what` names it in the failure).
pub async fn eventually<T>(what: &str, mut probe: impl AsyncFnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: not after {PATIENCE:?}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A text field of a dumped record ("" when absent or null).
pub fn field<'a>(record: &'a Value, name: &str) -> &'a str {
    record.get(name).and_then(Value::as_str).unwrap_or_default()
}

/// Jane, customer 42.
pub fn jane() -> pb::Customer {
    pb::Customer {
        customer_id: "42".into(),
        email: "jane@example.com".into(),
        first_name: "Jane".into(),
        last_name: "Doe".into(),
        phone: "+1 555 0100".into(),
        ..Default::default()
    }
}

pub fn items() -> Vec<pb::LineItem> {
    [("WB-01", "Water bottle", 2.0, "19.99"), ("CAP-7", "Cap", 1.0, "12.50"), ("TEE-3", "T-shirt", 3.0, "9.00")]
        .into_iter()
        .map(|(sku, name, quantity, price)| pb::LineItem {
            sku: sku.into(),
            name: name.into(),
            quantity,
            unit_price: price.into(),
            ..Default::default()
        })
        .collect()
}

/// 2025-03-`day` at 09:00 UTC.
pub fn at(day: i64) -> Option<prost_types::Timestamp> {
    Some(prost_types::Timestamp { seconds: 1_740_819_600 + (day - 1) * 86_400, nanos: 0 })
}

pub fn checkout(event_id: &str, cart: &str, customer: pb::Customer, day: i64) -> pb::StartCheckoutRequest {
    pb::StartCheckoutRequest {
        event_id: event_id.into(),
        cart_id: cart.into(),
        customer: Some(customer),
        items: items(),
        total: "79.48".into(),
        occur_time: at(day),
    }
}

pub fn order(event_id: &str, order: &str, cart: &str, customer: pb::Customer, day: i64) -> pb::PlaceOrderRequest {
    pb::PlaceOrderRequest {
        event_id: event_id.into(),
        order_id: order.into(),
        cart_id: cart.into(),
        customer: Some(customer),
        items: items(),
        total: "79.48".into(),
        status: "pending".into(),
        occur_time: at(day),
        ..Default::default()
    }
}

pub fn payment(event_id: &str, order: &str, invoice_date: &str, day: i64) -> pb::RecordPaymentRequest {
    pb::RecordPaymentRequest {
        event_id: event_id.into(),
        order_id: order.into(),
        invoice_id: format!("inv-{order}"),
        invoice_date: invoice_date.into(),
        amount: "79.48".into(),
        occur_time: at(day),
    }
}

/// Cart 77 checked out, placed as order 100000123 and paid: events e1, e2, e3 for SubmitEvents.
pub fn sale_events() -> Vec<pb::SyncEvent> {
    use pb::sync_event::Event;
    let event = |event| pb::SyncEvent { event: Some(event) };
    vec![
        event(Event::Checkout(checkout("e1", "77", jane(), 1))),
        event(Event::Order(order("e2", "100000123", "77", jane(), 2))),
        event(Event::Payment(payment("e3", "100000123", "2025-03-04", 3))),
    ]
}

pub fn customer_save(event_id: &str, customer: pb::Customer) -> pb::UpsertCustomerRequest {
    pb::UpsertCustomerRequest { event_id: event_id.into(), customer: Some(customer), occur_time: None }
}

/// The products [`items`] sells, as one catalog save.
pub fn catalog(event_id: &str) -> pb::UpsertProductsRequest {
    let products =
        items().into_iter().map(|i| pb::Product { sku: i.sku, name: i.name, price: i.unit_price, active: None });
    pb::UpsertProductsRequest { event_id: event_id.into(), products: products.collect(), occur_time: None }
}

pub fn by_order(order: &str) -> Entity {
    Entity::OrderId(order.into())
}

/// The settings etag of store `code` on the server behind `channel`.
pub async fn etag_at(channel: &Channel, token: &str, code: &str) -> String {
    let mut config = StoreConfigServiceClient::with_interceptor(channel.clone(), Bearer::new(token));
    let current = config.get_store_config(pb::GetStoreConfigRequest { store_code: code.into() }).await;
    current.expect("get config").into_inner().etag
}

/// Connects store `code` on the server behind `channel` to the sandbox at
/// `login_url` (Test Connection & Apply), plus `settings` (fields in `paths`).
pub async fn connect_at(
    channel: &Channel,
    token: &str,
    code: &str,
    login_url: &str,
    mut settings: pb::StoreSettings,
    paths: Vec<&str>,
) {
    settings.connection =
        Some(pb::ConnectionSettings { login_url: login_url.into(), username: USER.into(), ..Default::default() });
    let mut paths: Vec<String> = paths.into_iter().map(str::to_owned).collect();
    paths.extend(["connection.login_url".to_owned(), "connection.username".to_owned()]);
    let mut config = StoreConfigServiceClient::with_interceptor(channel.clone(), Bearer::new(token));
    let etag = etag_at(channel, token, code).await;
    let secret = |kind: pb::CredentialKind, value: &str| pb::CredentialValue { kind: kind as i32, value: value.into() };
    let response = config
        .test_connection(pb::TestConnectionRequest {
            store_code: code.into(),
            settings: Some(settings),
            update_mask: Some(FieldMask { paths }),
            credentials: vec![
                secret(pb::CredentialKind::Password, PASSWORD),
                secret(pb::CredentialKind::SecurityToken, TOKEN),
            ],
            apply: true,
            etag,
        })
        .await
        .expect("test connection")
        .into_inner();
    assert!(response.applied, "test connection: {:?}", response.checks);
}
