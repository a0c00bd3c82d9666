//! `forcesync bench inventory`: a catalog of `--skus` (100,000) Product2
//! records in an in-process sandbox, then (a) a first full push of every
//! level and (b) a delta of `--changed` (1,000) changed levels among the
//! unchanged rest, sent as the store would (UpdateInventory calls of 10,000)
//! and pushed by one stepped inventory run. Beside each, the naive strategy
//! (one request per SKU: a query for its Id and an update on the first push,
//! an update per level sent on the delta), run on `--naive-sample` SKUs and
//! extrapolated. API calls are the sandbox's counters; the floor is the
//! fewest requests Bulk 2.0 and collections allow (`domain::inventory::floor_calls`).

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail, ensure};
use clap::Args;
use serde_json::json;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::Channel;

use crate::domain::inventory::{MAX_LEVELS_PER_CALL, floor_calls};
use crate::engine::EngineConfig;
use crate::pb::inventory_service_client::InventoryServiceClient;
use crate::pb::{self, StockLevel};
use crate::salesforce::bulk::{BulkOperation, CsvWriter, PollPolicy};
use crate::salesforce::soql::{Literal, Soql};
use crate::salesforce::{Call, Client};

use super::Table;
use super::harness::{Bearer, Bench, Counters, sandbox, sf_client};

#[derive(Debug, Args)]
pub struct InventoryBenchArgs {
    /// SKUs in the catalog (Product2 records matched on ProductCode).
    #[arg(long, default_value_t = 100_000)]
    pub skus: usize,
    /// Levels that change between the first push and the delta.
    #[arg(long, default_value_t = 1_000)]
    pub changed: usize,
    /// SKUs the naive strategy is run on; its calls and time are scaled to the whole catalog.
    #[arg(long, default_value_t = 1_000)]
    pub naive_sample: usize,
}

type InventoryClient = InventoryServiceClient<InterceptedService<Channel, Bearer>>;

fn sku(i: usize) -> String {
    format!("SKU-{i:06}")
}

/// Level `i` of the first push; the delta adds 1000 to every `step`th.
fn first_level(i: usize) -> u64 {
    (i % 500) as u64
}

struct Measured {
    calls: u64,
    time: Duration,
}

