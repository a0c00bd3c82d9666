//! The simulated shop `bench orders` drives: a catalog of SKUs, carts of
//! three of them, and an order's four events (new customer, checkout, placed
//! order, payment) sent in order through the Sync API.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::pb::{self, get_sync_status_request::Entity};

use super::harness::SyncClient;

/// Longest wait for the catalog to sync.
const PATIENCE: Duration = Duration::from_secs(120);

pub(crate) fn sku(index: usize) -> String {
    format!("BENCH-{index:03}")
}

/// Price of a SKU in cents: 10.00, 11.25, 12.50, ...
fn price_cents(index: usize) -> u64 {
    1_000 + 125 * index as u64
}

fn money(cents: u64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// Three distinct catalog items (quantities 1–3; `skus` ≥ 3) for order `i`, and the cart total.
fn cart(i: usize, skus: usize) -> (Vec<pb::LineItem>, String) {
    let picks = [i % skus, (i + skus / 3) % skus, (i + 2 * skus / 3) % skus];
    let mut total = 0;
    let items = picks
        .iter()
        .enumerate()
        .map(|(n, &index)| {
            let quantity = n as u64 + 1;
            total += quantity * price_cents(index);
            pb::LineItem {
                sku: sku(index),
                name: format!("Product {index}"),
                quantity: quantity as f64,
                unit_price: money(price_cents(index)),
                ..Default::default()
            }
        })
        .collect();
    (items, money(total))
}

/// Order `i`'s four events: new customer, checkout, placed order, payment.
pub struct OrderEvents {
    pub customer: pb::UpsertCustomerRequest,
    pub checkout: pb::StartCheckoutRequest,
    pub order: pb::PlaceOrderRequest,
    pub payment: pb::RecordPaymentRequest,
}

/// The customer of order `i` (id `1000000 + i`).
pub fn customer(i: usize) -> pb::Customer {
    pb::Customer {
        customer_id: format!("{}", 1_000_000 + i),
        email: format!("buyer{i}@example.com"),
        first_name: "Buyer".into(),
        last_name: format!("Number {i}"),
        phone: String::new(),
        ..Default::default()
    }
}

/// The order id of order `i`.
pub fn order_id(i: usize) -> String {
    format!("{}", 100_000_000 + i)
}

/// Order `i`'s events, its cart drawn from `skus` catalog items.
pub fn order_events(i: usize, skus: usize) -> OrderEvents {
    let customer = customer(i);
    let (items, total) = cart(i, skus);
    let (cart_id, order_id) = (format!("cart-{i}"), order_id(i));
    let upsert = pb::UpsertCustomerRequest {
        event_id: format!("customer-{i}"),
        customer: Some(customer.clone()),
        occur_time: None,
    };
    let checkout = pb::StartCheckoutRequest {
        event_id: format!("checkout-{i}"),
        cart_id: cart_id.clone(),
        customer: Some(customer.clone()),
        items: items.clone(),
        total: total.clone(),
        occur_time: None,
    };
    let order = pb::PlaceOrderRequest {
        event_id: format!("order-{i}"),
        order_id: order_id.clone(),
        cart_id,
        customer: Some(customer),
        items,
        total: total.clone(),
        status: "pending".into(),
        occur_time: None,
        ..Default::default()
    };
    let payment = pb::RecordPaymentRequest {
        event_id: format!("payment-{i}"),
        invoice_id: format!("inv-{order_id}"),
        order_id,
        invoice_date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        amount: total,
        occur_time: None,
    };
    OrderEvents { customer: upsert, checkout, order, payment }
}

/// Customer, checkout, placed order and payment of order `i`, each acknowledged before the next.
pub async fn submit_order(client: &mut SyncClient, i: usize, skus: usize) -> anyhow::Result<()> {
    let events = order_events(i, skus);
    client.upsert_customer(events.customer).await.context("UpsertCustomer")?;
    client.start_checkout(events.checkout).await.context("StartCheckout")?;
    client.place_order(events.order).await.context("PlaceOrder")?;
    client.record_payment(events.payment).await.context("RecordPayment")?;
    Ok(())
}

/// Upserts the catalog and waits until every product is synced.
pub async fn sync_catalog(client: &mut SyncClient, skus: usize) -> anyhow::Result<()> {
    let products = (0..skus)
        .map(|index| pb::Product {
            sku: sku(index),
            name: format!("Product {index}"),
            price: money(price_cents(index)),
            active: Some(true),
        })
        .collect();
    let request = pb::UpsertProductsRequest { event_id: "catalog".into(), products, occur_time: None };
    client.upsert_products(request).await.context("UpsertProducts")?;
    let deadline = Instant::now() + PATIENCE;
    for index in 0..skus {
        loop {
            let request = pb::GetSyncStatusRequest { entity: Some(Entity::Sku(sku(index))) };
            if let Ok(status) = client.get_sync_status(request).await.map(tonic::Response::into_inner) {
                match pb::SyncState::try_from(status.state) {
                    Ok(pb::SyncState::Synced) => break,
                    Ok(pb::SyncState::Parked) => bail!("product {} was parked: {:?}", sku(index), status.last_error),
                    _ => {}
                }
            }
            if Instant::now() > deadline {
                bail!("product {} not synced after {PATIENCE:?}", sku(index));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carts_have_three_distinct_items_and_their_total() {
        let (items, total) = cart(0, 20);
        let skus: Vec<&str> = items.iter().map(|item| item.sku.as_str()).collect();
        assert_eq!(skus, ["BENCH-000", "BENCH-006", "BENCH-013"]);
        // 1 × 10.00 + 2 × 17.50 + 3 × 26.25
        assert_eq!(total, "123.75");
        let (items, _) = cart(19, 20);
        assert_eq!(items[1].sku, "BENCH-005");
        assert_eq!(items[2].sku, "BENCH-012");
        let (items, _) = cart(4, 3);
        let mut small: Vec<&str> = items.iter().map(|item| item.sku.as_str()).collect();
        small.sort();
        assert_eq!(small, ["BENCH-000", "BENCH-001", "BENCH-002"]);
    }
}
