//! Correctness across restarts, end to end: a server killed mid-run (no
//! graceful shutdown, leases left behind) or shut down gracefully while writes
//! are in flight, then started again on the same database, finishes every sale
//! exactly once. On PostgreSQL too (when FORCESYNC_TEST_PG is set): a sale,
//! a fault scenario, and a kill and restart.

use std::time::Duration;

use forcesync::engine::EngineConfig;
use forcesync::pb;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::sandbox::spawn_sandbox;
use crate::helpers::sync::SyncSetup;
use crate::helpers::{postgres, process, test_engine};
use crate::sync_faults::{
    assert_exact_sales, checkout_event, counters, finish_sale, five_sales_under, order_events, orders, start_sale,
    synced,
};

const SALES: u32 = 20;

/// Test timings with a short lease, so a killed server's work comes back within a second.
pub fn engine() -> EngineConfig {
    EngineConfig { lease: Duration::from_secs(1), ..test_engine() }
}

/// A server in a process of its own (see [`process`]) on `database_url`
/// (`None`: SQLite in a temp dir) with store `main` connected to a fresh sandbox.
pub async fn connected(database_url: Option<String>) -> SyncSetup {
    let sandbox = spawn_sandbox().await;
    let app = process::spawn_process(database_url, engine()).await;
    let (_, token) = app.create_store("main").await;
    let setup = SyncSetup { app, sandbox, token };
    setup.connect(pb::StoreSettings::default(), Vec::new()).await;
    setup
}

/// How the first server stops.
#[derive(Clone, Copy)]
pub enum Stop {
    /// Like `kill -9`: every task gone at once, nothing released.
    Kill,
    Graceful,
}

/// Stops the server and starts a new one on the same database, data directory, master key and admin token.
pub async fn restart(setup: SyncSetup, stop: Stop) -> SyncSetup {
    let SyncSetup { app, sandbox, token } = setup;
    let (dir, database_url) = app.stop(matches!(stop, Stop::Graceful)).await;
    SyncSetup { app: process::start(dir, database_url, engine()).await, sandbox, token }
}

/// Sales `sales` as one SubmitEvents call: checkout, order and payment each.
async fn submit_sales(setup: &SyncSetup, sales: std::ops::Range<u32>) {
    let events = sales.flat_map(|n| std::iter::once(checkout_event(n)).chain(order_events(n)));
    setup.sync().submit_events(pb::SubmitEventsRequest { events: events.collect() }).await.expect("submit");
}

/// Twenty sales against a slow org (every call takes 200 ms): ten synced, then
/// ten more sent at once; the server stops as soon as the org has taken a
/// graph of theirs (its outcome may not be recorded yet) while they are
/// leased, and restarts on the same database. Every sale ends synced with no
/// record written twice.
async fn sales_across_a_restart(database_url: Option<String>, stop: Stop) {
    let setup = connected(database_url).await;
    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "latency_ms": 200 }))).await;
    submit_sales(&setup, 0..SALES / 2).await;
    synced(&setup, orders(0..SALES / 2), 3).await;

    let graphs = |counters: Value| counters["calls"]["composite_graph"].as_u64().unwrap_or_default();
    let before = graphs(counters(&setup).await);
    submit_sales(&setup, SALES / 2..SALES).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    while graphs(counters(&setup).await) == before {
        assert!(tokio::time::Instant::now() < deadline, "no graph sent for the second ten sales");
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    let setup = restart(setup, stop).await;
    synced(&setup, orders(0..SALES), 3).await;
    assert_exact_sales(&setup, SALES).await;
}

#[tokio::test]
async fn a_killed_server_restarted_on_its_database_finishes_every_sale_once() {
    sales_across_a_restart(None, Stop::Kill).await;
}

#[tokio::test]
async fn a_server_shut_down_mid_run_finishes_every_sale_once_after_a_restart() {
    sales_across_a_restart(None, Stop::Graceful).await;
}

#[tokio::test]
async fn a_sale_syncs_on_postgres() {
    let Some(url) = postgres::fresh_database().await else { return };
    let setup = connected(Some(url)).await;
    start_sale(&setup, 0).await;
    finish_sale(&setup, 0).await;
    synced(&setup, orders(0..1), 3).await;
    assert_exact_sales(&setup, 1).await;
}

#[tokio::test]
async fn faults_on_postgres_leave_exact_records() {
    let Some(url) = postgres::fresh_database().await else { return };
    let faults = [("timeout_after_commit", 2), ("http_503", 1), ("unable_to_lock_row", 1), ("expire_session", 1)];
    five_sales_under(&connected(Some(url)).await, &faults).await;
}

#[tokio::test]
async fn a_killed_server_on_postgres_finishes_every_sale_once() {
    let Some(url) = postgres::fresh_database().await else { return };
    sales_across_a_restart(Some(url), Stop::Kill).await;
}
