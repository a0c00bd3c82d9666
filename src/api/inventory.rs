//! `forcesync.v1.InventoryService`: stock levels in (validated, committed in
//! one transaction before the answer, one per SKU, the latest as-of winning),
//! and the inventory status out. The token names the store (see `auth_layer.rs`).
//! The engine pushes the levels to Salesforce (`engine::inventory`).

use chrono::Utc;
use tonic::{Request, Response, Status};

use crate::pb::inventory_service_server::InventoryService;
use crate::pb::{self, InventoryIssueKind};
use crate::storage::Storage;
use crate::storage::inventory::{Accepted, IssueRow, PushRecord};

use super::auth::Caller;
use super::{ApiError, inventory_convert as convert, paging, timestamp};

/// The Inventory API's state: the database.
#[derive(Debug, Clone)]
pub struct InventoryApi {
    storage: Storage,
}

impl InventoryApi {
    pub fn new(storage: Storage) -> Self {
        Self { storage }
    }

    async fn update(
        &self,
        request: Request<pb::UpdateInventoryRequest>,
    ) -> Result<pb::UpdateInventoryResponse, ApiError> {
        let started = std::time::Instant::now();
        let caller = Caller::of(&request)?;
        let store: crate::metrics::StoreLabel = caller.store_code.as_str().into();
        let metrics = crate::metrics::global();
        let now = Utc::now();
        let update = convert::update_inventory(request.get_ref(), now).map_err(|violations| {
            metrics.event_received(&store, "inventory", "invalid");
            ApiError::InvalidArgument(violations)
        })?;
        let event_id = update.event_id.as_str().to_owned();
        let outcome = self
            .storage
            .accept_inventory(
                caller.store_id,
                &event_id,
                &update.payload_hash,
                &update.levels,
                update.full_snapshot,
                now.timestamp_millis(),
            )
            .await?;
        let (duplicate, received_at, accepted, superseded) = match outcome {
            Accepted::New { received_at, accepted, superseded } => (false, received_at, accepted, superseded),
            Accepted::Duplicate { received_at, accepted, superseded } => (true, received_at, accepted, superseded),
            Accepted::Reused => {
                metrics.event_received(&store, "inventory", "refused");
                return Err(ApiError::InventoryEventIdReused(event_id));
            }
        };
        metrics.event_received(&store, "inventory", if duplicate { "duplicate" } else { "accepted" });
        metrics.acked("UpdateInventory", started.elapsed());
        tracing::debug!(store = %caller.store_code, %event_id, levels = update.levels.len(), accepted, duplicate,
            "inventory levels received");
        Ok(pb::UpdateInventoryResponse {
            event_id,
            duplicate,
            receive_time: Some(timestamp(received_at)),
            accepted,
            superseded,
        })
    }

    async fn status(
        &self,
        request: Request<pb::GetInventoryStatusRequest>,
    ) -> Result<pb::GetInventoryStatusResponse, ApiError> {
        let caller = Caller::of(&request)?;
        let req = request.get_ref();
        let page_size = paging::page_size(req.page_size)?;
        let after = paging::decode_token(&req.page_token)?;
        let states: &[&str] = match InventoryIssueKind::try_from(req.kind) {
            Ok(InventoryIssueKind::Unspecified) => &["unmatched", "failed"],
            Ok(InventoryIssueKind::Unmatched) => &["unmatched"],
            Ok(InventoryIssueKind::Failed) => &["failed"],
            Err(_) => return Err(ApiError::invalid("kind", format!("unknown issue kind {}", req.kind))),
        };
        let settings = self.storage.get_settings(&caller.store_code).await?;
        let counts = self.storage.inventory_counts(caller.store_id).await?;
        let last_push = self.storage.last_push(caller.store_id).await?;
        let mut rows = self.storage.inventory_issues(caller.store_id, states, &after, page_size + 1).await?;
        let more = rows.len() > usize::try_from(page_size).unwrap_or(usize::MAX);
        rows.truncate(usize::try_from(page_size).unwrap_or(usize::MAX));
        let next_page_token = match rows.last() {
            Some(last) if more => paging::encode_token(&last.sku),
            _ => String::new(),
        };
        Ok(pb::GetInventoryStatusResponse {
            enabled: settings.settings.inventory.enabled,
            last_push: last_push.map(push_to_proto),
            pending: counts.pending,
            unmatched: counts.unmatched,
            failed: counts.failed,
            issues: rows.into_iter().map(issue_to_proto).collect(),
            next_page_token,
        })
    }
}

fn push_to_proto(push: PushRecord) -> pb::InventoryPush {
    pb::InventoryPush {
        start_time: Some(timestamp(push.started_at)),
        finish_time: Some(timestamp(push.finished_at)),
        rows: push.rows_total,
        written: push.written,
        unchanged: push.unchanged,
        unmatched: push.unmatched,
        failed: push.failed,
        created: push.created,
        method: push.method,
        api_calls: push.api_calls,
        error: push.error.unwrap_or_default(),
    }
}

fn issue_to_proto(row: IssueRow) -> pb::InventoryIssue {
    let kind = if row.state == "failed" { InventoryIssueKind::Failed } else { InventoryIssueKind::Unmatched };
    pb::InventoryIssue {
        sku: row.sku,
        kind: kind as i32,
        quantity: row.desired_qty,
        as_of: Some(timestamp(row.desired_as_of)),
        error_code: row.error_code.unwrap_or_default(),
        error_message: row.error_message.unwrap_or_default(),
    }
}

#[tonic::async_trait]
impl InventoryService for InventoryApi {
    async fn update_inventory(
        &self,
        request: Request<pb::UpdateInventoryRequest>,
    ) -> Result<Response<pb::UpdateInventoryResponse>, Status> {
        Ok(Response::new(self.update(request).await?))
    }

    async fn get_inventory_status(
        &self,
        request: Request<pb::GetInventoryStatusRequest>,
    ) -> Result<Response<pb::GetInventoryStatusResponse>, Status> {
        Ok(Response::new(self.status(request).await?))
    }
}
