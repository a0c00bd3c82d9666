//! The demo's simulated shop, at a gentle pace: customers register, start
//! checkouts (one in four is abandoned), order, pay, and every other order
//! ships; stock levels change; now and then the plugin sends something
//! invalid, which forcesync refuses (printed), and one customer's long group
//! name meets the misconfigured mapping and parks.

use std::future::Future;
use std::time::Duration;

use anyhow::Context as _;
use tonic::transport::Channel;

use crate::bench::harness::{Bearer, SyncClient};
use crate::bench::shop::{order_events, order_id, sku, sync_catalog};
use crate::pb;
use crate::pb::inventory_service_client::InventoryServiceClient;
use crate::pb::sync_service_client::SyncServiceClient;

/// Catalog items the shop sells.
pub const SKUS: usize = 12;
/// The customer whose group name is too long for `Segment__c` (parks).
pub const MISFIT: usize = 1;
const MISFIT_GROUP: &str = "Wholesale Partners";

/// How the shop runs.
#[derive(Debug, Clone, Copy)]
pub struct ShopOptions {
    /// Pause between two calls (the demo's rate: a few per second).
    pub pace: Duration,
    /// Stop after this many customers (`None`: until stopped).
    pub customers: Option<usize>,
}

/// What the shop did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShopReport {
    pub customers: usize,
    pub orders: usize,
    pub abandoned: usize,
    pub shipments: usize,
    pub stock_updates: usize,
    /// Calls forcesync refused with INVALID_ARGUMENT, as intended.
    pub refused: usize,
}

type InventoryClient = InventoryServiceClient<tonic::service::interceptor::InterceptedService<Channel, Bearer>>;

/// Runs the shop against store token `token` until `stop` completes (or the
/// customers run out); `say` gets one line per thing that happened.
pub async fn run(
    channel: Channel,
    token: &str,
    options: ShopOptions,
    stop: impl Future<Output = ()>,
    say: &mut (dyn FnMut(String) + Send),
) -> anyhow::Result<ShopReport> {
    let mut sync = SyncServiceClient::with_interceptor(channel.clone(), Bearer::new(token)?);
    let mut inventory = InventoryServiceClient::with_interceptor(channel, Bearer::new(token)?);
    let mut report = ShopReport::default();
    tokio::pin!(stop);
    let work = async {
        say(format!("shop: publishing a catalog of {SKUS} products and their stock"));
        sync_catalog(&mut sync, SKUS).await?;
        stock(&mut inventory, "stock-initial", (0..SKUS).map(|sku| (sku, 50)).collect(), true).await?;
        report.stock_updates += 1;
        let mut i = 0;
        while options.customers.is_none_or(|customers| i < customers) {
            customer(&mut sync, &mut inventory, i, options.pace, &mut report, say).await?;
            i += 1;
        }
        anyhow::Ok(())
    };
    tokio::select! {
        () = &mut stop => {}
        done = work => done?,
    }
    Ok(report)
}

/// Customer `i`'s visit.
async fn customer(
    sync: &mut SyncClient,
    inventory: &mut InventoryClient,
    i: usize,
    pace: Duration,
    report: &mut ShopReport,
    say: &mut (dyn FnMut(String) + Send),
) -> anyhow::Result<()> {
    let mut events = order_events(i, SKUS);
    let group = if i == MISFIT { MISFIT_GROUP } else { "Retail" };
    for customer in
        [events.customer.customer.as_mut(), events.checkout.customer.as_mut(), events.order.customer.as_mut()]
            .into_iter()
            .flatten()
    {
        customer.customer_group = group.into();
    }
    let who = events.customer.customer.as_ref().map(|c| c.email.clone()).unwrap_or_default();
    sync.upsert_customer(events.customer).await.context("UpsertCustomer")?;
    report.customers += 1;
    say(format!("customer {who} registered (group {group:?})"));
    tokio::time::sleep(pace).await;
    let cart = events.checkout.cart_id.clone();
    let skus: Vec<String> = events.checkout.items.iter().map(|item| item.sku.clone()).collect();
    sync.start_checkout(events.checkout).await.context("StartCheckout")?;
    tokio::time::sleep(pace).await;
    if i % 4 == 2 {
        report.abandoned += 1;
        say(format!("{cart} abandoned at checkout"));
        return Ok(());
    }
    let order = order_id(i);
    sync.place_order(events.order).await.context("PlaceOrder")?;
    tokio::time::sleep(pace).await;
    sync.record_payment(events.payment).await.context("RecordPayment")?;
    report.orders += 1;
    say(format!("order {order} placed and paid ({cart} converted)"));
    tokio::time::sleep(pace).await;
    if i.is_multiple_of(2) {
        sync.record_shipment(shipment(i)).await.context("RecordShipment")?;
        report.shipments += 1;
        say(format!("order {order} shipped"));
        tokio::time::sleep(pace).await;
    }
    if i.is_multiple_of(3) {
        let levels = skus.iter().filter_map(|sku| sku_index(sku)).map(|index| (index, 50 - (i % 40) as i64)).collect();
        stock(inventory, &format!("stock-{i}"), levels, false).await?;
        report.stock_updates += 1;
        say(format!("stock of {} products changed", skus.len()));
        tokio::time::sleep(pace).await;
    }
    if i % 5 == 4 {
        let bad = pb::PlaceOrderRequest { event_id: format!("bad-{i}"), total: "-5".into(), ..Default::default() };
        match sync.place_order(bad).await {
            Err(status) if status.code() == tonic::Code::InvalidArgument => {
                report.refused += 1;
                say(format!("a bad PlaceOrder was refused, as it should be: {}", status.message()));
            }
            Err(status) => return Err(status).context("PlaceOrder (bad input)"),
            Ok(_) => anyhow::bail!("forcesync accepted an order without an id"),
        }
        tokio::time::sleep(pace).await;
    }
    Ok(())
}

/// The catalog index of a SKU.
fn sku_index(code: &str) -> Option<usize> {
    (0..SKUS).find(|&index| sku(index) == code)
}

/// Order `i`'s shipment: one UPS parcel, shipped today.
fn shipment(i: usize) -> pb::RecordShipmentRequest {
    pb::RecordShipmentRequest {
        event_id: format!("ship-{i}"),
        order_id: order_id(i),
        shipment_id: format!("{}", 7000 + i),
        tracking: vec![pb::ShipmentTracking {
            number: format!("1Z999AA1{:010}", i),
            carrier: "UPS".into(),
            url: String::new(),
        }],
        ship_date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        lines: Vec::new(),
        occur_time: None,
    }
}

/// Sends stock levels (`(sku index, quantity)`), a full snapshot or a delta.
async fn stock(
    inventory: &mut InventoryClient,
    event_id: &str,
    levels: Vec<(usize, i64)>,
    full_snapshot: bool,
) -> anyhow::Result<()> {
    let levels = levels
        .into_iter()
        .map(|(index, quantity)| pb::StockLevel { sku: sku(index), quantity: quantity.to_string(), as_of: None })
        .collect();
    let request = pb::UpdateInventoryRequest { event_id: event_id.into(), levels, full_snapshot };
    inventory.update_inventory(request).await.context("UpdateInventory")?;
    Ok(())
}
