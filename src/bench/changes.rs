//! `forcesync bench changes`: what bidirectional mode costs and how fast it
//! is. (a) An idle bidirectional store (four watched objects, order download
//! on) stepped through `--hours` of simulated time at the default 60 s
//! interval: forcesync's API calls per hour beside a naive poller's (per
//! interval, `/updated` and `/deleted` of every watched object and a query
//! for orders to download, run against the same sandbox), and again with the
//! org's API budget under 10%. (b) With the engine running on its own at a
//! `--interval` of a few seconds, `--edits` Salesforce edits timed until the
//! store can pull them, beside the poll interval.

use std::time::{Duration, Instant};

use anyhow::{Context as _, ensure};
use clap::Args;
use reqwest::Method;
use serde_json::json;

use crate::engine::{EngineConfig, TestClock};
use crate::pb::change_service_client::ChangeServiceClient;
use crate::pb::{self, ChangeCaptureSettings, IntegrationMode, OrderDownloadSettings};
use crate::salesforce::{Call, Client};

use super::Table;
use super::harness::{Bearer, Bench, Counters, percentile, sandbox, sf_client};
use super::shop;

#[derive(Debug, Args)]
pub struct ChangesBenchArgs {
    /// Simulated idle hours (a stepped clock: they take seconds).
    #[arg(long, default_value_t = 1)]
    pub hours: u32,
    /// Salesforce edits timed until the store can pull them (real time).
    #[arg(long, default_value_t = 6)]
    pub edits: usize,
    /// The poll interval of the latency run, in seconds (5 at least).
    #[arg(long, default_value_t = 5)]
    pub interval: u32,
}

const WATCHED: [&str; 4] = ["Account", "Contact", "Opportunity", "Order"];

/// Makes the bench store bidirectional, downloading activated orders, polling every `interval` seconds.
async fn bidirectional(bench: &Bench, interval: u32) -> anyhow::Result<()> {
    let settings = pb::StoreSettings {
        integration_mode: IntegrationMode::Bidirectional as i32,
        order_download: Some(OrderDownloadSettings {
            enabled: true,
            soql_filter: "Status = 'Activated'".into(),
            start_date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        }),
        change_capture: Some(ChangeCaptureSettings { poll_interval_seconds: interval as i32, ..Default::default() }),
        ..Default::default()
    };
    let paths = ["integration_mode", "order_download", "change_capture.poll_interval_seconds"];
    bench.update_settings("bench", settings, &paths).await
}

/// API calls of `hours` idle hours, stepped a minute at a time.
async fn idle_calls(bench: &Bench, clock: &TestClock, url: &str, hours: u32) -> anyhow::Result<u64> {
    let engine = bench.server.engine().context("the bench engine")?;
    let http = reqwest::Client::new();
    let before = Counters::read(&http, url).await?;
    for _ in 0..hours * 60 {
        clock.advance(Duration::from_secs(60));
        let report = engine.step_changes().await;
        ensure!(report.failed == 0 && report.queued == 0, "an idle poll found work or failed: {report:?}");
    }
    Ok(Counters::read(&http, url).await?.since(&before).api_used)
}

/// A naive poller's calls for `intervals` polls of an idle org.
async fn naive_calls(client: &Client, url: &str, intervals: u32) -> anyhow::Result<u64> {
    let http = reqwest::Client::new();
    let before = Counters::read(&http, url).await?;
    let now = chrono::Utc::now();
    let window = |at: chrono::DateTime<chrono::Utc>| at.format("%Y-%m-%dT%H:%M:%S+00:00").to_string();
    let (start, end) = (window(now - chrono::Duration::minutes(2)), window(now));
    for _ in 0..intervals {
        for object in WATCHED {
            for resource in ["updated", "deleted"] {
                let call = Call::get(format!("sobjects/{object}/{resource}/"))
                    .with_query("start", start.clone())
                    .with_query("end", end.clone());
                client.send(&call).await?;
            }
        }
        client.query_all_pages("SELECT Id FROM Order WHERE Status = 'Activated' AND ForceSync_Key__c = null").await?;
    }
    Ok(Counters::read(&http, url).await?.since(&before).api_used)
}

