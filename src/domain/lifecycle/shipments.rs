//! Shipments of a sale (DESIGN.md §3, step 5), pure: what the store says
//! about one shipment, how the shipments of an order accumulate, and when the
//! order counts as completely shipped. What they make forcesync write under
//! the store's settings is [`super::shipment_target`]'s.
//!
//! A sale keeps its shipments in a map keyed by shipment id; for one id the
//! latest recording wins (ties broken by content), so merging stays
//! commutative, associative and idempotent like the rest of the facts.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

use super::event::LineItem;

/// What separates accumulated tracking numbers and carriers.
pub const SEPARATOR: &str = ", ";
/// Quantities within this of what was ordered count as shipped.
const QUANTITY_EPSILON: f64 = 1e-9;

/// One parcel of a shipment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Tracking {
    pub number: String,
    pub carrier: String,
    pub url: Option<String>,
}

/// An order line (or part of it) a shipment carries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShippedLine {
    pub sku: String,
    pub quantity: f64,
}

/// One shipment as the store recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    pub shipment_id: String,
    /// At least one parcel, in the store's order.
    pub tracking: Vec<Tracking>,
    pub shipped_on: NaiveDate,
    /// The lines shipped; empty when the whole order shipped.
    pub lines: Vec<ShippedLine>,
}

impl Shipment {
    /// A total order used only to break ties deterministically.
    fn tie_break(&self, other: &Self) -> Ordering {
        let lines = || {
            let pairs = self.lines.iter().zip(&other.lines);
            let by_line =
                |(a, b): (&ShippedLine, &ShippedLine)| a.sku.cmp(&b.sku).then(a.quantity.total_cmp(&b.quantity));
            pairs.map(by_line).find(|o| o.is_ne()).unwrap_or(self.lines.len().cmp(&other.lines.len()))
        };
        (&self.shipment_id, self.shipped_on, &self.tracking)
            .cmp(&(&other.shipment_id, other.shipped_on, &other.tracking))
            .then_with(lines)
    }
}

/// A shipment with when the store recorded it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct RecordedShipment {
    pub(super) at: DateTime<Utc>,
    pub(super) shipment: Shipment,
}

impl RecordedShipment {
    fn compare(&self, other: &Self) -> Ordering {
        self.at.cmp(&other.at).then_with(|| self.shipment.tie_break(&other.shipment))
    }
}

/// Joins `theirs` into `mine`: every shipment id of either, each with its
/// latest recording. Commutative, associative and idempotent.
pub(super) fn merge(mine: &mut BTreeMap<String, RecordedShipment>, theirs: &BTreeMap<String, RecordedShipment>) {
    for (id, candidate) in theirs {
        match mine.get(id) {
            Some(current) if candidate.compare(current) != Ordering::Greater => {}
            _ => {
                mine.insert(id.clone(), candidate.clone());
            }
        }
    }
}

/// What an order's shipments add up to.
#[derive(Debug, Clone, PartialEq)]
pub struct Shipped {
    /// Every tracking number, by ship date then shipment id, each once, joined by [`SEPARATOR`].
    pub tracking_numbers: String,
    /// Every carrier in the same order, each once, joined likewise.
    pub carriers: String,
    /// The latest ship date.
    pub ship_date: NaiveDate,
    /// Everything ordered has shipped (or a shipment named no lines: the whole order).
    pub complete: bool,
    /// The shipment ids, in the same order.
    pub shipment_ids: Vec<String>,
}

/// What `shipments` add up to against the `ordered` lines; `None` without shipments.
pub fn accumulate<'a>(shipments: impl IntoIterator<Item = &'a Shipment>, ordered: &[LineItem]) -> Option<Shipped> {
    let mut shipments: Vec<&Shipment> = shipments.into_iter().collect();
    shipments.sort_by(|a, b| (a.shipped_on, &a.shipment_id).cmp(&(b.shipped_on, &b.shipment_id)));
    let last = shipments.last()?;
    let parcels = || shipments.iter().flat_map(|s| s.tracking.iter());
    Some(Shipped {
        tracking_numbers: join_distinct(parcels().map(|t| t.number.as_str())),
        carriers: join_distinct(parcels().map(|t| t.carrier.as_str())),
        // Sorted by ship date: the last is the latest.
        ship_date: last.shipped_on,
        complete: is_complete(&shipments, ordered),
        shipment_ids: shipments.iter().map(|s| s.shipment_id.clone()).collect(),
    })
}

fn join_distinct<'a>(values: impl Iterator<Item = &'a str>) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for value in values {
        if !seen.contains(&value) {
            seen.push(value);
        }
    }
    seen.join(SEPARATOR)
}

/// Whether the shipments cover the order: one without lines ships it all;
/// otherwise every ordered SKU's quantity must have shipped, summed over the
/// shipments. An order with no lines known is not complete by lines.
fn is_complete(shipments: &[&Shipment], ordered: &[LineItem]) -> bool {
    if shipments.iter().any(|s| s.lines.is_empty()) {
        return true;
    }
    let mut wanted: BTreeMap<&str, f64> = BTreeMap::new();
    for item in ordered {
        *wanted.entry(item.sku.as_str()).or_default() += item.quantity;
    }
    let mut shipped: BTreeMap<&str, f64> = BTreeMap::new();
    for line in shipments.iter().flat_map(|s| s.lines.iter()) {
        *shipped.entry(line.sku.as_str()).or_default() += line.quantity;
    }
    !wanted.is_empty()
        && wanted
            .iter()
            .all(|(sku, quantity)| shipped.get(sku).copied().unwrap_or_default() + QUANTITY_EPSILON >= *quantity)
}
