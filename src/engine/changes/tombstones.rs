//! Deletions after a long gap: a record deleted and then purged from the
//! recycle bin (after ~15 days, or emptied by hand) no longer shows in
//! `queryAll`, but Salesforce keeps its tombstone for `/deleted`. When a
//! stream was last read more than a day ago, its deletions since are also
//! read from `sobjects/{object}/deleted` (at most the last 29 days, which is
//! what Salesforce serves), so a long outage misses none.

use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::salesforce::{Call, Error};
use crate::storage::changes::CaptureWrite;

use super::super::connections::StoreConnection;
use super::super::failures::storage_error;
use super::{Engine, millis, parse_modstamp, row};

/// A stream not read for this long also reads `/deleted`.
pub const GAP: Duration = Duration::from_secs(24 * 3600);
const HORIZON: Duration = Duration::from_secs(29 * 24 * 3600);

fn datetime(ms: i64) -> String {
    let at = chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default();
    at.format("%Y-%m-%dT%H:%M:%S+00:00").to_string()
}

/// The deletions of synced records of `object` since `from`, from `/deleted`; one request.
pub(super) async fn read(
    engine: &Engine,
    connection: &StoreConnection,
    object: &str,
    watched: &[&str],
    from: i64,
) -> Result<CaptureWrite, Error> {
    let now = engine.now();
    let start = from.max(now - millis(HORIZON));
    let call = Call::get(format!("sobjects/{object}/deleted/"))
        .with_query("start", datetime(start))
        .with_query("end", datetime(now));
    let reply = connection.client.send(&call).await?;
    let tombstones: Vec<(String, i64)> = reply.body["deletedRecords"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(|t| Some((t["id"].as_str()?.to_owned(), parse_modstamp(&t["deletedDate"])?)))
                .collect()
        })
        .unwrap_or_default();
    let ids: Vec<String> = tombstones.iter().map(|(id, _)| id.clone()).collect();
    let storage = &engine.shared.storage;
    let records = storage.capture_records(connection.store_id, object, &ids).await.map_err(storage_error)?;
    let policy = connection.settings.change_capture.conflict_policy;
    let mut write = CaptureWrite::default();
    for record in &records {
        let Some((id, deleted_at)) = tombstones.iter().find(|(id, _)| *id == record.sf_id) else { continue };
        let stamp = chrono::DateTime::from_timestamp_millis(*deleted_at).unwrap_or_default();
        let tombstone: Map<String, Value> = json!({
            "Id": id,
            "IsDeleted": true,
            "SystemModstamp": stamp.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string(),
        })
        .as_object()
        .cloned()
        .unwrap_or_default();
        if let Some(outcome) = row::decide(watched, policy, record, &tombstone, *deleted_at, None) {
            write.changes.extend(outcome.change);
            write.records.push(outcome.update);
        }
    }
    Ok(write)
}
