//! The HTTP listener beside gRPC: `/healthz`, `/readyz`, extra routes, and
//! its part in a graceful shutdown.

use std::time::Duration;

use crate::helpers::{self, install_crypto, spawn_app};

/// GETs `http://addr{path}`; returns the status code and body.
pub async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    install_crypto();
    let response = reqwest::get(format!("http://{addr}{path}")).await.expect("HTTP request");
    let status = response.status().as_u16();
    (status, response.text().await.expect("HTTP body"))
}

#[tokio::test]
async fn healthz_and_readyz_answer_200_while_serving() {
    let app = spawn_app().await;
    let addr = app.server.http_addr.expect("the tests' servers listen for HTTP");
    assert_ne!(addr.port(), 0, "the bound port is reported, not the requested 0");
    assert_eq!(get(addr, "/healthz").await, (200, "ok\n".to_string()));
    assert_eq!(get(addr, "/readyz").await, (200, "ready\n".to_string()));
    assert_eq!(get(addr, "/no-such-page").await.0, 404);
    app.server.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn readyz_turns_503_once_shutdown_begins_and_the_listener_stops_with_the_server() {
    let app = spawn_app().await;
    let addr = app.server.http_addr.expect("http addr");
    let mut server = app.server;
    server.begin_shutdown();
    let mut ready = (0, String::new());
    for _ in 0..200 {
        ready = get(addr, "/readyz").await;
        if ready.0 == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(ready, (503, "not ready: shutting down\n".to_string()));
    assert_eq!(get(addr, "/healthz").await.0, 200, "the process still runs while it drains");
    server.wait().await.expect("clean shutdown");
    let refused = reqwest::get(format!("http://{addr}/healthz")).await;
    assert!(refused.is_err(), "the listener is closed once the server stopped: {refused:?}");
}

#[tokio::test]
async fn extra_routes_are_mounted_beside_the_built_in_ones() {
    helpers::logs::capture();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = helpers::serve_config(dir.path(), None, helpers::test_engine());
    config.http_routes = Some(forcesync::http::ExtraRoutes::new(|state| {
        let backend = state.storage.backend_name();
        axum::Router::new().route("/extra", axum::routing::get(move || async move { format!("extra on {backend}") }))
    }));
    let server = forcesync::server::start(config, std::future::pending()).await.expect("server starts");
    let addr = server.http_addr.expect("http addr");
    assert_eq!(get(addr, "/extra").await, (200, "extra on sqlite".to_string()));
    assert_eq!(get(addr, "/healthz").await.0, 200);
    server.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn no_http_listener_when_it_is_off() {
    helpers::logs::capture();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = helpers::serve_config(dir.path(), None, helpers::test_engine());
    config.http_listen = None;
    let server = forcesync::server::start(config, std::future::pending()).await.expect("server starts");
    assert_eq!(server.http_addr, None);
    server.shutdown().await.expect("clean shutdown");
}

#[tokio::test]
async fn readyz_is_503_when_the_database_does_not_answer() {
    let app = spawn_app().await;
    let addr = app.server.http_addr.expect("http addr");
    assert_eq!(get(addr, "/readyz").await.0, 200);
    // Closing the pool makes every query fail, as a lost database would.
    app.server.storage.close().await;
    assert_eq!(get(addr, "/readyz").await, (503, "not ready: the database does not answer\n".to_string()));
    assert_eq!(get(addr, "/healthz").await.0, 200, "the process itself is alive");
    assert_eq!(get(addr, "/metrics").await.0, 503, "no half-read metrics");
}