pub async fn run(args: InventoryBenchArgs) -> anyhow::Result<()> {
    ensure!(args.skus >= 1 && args.changed <= args.skus, "--changed must be at most --skus");
    let org = sandbox(0).await?;
    let http = reqwest::Client::new();
    let client = sf_client(&http, &org.url);
    seed(&client, args.skus).await?;
    let engine = EngineConfig {
        manual: true,
        linger: Duration::ZERO,
        bulk_poll: PollPolicy {
            interval: Duration::from_millis(250),
            max_interval: Duration::from_secs(5),
            max_polls: 400,
        },
        ..EngineConfig::default()
    };
    let bench = Bench::start(engine, "bench", None).await?;
    bench.connect("bench", &org.url).await?;
    enable_inventory(&bench).await?;
    let mut store = InventoryServiceClient::with_interceptor(bench.channel.clone(), Bearer::new(&bench.store_token)?);
    let engine = bench.server.engine().context("the bench engine")?;

    // (a) The first full push.
    let levels: Vec<StockLevel> = (0..args.skus).map(|i| level(i, first_level(i), 1)).collect();
    let sent = Instant::now();
    send(&mut store, "full", levels).await?;
    let send_time = sent.elapsed();
    let full = pushed(&http, &org.url, &engine, args.skus, args.skus).await?;
    let sample: Vec<usize> =
        (0..args.naive_sample.min(args.skus)).map(|n| n * args.skus / args.naive_sample.max(1)).collect();
    let naive_full = naive(&http, &org.url, &client, &sample, true, first_level).await?;

    // (b) A delta: every level sent again, `changed` of them different.
    let step = (args.skus / args.changed.max(1)).max(1);
    let changed = |i: usize| i.is_multiple_of(step) && i / step < args.changed;
    let delta_level = |i: usize| if changed(i) { first_level(i) + 1000 } else { first_level(i) };
    let levels: Vec<StockLevel> = (0..args.skus).map(|i| level(i, delta_level(i), 2)).collect();
    send(&mut store, "delta", levels).await?;
    let delta = pushed(&http, &org.url, &engine, args.skus, args.changed).await?;
    let naive_delta = naive(&http, &org.url, &client, &sample, false, delta_level).await?;
    check_sample(&client, &sample, delta_level).await?;

    let scale = args.skus as f64 / sample.len().max(1) as f64;
    let all: Vec<String> = (0..args.skus).map(sku).collect();
    let fixed = 40 + "Product2".len() + 2 * "ProductCode".len();
    let (floor_full, floor_delta) = (floor_calls(args.skus, &all, fixed), floor_calls(args.changed, &[], fixed));
    let mut table = Table::new(
        &format!("Inventory: {} SKUs, first full push and a delta of {} changed levels", args.skus, args.changed),
        "naive (1 request per SKU)",
        "forcesync",
    );
    table.row("(a) full push: API calls", naive_full.calls as f64 * scale, full.calls as f64, "");
    table.row("(a) full push: wall time", naive_full.time.as_secs_f64() * scale, full.time.as_secs_f64(), "s");
    table.row("(b) delta: API calls", naive_delta.calls as f64 * scale, delta.calls as f64, "");
    table.row("(b) delta: wall time", naive_delta.time.as_secs_f64() * scale, delta.time.as_secs_f64(), "s");
    table.note(format!(
        "Floor (fewest requests Bulk 2.0 and collections allow): (a) {floor_full} = Bulk query 3 (create, poll, \
         results) + Bulk update 4 (create, upload, close, poll); (b) {floor_delta} = the fewer of collections \
         ({} calls of 200) and a Bulk update job done at its first poll (4). Targets: (a) ≤ 12 calls and < 60 s, \
         (b) ≤ 8 calls, none for unchanged SKUs.",
        args.changed.div_ceil(200)
    ));
    table.note(format!(
        "Naive: run on {} SKUs and scaled ×{scale:.0} (calls and time); (a) a SOQL query and a PATCH per SKU, \
         (b) a PATCH per level sent (no unchanged detection). forcesync's time is the push alone; the {} \
         UpdateInventory calls of (a) took {:.2} s more. Sequential requests, sandbox latency 0 ms, release build.",
        sample.len(),
        args.skus.div_ceil(MAX_LEVELS_PER_CALL),
        send_time.as_secs_f64()
    ));
    println!("{}", table.render());
    bench.stop().await?;
    Ok(())
}

/// The catalog, inserted by one Bulk job.
async fn seed(client: &Client, skus: usize) -> anyhow::Result<()> {
    let mut csv = CsvWriter::new(&["Name", "ProductCode"])?;
    for i in 0..skus {
        csv.row([format!("Product {i}"), sku(i)])?;
    }
    let poll = PollPolicy { interval: Duration::from_millis(200), ..PollPolicy::default() };
    let result = client.bulk_ingest("Product2", &BulkOperation::Insert, &csv.finish()?, &poll).await?;
    ensure!(result.job.records_failed == 0, "seeding failed: {:?}", result.job);
    Ok(())
}

async fn enable_inventory(bench: &Bench) -> anyhow::Result<()> {
    let settings = pb::StoreSettings {
        inventory: Some(pb::InventorySettings {
            enabled: true,
            object: "Product2".into(),
            quantity_field: "Stock_Quantity__c".into(),
            match_field: "ProductCode".into(),
            create_missing: false,
        }),
        ..Default::default()
    };
    bench.update_settings("bench", settings, &["inventory"]).await
}

fn level(i: usize, quantity: u64, minute: i64) -> StockLevel {
    let as_of = prost_types::Timestamp { seconds: 1_767_225_600 + minute * 60, nanos: 0 };
    StockLevel { sku: sku(i), quantity: quantity.to_string(), as_of: Some(as_of) }
}

