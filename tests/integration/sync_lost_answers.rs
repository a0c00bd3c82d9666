//! The key fault, stepped: the graph creating an Order and its items
//! commits and its answer is lost (then a lookup's answer too). The engine
//! must not repeat the items' create-only fields blindly, nor create anything
//! twice. The engine is stepped, so each sale's order and payment are folded
//! before its entity is leased however busy the machine is, and backoffs run
//! out when the test moves the clock.

use forcesync::engine::{Engine, TestClock};
use forcesync::pb;

use crate::helpers::sync::{SyncSetup, connected_store_with};
use crate::helpers::{settle, stepped_engine};
use crate::sync_faults::{
    assert_exact_sales, carts, every_fault_injected_twice, finish_sale, orders, queue_faults, start_sale, synced,
};

/// Like `sync_faults::five_sales_under`, stepped: sale 0 synced without
/// faults, then sales 1–5's checkouts with `faults` queued, then their orders
/// and payments with `faults` queued again. Every queued fault is injected.
async fn five_stepped_sales_under(setup: &SyncSetup, engine: &Engine, clock: &TestClock, faults: &[(&str, usize)]) {
    let retry_max = stepped_engine(clock).retry_max;
    start_sale(setup, 0).await;
    finish_sale(setup, 0).await;
    settle(engine, clock, retry_max).await;
    synced(setup, orders(0..1), 3).await;

    queue_faults(setup, faults).await;
    for n in 1..6 {
        start_sale(setup, n).await;
    }
    settle(engine, clock, retry_max).await;
    synced(setup, carts(1..6), 1).await;
    queue_faults(setup, faults).await;
    for n in 1..6 {
        finish_sale(setup, n).await;
    }
    let settled = settle(engine, clock, retry_max).await;
    assert_eq!(settled.parked, 0, "{settled:?}");
    synced(setup, orders(0..6), 3).await;

    every_fault_injected_twice(setup, faults).await;
    assert_exact_sales(setup, 6).await;
}

#[tokio::test]
async fn writes_committed_with_their_answer_lost_are_not_duplicated() {
    let clock = TestClock::ahead_of_wall_clock();
    let setup = connected_store_with(stepped_engine(&clock), pb::StoreSettings::default(), Vec::new()).await;
    let engine = setup.app.server.engine().expect("engine");
    five_stepped_sales_under(&setup, &engine, &clock, &[("timeout_after_commit", 2)]).await;
    let storage = &setup.app.server.storage;
    let log = storage.sync_log(storage.store_id("main").await.expect("store"), 1000).await.expect("log");
    let lost: Vec<&String> = log
        .iter()
        .filter(|(_, level, _, message)| level == "warn" && message.contains("TRANSPORT"))
        .map(|l| &l.2)
        .collect();
    assert!(!lost.is_empty(), "an order's graph lost its answer: {log:#?}");
    for entity in lost {
        let wrote = log.iter().any(|(_, _, e, message)| e == entity && message.contains("Order "));
        assert!(wrote, "{entity} wrote its Order after the lost answer: {log:#?}");
    }
}
