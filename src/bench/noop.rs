//! The baseline of `bench ingest`: a SyncService that answers PlaceOrder
//! with an empty ack and does nothing else (every other RPC is
//! unimplemented), served by a plain tonic server on its own port.

use std::net::SocketAddr;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tonic::transport::Server;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status};

use crate::api::StoreTokenLayer;
use crate::pb::sync_service_server::{SyncService, SyncServiceServer};
use crate::pb::{self, EventAck};

/// A tonic server on 127.0.0.1:0 serving one SyncService, until stopped.
pub struct Served {
    pub addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), tonic::transport::Error>>,
}

impl Served {
    /// Serves `service` on a fresh port, behind the store token check when
    /// `tokens` is given (the real Sync handlers need it).
    pub async fn start<S: SyncService>(
        service: SyncServiceServer<S>,
        tokens: Option<StoreTokenLayer>,
    ) -> anyhow::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let server = Server::builder().layer(tower::util::option_layer(tokens)).add_service(service);
        // TCP_NODELAY, as the real server's listener (`server::serve`) sets it.
        let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
        let task = tokio::spawn(server.serve_with_incoming_shutdown(incoming, async {
            let _ = stopped.await;
        }));
        Ok(Self { addr, stop, task })
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        Ok(self.task.await??)
    }
}

/// A SyncService that answers PlaceOrder with an empty ack and does nothing else.
pub struct Noop;

#[tonic::async_trait]
impl SyncService for Noop {
    async fn place_order(&self, _: Request<pb::PlaceOrderRequest>) -> Result<Response<pb::PlaceOrderResponse>, Status> {
        Ok(Response::new(pb::PlaceOrderResponse { ack: Some(EventAck::default()) }))
    }
    async fn upsert_customer(
        &self,
        _: Request<pb::UpsertCustomerRequest>,
    ) -> Result<Response<pb::UpsertCustomerResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn upsert_products(
        &self,
        _: Request<pb::UpsertProductsRequest>,
    ) -> Result<Response<pb::UpsertProductsResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn start_checkout(
        &self,
        _: Request<pb::StartCheckoutRequest>,
    ) -> Result<Response<pb::StartCheckoutResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn record_payment(
        &self,
        _: Request<pb::RecordPaymentRequest>,
    ) -> Result<Response<pb::RecordPaymentResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn update_order_status(
        &self,
        _: Request<pb::UpdateOrderStatusRequest>,
    ) -> Result<Response<pb::UpdateOrderStatusResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn submit_events(
        &self,
        _: Request<pb::SubmitEventsRequest>,
    ) -> Result<Response<pb::SubmitEventsResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn get_sync_status(
        &self,
        _: Request<pb::GetSyncStatusRequest>,
    ) -> Result<Response<pb::GetSyncStatusResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn list_sync_events(
        &self,
        _: Request<pb::ListSyncEventsRequest>,
    ) -> Result<Response<pb::ListSyncEventsResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn retry_failed(
        &self,
        _: Request<pb::RetryFailedRequest>,
    ) -> Result<Response<pb::RetryFailedResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn record_shipment(
        &self,
        _: Request<pb::RecordShipmentRequest>,
    ) -> Result<Response<pb::RecordShipmentResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
    async fn preview_plan(
        &self,
        _: Request<pb::PreviewPlanRequest>,
    ) -> Result<Response<pb::PreviewPlanResponse>, Status> {
        Err(Status::unimplemented("no-op"))
    }
}
