//! `forcesync bench sandbox`: is the emulator fast enough never to be a
//! benchmark's bottleneck? Authenticated record reads against the free
//! `/services/data` endpoint of the same server, and a Bulk API 2.0 ingest.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Args;
use serde_json::{Value, json};

use crate::sandbox::{CustomSchema, SandboxConfig, SandboxServer};

use super::Table;

#[derive(Debug, Args)]
pub struct SandboxBenchArgs {
    /// Requests per read measurement.
    #[arg(long, default_value_t = 20_000)]
    pub reads: usize,
    /// Requests in flight.
    #[arg(long, default_value_t = 32)]
    pub concurrency: usize,
    /// Rows in the Bulk API 2.0 ingest job.
    #[arg(long, default_value_t = 100_000)]
    pub bulk_rows: usize,
}

/// Sends `total` GETs to `url` with `concurrency` in flight; returns requests per second.
async fn hammer(
    http: &reqwest::Client,
    url: &str,
    session: Option<&str>,
    total: usize,
    concurrency: usize,
) -> anyhow::Result<f64> {
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (http, url, next) = (http.clone(), url.to_owned(), next.clone());
        let session = session.map(str::to_owned);
        tasks.spawn(async move {
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < total {
                let mut request = http.get(&url);
                if let Some(session) = &session {
                    request = request.bearer_auth(session);
                }
                let response = request.send().await?;
                if !response.status().is_success() {
                    bail!("{url}: HTTP {}", response.status());
                }
                response.bytes().await?;
            }
            Ok(())
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

async fn json_call(request: reqwest::RequestBuilder) -> anyhow::Result<Value> {
    let response = request.send().await?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        bail!("HTTP {status}: {text}");
    }
    Ok(if text.is_empty() { Value::Null } else { serde_json::from_str(&text)? })
}

/// Uploads `rows` Product2 rows as one upsert job; returns the seconds from upload to JobComplete.
async fn bulk_ingest(http: &reqwest::Client, base: &str, session: &str, rows: usize) -> anyhow::Result<(f64, Value)> {
    let mut csv = String::from("Name,ProductCode,ForceSync_Key__c\n");
    for i in 0..rows {
        csv.push_str(&format!("Product {i},SKU-{i},bench:product:{i}\n"));
    }
    let started = Instant::now();
    let job = json!({"object": "Product2", "operation": "upsert", "externalIdFieldName": "ForceSync_Key__c", "contentType": "CSV", "lineEnding": "LF"});
    let job = json_call(http.post(format!("{base}/jobs/ingest")).bearer_auth(session).json(&job)).await?;
    let id = job["id"].as_str().context("job id")?.to_owned();
    let upload = http
        .put(format!("{base}/jobs/ingest/{id}/batches"))
        .bearer_auth(session)
        .header("Content-Type", "text/csv")
        .body(csv);
    json_call(upload).await?;
    let complete = json!({"state": "UploadComplete"});
    json_call(http.patch(format!("{base}/jobs/ingest/{id}")).bearer_auth(session).json(&complete)).await?;
    loop {
        let info = json_call(http.get(format!("{base}/jobs/ingest/{id}")).bearer_auth(session)).await?;
        match info["state"].as_str() {
            Some("JobComplete") => return Ok((started.elapsed().as_secs_f64(), info)),
            Some("Failed" | "Aborted") => bail!("bulk job ended {}: {info}", info["state"]),
            _ => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

/// Upserts `rows` Product2 rows through sObject Collections (200 a call,
/// `concurrency` calls in flight); returns the seconds taken.
async fn collections_upsert(
    http: &reqwest::Client,
    base: &str,
    session: &str,
    rows: usize,
    concurrency: usize,
) -> anyhow::Result<f64> {
    let url = format!("{base}/composite/sobjects/Product2/ForceSync_Key__c");
    let chunks: Vec<Value> = (0..rows)
        .collect::<Vec<_>>()
        .chunks(200)
        .map(|chunk| {
            let records: Vec<Value> = chunk
                .iter()
                .map(|i| json!({"attributes": {"type": "Product2"}, "Name": format!("Product {i}"), "ProductCode": format!("SKU-{i}"), "ForceSync_Key__c": format!("bench:collections:{i}")}))
                .collect();
            json!({"allOrNone": false, "records": records})
        })
        .collect();
    let queue = Arc::new(std::sync::Mutex::new(chunks));
    let started = Instant::now();
    let mut tasks: tokio::task::JoinSet<anyhow::Result<()>> = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (http, url, queue, session) = (http.clone(), url.clone(), queue.clone(), session.to_owned());
        tasks.spawn(async move {
            loop {
                let Some(body) = queue.lock().map_err(|_| anyhow::anyhow!("queue poisoned"))?.pop() else {
                    return Ok(());
                };
                json_call(http.patch(&url).bearer_auth(&session).json(&body)).await?;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    Ok(started.elapsed().as_secs_f64())
}

pub async fn run(args: SandboxBenchArgs) -> anyhow::Result<()> {
    let mut config = SandboxConfig::demo();
    config.daily_api_limit = u64::MAX;
    let listen = "127.0.0.1:0".parse()?;
    let server = SandboxServer::start(config, Some(CustomSchema::default_forcesync()), listen)
        .await
        .map_err(anyhow::Error::msg)?;
    let http = reqwest::Client::builder().pool_max_idle_per_host(args.concurrency).build()?;
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", "forcesync-app"),
        ("client_secret", "forcesync-app-secret"),
    ];
    let token = json_call(http.post(format!("{}/services/oauth2/token", server.url)).form(&form)).await?;
    let session = token["access_token"].as_str().context("access token")?.to_owned();
    let base = format!("{}/services/data/v64.0", server.url);
    let account =
        json_call(http.post(format!("{base}/sobjects/Account")).bearer_auth(&session).json(&json!({"Name": "Bench"})))
            .await?;
    let account_id = account["id"].as_str().context("account id")?;

    let free = hammer(&http, &format!("{}/services/data", server.url), None, args.reads, args.concurrency).await?;
    let reads =
        hammer(&http, &format!("{base}/sobjects/Account/{account_id}"), Some(&session), args.reads, args.concurrency)
            .await?;
    let collections = collections_upsert(&http, &base, &session, args.bulk_rows, args.concurrency).await?;
    let (seconds, info) = bulk_ingest(&http, &base, &session, args.bulk_rows).await?;
    let processed = info["numberRecordsProcessed"].as_f64().unwrap_or(0.0);

    let mut table = Table::new("Sandbox speed", "baseline", "sandbox");
    table.row("REST reads/s: static GET /services/data → authenticated GET of one Account", free, reads, "req/s");
    let rows = args.bulk_rows;
    table.row(
        &format!("upsert {rows} Product2 rows: sObject Collections (200/call) → Bulk 2.0 job"),
        collections,
        seconds,
        "s",
    );
    table.note(format!(
        "{} concurrent requests, client and sandbox in one process on {} cores; bulk processed {processed} rows ({} failed), {:.0} rows/s.",
        args.concurrency,
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        info["numberRecordsFailed"].as_u64().unwrap_or(0),
        processed / seconds.max(f64::EPSILON),
    ));
    print!("{}", table.render());
    server.shutdown().await;
    Ok(())
}