/// Sends `levels` as the store would: UpdateInventory calls of 10,000.
async fn send(store: &mut InventoryClient, name: &str, levels: Vec<StockLevel>) -> anyhow::Result<()> {
    for (n, chunk) in levels.chunks(MAX_LEVELS_PER_CALL).enumerate() {
        let request = pb::UpdateInventoryRequest {
            event_id: format!("{name}-{n}"),
            levels: chunk.to_vec(),
            full_snapshot: false,
        };
        store.update_inventory(request).await.with_context(|| format!("UpdateInventory {name}-{n}"))?;
    }
    Ok(())
}

/// One inventory step, timed, with the API calls it made; checks it wrote `written` levels.
async fn pushed(
    http: &reqwest::Client,
    url: &str,
    engine: &crate::engine::Engine,
    rows: usize,
    written: usize,
) -> anyhow::Result<Measured> {
    let before = Counters::read(http, url).await?;
    let started = Instant::now();
    let report = engine.step_inventory().await;
    let time = started.elapsed();
    let calls = Counters::read(http, url).await?.since(&before).api_used;
    if (report.rows, report.written, report.interrupted) != (rows, written, 0) {
        bail!("the push did not write what it should: {report:?}");
    }
    Ok(Measured { calls, time })
}

/// The naive strategy on `sample`: (first) a query for the Id, then a PATCH per SKU.
async fn naive(
    http: &reqwest::Client,
    url: &str,
    client: &Client,
    sample: &[usize],
    first: bool,
    quantity: impl Fn(usize) -> u64,
) -> anyhow::Result<Measured> {
    let ids = ids(client, sample).await?;
    let before = Counters::read(http, url).await?;
    let started = Instant::now();
    for (&i, id) in sample.iter().zip(&ids) {
        if first {
            let soql = Soql::select(&["Id"], "Product2")?.where_eq("ProductCode", Literal::Str(sku(i)))?.build();
            client.query_stream(&soql, false).collect_all().await?;
        }
        let body = json!({ "Stock_Quantity__c": quantity(i) });
        client.send(&Call::write(reqwest::Method::PATCH, format!("sobjects/Product2/{id}"), body, true)).await?;
    }
    let time = started.elapsed();
    Ok(Measured { calls: Counters::read(http, url).await?.since(&before).api_used, time })
}

/// The Ids of the sample's records (outside the measurement).
async fn ids(client: &Client, sample: &[usize]) -> anyhow::Result<Vec<String>> {
    let codes: Vec<Literal> = sample.iter().map(|&i| Literal::Str(sku(i))).collect();
    let mut by_code = std::collections::HashMap::new();
    for chunk in codes.chunks(500) {
        let soql = Soql::select(&["Id", "ProductCode"], "Product2")?.where_in("ProductCode", chunk)?.build();
        for record in client.query_stream(&soql, false).collect_all().await? {
            let text = |name: &str| record.get(name).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
            by_code.insert(text("ProductCode"), text("Id"));
        }
    }
    sample.iter().map(|&i| by_code.get(&sku(i)).cloned().with_context(|| format!("{} not found", sku(i)))).collect()
}

/// The sample holds the delta's levels: forcesync (and the naive run) wrote what was sent.
async fn check_sample(client: &Client, sample: &[usize], quantity: impl Fn(usize) -> u64) -> anyhow::Result<()> {
    let codes: Vec<Literal> = sample.iter().map(|&i| Literal::Str(sku(i))).collect();
    for chunk in codes.chunks(500) {
        let soql =
            Soql::select(&["ProductCode", "Stock_Quantity__c"], "Product2")?.where_in("ProductCode", chunk)?.build();
        for record in client.query_stream(&soql, false).collect_all().await? {
            let code = record.get("ProductCode").and_then(|v| v.as_str()).unwrap_or_default();
            let held = record.get("Stock_Quantity__c").and_then(serde_json::Value::as_f64);
            let i: usize = code.trim_start_matches("SKU-").parse()?;
            ensure!(held == Some(quantity(i) as f64), "{code} holds {held:?}, not {}", quantity(i));
        }
    }
    Ok(())
}
