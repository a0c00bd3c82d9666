//! `forcesync.v1.ChangeService`: the store takes what changed in Salesforce
//! (queued by the engine's change capture, `engine::changes`), pulled or
//! streamed, each change leased to it until acknowledged. The token names
//! the store (see `auth_layer.rs`).

use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Notify, mpsc};
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use crate::pb;
use crate::pb::change_service_server::ChangeService;
use crate::storage::Storage;
use crate::storage::changes::ChangeAckError;
use crate::storage::sync::LogLine;

use super::auth::Caller;
use super::{ApiError, changes_convert as convert, paging};

/// How often a watcher looks for changes another replica queued (this
/// process's own are announced at once).
const WATCH_POLL: Duration = Duration::from_secs(1);
/// Changes a watcher sends per message.
const WATCH_BATCH: i64 = 100;

/// The Change API's state: the database and the engine's "changes queued" signal.
#[derive(Debug, Clone)]
pub struct ChangeApi {
    storage: Storage,
    queued: Arc<Notify>,
}

impl ChangeApi {
    pub fn new(storage: Storage, queued: Arc<Notify>) -> Self {
        Self { storage, queued }
    }

    async fn pull(&self, request: Request<pb::PullChangesRequest>) -> Result<pb::PullChangesResponse, ApiError> {
        let caller = Caller::of(&request)?;
        let req = request.get_ref();
        let page_size = paging::page_size(req.page_size)?;
        let lease = convert::lease_millis(req.lease_seconds)?;
        let now = Utc::now().timestamp_millis();
        let stored = self.storage.pull_changes(caller.store_id, page_size, lease, now).await?;
        let changes = stored.into_iter().map(convert::change).collect::<Result<Vec<_>, _>>()?;
        let (pending, _) = self.storage.change_backlog(caller.store_id).await?;
        let acked_cursor = self.storage.change_cursor(caller.store_id).await?;
        tracing::debug!(store = %caller.store_code, changes = changes.len(), pending, "changes pulled");
        Ok(pb::PullChangesResponse { changes, acked_cursor, pending })
    }

    async fn ack(&self, request: Request<pb::AckChangesRequest>) -> Result<pb::AckChangesResponse, ApiError> {
        let caller = Caller::of(&request)?;
        let (through, results) = convert::ack(request.get_ref())?;
        let now = Utc::now().timestamp_millis();
        let acknowledged = match self.storage.ack_changes(caller.store_id, through, &results, now).await {
            Ok(acknowledged) => acknowledged,
            Err(ChangeAckError::NotDelivered(change)) => return Err(ApiError::ChangeNotDelivered(change)),
            Err(ChangeAckError::Unknown(change)) => {
                return Err(ApiError::invalid("results.change_id", format!("change {change} is not this store's")));
            }
            Err(error @ ChangeAckError::NotADownload(_)) => {
                return Err(ApiError::invalid("results.store_order_id", error.to_string()));
            }
            Err(ChangeAckError::Storage(error)) => return Err(error.into()),
        };
        let failed: Vec<LogLine> = results
            .iter()
            .filter_map(|r| {
                let error = r.error.as_ref()?;
                let message = format!("the store could not apply change {}: {error}", r.change_id);
                Some(LogLine { level: "warn", entity: format!("change {}", r.change_id), message })
            })
            .collect();
        if !failed.is_empty() {
            tracing::warn!(store = %caller.store_code, failed = failed.len(), "the store could not apply some changes");
            let logging = self.storage.get_settings(&caller.store_code).await?.settings.logging;
            if logging.enabled && logging.database_logging {
                let keep = i64::from(logging.database_log_limit);
                self.storage.append_sync_log(caller.store_id, &failed, keep).await?;
            }
        }
        if results.iter().any(|r| r.store_order_id.is_some()) {
            // The engine stamps the acknowledged orders on its next capture run.
            self.storage.wake_changes(caller.store_id).await?;
        }
        let acked_cursor = self.storage.change_cursor(caller.store_id).await?;
        Ok(pb::AckChangesResponse { acknowledged, acked_cursor })
    }
}

type ChangeStream = Pin<Box<dyn Stream<Item = Result<pb::WatchChangesResponse, Status>> + Send>>;

/// Sends the store's changes as they are queued until the caller goes away.
async fn watch(
    storage: Storage,
    queued: Arc<Notify>,
    store_id: i64,
    lease: i64,
    out: mpsc::Sender<Result<pb::WatchChangesResponse, Status>>,
) {
    loop {
        let signal = queued.notified();
        let now = Utc::now().timestamp_millis();
        let pulled = match storage.pull_changes(store_id, WATCH_BATCH, lease, now).await {
            Ok(pulled) => pulled,
            Err(error) => {
                let _ = out.send(Err(ApiError::from(error).into())).await;
                return;
            }
        };
        if !pulled.is_empty() {
            let changes = match pulled.into_iter().map(convert::change).collect::<Result<Vec<_>, _>>() {
                Ok(changes) => changes,
                Err(error) => {
                    let _ = out.send(Err(error.into())).await;
                    return;
                }
            };
            if out.send(Ok(pb::WatchChangesResponse { changes })).await.is_err() {
                return;
            }
            continue;
        }
        tokio::select! {
            () = signal => {}
            () = tokio::time::sleep(WATCH_POLL) => {}
            () = out.closed() => return,
        }
    }
}

#[tonic::async_trait]
impl ChangeService for ChangeApi {
    type WatchChangesStream = ChangeStream;

    async fn pull_changes(
        &self,
        request: Request<pb::PullChangesRequest>,
    ) -> Result<Response<pb::PullChangesResponse>, Status> {
        Ok(Response::new(self.pull(request).await?))
    }

    async fn ack_changes(
        &self,
        request: Request<pb::AckChangesRequest>,
    ) -> Result<Response<pb::AckChangesResponse>, Status> {
        Ok(Response::new(self.ack(request).await?))
    }

    async fn watch_changes(
        &self,
        request: Request<pb::WatchChangesRequest>,
    ) -> Result<Response<Self::WatchChangesStream>, Status> {
        let caller = Caller::of(&request)?;
        let lease = convert::lease_millis(request.get_ref().lease_seconds)?;
        let (tx, rx) = mpsc::channel(4);
        tokio::spawn(watch(self.storage.clone(), self.queued.clone(), caller.store_id, lease, tx));
        Ok(Response::new(Box::pin(ReceiverStream::new(rx))))
    }
}
