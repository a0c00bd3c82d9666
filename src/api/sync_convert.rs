//! SyncService requests from their wire form to validated events, and the
//! enums and entity aliases it answers with. Pure: every converter checks
//! every field and reports each problem by its request path (`customer.email`,
//! `items[2].quantity`, `events[3].order.order_id`) through a `Violations`.

use chrono::{DateTime, Utc};
use std::collections::HashSet;

use crate::domain::lifecycle::{Customer, LifecycleEvent, Payment};
use crate::domain::sync::{
    ContentDigest, CustomerSave, EntityKind, EventId, EventKind, EventPayload, NewEvent, ProductSave, customer_alias,
    product_alias,
};
use crate::domain::{FieldViolation, Violations};
use crate::pb;
use prost::Message;

use super::sync_values::{self as val, MAX_NAME_CHARS, MAX_SKU_CHARS};

/// Most products of one UpsertProducts event.
pub const MAX_PRODUCTS: usize = 1000;
/// Most events of one SubmitEvents call.
pub const MAX_EVENTS: usize = 1000;
/// Most characters of a store order status.
const MAX_STATUS_CHARS: usize = 40;

/// UpsertCustomer → a customer save.
pub fn upsert_customer(req: &pb::UpsertCustomerRequest, now: DateTime<Utc>, v: &mut Violations) -> Option<NewEvent> {
    let event_id = event_id(&req.event_id, v);
    let customer = val::customer(req.customer.as_ref(), v);
    let at = occur_time(req.occur_time.as_ref(), now, v);
    let payload = EventPayload::Customer(CustomerSave { customer: customer?, at: at? });
    Some(event(event_id?, payload, req))
}

/// UpsertProducts → one event saving 1 to 1,000 products with distinct SKUs.
pub fn upsert_products(req: &pb::UpsertProductsRequest, now: DateTime<Utc>, v: &mut Violations) -> Option<NewEvent> {
    let event_id = event_id(&req.event_id, v);
    let at = occur_time(req.occur_time.as_ref(), now, v);
    // A bad occur_time is already reported; `now` only lets the products be checked.
    let products = products(&req.products, at.unwrap_or(now), v);
    at?;
    Some(event(event_id?, EventPayload::Products(products?), req))
}

/// StartCheckout → checkout started.
pub fn start_checkout(req: &pb::StartCheckoutRequest, now: DateTime<Utc>, v: &mut Violations) -> Option<NewEvent> {
    let event_id = event_id(&req.event_id, v);
    let cart_id = v.check("cart_id", val::store_id(&req.cart_id));
    let customer = val::customer(req.customer.as_ref(), v);
    let items = val::line_items(&req.items, v);
    let total = v.check("total", val::money(&req.total));
    let at = occur_time(req.occur_time.as_ref(), now, v);
    let event = LifecycleEvent::CheckoutStarted {
        cart_id: cart_id?,
        customer: customer?,
        items: items?,
        total: total?,
        at: at?,
    };
    lifecycle(event_id?, event, req)
}

/// PlaceOrder → order placed (from its cart when `cart_id` is set).
pub fn place_order(req: &pb::PlaceOrderRequest, now: DateTime<Utc>, v: &mut Violations) -> Option<NewEvent> {
    let event_id = event_id(&req.event_id, v);
    let order_id = v.check("order_id", val::store_id(&req.order_id));
    let cart_id = v.check("cart_id", val::optional_store_id(&req.cart_id));
    let customer = val::customer(req.customer.as_ref(), v);
    let items = val::line_items(&req.items, v);
    let total = v.check("total", val::money(&req.total));
    let status = v.check("status", val::required_text(&req.status, MAX_STATUS_CHARS));
    let at = occur_time(req.occur_time.as_ref(), now, v);
    let details = super::sync_store_data::order_details(req, v);
    let event = LifecycleEvent::OrderPlaced {
        order_id: order_id?,
        cart_id: cart_id?,
        customer: customer?,
        items: items?,
        total: total?,
        status: status?,
        at: at?,
        details: Box::new(details?),
    };
    lifecycle(event_id?, event, req)
}

/// RecordPayment → order paid.
pub fn record_payment(req: &pb::RecordPaymentRequest, now: DateTime<Utc>, v: &mut Violations) -> Option<NewEvent> {
    let event_id = event_id(&req.event_id, v);
    let order_id = v.check("order_id", val::store_id(&req.order_id));
    let invoice_id = v.check("invoice_id", val::store_id(&req.invoice_id));
    let paid_on = v.check("invoice_date", val::required_date(&req.invoice_date));
    let amount = v.check("amount", val::money(&req.amount));
    let at = occur_time(req.occur_time.as_ref(), now, v);
    let payment = Payment { invoice_id: invoice_id?, paid_on: paid_on?, amount: amount? };
    lifecycle(event_id?, LifecycleEvent::OrderPaid { order_id: order_id?, payment, at: at? }, req)
}

