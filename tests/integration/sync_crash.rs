//! The crash loop: a store plugin sends sales without pause while the server
//! is killed (no graceful shutdown, leases and transactions left behind) and
//! restarted on the same database again and again, and the org answers
//! through a seeded fault mix: 5 % HTTP 500 and 503, 2 % writes committed with
//! their answer lost, sessions expired, and a window with the daily API
//! allocation spent (a session expiring inside it, a restart inside it).
//! The plugin resends every unanswered request, as a real one does. In the
//! end every sale is in Salesforce exactly once, nothing is parked, and every
//! retry was answered as a duplicate, never refused.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use forcesync::pb::{self, sync_event::Event};
use reqwest::Method;
use serde_json::json;
use tokio::sync::watch;
use tonic::transport::Channel;

use crate::helpers::sync::SyncSetup;
use crate::helpers::{Bearer, postgres};
use crate::sync_faults::{
    PATIENCE, assert_exact_sales, checkout_event, count, counters, order_events, orders, queue_faults, synced,
};
use crate::sync_restart::{Stop, connected, restart};

const SALES: u32 = 60;
const KILLS: u32 = 5;
/// The kill that happens inside the API-limit window.
const KILL_IN_WINDOW: u32 = 3;
/// A sale's order and payment go out this many requests after its checkout,
/// so carts and orders of different sales share requests and folds.
pub const LAG: u32 = 3;

#[tokio::test]
async fn every_sale_lands_once_through_a_crash_loop_under_faults() {
    crash_loop(None).await;
}

#[tokio::test]
async fn every_sale_lands_once_through_a_crash_loop_under_faults_on_postgres() {
    let Some(url) = postgres::fresh_database().await else { return };
    crash_loop(Some(url)).await;
}

async fn crash_loop(database_url: Option<String>) {
    let mut setup = connected(database_url).await;
    // Batching makes few calls (about one per sale), so the rates are twice the field's (5 % of 500s and
    // 503s, 2 % of lost answers), and each server also meets one fault of each kind right after it starts.
    let mix = json!({ "seed": 10, "http_500": 0.05, "http_503": 0.05, "timeout_after_commit": 0.04 });
    setup.sandbox.control(Method::PATCH, "/faults", Some(mix)).await;

    let (server, channel) = watch::channel(vec![setup.app.channel.clone()]);
    let (allowance, allowed) = watch::channel(0);
    let answered = Arc::new(AtomicU32::new(0));
    let plugin = tokio::spawn(plugin(channel, allowed, setup.token.clone(), answered.clone(), SALES));

    // Each server gets a share of the plugin's requests (and a few more, so that some are in flight when
    // it dies) and is killed once the share is answered and it has written some of it to the org.
    let share = (SALES + LAG) / (KILLS + 1);
    for kill in 1..=KILLS {
        let graphs = count(&counters(&setup).await, "/calls/composite_graph");
        if kill == KILL_IN_WINDOW {
            setup = restart_in_a_limit_window(setup, &server, || {
                allowance.send_replace(kill * share + LAG);
            })
            .await;
        } else {
            allowance.send_replace(kill * share + LAG);
            wait_for(&setup, "the requests answered and some written", async |now| {
                answered.load(Ordering::SeqCst) >= kill * share && count(now, "/calls/composite_graph") > graphs
            })
            .await;
            setup.sandbox.control(Method::DELETE, "/sessions", None).await;
            setup = restart(setup, Stop::Kill).await;
            server.send_replace(vec![setup.app.channel.clone()]);
        }
        queue_faults(&setup, &[("timeout_after_commit", 1), ("http_503", 1), ("http_500", 1)]).await;
    }
    allowance.send_replace(SALES + LAG);

    let duplicates = tokio::time::timeout(PATIENCE, plugin).await.expect("the plugin finished").expect("plugin");
    synced(&setup, orders(0..SALES), 3).await;
    assert_exact_sales(&setup, SALES).await;
    assert_nothing_parked(&setup).await;

    let faults = counters(&setup).await;
    for fault in ["http_500", "http_503", "timeout_after_commit"] {
        assert!(count(&faults, &format!("/faults_injected/{fault}")) > 0, "{fault} was injected: {faults}");
    }
    println!(
        "{KILLS} kills, {duplicates} events resent after a lost answer (answered as duplicates), faults: {}",
        faults["faults_injected"]
    );
}

