//! The sandbox over HTTP: an accept loop on hyper (so a fault can close a
//! connection without any response), axum routing, and the background task
//! that processes Bulk API jobs between requests.

mod control;
mod data;
mod identity;
mod login;
mod shared;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{any, get, post};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{Notify, oneshot};
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt as _;

use super::config::SandboxConfig;
use super::schema::CustomSchema;
use super::state::SandboxState;

pub use shared::{DropConnection, Shared};

/// Largest request body accepted (Bulk uploads are up to 100 MB of CSV).
const MAX_BODY_BYTES: usize = 150 * 1024 * 1024;
/// Bulk rows processed per lock acquisition by the background task.
const BULK_CHUNK: usize = 2_000;

/// A running sandbox.
#[derive(Debug)]
pub struct SandboxServer {
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`: the login URL and instance URL.
    pub url: String,
    pub shared: Shared,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl SandboxServer {
    /// Binds `listen` (port 0 for any) and starts serving.
    pub async fn start(
        config: SandboxConfig,
        custom: Option<CustomSchema>,
        listen: SocketAddr,
    ) -> Result<Self, String> {
        let state = SandboxState::new(config, custom)?;
        let shared = Shared { state: Arc::new(Mutex::new(state)), bulk_work: Arc::new(Notify::new()) };
        let listener = TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let (shutdown, stopped) = oneshot::channel();
        let task = tokio::spawn(serve(listener, router(shared.clone()), shared.clone(), stopped));
        Ok(Self { addr, url: format!("http://{addr}"), shared, shutdown: Some(shutdown), task })
    }

    /// Stops accepting and closes open connections.
    pub async fn shutdown(mut self) {
        if let Some(signal) = self.shutdown.take() {
            let _ = signal.send(());
        }
        let _ = (&mut self.task).await;
    }

    /// Waits until the server stops.
    pub async fn wait(&mut self) {
        let _ = (&mut self.task).await;
    }
}

fn router(shared: Shared) -> Router {
    Router::new()
        .route("/services/Soap/{flavor}/{version}", post(login::soap))
        .route("/services/Soap/{flavor}/{version}/{*rest}", post(login::soap))
        .route("/services/oauth2/token", post(login::oauth_token))
        .route("/services/oauth2/userinfo", get(login::userinfo))
        .route("/id/{org_id}/{user_id}", get(identity::identity))
        .route("/services/data", get(data::versions))
        .route("/services/data/", get(data::versions))
        .route("/services/data/{version}", any(data::rest))
        .route("/services/data/{version}/", any(data::rest))
        .route("/services/data/{version}/{*rest}", any(data::rest))
        .nest("/_sandbox", control::router())
        .fallback(data::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(shared)
}

async fn serve(listener: TcpListener, router: Router, shared: Shared, mut stopped: oneshot::Receiver<()>) {
    let mut connections = JoinSet::new();
    let bulk = tokio::spawn(bulk_worker(shared));
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let router = router.clone();
                connections.spawn(async move {
                    let service = hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                        let mut request = request.map(axum::body::Body::new);
                        request.extensions_mut().insert(axum::extract::ConnectInfo(peer));
                        let router = router.clone();
                        async move {
                            let response = router.oneshot(request).await.map_err(|never| match never {})?;
                            // A fault asked for the connection to close without an answer.
                            match response.extensions().get::<DropConnection>() {
                                Some(_) => Err(DropConnection),
                                None => Ok(response),
                            }
                        }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
    bulk.abort();
    connections.abort_all();
}

/// Processes Bulk jobs in chunks, releasing the lock between chunks.
async fn bulk_worker(shared: Shared) {
    loop {
        shared.bulk_work.notified().await;
        while shared.with_state(|state| super::rest::bulk::process_some(state, BULK_CHUNK)) {
            tokio::task::yield_now().await;
        }
    }
}