/// UpdateOrderStatus → order status changed.
pub fn update_order_status(
    req: &pb::UpdateOrderStatusRequest,
    now: DateTime<Utc>,
    v: &mut Violations,
) -> Option<NewEvent> {
    let event_id = event_id(&req.event_id, v);
    let order_id = v.check("order_id", val::store_id(&req.order_id));
    let status = v.check("status", val::required_text(&req.status, MAX_STATUS_CHARS));
    let at = occur_time(req.occur_time.as_ref(), now, v);
    let event = LifecycleEvent::OrderStatusChanged { order_id: order_id?, status: status?, at: at? };
    lifecycle(event_id?, event, req)
}

/// One event of a batch (or of PreviewPlan): its fields are reported under
/// the name of the oneof field that carries it (`order.order_id`); a missing
/// event is reported as `event`.
pub fn sync_event(event: &pb::SyncEvent, now: DateTime<Utc>, v: &mut Violations) -> Option<NewEvent> {
    use pb::sync_event::Event;
    let Some(event) = &event.event else {
        v.add("event", "is required: one of customer, products, checkout, order, payment, status or shipment");
        return None;
    };
    match event {
        Event::Customer(req) => v.nested("customer.", |v| upsert_customer(req, now, v)),
        Event::Products(req) => v.nested("products.", |v| upsert_products(req, now, v)),
        Event::Checkout(req) => v.nested("checkout.", |v| start_checkout(req, now, v)),
        Event::Order(req) => v.nested("order.", |v| place_order(req, now, v)),
        Event::Payment(req) => v.nested("payment.", |v| record_payment(req, now, v)),
        Event::Status(req) => v.nested("status.", |v| update_order_status(req, now, v)),
        Event::Shipment(req) => v.nested("shipment.", |v| super::shipment_convert::record_shipment(req, now, v)),
    }
}

/// The kind of a submitted event as a metrics label (`unknown` when it names none).
pub fn submitted_kind(event: &pb::SyncEvent) -> &'static str {
    use crate::domain::sync::EventKind;
    use pb::sync_event::Event;
    let kind = match &event.event {
        None => return "unknown",
        Some(Event::Customer(_)) => EventKind::Customer,
        Some(Event::Products(_)) => EventKind::Products,
        Some(Event::Checkout(_)) => EventKind::Checkout,
        Some(Event::Order(_)) => EventKind::OrderPlaced,
        Some(Event::Payment(_)) => EventKind::Payment,
        Some(Event::Status(_)) => EventKind::StatusChange,
        Some(Event::Shipment(_)) => EventKind::Shipment,
    };
    kind.as_str()
}

/// SubmitEvents → 1 to 1,000 events in request order, or every violation
/// (`events[3].order.order_id`).
pub fn submit_events(req: &pb::SubmitEventsRequest, now: DateTime<Utc>) -> Result<Vec<NewEvent>, Vec<FieldViolation>> {
    let mut v = Violations::default();
    let count = req.events.len();
    if count == 0 || count > MAX_EVENTS {
        v.add("events", format!("must have 1 to {MAX_EVENTS} events, got {count}"));
        return v.finish(|| None);
    }
    // Collected before combining, so that every event is checked.
    let events: Vec<_> = req
        .events
        .iter()
        .enumerate()
        .map(|(i, event)| v.nested(&format!("events[{i}]."), |v| sync_event(event, now, v)))
        .collect();
    v.finish(|| events.into_iter().collect())
}

pub(super) fn event_id(raw: &str, v: &mut Violations) -> Option<EventId> {
    v.check("event_id", EventId::parse(raw))
}

pub(super) fn occur_time(
    raw: Option<&prost_types::Timestamp>,
    now: DateTime<Utc>,
    v: &mut Violations,
) -> Option<DateTime<Utc>> {
    v.check("occur_time", val::occur_time(raw, now))
}

pub(super) fn lifecycle(event_id: EventId, event: LifecycleEvent, req: &impl Message) -> Option<NewEvent> {
    Some(self::event(event_id, EventPayload::Lifecycle(event), req))
}

/// The validated event, identified by the request as the store sent it: the
/// same message through its own RPC or inside SubmitEvents digests equally,
/// and nothing the server fills in (a defaulted `occur_time`) takes part.
/// prost encodes fields in tag order and maps as B-tree maps, so equal
/// messages encode equally.
fn event(event_id: EventId, payload: EventPayload, req: &impl Message) -> NewEvent {
    let digest = ContentDigest::of(payload.kind(), &req.encode_to_vec());
    NewEvent { event_id, payload, digest }
}

fn products(raw: &[pb::Product], at: DateTime<Utc>, v: &mut Violations) -> Option<Vec<ProductSave>> {
    if raw.is_empty() || raw.len() > MAX_PRODUCTS {
        v.add("products", format!("must have 1 to {MAX_PRODUCTS} products, got {}", raw.len()));
        return None;
    }
    let mut seen = HashSet::new();
    // Collected before combining, so that every product is checked.
    let products: Vec<_> = raw
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let first = seen.insert(p.sku.as_str());
            v.nested(&format!("products[{i}]."), |v| product(p, first, at, v))
        })
        .collect();
    products.into_iter().collect()
}

