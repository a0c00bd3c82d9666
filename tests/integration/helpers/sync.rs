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
    let sandbox = spawn_sandbox().await;
    let app = spawn_app_with(None, engine).await;
    let (_, token) = app.create_store("main").await;
    let setup = SyncSetup { app, sandbox, token };
    setup.connect(settings, paths).await;
    setup
}

impl SyncSetup {
    pub fn sync(&self) -> SyncClient {
        SyncServiceClient::with_interceptor(self.app.channel.clone(), Bearer::new(&self.token))
    }

    /// Applies connection settings for the sandbox plus `settings` (fields in `paths`).
    pub async fn connect(&self, mut settings: pb::StoreSettings, paths: Vec<&str>) {
        settings.connection = Some(pb::ConnectionSettings {
            login_url: self.sandbox.server.url.clone(),
            username: USER.into(),
            ..Default::default()
        });
        let mut paths: Vec<String> = paths.into_iter().map(str::to_owned).collect();
        paths.extend(["connection.login_url".to_owned(), "connection.username".to_owned()]);
        let mut config = StoreConfigServiceClient::with_interceptor(self.app.channel.clone(), Bearer::new(&self.token));
        let etag = config
            .get_store_config(pb::GetStoreConfigRequest { store_code: "main".into() })
            .await
            .expect("get config")
            .into_inner()
            .etag;
        let secret =
            |kind: pb::CredentialKind, value: &str| pb::CredentialValue { kind: kind as i32, value: value.into() };
        let response = config
            .test_connection(pb::TestConnectionRequest {
                store_code: "main".into(),
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

    /// Every record of `object` the sandbox holds.
    pub async fn records(&self, object: &str) -> Vec<Value> {
        let dump = self.sandbox.control(Method::GET, "/dump", None).await;
        dump.get(object).and_then(Value::as_array).cloned().unwrap_or_default()
    }

    /// API calls the sandbox counted so far.
    pub async fn api_calls(&self) -> u64 {
        let counters = self.sandbox.control(Method::GET, "/counters", None).await;
        counters["api_usage"]["used"].as_u64().unwrap_or_default()
    }
}

/// Jane, customer 42.
pub fn jane() -> pb::Customer {
    pb::Customer {
        customer_id: "42".into(),
        email: "jane@example.com".into(),
        first_name: "Jane".into(),
        last_name: "Doe".into(),
        phone: "+1 555 0100".into(),
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

pub fn by_order(order: &str) -> Entity {
    Entity::OrderId(order.into())
}
