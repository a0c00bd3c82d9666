//! The HTTP/1 listener beside gRPC (`--http-listen`): `/healthz` and
//! `/readyz` for load balancers, `/metrics` for Prometheus, plus whatever extra routes the server is
//! given (the web console mounts itself this way).

mod health;
mod metrics;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;
use axum::Router;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::domain::token::TokenHash;
use crate::salesforce::retry::RetryPolicy;
use crate::storage::{Sealer, Storage};

/// What the HTTP handlers share: the database, what a page needs to check the
/// admin token and open a store's Salesforce connection, and whether the
/// server is shutting down. Cheap to clone.
#[derive(Clone)]
pub struct HttpState {
    pub storage: Storage,
    /// The admin token's hash (sign-in checks a token against it).
    pub admin_hash: TokenHash,
    pub sealer: Sealer,
    /// The HTTP client for Salesforce (Test Connection).
    pub http: reqwest::Client,
    pub retry: RetryPolicy,
    shutting_down: Arc<AtomicBool>,
}

impl fmt::Debug for HttpState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpState").field("shutting_down", &self.is_shutting_down()).finish_non_exhaustive()
    }
}

impl HttpState {
    pub fn new(
        storage: Storage,
        admin_hash: TokenHash,
        sealer: Sealer,
        http: reqwest::Client,
        retry: RetryPolicy,
    ) -> Self {
        Self { storage, admin_hash, sealer, http, retry, shutting_down: Arc::default() }
    }

    /// True once the server's shutdown has begun.
    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::SeqCst)
    }

    /// Marks the server as shutting down: `/readyz` answers 503 from now on.
    pub fn begin_shutdown(&self) {
        self.shutting_down.store(true, Ordering::SeqCst);
    }
}

/// Builds the routes to mount beside the built-in ones (e.g. the web
/// console), given the shared state once the server has it.
#[derive(Clone)]
pub struct ExtraRoutes(Arc<dyn Fn(HttpState) -> Router + Send + Sync>);

impl ExtraRoutes {
    pub fn new(build: impl Fn(HttpState) -> Router + Send + Sync + 'static) -> Self {
        Self(Arc::new(build))
    }
}

impl fmt::Debug for ExtraRoutes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ExtraRoutes(..)")
    }
}

/// The listener's routes: the built-in ones merged with `extra`.
pub fn router(state: HttpState, extra: Router) -> Router {
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::metrics))
        .with_state(state)
        .merge(extra)
}

/// A running HTTP listener.
#[derive(Debug)]
pub struct HttpServer {
    pub addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl HttpServer {
    /// Binds `listen` (port 0 picks a free port); serving starts with [`HttpServer::serve`].
    pub async fn bind(listen: SocketAddr) -> anyhow::Result<TcpListener> {
        TcpListener::bind(listen).await.with_context(|| format!("cannot listen for HTTP on {listen}"))
    }

    /// Serves `app` on `listener` until [`HttpServer::shutdown`].
    pub fn serve(listener: TcpListener, app: Router) -> anyhow::Result<Self> {
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let shutdown = async move {
            let _ = stopped.await;
        };
        let task = tokio::spawn(async move {
            axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
                .with_graceful_shutdown(shutdown)
                .await
        });
        Ok(Self { addr, stop: Some(stop), task })
    }

    /// Stops accepting connections and waits for requests in flight.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await.context("HTTP server task panicked")?.context("HTTP server failed")
    }
}

/// Serves the built-in routes and `extra`'s on `listener`.
pub fn serve(listener: TcpListener, state: HttpState, extra: Option<&ExtraRoutes>) -> anyhow::Result<HttpServer> {
    let extra = extra.map(|build| (build.0)(state.clone())).unwrap_or_default();
    HttpServer::serve(listener, router(state, extra))
}
