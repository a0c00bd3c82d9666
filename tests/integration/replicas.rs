//! Several replicas on one PostgreSQL database share all work: a plugin
//! spreads 2,000 sales over three servers while one of them is killed (like
//! `kill -9`) and restarted again and again; folding, claims, leases and
//! pauses are shared through the database. Every sale lands in Salesforce
//! exactly once and nothing is parked. (Needs FORCESYNC_TEST_PG.)

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use tokio::sync::watch;

use crate::helpers::{TestApp, postgres, process};
use crate::sync_crash::{LAG, assert_nothing_parked, plugin, wait_for};
use crate::sync_faults::{PATIENCE, assert_exact_sales, count, orders, synced};
use crate::sync_restart::{connected, engine};

/// The size: about five minutes on two cores (the other tests run beside it).
const SALES: u32 = 2_000;
const REPLICAS: usize = 3;
const KILLS: u32 = 4;

#[tokio::test]
async fn three_replicas_share_the_work_and_a_killed_one_loses_nothing() {
    let Some(url) = postgres::fresh_database().await else { return };
    let setup = connected(Some(url.clone())).await;
    let mut others: Vec<TestApp> = Vec::new();
    for _ in 1..REPLICAS {
        let dir = tempfile::tempdir().expect("data dir");
        others.push(process::start(dir, setup.app.database_url.clone(), engine()).await);
    }
    let channels = |others: &[TestApp]| {
        let mut all = vec![setup.app.channel.clone()];
        all.extend(others.iter().map(|app| app.channel.clone()));
        all
    };
    let (servers, channel) = watch::channel(channels(&others));
    let (allowance, allowed) = watch::channel(0);
    let answered = Arc::new(AtomicU32::new(0));
    let plugin = tokio::spawn(plugin(channel, allowed, setup.token.clone(), answered.clone(), SALES));

    // The last replica is killed once each share of requests is answered and the org is taking writes,
    // then restarted on the same database (its own data directory, like a fresh container).
    let share = (SALES + LAG) / (KILLS + 1);
    for kill in 1..=KILLS {
        let graphs = count(&crate::sync_faults::counters(&setup).await, "/calls/composite_graph");
        allowance.send_replace(kill * share + LAG);
        wait_for(&setup, "the requests answered and some written", async |now| {
            answered.load(Ordering::SeqCst) >= kill * share && count(now, "/calls/composite_graph") > graphs
        })
        .await;
        let victim = others.pop().expect("a replica to kill");
        servers.send_replace(channels(&others));
        let (dir, database_url) = victim.stop(false).await;
        others.push(process::start(dir, database_url, engine()).await);
        servers.send_replace(channels(&others));
    }
    allowance.send_replace(SALES + LAG);

    tokio::time::timeout(PATIENCE, plugin).await.expect("the plugin finished").expect("plugin");
    synced(&setup, orders(0..SALES), 3).await;
    assert_exact_sales(&setup, SALES).await;
    assert_nothing_parked(&setup).await;
}
