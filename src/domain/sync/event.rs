//! What a store tells forcesync through the Sync API, once validated: one
//! event with the store's own id and its payload.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

use crate::domain::lifecycle::{Customer, LifecycleEvent, Money};

/// The store's own id for an event: 1-128 printable characters. A repeated id
/// is a duplicate and has no second effect.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EventId(String);

impl EventId {
    pub const MAX_CHARS: usize = 128;

    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.is_empty() {
            Err("must not be empty".into())
        } else if raw.chars().count() > Self::MAX_CHARS {
            Err(format!("must be at most {} characters", Self::MAX_CHARS))
        } else if raw.chars().any(char::is_control) {
            Err("must not contain control characters".into())
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A customer saved in the store (account edit, registration, address change).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerSave {
    pub customer: Customer,
    pub at: DateTime<Utc>,
}

/// A product saved in the store: becomes a Product2 and its PricebookEntry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProductSave {
    pub sku: String,
    pub name: String,
    pub price: Money,
    pub active: bool,
    pub at: DateTime<Utc>,
}

/// The payload of one event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EventPayload {
    Customer(CustomerSave),
    /// A batch of products (UpsertProducts): one event, one entity per SKU.
    Products(Vec<ProductSave>),
    /// Checkout, order placed, payment, status change or shipment.
    Lifecycle(LifecycleEvent),
}

/// The kind of an event, as stored and filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EventKind {
    Customer,
    Products,
    Checkout,
    OrderPlaced,
    Payment,
    StatusChange,
    Shipment,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        Self::Customer,
        Self::Products,
        Self::Checkout,
        Self::OrderPlaced,
        Self::Payment,
        Self::StatusChange,
        Self::Shipment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Products => "products",
            Self::Checkout => "checkout",
            Self::OrderPlaced => "order_placed",
            Self::Payment => "payment",
            Self::StatusChange => "status_change",
            Self::Shipment => "shipment",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }
}

impl EventPayload {
    pub fn kind(&self) -> EventKind {
        match self {
            Self::Customer(_) => EventKind::Customer,
            Self::Products(_) => EventKind::Products,
            Self::Lifecycle(LifecycleEvent::CheckoutStarted { .. }) => EventKind::Checkout,
            Self::Lifecycle(LifecycleEvent::OrderPlaced { .. }) => EventKind::OrderPlaced,
            Self::Lifecycle(LifecycleEvent::OrderPaid { .. }) => EventKind::Payment,
            Self::Lifecycle(LifecycleEvent::OrderStatusChanged { .. }) => EventKind::StatusChange,
            Self::Lifecycle(LifecycleEvent::Shipped { .. }) => EventKind::Shipment,
        }
    }
}

/// What makes two events with one id the same event: a digest of what the
/// store sent, never of what the server filled in (a defaulted occur time,
/// the receive time). A plain retry of a request digests equally.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ContentDigest(Vec<u8>);

impl ContentDigest {
    /// SHA-256 of the event's kind and the bytes that describe it.
    pub fn of(kind: EventKind, content: &[u8]) -> Self {
        let mut digest = Sha256::new();
        digest.update(kind.as_str().as_bytes());
        digest.update([0]);
        digest.update(content);
        Self(digest.finalize().to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// A validated event ready to be stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub event_id: EventId,
    pub payload: EventPayload,
    /// Identifies the content for duplicate detection (see [`ContentDigest`]).
    pub digest: ContentDigest,
}

impl NewEvent {
    /// An event made without a wire request (tests, tools): its digest is of the payload.
    pub fn from_payload(event_id: EventId, payload: EventPayload) -> Self {
        let json = serde_json::to_vec(&payload).unwrap_or_default();
        let digest = ContentDigest::of(payload.kind(), &json);
        Self { event_id, payload, digest }
    }
}
