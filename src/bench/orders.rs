//! `forcesync bench orders`: N orders (new customer, checkout, placed order,
//! payment) through the Sync API until Salesforce holds them all, once with
//! the batched engine and once with the naive one (one REST call per record),
//! each on a fresh sandbox and server. Compares API calls per 1,000 orders
//! (with the floor: records written ÷ 500) and orders per second.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use clap::Args;
use tokio::task::JoinSet;

use crate::engine::{EngineConfig, Strategy};
use crate::pb::{self, get_sync_status_request::Entity};

use super::Table;
use super::harness::{Bench, Counters, SyncClient, cores, list, sandbox};

/// Records per composite request at best: the floor of API calls.
const RECORDS_PER_CALL: f64 = 500.0;
/// A run fails when nothing moves for this long.
const STALL: Duration = Duration::from_secs(120);

#[derive(Debug, Args)]
pub struct OrdersBenchArgs {
    /// Orders for the batched engine.
    #[arg(long, default_value_t = 1_000)]
    pub orders: usize,
    /// Orders for the naive engine (default: --orders); 0 skips it.
    #[arg(long)]
    pub naive_orders: Option<usize>,
    /// Orders in flight (each sends its 4 events in order).
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Engine workers.
    #[arg(long, default_value_t = 4)]
    pub workers: usize,
    /// Latency the sandbox adds to every Salesforce call, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub sf_latency_ms: u64,
    /// Products in the catalog the carts draw from.
    #[arg(long, default_value_t = 20)]
    pub skus: usize,
}

/// One strategy's run.
#[derive(Debug)]
struct RunResult {
    orders: usize,
    /// First submit to every order synced.
    seconds: f64,
    /// First submit to the last event acknowledged.
    submit_seconds: f64,
    /// Sandbox counters during the order phase.
    delta: Counters,
}

impl RunResult {
    fn per_1000(&self, value: f64) -> f64 {
        value * 1000.0 / self.orders.max(1) as f64
    }

    fn calls_per_1000(&self) -> f64 {
        self.per_1000(self.delta.api_used as f64)
    }

    fn orders_per_second(&self) -> f64 {
        self.orders as f64 / self.seconds.max(f64::EPSILON)
    }

    fn records(&self) -> u64 {
        self.delta.records.values().sum()
    }
}

fn sku(index: usize) -> String {
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
            }
        })
        .collect();
    (items, money(total))
}

/// Customer, checkout, placed order and payment of order `i`, each acknowledged before the next.
async fn submit_order(client: &mut SyncClient, i: usize, skus: usize) -> anyhow::Result<()> {
    let customer = pb::Customer {
        customer_id: format!("{}", 1_000_000 + i),
        email: format!("buyer{i}@example.com"),
        first_name: "Buyer".into(),
        last_name: format!("Number {i}"),
        phone: String::new(),
    };
    let (items, total) = cart(i, skus);
    let (cart_id, order_id) = (format!("cart-{i}"), format!("{}", 100_000_000 + i));
    client
        .upsert_customer(pb::UpsertCustomerRequest {
            event_id: format!("customer-{i}"),
            customer: Some(customer.clone()),
            occur_time: None,
        })
        .await
        .context("UpsertCustomer")?;
    let checkout = pb::StartCheckoutRequest {
        event_id: format!("checkout-{i}"),
        cart_id: cart_id.clone(),
        customer: Some(customer.clone()),
        items: items.clone(),
        total: total.clone(),
        occur_time: None,
    };
    client.start_checkout(checkout).await.context("StartCheckout")?;
    let order = pb::PlaceOrderRequest {
        event_id: format!("order-{i}"),
        order_id: order_id.clone(),
        cart_id,
        customer: Some(customer),
        items,
        total: total.clone(),
        status: "pending".into(),
        occur_time: None,
    };
    client.place_order(order).await.context("PlaceOrder")?;
    let payment = pb::RecordPaymentRequest {
        event_id: format!("payment-{i}"),
        invoice_id: format!("inv-{order_id}"),
        order_id,
        invoice_date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
        amount: total,
        occur_time: None,
    };
    client.record_payment(payment).await.context("RecordPayment")?;
    Ok(())
}

/// Upserts the catalog and waits until every product is synced.
async fn sync_catalog(client: &mut SyncClient, skus: usize) -> anyhow::Result<()> {
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
    let deadline = Instant::now() + STALL;
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
                bail!("product {} not synced after {STALL:?}", sku(index));
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    Ok(())
}

