//! The one intake path for a batch of store events, shared by the gRPC
//! `SubmitEvents` handler (`sync.rs`) and the RabbitMQ consumer
//! (`crate::amqp`): validate every event (violations named by path,
//! `events[3].order.order_id`), commit them through the group-commit intake,
//! and answer with one ack per event. Nothing is acknowledged before it is
//! committed.

use chrono::{DateTime, Utc};

use crate::domain::sync::NewEvent;
use crate::metrics::StoreLabel;
use crate::pb::{self, EventAck};
use crate::storage::sync::{Ack, Intake};

use super::auth::Caller;
use super::{ApiError, sync_convert as convert, timestamp};

/// Validates a SubmitEvents request received at `now` and commits its events
/// for `caller`'s store; `via` names the path in the ack metric (`SubmitEvents`, `amqp`).
pub async fn submit_events(
    intake: &Intake,
    caller: &Caller,
    request: &pb::SubmitEventsRequest,
    now: DateTime<Utc>,
    via: &'static str,
) -> Result<Vec<EventAck>, ApiError> {
    let started = std::time::Instant::now();
    let events = match convert::submit_events(request, now) {
        Ok(events) => events,
        Err(violations) => {
            // The batch is refused whole; its events are counted by their kind where it reads.
            let store: StoreLabel = caller.store_code.as_str().into();
            for event in &request.events {
                crate::metrics::global().event_received(&store, convert::submitted_kind(event), "invalid");
            }
            return Err(ApiError::InvalidArgument(violations));
        }
    };
    let acks = commit(intake, caller, &events).await?;
    crate::metrics::global().acked(via, started.elapsed());
    Ok(acks)
}

/// Commits already validated events of `caller`'s store; the first event
/// refused (an id reused for other content) fails the call, the others stay committed.
pub(super) async fn commit(intake: &Intake, caller: &Caller, events: &[NewEvent]) -> Result<Vec<EventAck>, ApiError> {
    let results = intake.submit(caller.store_id, events).await?;
    let metrics = crate::metrics::global();
    // One label value per call, shared by its events.
    let store: StoreLabel = caller.store_code.as_str().into();
    let mut acks = Vec::with_capacity(results.len());
    for (event, result) in events.iter().zip(results) {
        let kind = event.payload.kind().as_str();
        let ack = match result {
            Ok(ack) => ack,
            Err(error) => {
                metrics.event_received(&store, kind, "refused");
                return Err(error.into());
            }
        };
        metrics.event_received(&store, kind, if ack.duplicate { "duplicate" } else { "accepted" });
        tracing::debug!(store = %caller.store_code, event_id = %ack.event_id, kind, entity = %entity_of(event),
            sequence = ack.sequence, duplicate = ack.duplicate, "event received");
        acks.push(ack_to_proto(ack));
    }
    Ok(acks)
}

/// The alias of the (first) entity an event lands on, for logs.
fn entity_of(event: &NewEvent) -> String {
    let routes = crate::domain::sync::route(&event.payload);
    routes.into_iter().next().and_then(|route| route.aliases.into_iter().next()).unwrap_or_default()
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