/// One product; `first` is false when an earlier product had the same SKU.
fn product(raw: &pb::Product, first: bool, at: DateTime<Utc>, v: &mut Violations) -> Option<ProductSave> {
    let sku = val::required_text(&raw.sku, MAX_SKU_CHARS)
        .and_then(|sku| if first { Ok(sku) } else { Err(format!("{sku:?} appears more than once")) });
    let sku = v.check("sku", sku);
    let name = v.check("name", val::required_text(&raw.name, MAX_NAME_CHARS));
    let price = v.check("price", val::money(&raw.price));
    Some(ProductSave { sku: sku?, name: name?, price: price?, active: raw.active.unwrap_or(true), at })
}

/// An event kind as the wire enum.
pub fn event_kind_to_proto(kind: EventKind) -> pb::EventKind {
    match kind {
        EventKind::Customer => pb::EventKind::Customer,
        EventKind::Products => pb::EventKind::Products,
        EventKind::Checkout => pb::EventKind::Checkout,
        EventKind::OrderPlaced => pb::EventKind::OrderPlaced,
        EventKind::Payment => pb::EventKind::Payment,
        EventKind::StatusChange => pb::EventKind::StatusChange,
        EventKind::Shipment => pb::EventKind::Shipment,
    }
}

/// A wire event kind: `None` for UNSPECIFIED (any), an error for an unknown number.
pub fn event_kind_from_proto(raw: i32) -> Result<Option<EventKind>, String> {
    let kind = pb::EventKind::try_from(raw).map_err(|_| format!("unknown value {raw}"))?;
    Ok(match kind {
        pb::EventKind::Unspecified => None,
        pb::EventKind::Customer => Some(EventKind::Customer),
        pb::EventKind::Products => Some(EventKind::Products),
        pb::EventKind::Checkout => Some(EventKind::Checkout),
        pb::EventKind::OrderPlaced => Some(EventKind::OrderPlaced),
        pb::EventKind::Payment => Some(EventKind::Payment),
        pb::EventKind::StatusChange => Some(EventKind::StatusChange),
        pb::EventKind::Shipment => Some(EventKind::Shipment),
    })
}

/// An entity kind as the wire enum.
pub fn entity_kind_to_proto(kind: EntityKind) -> pb::EntityKind {
    match kind {
        EntityKind::Customer => pb::EntityKind::Customer,
        EntityKind::Product => pb::EntityKind::Product,
        EntityKind::Sale => pb::EntityKind::Sale,
    }
}

/// A wire entity kind: `None` for UNSPECIFIED (all), an error for an unknown number.
pub fn entity_kind_from_proto(raw: i32) -> Result<Option<EntityKind>, String> {
    let kind = pb::EntityKind::try_from(raw).map_err(|_| format!("unknown value {raw}"))?;
    Ok(match kind {
        pb::EntityKind::Unspecified => None,
        pb::EntityKind::Customer => Some(EntityKind::Customer),
        pb::EntityKind::Product => Some(EntityKind::Product),
        pb::EntityKind::Sale => Some(EntityKind::Sale),
    })
}

/// The alias GetSyncStatus looks the entity up by: `customer:42`,
/// `customer:guest:ann@example.com`, `product:WB-01`, `cart:77`, `order:100000123`.
pub fn status_alias(req: &pb::GetSyncStatusRequest) -> Result<String, FieldViolation> {
    use pb::get_sync_status_request::Entity;
    let Some(entity) = &req.entity else {
        return Err(FieldViolation::new(
            "entity",
            "is required: one of customer_id, guest_email, sku, cart_id or order_id",
        ));
    };
    let (name, raw) = match entity {
        Entity::CustomerId(raw) => ("customer_id", raw),
        Entity::GuestEmail(raw) => ("guest_email", raw),
        Entity::Sku(raw) => ("sku", raw),
        Entity::CartId(raw) => ("cart_id", raw),
        Entity::OrderId(raw) => ("order_id", raw),
    };
    if raw.trim().is_empty() {
        return Err(FieldViolation::new("entity", format!("{name} must not be empty")));
    }
    Ok(match entity {
        Entity::CustomerId(id) => customer_alias(id),
        Entity::GuestEmail(email) => customer_alias(&Customer::key_for(None, email)),
        Entity::Sku(sku) => product_alias(sku),
        Entity::CartId(id) => format!("cart:{id}"),
        Entity::OrderId(id) => format!("order:{id}"),
    })
}

#[cfg(test)]
#[path = "sync_convert_fixtures.rs"]
mod fixtures;
#[cfg(test)]
#[path = "sync_convert_rule_tests.rs"]
mod rule_tests;
#[cfg(test)]
#[path = "sync_convert_tests.rs"]
mod tests;