/// Seconds from each of `edits` Contact edits until the store can pull it.
async fn latencies(client: &Client, edits: usize, interval: u32) -> anyhow::Result<Vec<Duration>> {
    let org = client.settings().login_url.clone();
    let engine = EngineConfig { poll: Duration::from_millis(50), ..EngineConfig::default() };
    let bench = Bench::start(engine, "bench", None).await?;
    bench.connect("bench", &org).await?;
    bidirectional(&bench, interval).await?;
    let mut sync = bench.sync()?;
    shop::submit_order(&mut sync, 0, 3).await?;
    let contact = loop {
        let found = client.query_all_pages("SELECT Id FROM Contact WHERE ForceSync_Key__c != null").await?;
        if let Some(id) = found.first().and_then(|r| r["Id"].as_str()) {
            break id.to_owned();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut store = ChangeServiceClient::with_interceptor(bench.channel.clone(), Bearer::new(&bench.store_token)?);
    let mut measured = Vec::new();
    for edit in 0..edits {
        // Edits land at different points of the poll cycle.
        tokio::time::sleep(Duration::from_millis(700 + (edit as u64 * 1_300) % (u64::from(interval) * 1_000))).await;
        let body = json!({ "Email": format!("bench.{edit}@example.org") });
        client.send(&Call::write(Method::PATCH, format!("sobjects/Contact/{contact}"), body, true)).await?;
        let edited = Instant::now();
        let change = loop {
            let pulled = store.pull_changes(pb::PullChangesRequest { page_size: 10, lease_seconds: 1 }).await?;
            if let Some(change) = pulled.into_inner().changes.into_iter().next() {
                break change;
            }
            ensure!(edited.elapsed() < Duration::from_secs(u64::from(interval) * 4), "edit {edit} never arrived");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        measured.push(edited.elapsed());
        store.ack_changes(pb::AckChangesRequest { through_change_id: change.change_id, results: Vec::new() }).await?;
    }
    bench.stop().await?;
    Ok(measured)
}

pub async fn run(args: ChangesBenchArgs) -> anyhow::Result<()> {
    ensure!(args.hours >= 1 && args.interval >= 5 && args.edits >= 1, "--hours ≥ 1, --interval ≥ 5, --edits ≥ 1");
    let org = sandbox(0).await?;
    let http = reqwest::Client::new();
    let client = sf_client(&http, &org.url);

    let clock = TestClock::ahead_of_wall_clock();
    let engine = EngineConfig { manual: true, clock: std::sync::Arc::new(clock.clone()), ..EngineConfig::default() };
    let bench = Bench::start(engine, "bench", None).await?;
    bench.connect("bench", &org.url).await?;
    bidirectional(&bench, 60).await?;
    let mut sync = bench.sync()?;
    shop::submit_order(&mut sync, 1, 3).await?;
    let stepped = bench.server.engine().context("the bench engine")?;
    stepped.drain().await;
    stepped.step_changes().await;
    let idle = idle_calls(&bench, &clock, &org.url, args.hours).await?;
    let naive = naive_calls(&client, &org.url, args.hours * 60).await?;
    let limit = 100_000_000u64;
    let settings = json!({ "api_used": limit / 100 * 95 });
    http.patch(format!("{}/_sandbox/settings", org.url)).json(&settings).send().await?.error_for_status()?;
    client.versions().await?; // The next answer carries the low budget.
    stepped.step_changes().await;
    let low = idle_calls(&bench, &clock, &org.url, args.hours).await?;
    bench.stop().await?;
    http.patch(format!("{}/_sandbox/settings", org.url)).json(&json!({ "api_used": 0 })).send().await?;

    let mut times = latencies(&client, args.edits, args.interval).await?;
    times.sort();
    let hours = f64::from(args.hours);
    let interval = f64::from(args.interval);
    let mut table = Table::new(
        "Bidirectional mode: idle cost and edit-to-store latency",
        "naive poller / poll interval",
        "forcesync",
    );
    table.row("(a) idle store: API calls per hour", naive as f64 / hours, idle as f64 / hours, "");
    table.row("(a) idle, API budget under 10%: calls per hour", naive as f64 / hours, low as f64 / hours, "");
    table.row("(b) edit → pullable, median", interval, percentile(&times, 50.0).as_secs_f64(), "s");
    table.row("(b) edit → pullable, slowest", interval, percentile(&times, 100.0).as_secs_f64(), "s");
    table.note(format!(
        "(a) {} watched objects and order download, 60 s interval, {} simulated hour(s) on a stepped clock: one \
         queryAll per watched object per interval (edits, deletions and orders to download together); the naive \
         poller calls /updated and /deleted per object and queries orders to download each interval. Under 10% of \
         the daily allocation left the interval stretches ten times.",
        WATCHED.len(),
        args.hours
    ));
    table.note(format!(
        "(b) {} edits of a synced Contact made at different points of a {}s poll cycle, timed until PullChanges \
         returns them (each: {}); the baseline column is the poll interval. In-process sandbox, latency 0 ms.",
        times.len(),
        args.interval,
        times.iter().map(|t| format!("{:.2} s", t.as_secs_f64())).collect::<Vec<_>>().join(", ")
    ));
    println!("{}", table.render());
    Ok(())
}
