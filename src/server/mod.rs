//! Starts the gRPC server: binds the listener, opens and migrates the
//! database, loads the master key, resolves the admin token (last, so a start
//! that fails keeps no token it never showed), then serves the forcesync
//! services with health and reflection until the shutdown signal, finishing
//! in-flight calls. The HTTP listener (`crate::http`) runs beside it and
//! stops last, so `/readyz` answers 503 while the rest drains.

pub mod admin_token;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::task::JoinHandle;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;

use crate::api::{AdminAuth, ChangeApi, InventoryApi, StoreAdminApi, StoreConfigApi, SyncApi};
use crate::domain::token::Token;
use crate::engine::{self, Connections, EngineConfig, EngineHandle};
use crate::pb::change_service_server::ChangeServiceServer;
use crate::pb::inventory_service_server::InventoryServiceServer;
use crate::pb::store_admin_service_server::StoreAdminServiceServer;
use crate::pb::store_config_service_server::StoreConfigServiceServer;
use crate::pb::sync_service_server::SyncServiceServer;
use crate::salesforce::retry::RetryPolicy;
use crate::storage::sync::{FoldOnCommit, Intake};
use crate::storage::{MasterKey, Sealer, Storage};

/// Everything `serve` needs, already parsed.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `None`: the SQLite file in `data_dir`.
    pub database_url: Option<String>,
    /// `None`: the stored hash, or a generated token on first start.
    pub admin_token: Option<Token>,
    /// `None`: the key file in `data_dir`, created on first start.
    pub master_key: Option<MasterKey>,
    /// Retries of transient Salesforce failures.
    pub retry: RetryPolicy,
    /// The sync engine's tuning.
    pub engine: EngineConfig,
    /// RabbitMQ queue mode (`--amqp-url`); `None`: no AMQP at all.
    pub amqp: Option<crate::amqp::AmqpConfig>,
    /// The HTTP listener (`--http-listen`); `None`: no HTTP listener.
    pub http_listen: Option<SocketAddr>,
    /// Routes mounted on the HTTP listener beside the built-in ones; `None`:
    /// the web console (`crate::console`, sharing the engine's connections).
    pub http_routes: Option<crate::http::ExtraRoutes>,
}

impl ServeConfig {
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| Storage::default_sqlite_url(&self.data_dir))
    }
}

/// A server that is accepting calls.
#[derive(Debug)]
pub struct RunningServer {
    pub addr: SocketAddr,
    /// Where the HTTP listener is bound (`None`: it is off).
    pub http_addr: Option<SocketAddr>,
    /// The admin token generated on this start, to be shown once.
    pub generated_admin_token: Option<Token>,
    pub storage: Storage,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
    engine: Option<EngineHandle>,
    amqp: Option<crate::amqp::AmqpHandle>,
    http: Option<crate::http::HttpServer>,
}

impl RunningServer {
    /// The sync engine, to step by hand when it was configured `manual`.
    pub fn engine(&self) -> Option<engine::Engine> {
        self.engine.as_ref().map(EngineHandle::engine)
    }

    /// The RabbitMQ consumer, when `--amqp-url` was given.
    pub fn amqp(&self) -> Option<&crate::amqp::AmqpHandle> {
        self.amqp.as_ref()
    }

    /// Stops accepting calls, lets in-flight calls finish, stops the engine
    /// (releasing its leases), closes the database.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        self.begin_shutdown();
        self.wait().await
    }

    /// Starts the shutdown without waiting for it: `/readyz` turns 503 and
    /// new gRPC calls are refused; [`RunningServer::wait`] finishes it.
    pub fn begin_shutdown(&mut self) {
        if let Some(signal) = self.shutdown.take() {
            let _ = signal.send(());
        }
    }

    /// Waits until the server stops (after its shutdown signal).
    pub async fn wait(&mut self) -> anyhow::Result<()> {
        let served = (&mut self.task).await.context("server task panicked")?.context("gRPC server failed");
        if let Some(amqp) = self.amqp.take() {
            amqp.shutdown().await;
        }
        if let Some(engine) = self.engine.take() {
            engine.shutdown().await;
        }
        let http = match self.http.take() {
            Some(http) => http.shutdown().await,
            None => Ok(()),
        };
        self.storage.close().await;
        served.and(http)
    }
}

/// Opens the database (creating the data directory), applies migrations.
pub async fn open_storage(config: &ServeConfig) -> anyhow::Result<Storage> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("cannot create the data directory {}", config.data_dir.display()))?;
    // The error names the database and why it cannot be opened.
    let storage = Storage::connect(&config.database_url()).await?;
    storage.migrate().await.context("cannot apply database migrations")?;
    Ok(storage)
}

