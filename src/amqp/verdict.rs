//! What becomes of one RabbitMQ message: the store token header names the
//! store (checked like a gRPC call's), the store must be in RabbitMQ queue
//! mode, the body must decode as a `SubmitEventsRequest`, and then it takes
//! the same validation and commit as the gRPC call (`api::sync_submit`).
//! A message that can never be accepted is rejected with a [`Reason`]; one
//! the database cannot take now is retried.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use lapin::BasicProperties;
use prost::Message as _;

use crate::api::{ApiError, Caller, TokenStores, sync_submit};
use crate::domain::settings::{QueueMode, StoreSettings};
use crate::pb;
use crate::storage::sync::{Intake, LogLine};
use crate::storage::{Storage, StorageError};

use super::headers::{self, TOKEN_HEADER};

/// Largest message body taken (the gRPC services' request limit).
pub const MAX_BODY_BYTES: usize = crate::api::MAX_REQUEST_BYTES;
/// How long a store's settings (queue mode, logging) are used without reading them again.
pub const SETTINGS_TTL: Duration = Duration::from_secs(1);
/// Characters of a publisher's message id repeated in the sync log.
const MESSAGE_ID_LIMIT: usize = 100;

/// Why a message was dead-lettered: the `x-forcesync-reason` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// No `x-forcesync-store-token` header with text.
    MissingToken,
    /// No store has this token, or it is not a store token.
    InvalidToken,
    /// The store's queue mode is not RABBITMQ.
    NotRabbitMqMode,
    /// The body is larger than [`MAX_BODY_BYTES`].
    TooLarge,
    /// The body is not a `forcesync.v1.SubmitEventsRequest`.
    UndecodableBody,
    /// An event is invalid; the detail names every bad field by path.
    InvalidFields,
    /// An event id was used before for an event with other content.
    EventIdReused,
    /// forcesync failed in a way it should not have; its log says more.
    Internal,
}

impl Reason {
    pub fn code(self) -> &'static str {
        match self {
            Self::MissingToken => "MISSING_TOKEN",
            Self::InvalidToken => "INVALID_TOKEN",
            Self::NotRabbitMqMode => "NOT_RABBITMQ_MODE",
            Self::TooLarge => "REQUEST_TOO_LARGE",
            Self::UndecodableBody => "UNDECODABLE_BODY",
            Self::InvalidFields => "INVALID_FIELDS",
            Self::EventIdReused => "EVENT_ID_REUSED",
            Self::Internal => "INTERNAL",
        }
    }
}

/// The store a message's token belongs to, with what its rejection needs.
#[derive(Debug, Clone)]
pub struct KnownStore {
    pub id: i64,
    pub code: String,
    settings: Arc<StoreSettings>,
}

/// A message that will never be accepted as it is.
#[derive(Debug)]
pub struct Rejection {
    pub reason: Reason,
    pub detail: String,
    pub store: Option<KnownStore>,
}

#[derive(Debug)]
pub enum Verdict {
    /// Every event is committed (some perhaps as duplicates): acknowledge.
    Accepted { store: String, events: usize, duplicates: usize },
    /// Dead-letter it.
    Rejected(Rejection),
    /// The database cannot take it now: put it back.
    Retry(String),
}

fn reject(reason: Reason, detail: impl Into<String>, store: Option<&KnownStore>) -> Verdict {
    Verdict::Rejected(Rejection { reason, detail: detail.into(), store: store.cloned() })
}

/// Judges messages; cheap to clone.
#[derive(Debug, Clone)]
pub struct Judge {
    storage: Storage,
    intake: Intake,
    tokens: TokenStores,
    settings: Arc<Mutex<HashMap<i64, ReadSettings>>>,
}

/// A store's settings and when they were read.
type ReadSettings = (Arc<StoreSettings>, Instant);

impl Judge {
    pub fn new(storage: Storage, intake: Intake, tokens: TokenStores) -> Self {
        Self { storage, intake, tokens, settings: Arc::default() }
    }

