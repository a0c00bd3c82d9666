//! `forcesync.v1.SyncService`, the writes: every event is validated, then
//! committed (group commit, see `storage::sync::intake`) before the answer
//! goes out. The token names the store. Reads live in `sync_reads.rs`.

use chrono::Utc;
use tonic::{Request, Response, Status};

use crate::domain::Violations;
use crate::domain::sync::{EventKind, NewEvent};
use crate::pb::sync_service_server::SyncService;
use crate::pb::{self, EventAck};
use crate::storage::Storage;
use crate::storage::sync::Intake;

use super::auth::Caller;
use super::{ApiError, sync_convert as convert};

/// The Sync API's state: the database and the intake writer. The caller (the
/// store its token names) comes resolved with each request (see `auth_layer.rs`).
#[derive(Debug, Clone)]
pub struct SyncApi {
    pub(super) storage: Storage,
    pub(super) intake: Intake,
}

impl SyncApi {
    pub fn new(storage: Storage, intake: Intake) -> Self {
        Self { storage, intake }
    }

    /// Authorises, validates with `convert` and commits one event.
    /// `rpc` and `kind` name the call and its event in the metrics.
    async fn write_one<T>(
        &self,
        request: &Request<T>,
        (rpc, kind): (&'static str, EventKind),
        convert: impl FnOnce(&T, chrono::DateTime<Utc>, &mut Violations) -> Option<NewEvent>,
    ) -> Result<EventAck, ApiError> {
        let started = std::time::Instant::now();
        let caller = Caller::of(request)?;
        let mut v = Violations::default();
        let event = convert(request.get_ref(), Utc::now(), &mut v);
        let event = v.finish(|| event).map_err(|violations| {
            let store: crate::metrics::StoreLabel = caller.store_code.as_str().into();
            crate::metrics::global().event_received(&store, kind.as_str(), "invalid");
            ApiError::InvalidArgument(violations)
        })?;
        let mut acks = self.commit(&caller, &[event]).await?;
        let ack = acks.pop().ok_or_else(|| ApiError::Unavailable("the event was not acknowledged".into()))?;
        crate::metrics::global().acked(rpc, started.elapsed());
        Ok(ack)
    }

    async fn commit(&self, caller: &Caller, events: &[NewEvent]) -> Result<Vec<EventAck>, ApiError> {
        super::sync_submit::commit(&self.intake, caller, events).await
    }
}

#[tonic::async_trait]
impl SyncService for SyncApi {
    async fn upsert_customer(
        &self,
        request: Request<pb::UpsertCustomerRequest>,
    ) -> Result<Response<pb::UpsertCustomerResponse>, Status> {
        let ack = self.write_one(&request, ("UpsertCustomer", EventKind::Customer), convert::upsert_customer).await?;
        Ok(Response::new(pb::UpsertCustomerResponse { ack: Some(ack) }))
    }

    async fn upsert_products(
        &self,
        request: Request<pb::UpsertProductsRequest>,
    ) -> Result<Response<pb::UpsertProductsResponse>, Status> {
        let ack = self.write_one(&request, ("UpsertProducts", EventKind::Products), convert::upsert_products).await?;
        Ok(Response::new(pb::UpsertProductsResponse { ack: Some(ack) }))
    }

    async fn start_checkout(
        &self,
        request: Request<pb::StartCheckoutRequest>,
    ) -> Result<Response<pb::StartCheckoutResponse>, Status> {
        let ack = self.write_one(&request, ("StartCheckout", EventKind::Checkout), convert::start_checkout).await?;
        Ok(Response::new(pb::StartCheckoutResponse { ack: Some(ack) }))
    }

    async fn place_order(
        &self,
        request: Request<pb::PlaceOrderRequest>,
    ) -> Result<Response<pb::PlaceOrderResponse>, Status> {
        let ack = self.write_one(&request, ("PlaceOrder", EventKind::OrderPlaced), convert::place_order).await?;
        Ok(Response::new(pb::PlaceOrderResponse { ack: Some(ack) }))
    }

    async fn record_payment(
        &self,
        request: Request<pb::RecordPaymentRequest>,
    ) -> Result<Response<pb::RecordPaymentResponse>, Status> {
        let ack = self.write_one(&request, ("RecordPayment", EventKind::Payment), convert::record_payment).await?;
        Ok(Response::new(pb::RecordPaymentResponse { ack: Some(ack) }))
    }

    async fn update_order_status(
        &self,
        request: Request<pb::UpdateOrderStatusRequest>,
    ) -> Result<Response<pb::UpdateOrderStatusResponse>, Status> {
        let ack = self
            .write_one(&request, ("UpdateOrderStatus", EventKind::StatusChange), convert::update_order_status)
            .await?;
        Ok(Response::new(pb::UpdateOrderStatusResponse { ack: Some(ack) }))
    }

    async fn record_shipment(
        &self,
        request: Request<pb::RecordShipmentRequest>,
    ) -> Result<Response<pb::RecordShipmentResponse>, Status> {
        let ack = self
            .write_one(&request, ("RecordShipment", EventKind::Shipment), super::shipment_convert::record_shipment)
            .await?;
        Ok(Response::new(pb::RecordShipmentResponse { ack: Some(ack) }))
    }

    async fn submit_events(
        &self,
        request: Request<pb::SubmitEventsRequest>,
    ) -> Result<Response<pb::SubmitEventsResponse>, Status> {
        let caller = Caller::of(&request)?;
        let acks =
            super::sync_submit::submit_events(&self.intake, &caller, request.get_ref(), Utc::now(), "SubmitEvents")
                .await?;
        Ok(Response::new(pb::SubmitEventsResponse { acks }))
    }

    async fn get_sync_status(
        &self,
        request: Request<pb::GetSyncStatusRequest>,
    ) -> Result<Response<pb::GetSyncStatusResponse>, Status> {
        Ok(Response::new(self.sync_status(request).await?))
    }

    async fn list_sync_events(
        &self,
        request: Request<pb::ListSyncEventsRequest>,
    ) -> Result<Response<pb::ListSyncEventsResponse>, Status> {
        Ok(Response::new(self.sync_events(request).await?))
    }

    async fn retry_failed(
        &self,
        request: Request<pb::RetryFailedRequest>,
    ) -> Result<Response<pb::RetryFailedResponse>, Status> {
        Ok(Response::new(self.retry(request).await?))
    }

    async fn preview_plan(
        &self,
        request: Request<pb::PreviewPlanRequest>,
    ) -> Result<Response<pb::PreviewPlanResponse>, Status> {
        Ok(Response::new(self.preview(request).await?))
    }
}