/// Binds, prepares and starts serving; returns once calls are accepted.
/// `stop` ends the server gracefully when it completes.
pub async fn start(
    config: ServeConfig,
    stop: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<RunningServer> {
    // Listen first: a start that cannot serve must not get as far as
    // generating (and keeping) an admin token it would never show.
    let listener =
        TcpListener::bind(config.listen).await.with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    let http_listener = match config.http_listen {
        Some(listen) => Some(crate::http::HttpServer::bind(listen).await?),
        None => None,
    };
    let storage = open_storage(&config).await?;
    let master_key = match &config.master_key {
        Some(key) => key.clone(),
        None => MasterKey::load_or_create(&config.data_dir)?,
    };

    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter.set_serving::<StoreAdminServiceServer<StoreAdminApi>>().await;
    health_reporter.set_serving::<StoreConfigServiceServer<StoreConfigApi>>().await;
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(crate::pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            // google.rpc error details, so reflection clients can decode them.
            .register_encoded_file_descriptor_set(tonic_types::pb::FILE_DESCRIPTOR_SET)
    };
    // v1alpha too: grpcurl and some clients only speak the older protocol.
    let reflection_v1 = reflection().build_v1()?;
    let reflection_v1alpha = reflection().build_v1alpha()?;

    crate::install_crypto_provider();
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(120))
        .user_agent(concat!("forcesync/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("cannot build the HTTP client")?;
    // The last step that can fail: a token generated here is stored only when
    // nothing else stands between it and serving (the caller shows it).
    let (admin_hash, generated_admin_token) =
        admin_token::resolve(&storage, config.admin_token.as_ref()).await.context("cannot set up the admin token")?;
    let admin =
        StoreAdminServiceServer::with_interceptor(StoreAdminApi::new(storage.clone()), AdminAuth::new(admin_hash));
    let sealer = Sealer::new(&master_key);
    let http_state =
        crate::http::HttpState::new(storage.clone(), admin_hash, sealer.clone(), http.clone(), config.retry);
    let config_service =
        StoreConfigServiceServer::new(StoreConfigApi::new(storage.clone(), sealer.clone(), http.clone(), config.retry))
            .max_decoding_message_size(crate::api::MAX_REQUEST_BYTES);
    let committed = Arc::new(Notify::new());
    let intake = Intake::start_with(storage.clone(), committed.clone(), fold_on_commit(&config.engine));
    let changes_queued = Arc::new(Notify::new());
    let amqp = config
        .amqp
        .clone()
        .map(|amqp| crate::amqp::start(amqp, storage.clone(), intake.clone(), changes_queued.clone()));
    let sync_service = SyncServiceServer::new(SyncApi::new(storage.clone(), intake))
        .max_decoding_message_size(crate::api::MAX_REQUEST_BYTES);
    health_reporter.set_serving::<SyncServiceServer<SyncApi>>().await;
    let inventory_service = InventoryServiceServer::new(InventoryApi::new(storage.clone()))
        .max_decoding_message_size(crate::api::MAX_REQUEST_BYTES);
    health_reporter.set_serving::<InventoryServiceServer<InventoryApi>>().await;
    let change_service = ChangeServiceServer::new(ChangeApi::new(storage.clone(), changes_queued.clone()));
    health_reporter.set_serving::<ChangeServiceServer<ChangeApi>>().await;
    let connections = Arc::new(Connections::new(storage.clone(), sealer, http, config.retry));
    let engine = engine::start(storage.clone(), connections.clone(), config.engine.clone(), committed, changes_queued);

    let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
    let http_server = match http_listener {
        Some(listener) => {
            let console = crate::console::extra_routes(connections);
            let extra = config.http_routes.as_ref().unwrap_or(&console);
            Some(crate::http::serve(listener, http_state.clone(), Some(extra))?)
        }
        None => None,
    };
    let signal = async move {
        tokio::select! {
            () = stop => {},
            _ = shutdown_rx => {},
        }
        http_state.begin_shutdown();
        tracing::info!("shutting down: finishing in-flight calls");
        health_reporter.set_not_serving::<StoreAdminServiceServer<StoreAdminApi>>().await;
        health_reporter.set_not_serving::<StoreConfigServiceServer<StoreConfigApi>>().await;
        health_reporter.set_not_serving::<SyncServiceServer<SyncApi>>().await;
        health_reporter.set_not_serving::<InventoryServiceServer<InventoryApi>>().await;
    };
    let router = Server::builder()
        .trace_fn(|request| tracing::debug_span!("grpc", method = %request.uri().path()))
        .layer(crate::api::FramingErrorsLayer)
        .layer(crate::api::StoreTokenLayer::new(crate::api::TokenStores::new(storage.clone())))
        .add_service(health_service)
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .add_service(admin)
        .add_service(config_service)
        .add_service(sync_service)
        .add_service(inventory_service)
        .add_service(change_service);
    // TCP_NODELAY: Server::builder's default applies only to listeners it binds itself. Without it a
    // response written in more than one segment waits for the client's delayed ACK (~40 ms on Linux).
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let task = tokio::spawn(router.serve_with_incoming_shutdown(incoming, signal));
    let http_addr = http_server.as_ref().map(|server| server.addr);
    tracing::info!(%addr, ?http_addr, database = storage.backend_name(), "forcesync is serving");
    Ok(RunningServer {
        addr,
        http_addr,
        generated_admin_token,
        storage,
        shutdown: Some(shutdown_tx),
        task,
        engine: Some(engine),
        amqp,
        http: http_server,
    })
}

/// The intake folds what it commits (on SQLite) unless the engine moves
/// only when a test steps it: then folding is one of the steps.
fn fold_on_commit(engine: &EngineConfig) -> Option<FoldOnCommit> {
    if engine.manual {
        return None;
    }
    let clock = engine.clock.clone();
    let linger_ms = i64::try_from(engine.linger.as_millis()).unwrap_or(i64::MAX);
    Some(FoldOnCommit { linger_ms, now: Arc::new(move || clock.now_millis()) })
}

/// Resolves when the process gets SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}
