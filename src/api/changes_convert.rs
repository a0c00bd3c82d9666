//! Stored changes as the store receives them, and its acknowledgements
//! validated into storage terms (every violation named by its path).

use crate::domain::Violations;
use crate::domain::changes::{ChangeKind, ChangePayload, DownloadedOrder, OrderParty, PostalAddress, value_text};
use crate::pb;
use crate::storage::changes::{AckResult, StoredChange};

use super::{ApiError, timestamp};

/// Results one acknowledgement may carry.
pub const MAX_RESULTS: usize = 1_000;
const MAX_ERROR_CHARS: usize = 2_000;
const MAX_ORDER_ID_CHARS: usize = 64;

fn kind(stored: &str) -> pb::ChangeKind {
    match ChangeKind::parse(stored) {
        Some(ChangeKind::OrderDownloaded) => pb::ChangeKind::OrderDownloaded,
        Some(ChangeKind::OrderChanged) => pb::ChangeKind::OrderChanged,
        Some(ChangeKind::OpportunityChanged) => pb::ChangeKind::OpportunityChanged,
        Some(ChangeKind::CustomerChanged) => pb::ChangeKind::CustomerChanged,
        Some(ChangeKind::RecordDeleted) => pb::ChangeKind::RecordDeleted,
        None => pb::ChangeKind::Unspecified,
    }
}

fn party(party: OrderParty) -> pb::OrderParty {
    pb::OrderParty {
        salesforce_id: party.id,
        name: party.name.unwrap_or_default(),
        first_name: party.first_name.unwrap_or_default(),
        last_name: party.last_name.unwrap_or_default(),
        email: party.email.unwrap_or_default(),
        phone: party.phone.unwrap_or_default(),
    }
}

fn address(address: PostalAddress) -> pb::PostalAddress {
    pb::PostalAddress {
        street: address.street.unwrap_or_default(),
        city: address.city.unwrap_or_default(),
        state: address.state.unwrap_or_default(),
        postal_code: address.postal_code.unwrap_or_default(),
        country: address.country.unwrap_or_default(),
    }
}

fn order(order: DownloadedOrder) -> pb::DownloadedOrder {
    pb::DownloadedOrder {
        order_number: order.order_number.unwrap_or_default(),
        status: order.status.unwrap_or_default(),
        effective_date: order.effective_date.unwrap_or_default(),
        total_amount: order.total_amount.unwrap_or_default(),
        description: order.description.unwrap_or_default(),
        account: order.account.map(party),
        bill_to: order.bill_to.map(party),
        ship_to: order.ship_to.map(party),
        billing_address: Some(address(order.billing_address)),
        shipping_address: Some(address(order.shipping_address)),
        items: order
            .items
            .into_iter()
            .map(|line| pb::DownloadedOrderLine {
                salesforce_id: line.id,
                product_code: line.product_code.unwrap_or_default(),
                product_name: line.product_name.unwrap_or_default(),
                quantity: line.quantity.unwrap_or_default(),
                unit_price: line.unit_price.unwrap_or_default(),
                total_price: line.total_price.unwrap_or_default(),
            })
            .collect(),
    }
}

/// A stored change as the store receives it.
pub fn change(stored: StoredChange) -> Result<pb::Change, ApiError> {
    let payload: ChangePayload =
        serde_json::from_str(&stored.payload).map_err(|e| ApiError::Internal(format!("change payload: {e}").into()))?;
    let (store_entity_kind, store_entity_id) = payload.store_ref.map(|r| (r.kind, r.id)).unwrap_or_default();
    Ok(pb::Change {
        change_id: stored.id,
        kind: kind(&stored.kind).into(),
        object: stored.object,
        salesforce_id: stored.sf_id,
        changed_at: Some(timestamp(stored.modstamp)),
        changed_by: payload.changed_by.unwrap_or_default(),
        store_entity_kind,
        store_entity_id,
        fields: payload
            .fields
            .into_iter()
            .map(|f| {
                let (old, new) = (value_text(&f.old), value_text(&f.new));
                pb::FieldChange {
                    field: f.field,
                    has_old_value: old.is_some(),
                    old_value: old.unwrap_or_default(),
                    has_new_value: new.is_some(),
                    new_value: new.unwrap_or_default(),
                }
            })
            .collect(),
        conflicts: payload
            .conflicts
            .into_iter()
            .map(|c| pb::FieldConflict {
                field: c.field,
                store_value: value_text(&c.store_value).unwrap_or_default(),
                salesforce_value: value_text(&c.salesforce_value).unwrap_or_default(),
                winner: format!("{:?}", c.winner).to_ascii_uppercase(),
            })
            .collect(),
        order: payload.order.map(order),
        delivery_count: i32::try_from(stored.deliveries).unwrap_or(i32::MAX),
    })
}

/// How long pulled changes stay leased (milliseconds).
pub fn lease_millis(lease_seconds: i32) -> Result<i64, ApiError> {
    match lease_seconds {
        0 => Ok(60_000),
        1..=3600 => Ok(i64::from(lease_seconds) * 1_000),
        other => Err(ApiError::invalid("lease_seconds", format!("must be between 1 and 3600 seconds, got {other}"))),
    }
}

/// An acknowledgement in storage terms.
pub fn ack(request: &pb::AckChangesRequest) -> Result<(i64, Vec<AckResult>), ApiError> {
    let mut v = Violations::default();
    if request.through_change_id < 1 {
        v.add("through_change_id", format!("must be a change id (1 or more), got {}", request.through_change_id));
    }
    if request.results.len() > MAX_RESULTS {
        v.add("results", format!("at most {MAX_RESULTS} results, got {}", request.results.len()));
    }
    let mut results = Vec::new();
    for (index, result) in request.results.iter().enumerate().take(MAX_RESULTS) {
        v.nested(&format!("results[{index}]."), |v| {
            if result.change_id < 1 || result.change_id > request.through_change_id {
                v.add("change_id", format!("must be between 1 and through_change_id, got {}", result.change_id));
            }
            if result.error.chars().count() > MAX_ERROR_CHARS {
                v.add("error", format!("at most {MAX_ERROR_CHARS} characters"));
            }
            let order_id = result.store_order_id.trim();
            if result.store_order_id.chars().count() > MAX_ORDER_ID_CHARS
                || order_id.len() != result.store_order_id.len()
            {
                v.add("store_order_id", format!("1-{MAX_ORDER_ID_CHARS} characters without surrounding spaces"));
            }
            if !result.error.is_empty() && !order_id.is_empty() {
                v.add("store_order_id", "an order the store could not import has no store order id");
            }
        });
        results.push(AckResult {
            change_id: result.change_id,
            error: (!result.error.is_empty()).then(|| result.error.clone()),
            store_order_id: (!result.store_order_id.is_empty()).then(|| result.store_order_id.clone()),
        });
    }
    v.finish(|| Some((request.through_change_id, results))).map_err(ApiError::InvalidArgument)
}
