//! One store's poll: for each watched object one `queryAll` by
//! `SystemModstamp` from the watermark less the overlap, paged; on Order the
//! same query also finds the orders to download (the store's filter, no
//! forcesync key). Each page is settled row by row ([`super::row`]) and
//! written back in one transaction with the new watermark, so a crash
//! between pages loses nothing and repeats nothing.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::domain::changes::download::{ITEM_FIELDS, ORDER_FIELDS};
use crate::domain::changes::{ChangeKind, ChangePayload, DownloadedOrder, StorePending};
use crate::domain::lifecycle::ClosedStages;
use crate::domain::settings::{StoreSettings, WatchedSObject};
use crate::domain::sync::{EntityFacts, EntityPlan};
use crate::salesforce::Error;
use crate::storage::changes::{CaptureRecord, CaptureWrite, NewChange};
use crate::storage::sync::LogLine;

use super::super::connections::StoreConnection;
use super::super::failures::storage_error;
use super::super::flows::Flow;
use super::{Engine, OVERLAP, millis, parse_modstamp, row, soql_datetime, tombstones};

/// What a poll did.
#[derive(Debug, Default)]
pub(super) struct Polled {
    pub requests: u64,
    pub queued: u64,
}

/// The objects polled: the watched ones, and Order when orders are downloaded.
fn objects(settings: &StoreSettings) -> Vec<WatchedSObject> {
    let mut objects: Vec<WatchedSObject> = settings.change_capture.watched.iter().map(|w| w.object).collect();
    if settings.order_download.enabled && !objects.contains(&WatchedSObject::Order) {
        objects.push(WatchedSObject::Order);
    }
    objects
}

pub(super) async fn run(engine: &Engine, connection: &StoreConnection) -> Result<Polled, Error> {
    let mut polled = Polled::default();
    for object in objects(&connection.settings) {
        poll_object(engine, connection, object, &mut polled).await?;
    }
    Ok(polled)
}

/// Where a stream read for the first time starts: the download's start date, else now.
fn first_start(settings: &StoreSettings, now: i64) -> i64 {
    let start = settings.order_download.start_date.and_then(|d| d.and_hms_opt(0, 0, 0));
    start.map_or(now, |at| at.and_utc().timestamp_millis())
}

fn soql(settings: &StoreSettings, object: &str, watched: &[&str], from: i64) -> String {
    let key = settings.external_id_fields.field_for(object);
    let downloading = object == "Order" && settings.order_download.enabled;
    let mut fields: Vec<&str> = vec!["Id", "SystemModstamp", "LastModifiedById", "IsDeleted", key];
    fields.extend(watched);
    if downloading {
        fields.extend(ORDER_FIELDS);
    }
    let mut seen = std::collections::HashSet::new();
    fields.retain(|f| seen.insert(f.to_ascii_lowercase()));
    let mut parts = Vec::new();
    if !watched.is_empty() {
        parts.push(format!("{key} != null"));
    }
    if downloading {
        let download = &settings.order_download;
        let mut part = format!("{key} = null AND IsDeleted = false");
        if !download.soql_filter.trim().is_empty() {
            part.push_str(&format!(" AND ({})", download.soql_filter));
        }
        if let Some(start) = download.start_date {
            part.push_str(&format!(" AND EffectiveDate >= {}", start.format("%Y-%m-%d")));
        }
        parts.push(format!("({part})"));
    }
    format!(
        "SELECT {} FROM {object} WHERE SystemModstamp >= {} AND ({}) ORDER BY SystemModstamp, Id",
        fields.join(", "),
        soql_datetime(from),
        parts.join(" OR ")
    )
}

async fn poll_object(
    engine: &Engine,
    connection: &StoreConnection,
    object: WatchedSObject,
    polled: &mut Polled,
) -> Result<(), Error> {
    let storage = &engine.shared.storage;
    let settings = &connection.settings;
    let name = object.api_name();
    let watched: Vec<&str> = settings.change_capture.fields_of(object).iter().map(|f| f.as_str()).collect();
    let stream = storage.change_watermark(connection.store_id, name).await.map_err(storage_error)?;
    let reference = stream.map_or_else(|| first_start(settings, engine.now()), |(watermark, _)| watermark);
    let from = reference - millis(OVERLAP);
    let long_gap = stream.and_then(|(_, polled)| polled).is_some_and(|at| engine.now() - at > millis(tombstones::GAP));
    if long_gap && !watched.is_empty() {
        let write = tombstones::read(engine, connection, name, &watched, from).await?;
        polled.requests += 1;
        polled.queued +=
            storage.apply_capture(connection.store_id, &write, engine.now()).await.map_err(storage_error)?;
    }
    let query = soql(settings, name, &watched, from);
    let mut pager = connection.client.query_stream(&query, true);
    let mut watermark = reference;
    while let Some(page) = pager.next_page().await? {
        polled.requests += 1;
        let rows: Vec<Map<String, Value>> = page.into_iter().filter_map(|r| r.as_object().cloned()).collect();
        watermark =
            rows.iter().filter_map(|r| r.get("SystemModstamp").and_then(parse_modstamp)).fold(watermark, i64::max);
        let mut write = settle_page(engine, connection, name, &watched, &rows).await?;
        if name == "Order" && settings.order_download.enabled {
            let (downloads, requests) = downloads(engine, connection, &rows).await?;
            polled.requests += requests;
            write.changes.extend(downloads);
        }
        write.watermark = Some((name.to_owned(), watermark));
        polled.queued +=
            storage.apply_capture(connection.store_id, &write, engine.now()).await.map_err(storage_error)?;
    }
    Ok(())
}