/// Polls until the sandbox holds `orders` Orders and no entity is pending or waiting.
async fn wait_synced(bench: &Bench, http: &reqwest::Client, url: &str, orders: u64) -> anyhow::Result<()> {
    let mut last = (u64::MAX, 0);
    let mut moved = Instant::now();
    loop {
        let counts = bench.server.storage.entity_counts(bench.store_id).await?;
        let count = |state: &str| counts.iter().find(|(s, _)| s == state).map_or(0, |(_, n)| *n);
        if count("parked") > 0 {
            bail!("{} entities were parked (GetSyncStatus / ListSyncEvents says why)", count("parked"));
        }
        let held = Counters::read(http, url).await?.records.get("Order").copied().unwrap_or_default();
        let open = count("pending") + count("waiting");
        if held >= orders && open == 0 {
            return Ok(());
        }
        if (held, open) != last {
            (last, moved) = ((held, open), Instant::now());
        } else if moved.elapsed() > STALL {
            bail!("stalled for {STALL:?}: {held}/{orders} Orders in the sandbox, {open} entities pending or waiting");
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A fresh sandbox and server, the catalog synced, then `orders` orders timed until all are synced.
async fn run_strategy(args: &OrdersBenchArgs, strategy: Strategy, orders: usize) -> anyhow::Result<RunResult> {
    let org = sandbox(args.sf_latency_ms).await?;
    let engine = EngineConfig { workers: args.workers.max(1), strategy, ..EngineConfig::default() };
    let bench = Bench::start(engine, "bench").await?;
    bench.connect("bench", &org.url).await?;
    let http = reqwest::Client::new();
    let skus = args.skus.max(3);
    sync_catalog(&mut bench.sync()?, skus).await?;
    let before = Counters::read(&http, &org.url).await?;

    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..args.concurrency.clamp(1, orders.max(1)) {
        let (next, mut client) = (next.clone(), bench.sync()?);
        tasks.spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= orders {
                    return anyhow::Ok(());
                }
                submit_order(&mut client, i, skus).await.with_context(|| format!("order {i}"))?;
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done??;
    }
    let submit_seconds = started.elapsed().as_secs_f64();
    wait_synced(&bench, &http, &org.url, orders as u64).await?;
    let seconds = started.elapsed().as_secs_f64();
    let delta = Counters::read(&http, &org.url).await?.since(&before);
    bench.stop().await?;
    org.shutdown().await;
    Ok(RunResult { orders, seconds, submit_seconds, delta })
}

pub async fn run(args: OrdersBenchArgs) -> anyhow::Result<()> {
    let batched = run_strategy(&args, Strategy::Batched, args.orders).await?;
    let naive_orders = args.naive_orders.unwrap_or(args.orders);
    let naive = match naive_orders {
        0 => None,
        n => Some(run_strategy(&args, Strategy::Naive, n).await?),
    };
    print!("{}", render(&args, &batched, naive.as_ref()).render());
    Ok(())
}

fn render(args: &OrdersBenchArgs, batched: &RunResult, naive: Option<&RunResult>) -> Table {
    let mut table = Table::new("Orders to Salesforce: API calls and throughput", "naive", "batched");
    let of = |f: fn(&RunResult) -> f64| naive.map_or(0.0, f);
    table.row("API calls per 1,000 orders", of(RunResult::calls_per_1000), batched.calls_per_1000(), "calls");
    table.row(
        "orders/s, first submit to all synced",
        of(RunResult::orders_per_second),
        batched.orders_per_second(),
        "",
    );
    let records = batched.per_1000(batched.records() as f64);
    let floor = records / RECORDS_PER_CALL;
    table.note(format!(
        "Floor: {records:.0} records per 1,000 orders ÷ {RECORDS_PER_CALL:.0} per request = {floor:.1} calls; \
         batched makes {:.1} calls = {:.2}× the floor (targets: ≤ 30 calls per 1,000 orders, ≤ ~1.5× the floor; \
         at 100 ms latency ≥ 50× the naive orders/s).",
        batched.calls_per_1000(),
        batched.calls_per_1000() / floor.max(f64::EPSILON),
    ));
    for (name, result) in [("batched", Some(batched)), ("naive", naive)] {
        let Some(result) = result else { continue };
        table.note(format!(
            "{name}: {} orders in {:.1} s (events acknowledged after {:.1} s); {} API calls: {}; records: {}.",
            result.orders,
            result.seconds,
            result.submit_seconds,
            result.delta.api_used,
            list(&result.delta.calls),
            list(&result.delta.records),
        ));
    }
    table.note(format!(
        "Each order: new customer, checkout (3 items of {} SKUs), placed order, payment; {} orders in flight; \
         {} engine workers, 200 ms linger; sandbox latency {} ms; SQLite; everything in one process on {} cores.",
        args.skus.max(3),
        args.concurrency,
        args.workers.max(1),
        args.sf_latency_ms,
        cores(),
    ));
    table
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