/// No event of the store belongs to a parked entity.
pub async fn assert_nothing_parked(setup: &SyncSetup) {
    let parked = pb::ListSyncEventsRequest { page_size: 10, state: pb::SyncState::Parked as i32, ..Default::default() };
    let parked = setup.sync().list_sync_events(parked).await.expect("list").into_inner().events;
    assert!(parked.is_empty(), "nothing parked: {parked:?}");
}

/// Spends the org's allocation, then lets the plugin send more (`more`);
/// once the store has met the spent allocation, expires every session; once
/// the paused store has checked again (logging in anew), kills and restarts
/// the server; once the new server has met the spent allocation, expires the
/// sessions again; then restores the budget.
async fn restart_in_a_limit_window(
    setup: SyncSetup,
    server: &watch::Sender<Vec<Channel>>,
    more: impl FnOnce(),
) -> SyncSetup {
    let used = count(&counters(&setup).await, "/api_usage/used");
    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "daily_api_limit": used }))).await;
    more();
    refused_again(&setup).await;
    setup.sandbox.control(Method::DELETE, "/sessions", None).await;
    refused_again(&setup).await;
    let setup = restart(setup, Stop::Kill).await;
    server.send_replace(vec![setup.app.channel.clone()]);
    refused_again(&setup).await;
    setup.sandbox.control(Method::DELETE, "/sessions", None).await;
    refused_again(&setup).await;
    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "daily_api_limit": used + 1_000_000 }))).await;
    setup
}

/// Waits until the org refuses one more call for the spent allocation.
async fn refused_again(setup: &SyncSetup) {
    let refused = count(&counters(setup).await, "/calls/rejected_limit");
    wait_for(setup, "another call refused for the limit", async |now| count(now, "/calls/rejected_limit") > refused)
        .await;
}

/// Polls the sandbox's counters until `done` holds for them.
pub async fn wait_for(setup: &SyncSetup, what: &str, mut done: impl AsyncFnMut(&serde_json::Value) -> bool) {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        let now = counters(setup).await;
        if done(&now).await {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "waited {PATIENCE:?} for {what}: {now}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The store plugin: one SubmitEvents request per step (sale n's checkout,
/// sale n − LAG's order and payment, for `sales` sales) as far as `allowed`.
/// Step k goes to server k mod n of those running (`servers`); an unanswered
/// request is resent to the next one until it is answered. Counts the
/// answered steps in `answered`. Every answer acknowledges every event; an
/// event acknowledged before is answered as a duplicate of itself.
/// Returns how many events were answered as duplicates.
pub async fn plugin(
    servers: watch::Receiver<Vec<Channel>>,
    mut allowed: watch::Receiver<u32>,
    token: String,
    answered: Arc<AtomicU32>,
    sales: u32,
) -> usize {
    let mut duplicates = 0;
    for step in 0..sales + LAG {
        allowed.wait_for(|allowed| step < *allowed).await.expect("the test is running");
        let mut events = Vec::new();
        if step < sales {
            events.push(checkout_event(step));
        }
        if let Some(n) = step.checked_sub(LAG) {
            events.extend(order_events(n));
        }
        let request = pb::SubmitEventsRequest { events };
        let mut target = step as usize;
        let acks = loop {
            let channel = {
                let servers = servers.borrow();
                servers[target % servers.len()].clone()
            };
            target += 1;
            let mut client = pb::sync_service_client::SyncServiceClient::with_interceptor(channel, Bearer::new(&token));
            match client.submit_events(request.clone()).await {
                Ok(response) => break response.into_inner().acks,
                Err(status) => {
                    assert!(
                        matches!(
                            status.code(),
                            tonic::Code::Unavailable | tonic::Code::Unknown | tonic::Code::Cancelled
                        ),
                        "only a server going away may refuse a request: {status:?}"
                    );
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        };
        let sent: Vec<String> = request.events.iter().map(event_id).collect();
        let acked: Vec<String> = acks.iter().map(|ack| ack.event_id.clone()).collect();
        assert_eq!(acked, sent, "one ack per event, in order");
        duplicates += acks.iter().filter(|ack| ack.duplicate).count();
        answered.store(step + 1, Ordering::SeqCst);
    }
    duplicates
}

fn event_id(event: &pb::SyncEvent) -> String {
    match &event.event {
        Some(Event::Checkout(e)) => e.event_id.clone(),
        Some(Event::Order(e)) => e.event_id.clone(),
        Some(Event::Payment(e)) => e.event_id.clone(),
        other => panic!("not sent by the plugin: {other:?}"),
    }
}
