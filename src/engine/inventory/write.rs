//! Writing levels: updates of known records by sObject Collections (200 per
//! call) or one Bulk 2.0 update job (whose failed rows are read back row by
//! row; a job that completed with no failures needs no result file), and
//! creates for unmatched SKUs when `create_missing` is on.

use std::collections::HashMap;
use std::str::FromStr;
use std::time::Duration;

use serde_json::{Map, Number, Value};

use crate::domain::inventory::WriteMethod;
use crate::domain::settings::Inventory;
use crate::salesforce::bulk::{BulkOperation, CsvWriter, JobInfo, JobKind, PollPolicy};
use crate::salesforce::{Client, Error, ErrorClass};

/// One record to write: its index among the push's writes, its Id, the level.
pub(super) struct Update<'a> {
    pub id: &'a str,
    pub quantity: &'a str,
}

/// A level as a JSON number (canonical decimal text always parses).
fn number(quantity: &str) -> Value {
    Number::from_str(quantity).map_or_else(|_| Value::String(quantity.to_owned()), Value::Number)
}

/// Updates `updates`; one result per update, in order. `Err` for the whole
/// push: nothing was written that the results do not say.
pub(super) async fn update(
    client: &Client,
    settings: &Inventory,
    updates: &[Update<'_>],
    method: WriteMethod,
    poll: &PollPolicy,
    calls: &mut i64,
) -> Result<Vec<Result<(), Error>>, Error> {
    match method {
        WriteMethod::Collections => Ok(by_collections(client, settings, updates, calls).await),
        WriteMethod::Bulk => by_bulk(client, settings, updates, poll, calls).await,
    }
}

async fn by_collections(
    client: &Client,
    settings: &Inventory,
    updates: &[Update<'_>],
    calls: &mut i64,
) -> Vec<Result<(), Error>> {
    let quantity_field = settings.quantity_field.as_str();
    let records: Vec<Value> = updates
        .iter()
        .map(|u| {
            let mut record = Map::new();
            record.insert("Id".into(), Value::String(u.id.to_owned()));
            record.insert(quantity_field.into(), number(u.quantity));
            Value::Object(record)
        })
        .collect();
    let results = match client.update_records(settings.object.as_str(), &records, false).await {
        Ok(results) => results,
        Err(error) => return vec![Err(error); updates.len()],
    };
    // Calls sent: every chunk up to the first that failed as a whole.
    let sent = results.chunks(crate::salesforce::collections::MAX_RECORDS_PER_CALL).count();
    *calls += i64::try_from(sent).unwrap_or_default();
    results.into_iter().map(|r| r.map(drop)).collect()
}

async fn by_bulk(
    client: &Client,
    settings: &Inventory,
    updates: &[Update<'_>],
    poll: &PollPolicy,
    calls: &mut i64,
) -> Result<Vec<Result<(), Error>>, Error> {
    let mut csv = CsvWriter::new(&["Id", settings.quantity_field.as_str()])?;
    for update in updates {
        csv.row([update.id, update.quantity])?;
    }
    let csv = csv.finish()?;
    let job = client.bulk_create_ingest(settings.object.as_str(), &BulkOperation::Update).await?;
    *calls += 1;
    let uploaded = client.bulk_upload(&job.id, &csv).await;
    *calls += 1;
    if let Err(error) = uploaded {
        // Never processed: an aborted job writes nothing, so every level stays pending.
        let _aborted = client.bulk_set_state(JobKind::Ingest, &job.id, "Aborted").await;
        *calls += 1;
        return Err(error);
    }
    client.bulk_set_state(JobKind::Ingest, &job.id, "UploadComplete").await?;
    *calls += 1;
    let job = wait_for_job(client, JobKind::Ingest, &job.id, updates.len(), poll, calls).await?;
    bulk_results(client, &job, updates, calls).await
}

/// Each update's result from a finished job's files: only `failedResults`
/// when the job completed and processed every row, else both files (rows in
/// neither were never processed and stay pending).
async fn bulk_results(
    client: &Client,
    job: &JobInfo,
    updates: &[Update<'_>],
    calls: &mut i64,
) -> Result<Vec<Result<(), Error>>, Error> {
    let by_id: HashMap<&str, usize> = updates.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
    let complete = job.state == "JobComplete" && job.records_processed == updates.len() as u64;
    let unprocessed = job.job_error().unwrap_or_else(|| {
        Error::new("JOB_INCOMPLETE", format!("bulk job {} did not process the row", job.id), None)
            .with_class(ErrorClass::Transient)
    });
    let mut results: Vec<Result<(), Error>> =
        if complete { vec![Ok(()); updates.len()] } else { vec![Err(unprocessed); updates.len()] };
    if !complete {
        for row in client.bulk_successful_results(&job.id).await? {
            if let Some(&index) = row.row.get("Id").and_then(|id| by_id.get(id)) {
                results[index] = Ok(());
            }
        }
        *calls += 1;
    }
    if job.records_failed > 0 || !complete {
        let failed = client.bulk_failed_results(&job.id).await?;
        *calls += 1;
        for row in failed {
            let id = row.id.as_deref().or_else(|| row.row.get("Id"));
            if let Some(&index) = id.and_then(|id| by_id.get(id)) {
                results[index] = Err(row.error);
            }
        }
    }
    Ok(results)
}

/// Creates a record for each `(sku, quantity)`: the match field, the
/// quantity, and `Name` when the object has a createable `Name` field.
pub(super) async fn create(
    client: &Client,
    settings: &Inventory,
    levels: &[(&str, &str)],
    calls: &mut i64,
) -> Result<Vec<Result<String, Error>>, Error> {
    let describe = client.describe(settings.object.as_str()).await?;
    let named = describe.as_ref().and_then(|d| d.field("Name")).is_some_and(|f| f.createable);
    let records: Vec<Value> = levels
        .iter()
        .map(|(sku, quantity)| {
            let mut record = Map::new();
            record.insert(settings.match_field.to_string(), Value::String((*sku).to_owned()));
            record.insert(settings.quantity_field.to_string(), number(quantity));
            if named {
                record.insert("Name".into(), Value::String((*sku).to_owned()));
            }
            Value::Object(record)
        })
        .collect();
    let results = client.create_records(settings.object.as_str(), &records, false).await?;
    *calls += i64::try_from(results.chunks(crate::salesforce::collections::MAX_RECORDS_PER_CALL).count()).unwrap_or(0);
    Ok(results.into_iter().map(|r| r.map(|saved| saved.id)).collect())
}

/// Waits for a Bulk job, sleeping before each status call (a job is never
/// done at once): first about a second per 10,000 rows (at least the
/// policy's interval), then doubling up to its longest interval.
pub(super) async fn wait_for_job(
    client: &Client,
    kind: JobKind,
    job_id: &str,
    rows: usize,
    poll: &PollPolicy,
    calls: &mut i64,
) -> Result<JobInfo, Error> {
    let per_rows = poll.interval.saturating_mul(u32::try_from(rows.div_ceil(10_000)).unwrap_or(u32::MAX));
    let mut wait = per_rows.min(poll.max_interval.max(poll.interval));
    for _ in 0..poll.max_polls.max(1) {
        tokio::time::sleep(wait).await;
        let info = client.bulk_job(kind, job_id).await?;
        *calls += 1;
        if info.is_finished() {
            return Ok(info);
        }
        wait = wait.saturating_mul(2).min(poll.max_interval.max(poll.interval)).max(Duration::from_millis(1));
    }
    let message = format!("bulk job {job_id} did not finish within {} polls; the push is retried", poll.max_polls);
    Err(Error::new("TIMEOUT", message, None).with_class(ErrorClass::Transient))
}
