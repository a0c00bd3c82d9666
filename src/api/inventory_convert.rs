//! InventoryService requests, wire → domain: every bad field named by its
//! path (`levels[12].sku`), levels coalesced to one per SKU (latest as-of).

use chrono::{DateTime, Utc};
use prost::Message as _;
use sha2::{Digest, Sha256};

use crate::domain::inventory::{self, Level, MAX_LEVELS_PER_CALL, MAX_SKU_CHARS};
use crate::domain::sync::EventId;
use crate::domain::{FieldViolation, Violations};
use crate::pb;

use super::sync_values as val;

/// A valid UpdateInventory call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryUpdate {
    pub event_id: EventId,
    /// One per SKU, by SKU.
    pub levels: Vec<Level>,
    pub full_snapshot: bool,
    /// SHA-256 of the request as sent: a reused event id with other content is refused.
    pub payload_hash: Vec<u8>,
}

/// Checks an UpdateInventory request; `now` is the as-of of levels without one.
pub fn update_inventory(
    req: &pb::UpdateInventoryRequest,
    now: DateTime<Utc>,
) -> Result<InventoryUpdate, Vec<FieldViolation>> {
    let mut v = Violations::default();
    let event_id = v.check("event_id", EventId::parse(&req.event_id));
    if req.levels.is_empty() {
        v.add("levels", "must hold at least one level");
    }
    if req.levels.len() > MAX_LEVELS_PER_CALL {
        v.add("levels", format!("must hold at most {MAX_LEVELS_PER_CALL} levels, got {}", req.levels.len()));
    }
    let levels: Vec<Option<Level>> = req
        .levels
        .iter()
        .take(MAX_LEVELS_PER_CALL)
        .enumerate()
        .map(|(i, level)| v.nested(&format!("levels[{i}]."), |v| stock_level(level, now, v)))
        .collect();
    v.finish(|| {
        let levels: Vec<Level> = levels.into_iter().collect::<Option<_>>()?;
        Some(InventoryUpdate {
            event_id: event_id?,
            levels: inventory::coalesce(levels),
            full_snapshot: req.full_snapshot,
            payload_hash: Sha256::digest(req.encode_to_vec()).to_vec(),
        })
    })
}

fn stock_level(raw: &pb::StockLevel, now: DateTime<Utc>, v: &mut Violations) -> Option<Level> {
    let sku = v.check("sku", sku(&raw.sku));
    let quantity = v.check("quantity", inventory::parse_quantity(&raw.quantity));
    let as_of = v.check("as_of", val::occur_time(raw.as_of.as_ref(), now));
    Some(Level { sku: sku?, quantity: quantity?, as_of: as_of?.timestamp_millis() })
}

/// A SKU: required, at most 255 characters, no control characters or surrounding whitespace.
fn sku(raw: &str) -> Result<String, String> {
    let count = raw.chars().count();
    if raw.is_empty() {
        Err("is required".into())
    } else if count > MAX_SKU_CHARS {
        Err(format!("must be at most {MAX_SKU_CHARS} characters, got {count}"))
    } else if raw.chars().any(char::is_control) {
        Err("must not contain control characters".into())
    } else if raw.trim() != raw {
        Err("must not start or end with whitespace".into())
    } else {
        Ok(raw.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(sku: &str, quantity: &str, seconds: i64) -> pb::StockLevel {
        pb::StockLevel {
            sku: sku.into(),
            quantity: quantity.into(),
            as_of: Some(prost_types::Timestamp { seconds, nanos: 0 }),
        }
    }

    #[test]
    fn every_bad_field_is_named_by_its_path() {
        let req = pb::UpdateInventoryRequest {
            event_id: String::new(),
            levels: vec![
                level("A", "1", 1),
                level("", "x", 1),
                pb::StockLevel { as_of: Some(prost_types::Timestamp { seconds: 1, nanos: -1 }), ..level(" B", "1", 1) },
            ],
            full_snapshot: false,
        };
        let fields: Vec<String> =
            update_inventory(&req, Utc::now()).unwrap_err().into_iter().map(|v| v.field).collect();
        assert_eq!(fields, ["event_id", "levels[1].sku", "levels[1].quantity", "levels[2].sku", "levels[2].as_of"]);
    }

    #[test]
    fn levels_of_one_sku_coalesce_to_the_latest() {
        let req = pb::UpdateInventoryRequest {
            event_id: "e1".into(),
            levels: vec![level("A", "5", 20), level("A", "9", 10), level("B", "02.0", 5)],
            full_snapshot: true,
        };
        let update = update_inventory(&req, Utc::now()).expect("valid");
        let levels: Vec<(&str, &str)> = update.levels.iter().map(|l| (l.sku.as_str(), l.quantity.as_str())).collect();
        assert_eq!(levels, [("A", "5"), ("B", "2")]);
        assert!(update.full_snapshot);
    }

    #[test]
    fn too_many_levels_are_refused() {
        let req = pb::UpdateInventoryRequest {
            event_id: "e1".into(),
            levels: vec![level("A", "1", 1); MAX_LEVELS_PER_CALL + 1],
            full_snapshot: false,
        };
        let fields: Vec<String> =
            update_inventory(&req, Utc::now()).unwrap_err().into_iter().map(|v| v.field).collect();
        assert_eq!(fields, ["levels"]);
        let empty = pb::UpdateInventoryRequest { event_id: "e1".into(), ..Default::default() };
        assert!(update_inventory(&empty, Utc::now()).is_err());
    }
}
