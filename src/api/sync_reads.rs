//! `forcesync.v1.SyncService`, the reads: an entity's status, received
//! events (paged, filtered), requeueing parked work, and the dry run.

use chrono::Utc;
use tonic::Request;

use crate::domain::Violations;
use crate::domain::lifecycle::{ClosedStages, shipment_target};
use crate::domain::store::StoreCode;
use crate::domain::sync::{EntityFacts, EntityKind, EntityPlan, planned, route};
use crate::domain::write_plan::entity_writes::{self, Action, Known, KnownRecords};
use crate::pb;
use crate::storage::sync::{EntityState, EntityStatus, EventFilter, EventInfo, RecordedError};

use super::auth::Caller;
use super::sync::SyncApi;
use super::{ApiError, paging, sync_convert as convert, timestamp};

fn state_to_proto(state: EntityState) -> pb::SyncState {
    match state {
        EntityState::Pending => pb::SyncState::Pending,
        EntityState::Waiting => pb::SyncState::Waiting,
        EntityState::Synced => pb::SyncState::Synced,
        EntityState::Parked => pb::SyncState::Parked,
        EntityState::Merged => pb::SyncState::Unspecified,
    }
}

fn state_from_proto(raw: i32) -> Result<Option<EntityState>, ApiError> {
    match pb::SyncState::try_from(raw) {
        Ok(pb::SyncState::Unspecified) => Ok(None),
        Ok(pb::SyncState::Pending) => Ok(Some(EntityState::Pending)),
        Ok(pb::SyncState::Waiting) => Ok(Some(EntityState::Waiting)),
        Ok(pb::SyncState::Synced) => Ok(Some(EntityState::Synced)),
        Ok(pb::SyncState::Parked) => Ok(Some(EntityState::Parked)),
        Err(_) => Err(ApiError::invalid("state", format!("unknown sync state {raw}"))),
    }
}

fn error_to_proto(error: RecordedError) -> pb::SyncError {
    pb::SyncError {
        code: error.code,
        message: error.message,
        fields: error.fields,
        remedy: error.remedy.unwrap_or_default(),
        error_class: error.class,
    }
}

fn millis(field: &str, time: Option<&prost_types::Timestamp>) -> Result<Option<i64>, ApiError> {
    let Some(time) = time else { return Ok(None) };
    let valid = (0..1_000_000_000).contains(&time.nanos);
    let millis = time.seconds.checked_mul(1000).and_then(|ms| ms.checked_add(i64::from(time.nanos / 1_000_000)));
    millis.filter(|_| valid).map(Some).ok_or_else(|| ApiError::invalid(field, "is not a valid timestamp"))
}

fn status_to_proto(status: EntityStatus) -> pb::GetSyncStatusResponse {
    let waiting = status.state == EntityState::Waiting;
    let pending = status.state == EntityState::Pending;
    // Pending work of a paused store waits for the pause's next check, and says why.
    let (next_attempt, waiting_reason) = match (&status.store_pause, pending, waiting) {
        (Some((until, reason)), true, _) => {
            (status.next_run_at.max(*until), format!("the store's sync is paused until its next check: {reason}"))
        }
        (_, _, true) => (status.next_run_at, status.waiting_reason.clone().unwrap_or_default()),
        _ => (status.next_run_at, String::new()),
    };
    pb::GetSyncStatusResponse {
        kind: convert::entity_kind_to_proto(status.kind) as i32,
        state: state_to_proto(status.state) as i32,
        aliases: status.aliases,
        records: status
            .records
            .into_iter()
            .map(|r| pb::SalesforceRecord {
                object: r.object,
                external_key: r.key,
                id: r.id,
                write_time: (r.written_at > 0).then(|| timestamp(r.written_at)),
            })
            .collect(),
        attempts: i32::try_from(status.attempts).unwrap_or(i32::MAX),
        last_error: status.last_error.map(error_to_proto),
        next_attempt_time: pending.then(|| timestamp(next_attempt)),
        waiting_reason,
        update_time: Some(timestamp(status.updated_at)),
        event_count: status.event_count,
        notes: Vec::new(),
    }
}

fn event_to_proto(event: EventInfo) -> pb::SyncEventInfo {
    let event_state = if event.applied { pb::EventState::Applied } else { pb::EventState::Received };
    pb::SyncEventInfo {
        event_id: event.event_id,
        sequence: event.sequence,
        kind: event.kind.map_or(pb::EventKind::Unspecified, convert::event_kind_to_proto) as i32,
        receive_time: Some(timestamp(event.received_at)),
        event_state: event_state as i32,
        sync_state: event.entity_state.map_or(pb::SyncState::Unspecified, state_to_proto) as i32,
        entity: event.entity.unwrap_or_default(),
        last_error: event.last_error.map(error_to_proto),
    }
}

impl SyncApi {
    pub(super) async fn sync_status(
        &self,
        request: Request<pb::GetSyncStatusRequest>,
    ) -> Result<pb::GetSyncStatusResponse, ApiError> {
        let caller = Caller::of(&request)?;
        let alias = convert::status_alias(request.get_ref()).map_err(|v| ApiError::InvalidArgument(vec![v]))?;
        let status = self.storage.entity_status(caller.store_id, &alias).await?;
        let Some(status) = status else { return Err(ApiError::EntityNotFound(alias)) };
        let is_sale = status.kind == EntityKind::Sale;
        let mut response = status_to_proto(status);
        if is_sale {
            response.notes = self.sale_notes(&caller, alias).await?;
        }
        Ok(response)
    }

