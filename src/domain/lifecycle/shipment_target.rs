//! What a sale's shipments make forcesync write under the store's
//! `ShipmentSettings`, pure: the configured Order fields (tracking numbers,
//! carriers, the latest ship date) and, once everything ordered has shipped,
//! `shipped_status`. Also why shipments are not written when they are not
//! (notes for GetSyncStatus, and the reason a shipment-only sale waits).

use super::facts::LifecycleFacts;
use super::shipments;
use crate::domain::settings::{CreateOrder, Shipment as ShipmentSettings, StoreSettings};

/// Why a sale known only from its shipments waits.
pub const WAITING_FOR_ORDER: &str = "waiting for the order to be placed: a shipment is written to the order's \
                                     Salesforce Order, which does not exist yet";

/// Why a sale whose other records are written still waits: its shipments need
/// the Salesforce Order that `PAID_ONLY` creates only once the order is paid.
pub const WAITING_FOR_PAYMENT: &str = "waiting for the order to be paid: its shipment is written to the order's \
                                       Salesforce Order, which create_order PAID_ONLY creates only then";

/// What the shipments set on the sale's Order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShipmentTarget {
    /// (Order field API name, value), in the order the settings list them.
    /// Dates are `YYYY-MM-DD`.
    pub fields: Vec<(String, String)>,
    /// The Order Status to set: `shipped_status` once the order has shipped completely.
    pub status: Option<String>,
}

/// What the sale's shipments set on its Order; `None` without shipments, or
/// when no shipment setting is configured.
pub fn shipment_target(settings: &ShipmentSettings, facts: &LifecycleFacts) -> Option<ShipmentTarget> {
    let ordered = facts.basket().map(|b| b.items.as_slice()).unwrap_or_default();
    let shipped = shipments::accumulate(facts.shipments(), ordered)?;
    let ship_date = shipped.ship_date.format("%Y-%m-%d").to_string();
    let fields: Vec<(String, String)> = [
        (&settings.tracking_number_field, shipped.tracking_numbers),
        (&settings.carrier_field, shipped.carriers),
        (&settings.ship_date_field, ship_date),
    ]
    .into_iter()
    .filter_map(|(field, value)| field.as_ref().map(|field| (field.as_str().to_owned(), value)))
    .collect();
    let status = settings.shipped_status.as_ref().filter(|_| shipped.complete).map(|s| s.as_str().to_owned());
    (!fields.is_empty() || status.is_some()).then_some(ShipmentTarget { fields, status })
}

/// Whether any shipment setting is configured.
fn configured(settings: &ShipmentSettings) -> bool {
    let fields = [&settings.tracking_number_field, &settings.carrier_field, &settings.ship_date_field];
    fields.into_iter().any(Option::is_some) || settings.shipped_status.is_some()
}

/// Why the sale's shipments are not (yet) on a Salesforce Order, for the
/// operator; empty when they are written (or there are none).
pub fn notes(settings: &StoreSettings, facts: &LifecycleFacts) -> Vec<String> {
    let ids: Vec<&str> = facts.shipments().map(|s| s.shipment_id.as_str()).collect();
    if ids.is_empty() {
        return Vec::new();
    }
    let (which, them) = match ids.as_slice() {
        [one] => (format!("shipment {one}"), "it"),
        many => (format!("shipments {}", many.join(", ")), "them"),
    };
    let order = facts.order_id().unwrap_or_default();
    let note = if settings.create_order == CreateOrder::Never {
        format!(
            "{which} not applicable: create_order is NEVER, so order {order} has no Salesforce Order to write {them} to"
        )
    } else if !configured(&settings.shipment) {
        format!(
            "{which} not written: no shipment setting is configured (shipment.tracking_number_field, \
             shipment.carrier_field, shipment.ship_date_field, shipment.shipped_status)"
        )
    } else if facts.placed_at().is_none() {
        format!("{which} waiting for order {order} to be placed")
    } else if settings.create_order == CreateOrder::PaidOnly && facts.payment().is_none() {
        format!(
            "{which} waiting for the Salesforce Order of order {order}: create_order is PAID_ONLY, so it is created \
             when the order is paid"
        )
    } else {
        return Vec::new();
    };
    vec![note]
}

/// Why a sale that names no buyer yet waits: for its order when only
/// shipments are known, else `otherwise`.
pub fn waiting_reason(facts: &LifecycleFacts, otherwise: &'static str) -> &'static str {
    if facts.shipments().next().is_some() && facts.placed_at().is_none() { WAITING_FOR_ORDER } else { otherwise }
}

/// Why a sale stays waiting once everything else it calls for is written:
/// it has shipments to write, but its Salesforce Order is not due yet
/// (`PAID_ONLY` and not paid). `None` when nothing is held back.
pub fn waiting_after_write(settings: &StoreSettings, facts: &LifecycleFacts) -> Option<&'static str> {
    let unpaid = settings.create_order == CreateOrder::PaidOnly && facts.payment().is_none();
    let held = facts.shipments().next().is_some() && configured(&settings.shipment) && facts.placed_at().is_some();
    (held && unpaid).then_some(WAITING_FOR_PAYMENT)
}
