//! The way back in bidirectional mode (DESIGN.md §4): what a Salesforce
//! change is, as the store receives it. [`diff`] finds the watched fields a
//! polled record changed against what forcesync last knew of it (so its own
//! writes, echoed back by a poll, are no change), [`conflict`] settles a field
//! both sides changed by the store's policy, and [`download`] reads a
//! Salesforce Order into the complete order the store imports.

pub mod conflict;
pub mod diff;
pub mod download;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use conflict::{Conflict, Resolution, StorePending, Winner, resolve};
pub use diff::{FieldChange, changed_fields};
pub use download::{DownloadedOrder, OrderLine, OrderParty, PostalAddress};

/// What kind of change the store receives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ChangeKind {
    /// A Salesforce Order forcesync did not create, for the store to import.
    OrderDownloaded,
    /// Watched fields (by default Status) of an Order forcesync synced.
    OrderChanged,
    /// Watched fields (by default StageName) of an Opportunity forcesync synced.
    OpportunityChanged,
    /// Watched fields of a customer's Account or Contact.
    CustomerChanged,
    /// A record forcesync synced was deleted in Salesforce.
    RecordDeleted,
}

impl ChangeKind {
    pub const ALL: [Self; 5] = [
        Self::OrderDownloaded,
        Self::OrderChanged,
        Self::OpportunityChanged,
        Self::CustomerChanged,
        Self::RecordDeleted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::OrderDownloaded => "order_downloaded",
            Self::OrderChanged => "order_changed",
            Self::OpportunityChanged => "opportunity_changed",
            Self::CustomerChanged => "customer_changed",
            Self::RecordDeleted => "record_deleted",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    /// The kind of an edit of a synced record of `object`.
    pub fn edit_of(object: &str) -> Option<Self> {
        match object {
            "Order" => Some(Self::OrderChanged),
            "Opportunity" => Some(Self::OpportunityChanged),
            "Account" | "Contact" => Some(Self::CustomerChanged),
            _ => None,
        }
    }
}

/// The store's own name for what a change is about, from the entity that
/// synced the record: `("order", "100000123")`, `("customer", "42")`, `("cart", "Q-9")`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreRef {
    pub kind: String,
    pub id: String,
}

impl StoreRef {
    /// The customer a record key names (`main:customer:42` → customer 42).
    pub fn customer_of_key(key: &str) -> Option<Self> {
        let (_, rest) = key.split_once(":customer:")?;
        Some(Self { kind: "customer".into(), id: rest.to_owned() })
    }

    /// The most telling of an entity's aliases (`order:` before `cart:`), if any names the store's data.
    pub fn from_aliases<'a>(aliases: impl IntoIterator<Item = &'a str>) -> Option<Self> {
        let mut best: Option<(usize, Self)> = None;
        for alias in aliases {
            let Some((kind, id)) = alias.split_once(':') else { continue };
            let Some(rank) = ["order", "customer", "cart"].iter().position(|k| *k == kind) else { continue };
            if best.as_ref().is_none_or(|(r, _)| rank < *r) {
                best = Some((rank, Self { kind: kind.to_owned(), id: id.to_owned() }));
            }
        }
        best.map(|(_, found)| found)
    }
}

/// Everything a change carries besides its kind and record, as stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChangePayload {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store_ref: Option<StoreRef>,
    /// The watched fields that changed, with the value forcesync knew before.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldChange>,
    /// The User Id of the last modification (`LastModifiedById`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changed_by: Option<String>,
    /// Fields both sides changed, settled by the store's policy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<DownloadedOrder>,
}

/// A Salesforce value as the store reads it: text, with null as `None`.
pub fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in ChangeKind::ALL {
            assert_eq!(ChangeKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(ChangeKind::parse("nope"), None);
    }

    #[test]
    fn the_order_alias_names_a_sale_before_its_cart() {
        let found = StoreRef::from_aliases(["cart:Q-9", "order:100000123"]);
        assert_eq!(found, Some(StoreRef { kind: "order".into(), id: "100000123".into() }));
        assert_eq!(StoreRef::from_aliases(["product:SKU-1"]), None);
        let keyed = StoreRef::customer_of_key("main:customer:guest:jane@example.com").map(|r| r.id);
        assert_eq!(keyed.as_deref(), Some("guest:jane@example.com"));
        assert_eq!(StoreRef::customer_of_key("main:order:1"), None);
        let customer = StoreRef::from_aliases(["customer:42"]).map(|r| r.id);
        assert_eq!(customer.as_deref(), Some("42"));
    }

    #[test]
    fn values_read_as_text_and_null_as_none() {
        assert_eq!(value_text(&Value::Null), None);
        assert_eq!(value_text(&serde_json::json!("x")).as_deref(), Some("x"));
        assert_eq!(value_text(&serde_json::json!(12.5)).as_deref(), Some("12.5"));
        assert_eq!(value_text(&serde_json::json!(true)).as_deref(), Some("true"));
    }
}
