//! `spawn_app()` and friends: a real server on 127.0.0.1:0 with a fresh
//! database (SQLite in a temp dir, or a fresh PostgreSQL schema), plus clients
//! that send bearer tokens.

pub mod amqp;
pub mod console;
pub mod logs;
pub mod postgres;
pub mod process;
pub mod sandbox;
pub mod sync;
pub mod webdriver;

use forcesync::domain::token::Token;
use forcesync::pb::store_admin_service_client::StoreAdminServiceClient;
use forcesync::pb::store_config_service_client::StoreConfigServiceClient;
use forcesync::pb::{CreateStoreRequest, Store};
use forcesync::server::{RunningServer, ServeConfig};
use forcesync::storage::MasterKey;
use tonic::metadata::MetadataValue;
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;
use tonic::{Request, Status};

pub const ADMIN_TOKEN: &str = "test-admin-token-0123456789abcdef";
pub const MASTER_KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

/// Adds `authorization: Bearer <token>` to every call.
#[derive(Clone)]
pub struct Bearer(Option<MetadataValue<tonic::metadata::Ascii>>);

impl Bearer {
    pub fn new(token: &str) -> Self {
        Self(format!("Bearer {token}").parse().ok())
    }

    pub fn none() -> Self {
        Self(None)
    }
}

impl Interceptor for Bearer {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        if let Some(value) = &self.0 {
            request.metadata_mut().insert("authorization", value.clone());
        }
        Ok(request)
    }
}

pub type AdminClient = StoreAdminServiceClient<InterceptedService<Channel, Bearer>>;
pub type ConfigClient = StoreConfigServiceClient<InterceptedService<Channel, Bearer>>;

pub struct TestApp {
    pub server: RunningServer,
    pub channel: Channel,
    pub database_url: String,
    pub dir: tempfile::TempDir,
    /// Set when the server runs in a process of its own (see [`process`]).
    pub process: Option<process::Process>,
}

/// Installs rustls' ring provider once (reqwest is built without a default one).
pub fn install_crypto() {
    forcesync::install_crypto_provider();
}

/// Engine timings for tests: short linger, polls, backoff and pauses, so
/// work finishes quickly (tests wait for outcomes, never for a duration).
pub fn test_engine() -> forcesync::engine::EngineConfig {
    use std::time::Duration;
    forcesync::engine::EngineConfig {
        workers: 2,
        linger: Duration::from_millis(20),
        batch_wait: Duration::ZERO,
        poll: Duration::from_millis(20),
        retry_base: Duration::from_millis(20),
        retry_max: Duration::from_millis(200),
        pause: Duration::from_millis(300),
        // Only the first step sweeps: a blocked sale must be woken by its customer's finish
        // (the sweep is the backstop for races, tested on its own in sync_blocked.rs).
        wake_sweep: Duration::from_secs(24 * 3600),
        ..Default::default()
    }
}

/// Test timings for an engine that moves only when the test steps it
/// (`server.engine()`), reading `clock`, with the production pauses: the
/// test moves the clock instead of waiting them out. No linger: what a step
/// folds is due in the same step.
pub fn stepped_engine(clock: &forcesync::engine::TestClock) -> forcesync::engine::EngineConfig {
    use std::time::Duration;
    forcesync::engine::EngineConfig {
        manual: true,
        linger: Duration::ZERO,
        clock: std::sync::Arc::new(clock.clone()),
        pause_first: Duration::from_secs(60),
        pause: Duration::from_secs(15 * 60),
        ..test_engine()
    }
}

/// Drains a stepped engine, moving `clock` on by `retry_max` whenever work is
/// left waiting for a backoff, until nothing is due however far it moves;
/// returns what every step did.
pub async fn settle(
    engine: &forcesync::engine::Engine,
    clock: &forcesync::engine::TestClock,
    retry_max: std::time::Duration,
) -> forcesync::engine::StepReport {
    let mut total = engine.drain().await;
    for _ in 0..100 {
        clock.advance(retry_max);
        let report = engine.drain().await;
        total += report;
        if report.claimed == 0 {
            break;
        }
    }
    total
}