/// The store's pending change of `record`, as the values its write would send.
fn store_pending(connection: &StoreConnection, record: &CaptureRecord) -> Option<(StorePending, i64)> {
    let (facts, version) = record.pending.as_ref()?;
    let closed = ClosedStages::defaults(&connection.settings);
    let EntityPlan::Write(operations) = Flow::of(facts.kind()).plan(connection, facts, &closed) else { return None };
    let operation = operations.iter().find(|op| op.object() == record.object && op.key() == record.key)?;
    let Value::Object(fields) = operation.body() else { return None };
    // When the store changed it: the customer's own save time, else when forcesync took the change in.
    let at = match facts {
        EntityFacts::Customer(save) => save.at.timestamp_millis(),
        _ => record.entity_updated_at.unwrap_or_default(),
    };
    Some((StorePending { fields, at }, *version))
}

/// Settles the page's rows of records forcesync synced.
async fn settle_page(
    engine: &Engine,
    connection: &StoreConnection,
    object: &str,
    watched: &[&str],
    rows: &[Map<String, Value>],
) -> Result<CaptureWrite, Error> {
    let key = connection.settings.external_id_fields.field_for(object);
    let ids: Vec<String> = rows
        .iter()
        .filter(|r| r.get(key).is_some_and(|k| !k.is_null()))
        .filter_map(|r| r.get("Id").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let storage = &engine.shared.storage;
    let records = storage.capture_records(connection.store_id, object, &ids).await.map_err(storage_error)?;
    let records: HashMap<&str, &CaptureRecord> = records.iter().map(|r| (r.sf_id.as_str(), r)).collect();
    let policy = connection.settings.change_capture.conflict_policy;
    let mut write = CaptureWrite::default();
    let mut log = Vec::new();
    for row in rows {
        let id = row.get("Id").and_then(Value::as_str).unwrap_or_default();
        let (Some(record), Some(modstamp)) = (records.get(id), row.get("SystemModstamp").and_then(parse_modstamp))
        else {
            continue;
        };
        let pending = store_pending(connection, record);
        let Some(outcome) = row::decide(watched, policy, record, row, modstamp, pending.as_ref().map(|(p, v)| (p, *v)))
        else {
            continue;
        };
        for conflict in &outcome.conflicts {
            let message = format!(
                "conflict on {object} {id} {}: store {} vs Salesforce {}; {:?} wins",
                conflict.field, conflict.store_value, conflict.salesforce_value, conflict.winner
            );
            tracing::info!(store = %connection.code, %message, "change conflict");
            log.push(LogLine { level: "warn", entity: format!("{object} {id}"), message });
        }
        write.changes.extend(outcome.change);
        write.records.push(outcome.update);
    }
    let logging = &connection.settings.logging;
    if !log.is_empty() && logging.enabled && logging.database_logging {
        let keep = i64::from(logging.database_log_limit);
        storage.append_sync_log(connection.store_id, &log, keep).await.map_err(storage_error)?;
    }
    Ok(write)
}

/// Orders of the page to download (no forcesync key, not downloaded
/// before), each read whole with its items (one query for the page's items).
async fn downloads(
    engine: &Engine,
    connection: &StoreConnection,
    rows: &[Map<String, Value>],
) -> Result<(Vec<NewChange>, u64), Error> {
    let key = connection.settings.external_id_fields.field_for("Order");
    let candidates: Vec<&Map<String, Value>> = rows
        .iter()
        .filter(|r| r.get(key).is_none_or(Value::is_null) && r.get("IsDeleted").and_then(Value::as_bool) != Some(true))
        .collect();
    let ids: Vec<String> =
        candidates.iter().filter_map(|r| r.get("Id").and_then(Value::as_str).map(str::to_owned)).collect();
    if ids.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let storage = &engine.shared.storage;
    let known = storage.downloaded_orders(connection.store_id, &ids).await.map_err(storage_error)?;
    // Ids go into the SOQL text: only well-formed ones (Salesforce's are alphanumeric).
    let new: Vec<&String> =
        ids.iter().filter(|id| !known.contains(*id) && id.chars().all(|c| c.is_ascii_alphanumeric())).collect();
    if new.is_empty() {
        return Ok((Vec::new(), 0));
    }
    let quoted: Vec<String> = new.iter().map(|id| format!("'{id}'")).collect();
    let items_query = format!(
        "SELECT {} FROM OrderItem WHERE OrderId IN ({}) ORDER BY OrderId, Id",
        ITEM_FIELDS.join(", "),
        quoted.join(", ")
    );
    let mut pager = connection.client.query_stream(&items_query, false);
    let mut items = Vec::new();
    while let Some(page) = pager.next_page().await? {
        items.extend(page.into_iter().filter_map(|r| r.as_object().cloned()));
    }
    let requests = pager.pages_read();
    let mut changes = Vec::new();
    for row in candidates {
        let Some(id) = row.get("Id").and_then(Value::as_str).filter(|id| !known.contains(*id)) else { continue };
        let Some(modstamp) = row.get("SystemModstamp").and_then(parse_modstamp) else { continue };
        let payload = ChangePayload {
            changed_by: row.get("LastModifiedById").and_then(Value::as_str).map(str::to_owned),
            order: Some(DownloadedOrder::from_rows(row, &items)),
            ..ChangePayload::default()
        };
        changes.push(NewChange {
            kind: ChangeKind::OrderDownloaded.as_str(),
            object: "Order".into(),
            sf_id: id.to_owned(),
            modstamp,
            payload: serde_json::to_string(&payload).unwrap_or_else(|_| "{}".into()),
            download: true,
        });
    }
    Ok((changes, requests))
}
