//! RecordShipment from its wire form to a validated shipment event. Every
//! field is checked and each problem reported by its path (`shipment_id`,
//! `tracking[1].number`, `lines[0].quantity`), like the other converters in
//! `sync_convert.rs`.

use chrono::{DateTime, Utc};
use std::collections::HashSet;

use crate::domain::Violations;
use crate::domain::lifecycle::{LifecycleEvent, Shipment, ShippedLine, Tracking};
use crate::domain::sync::NewEvent;
use crate::pb;

use super::sync_convert::{event_id, lifecycle, occur_time};
use super::sync_values::{self as val, MAX_ITEMS, MAX_SKU_CHARS};

/// Most parcels of one shipment.
pub const MAX_TRACKING: usize = 20;
/// Most characters of a tracking number.
const MAX_NUMBER_CHARS: usize = 255;
/// Most characters of a carrier name.
const MAX_CARRIER_CHARS: usize = 80;
/// Most characters of a tracking URL.
const MAX_URL_CHARS: usize = 1000;

/// RecordShipment → the order (or part of it) shipped.
pub fn record_shipment(req: &pb::RecordShipmentRequest, now: DateTime<Utc>, v: &mut Violations) -> Option<NewEvent> {
    let event_id = event_id(&req.event_id, v);
    let order_id = v.check("order_id", val::store_id(&req.order_id));
    let shipment_id = v.check("shipment_id", val::store_id(&req.shipment_id));
    let tracking = tracking(&req.tracking, v);
    let shipped_on = v.check("ship_date", val::required_date(&req.ship_date));
    let lines = lines(&req.lines, v);
    let at = occur_time(req.occur_time.as_ref(), now, v);
    let shipment = Shipment { shipment_id: shipment_id?, tracking: tracking?, shipped_on: shipped_on?, lines: lines? };
    lifecycle(event_id?, LifecycleEvent::Shipped { order_id: order_id?, shipment, at: at? }, req)
}

fn tracking(raw: &[pb::ShipmentTracking], v: &mut Violations) -> Option<Vec<Tracking>> {
    if raw.is_empty() || raw.len() > MAX_TRACKING {
        v.add("tracking", format!("must have 1 to {MAX_TRACKING} entries, got {}", raw.len()));
        return None;
    }
    // Collected before combining, so that every entry is checked.
    let parcels: Vec<_> =
        raw.iter().enumerate().map(|(i, t)| v.nested(&format!("tracking[{i}]."), |v| parcel(t, v))).collect();
    parcels.into_iter().collect()
}

fn parcel(raw: &pb::ShipmentTracking, v: &mut Violations) -> Option<Tracking> {
    let number = v.check("number", text(&raw.number, MAX_NUMBER_CHARS));
    let carrier = v.check("carrier", text(&raw.carrier, MAX_CARRIER_CHARS));
    let url = v.check("url", url(&raw.url));
    Some(Tracking { number: number?, carrier: carrier?, url: url? })
}

/// Required text written to a Salesforce text field: trimmed, no control characters.
fn text(raw: &str, max: usize) -> Result<String, String> {
    let text = val::required_text(raw.trim(), max)?;
    if text.chars().any(char::is_control) { Err("must not contain control characters".into()) } else { Ok(text) }
}

/// An optional absolute http(s) URL.
fn url(raw: &str) -> Result<Option<String>, String> {
    let url = raw.trim();
    if url.is_empty() {
        return Ok(None);
    }
    val::optional_text(url, MAX_URL_CHARS)?;
    let scheme = url.split_once("://").map(|(scheme, rest)| (scheme.to_ascii_lowercase(), rest));
    match scheme {
        Some((scheme, rest)) if (scheme == "http" || scheme == "https") && !rest.is_empty() => {
            if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
                Err("must not contain spaces or control characters".into())
            } else {
                Ok(Some(url.to_owned()))
            }
        }
        _ => Err(format!("{url:?} is not an absolute http(s) URL")),
    }
}

fn lines(raw: &[pb::ShipmentLine], v: &mut Violations) -> Option<Vec<ShippedLine>> {
    if raw.len() > MAX_ITEMS {
        v.add("lines", format!("must have at most {MAX_ITEMS} lines, got {}", raw.len()));
        return None;
    }
    let mut seen = HashSet::new();
    let lines: Vec<_> = raw
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let first = seen.insert(line.sku.as_str());
            v.nested(&format!("lines[{i}]."), |v| shipped_line(line, first, v))
        })
        .collect();
    lines.into_iter().collect()
}

/// One shipped line; `first` is false when an earlier line had the same SKU.
fn shipped_line(raw: &pb::ShipmentLine, first: bool, v: &mut Violations) -> Option<ShippedLine> {
    let sku = val::required_text(&raw.sku, MAX_SKU_CHARS)
        .and_then(|sku| if first { Ok(sku) } else { Err(format!("{sku:?} appears more than once")) });
    let sku = v.check("sku", sku);
    let quantity = v.check("quantity", val::quantity(raw.quantity));
    Some(ShippedLine { sku: sku?, quantity: quantity? })
}

#[cfg(test)]
#[path = "shipment_convert_tests.rs"]
mod tests;