/// A server on a fresh SQLite database.
pub async fn spawn_app() -> TestApp {
    spawn_app_on(None).await
}

/// A server on `database_url` (`None`: SQLite in a temp dir).
pub async fn spawn_app_on(database_url: Option<String>) -> TestApp {
    spawn_app_with(database_url, test_engine()).await
}

/// A server on `database_url` with this engine tuning.
pub async fn spawn_app_with(database_url: Option<String>, engine: forcesync::engine::EngineConfig) -> TestApp {
    spawn_app_retrying(database_url, engine, forcesync::salesforce::retry::RetryPolicy::default()).await
}

/// Like [`spawn_app_with`], with the Salesforce client retrying a failed call `retry`'s way.
pub async fn spawn_app_retrying(
    database_url: Option<String>,
    engine: forcesync::engine::EngineConfig,
    retry: forcesync::salesforce::retry::RetryPolicy,
) -> TestApp {
    logs::capture();
    let dir = tempfile::tempdir().expect("temp dir");
    let config = ServeConfig { retry, ..serve_config(dir.path(), database_url, engine) };
    let database_url = config.database_url();
    let server = forcesync::server::start(config, std::future::pending()).await.expect("server starts");
    TestApp { channel: connect(&server).await, server, database_url, dir, process: None }
}

/// How tests run a server: port 0, the test admin token and master key.
pub fn serve_config(
    dir: &std::path::Path,
    database_url: Option<String>,
    engine: forcesync::engine::EngineConfig,
) -> ServeConfig {
    ServeConfig {
        listen: "127.0.0.1:0".parse().expect("addr"),
        data_dir: dir.to_path_buf(),
        database_url,
        admin_token: Some(Token::from_secret(ADMIN_TOKEN)),
        master_key: Some(MasterKey::from_base64(MASTER_KEY_B64).expect("key")),
        retry: forcesync::salesforce::retry::RetryPolicy::default(),
        engine,
        amqp: None,
        http_listen: Some("127.0.0.1:0".parse().expect("http addr")),
        http_routes: None,
    }
}

async fn connect(server: &RunningServer) -> Channel {
    Channel::from_shared(format!("http://{}", server.addr)).expect("uri").connect().await.expect("connect")
}

impl TestApp {
    pub fn admin(&self) -> AdminClient {
        self.admin_with(Bearer::new(ADMIN_TOKEN))
    }

    pub fn admin_with(&self, bearer: Bearer) -> AdminClient {
        StoreAdminServiceClient::with_interceptor(self.channel.clone(), bearer)
    }

    pub fn config(&self, store_token: &str) -> ConfigClient {
        self.config_with(Bearer::new(store_token))
    }

    pub fn config_with(&self, bearer: Bearer) -> ConfigClient {
        StoreConfigServiceClient::with_interceptor(self.channel.clone(), bearer)
    }

    /// Creates a store through the API; returns it with its token.
    pub async fn create_store(&self, code: &str) -> (Store, String) {
        let response = self
            .admin()
            .create_store(CreateStoreRequest { code: code.into(), display_name: format!("Store {code}") })
            .await
            .expect("create store")
            .into_inner();
        (response.store.expect("store"), response.store_token)
    }
}

/// The field paths of an INVALID_ARGUMENT status's BadRequest details.
pub fn violated_fields(status: &Status) -> Vec<String> {
    use tonic_types::StatusExt as _;
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    let bad_request = status.get_details_bad_request().expect("BadRequest details");
    bad_request.field_violations.into_iter().map(|v| v.field).collect()
}

/// The ErrorInfo reason of a status.
pub fn error_reason(status: &Status) -> String {
    use tonic_types::StatusExt as _;
    status.get_details_error_info().map(|info| info.reason).unwrap_or_default()
}