    /// What a sale carries that is deliberately not written (shipments without a Salesforce Order), and why.
    async fn sale_notes(&self, caller: &Caller, alias: String) -> Result<Vec<String>, ApiError> {
        let settings = self.storage.get_settings(&caller.store_code).await?.settings;
        Ok(match self.storage.entity_facts(caller.store_id, &[alias]).await? {
            Some(EntityFacts::Sale(facts)) => shipment_target::notes(&settings, &facts),
            _ => Vec::new(),
        })
    }

    pub(super) async fn sync_events(
        &self,
        request: Request<pb::ListSyncEventsRequest>,
    ) -> Result<pb::ListSyncEventsResponse, ApiError> {
        let caller = Caller::of(&request)?;
        let req = request.get_ref();
        let page_size = paging::page_size(req.page_size)?;
        let token = paging::decode_token(&req.page_token)?;
        let before_sequence = match token.as_str() {
            "" => None,
            raw => Some(
                raw.parse().map_err(|_| ApiError::invalid("page_token", "not a page token returned by this API"))?,
            ),
        };
        let filter = EventFilter {
            state: state_from_proto(req.state)?,
            kind: convert::event_kind_from_proto(req.kind).map_err(|e| ApiError::invalid("kind", e))?,
            received_after: millis("received_after", req.received_after.as_ref())?,
            received_before: millis("received_before", req.received_before.as_ref())?,
            before_sequence,
        };
        let mut events = self.storage.list_events(caller.store_id, &filter, page_size + 1).await?;
        let more = events.len() as i64 > page_size;
        events.truncate(usize::try_from(page_size).unwrap_or(usize::MAX));
        let next_page_token = match events.last() {
            Some(last) if more => paging::encode_token(&last.sequence.to_string()),
            _ => String::new(),
        };
        Ok(pb::ListSyncEventsResponse { events: events.into_iter().map(event_to_proto).collect(), next_page_token })
    }

    pub(super) async fn retry(
        &self,
        request: Request<pb::RetryFailedRequest>,
    ) -> Result<pb::RetryFailedResponse, ApiError> {
        let caller = Caller::of(&request)?;
        let req = request.get_ref();
        let kind = convert::entity_kind_from_proto(req.kind).map_err(|e| ApiError::invalid("kind", e))?;
        let code = Some(req.error_code.trim()).filter(|c| !c.is_empty());
        let requeued = self.storage.retry_parked(caller.store_id, kind, code).await?;
        tracing::info!(store = %caller.store_code, requeued, "parked work queued again");
        Ok(pb::RetryFailedResponse { requeued: i64::try_from(requeued).unwrap_or(i64::MAX) })
    }

    pub(super) async fn preview(
        &self,
        request: Request<pb::PreviewPlanRequest>,
    ) -> Result<pb::PreviewPlanResponse, ApiError> {
        let caller = Caller::of(&request)?;
        let mut v = Violations::default();
        let event = match &request.get_ref().event {
            Some(event) => v.nested("event.", |v| convert::sync_event(event, Utc::now(), v)),
            None => {
                v.add("event", "is required");
                None
            }
        };
        let event = v.finish(|| event).map_err(ApiError::InvalidArgument)?;
        let settings = self.storage.get_settings(&caller.store_code).await?.settings;
        let code = StoreCode::parse(&caller.store_code).map_err(|e| ApiError::Internal(e.into()))?;
        let closed = ClosedStages::defaults(&settings);
        let mut response = pb::PreviewPlanResponse::default();
        for routed in route(&event.payload) {
            let mut facts =
                self.storage.entity_facts(caller.store_id, &routed.aliases).await?.unwrap_or(routed.facts.clone());
            facts.merge(&routed.facts);
            let operations = match planned(&settings, &code, &facts, &closed) {
                EntityPlan::Write(operations) => operations,
                EntityPlan::Waiting(reason) => {
                    response.waiting_reason = reason.to_owned();
                    continue;
                }
            };
            let keys: Vec<String> = operations.iter().map(|op| op.key().to_owned()).collect();
            let records: KnownRecords = self
                .storage
                .written_records(caller.store_id, &keys)
                .await?
                .into_iter()
                .map(|(at, record)| (at, record.known()))
                .collect();
            // What the engine would decide from what forcesync remembers; the price book's Ids
            // are filled in when sent, and an uncertain retry's lookups are not made here.
            let known = Known { records: &records, pricebook_id: None, writer: facts.kind() };
            let writes = entity_writes::decide_all(&operations, &known).map_err(|e| ApiError::Internal(e.0.into()))?;
            for write in writes {
                let skipped = match write.action {
                    Action::Skip(reason) => reason,
                    Action::Update { .. } | Action::Upsert | Action::UpsertOnce => "",
                };
                response.writes.push(pb::PlannedWrite {
                    object: write.object,
                    external_key: write.key,
                    body_json: write.body.to_string(),
                    skipped_reason: skipped.to_owned(),
                });
            }
        }
        Ok(response)
    }
}
