//! The one intake path for a batch of store events, shared by the gRPC
//! `SubmitEvents` handler (`sync.rs`) and the RabbitMQ consumer
//! (`crate::amqp`): validate every event (violations named by path,
//! `events[3].order.order_id`), commit them through the group-commit intake,
//! and answer with one ack per event. Nothing is acknowledged before it is
//! committed.

use chrono::{DateTime, Utc};

use crate::domain::sync::NewEvent;
use crate::pb::{self, EventAck};
use crate::storage::sync::{Ack, Intake};

use super::auth::Caller;
use super::{ApiError, sync_convert as convert, timestamp};

/// Validates a SubmitEvents request received at `now` and commits its events for `caller`'s store.
pub async fn submit_events(
    intake: &Intake,
    caller: &Caller,
    request: &pb::SubmitEventsRequest,
    now: DateTime<Utc>,
) -> Result<Vec<EventAck>, ApiError> {
    let events = convert::submit_events(request, now).map_err(ApiError::InvalidArgument)?;
    commit(intake, caller, &events).await
}

/// Commits already validated events of `caller`'s store; the first event
/// refused (an id reused for other content) fails the call, the others stay committed.
pub(super) async fn commit(intake: &Intake, caller: &Caller, events: &[NewEvent]) -> Result<Vec<EventAck>, ApiError> {
    let results = intake.submit(caller.store_id, events).await?;
    let mut acks = Vec::with_capacity(results.len());
    for (event, result) in events.iter().zip(results) {
        let ack = result?;
        tracing::debug!(store = %caller.store_code, event_id = %ack.event_id, kind = event.payload.kind().as_str(),
            sequence = ack.sequence, duplicate = ack.duplicate, "event received");
        acks.push(ack_to_proto(ack));
    }
    Ok(acks)
}

fn ack_to_proto(ack: Ack) -> EventAck {
    let state = if ack.applied { pb::EventState::Applied } else { pb::EventState::Received };
    EventAck {
        event_id: ack.event_id,
        duplicate: ack.duplicate,
        sequence: ack.sequence,
        receive_time: Some(timestamp(ack.received_at)),
        state: state as i32,
    }
}