    /// Checks the message and, if it is acceptable, commits its events.
    pub async fn judge(&self, properties: &BasicProperties, body: &[u8]) -> Verdict {
        let Some(token) = headers::store_token(properties) else {
            let detail = format!("the message has no {TOKEN_HEADER} header holding the store token (fs_…)");
            return reject(Reason::MissingToken, detail, None);
        };
        let caller = match self.tokens.store_caller(&token).await {
            Ok(caller) => caller,
            Err(ApiError::InvalidToken(why)) => return reject(Reason::InvalidToken, why, None),
            Err(error) => return self.failed(error, None),
        };
        let store = match self.store(&caller).await {
            Ok(store) => store,
            Err(StorageError::StoreNotFound(_)) => {
                return reject(Reason::InvalidToken, "the token's store was deleted", None);
            }
            Err(error) => return self.failed(error.into(), None),
        };
        if store.settings.queue_mode != QueueMode::RabbitMq {
            let detail = format!(
                "store {:?} is in queue mode STANDARD: set its queue_mode to QUEUE_MODE_RABBITMQ, or call SubmitEvents",
                store.code
            );
            return reject(Reason::NotRabbitMqMode, detail, Some(&store));
        }
        if body.len() > MAX_BODY_BYTES {
            let detail = format!("the body has {} bytes; at most {MAX_BODY_BYTES} are taken", body.len());
            return reject(Reason::TooLarge, detail, Some(&store));
        }
        let request = match pb::SubmitEventsRequest::decode(body) {
            Ok(request) => request,
            Err(error) => {
                let detail = format!("the body is not a protobuf forcesync.v1.SubmitEventsRequest: {error}");
                return reject(Reason::UndecodableBody, detail, Some(&store));
            }
        };
        match sync_submit::submit_events(&self.intake, &caller, &request, Utc::now(), "amqp").await {
            Ok(acks) => Verdict::Accepted {
                store: caller.store_code,
                events: acks.len(),
                duplicates: acks.iter().filter(|ack| ack.duplicate).count(),
            },
            Err(error) => self.failed(error, Some(&store)),
        }
    }

    /// The verdict for an error of the intake path.
    fn failed(&self, error: ApiError, store: Option<&KnownStore>) -> Verdict {
        match error {
            ApiError::InvalidArgument(_) => reject(Reason::InvalidFields, error.to_string(), store),
            ApiError::EventIdReused { .. } | ApiError::InventoryEventIdReused(_) => {
                reject(Reason::EventIdReused, error.to_string(), store)
            }
            ApiError::Unavailable(why) => Verdict::Retry(why),
            ApiError::MissingToken(why) | ApiError::InvalidToken(why) => reject(Reason::InvalidToken, why, store),
            error @ (ApiError::Internal(_)
            | ApiError::WrongStore(_)
            | ApiError::StoreNotFound(_)
            | ApiError::StoreExists(_)
            | ApiError::EtagMismatch { .. }
            | ApiError::EntityNotFound(_)
            | ApiError::ChangeNotDelivered(_)) => {
                tracing::error!(%error, "a RabbitMQ message failed inside forcesync");
                reject(Reason::Internal, "forcesync failed to take the message; its log says why", store)
            }
        }
    }

    /// The caller's store with its settings, read at most [`SETTINGS_TTL`] ago.
    async fn store(&self, caller: &Caller) -> Result<KnownStore, StorageError> {
        let cached = self.settings.lock().ok().and_then(|cache| {
            let (settings, at) = cache.get(&caller.store_id)?;
            (at.elapsed() < SETTINGS_TTL).then(|| settings.clone())
        });
        let settings = match cached {
            Some(settings) => settings,
            None => {
                let settings = Arc::new(self.storage.get_settings(&caller.store_code).await?.settings);
                if let Ok(mut cache) = self.settings.lock() {
                    cache.insert(caller.store_id, (settings.clone(), Instant::now()));
                }
                settings
            }
        };
        Ok(KnownStore { id: caller.store_id, code: caller.store_code.clone(), settings })
    }

    /// Says where operators look why a message was dead-lettered: the
    /// service log always (never with the token), and the store's sync log
    /// when the store is known and its database logging is on.
    pub async fn record(&self, rejection: &Rejection, message_id: Option<&str>, routing_key: &str) {
        let reason = rejection.reason.code();
        let store = rejection.store.as_ref().map(|s| s.code.as_str());
        tracing::warn!(reason, store, message_id, routing_key, detail = %rejection.detail,
            "a RabbitMQ message was dead-lettered");
        let Some(known) = &rejection.store else { return };
        let logging = &known.settings.logging;
        if !(logging.enabled && logging.database_logging) {
            return;
        }
        let entity = match message_id {
            Some(id) => format!("message:{}", headers::clip(id, MESSAGE_ID_LIMIT)),
            None => "message".to_owned(),
        };
        let message = format!("RabbitMQ message dead-lettered ({reason}): {}", rejection.detail);
        let line = LogLine { level: "error", entity, message: headers::clip(&message, 2_000) };
        let keep = i64::from(logging.database_log_limit);
        if let Err(error) = self.storage.append_sync_log(known.id, &[line], keep).await {
            tracing::error!(%error, "could not write the sync log");
        }
    }
}
