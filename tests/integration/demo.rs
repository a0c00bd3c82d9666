//! `forcesync demo` in process: the shop runs for a few customers against the
//! sandbox; the org then holds their Accounts and Orders, and the customer
//! the misconfigured mapping cannot write is parked with Salesforce's reason.

use std::time::Duration;

use forcesync::demo::shop::{MISFIT, ShopOptions};
use forcesync::demo::{Demo, DemoOptions};
use forcesync::pb::sync_service_client::SyncServiceClient;
use forcesync::pb::{self, get_sync_status_request::Entity};
use serde_json::Value;

use crate::helpers::Bearer;
use crate::helpers::sync::eventually;

async fn counts(sandbox_url: &str) -> Value {
    crate::helpers::install_crypto();
    let dump = reqwest::get(format!("{sandbox_url}/_sandbox/dump")).await.expect("dump");
    dump.json().await.expect("dump JSON")
}

#[tokio::test]
async fn the_demo_shop_fills_the_org_and_parks_the_misconfigured_customer() {
    crate::helpers::logs::capture();
    let dir = tempfile::tempdir().expect("temp dir");
    let any = "127.0.0.1:0".parse().expect("addr");
    let options = DemoOptions {
        listen: any,
        http_listen: Some(any),
        sandbox_listen: any,
        data_dir: dir.path().into(),
        http_routes: None,
    };
    let demo = Demo::start(options).await.expect("the demo starts");
    assert!(demo.checks.iter().any(|check| check.starts_with("login: PASS")), "{:?}", demo.checks);

    let mut lines = Vec::new();
    let mut say = |line: String| lines.push(line);
    let options = ShopOptions { pace: Duration::from_millis(5), customers: Some(6) };
    let report = demo.run_shop(options, std::future::pending(), &mut say).await.expect("the shop runs");
    assert_eq!(report.customers, 6);
    assert_eq!((report.orders, report.abandoned), (5, 1), "customer 2 abandons the cart");
    assert_eq!(report.shipments, 2, "orders 0 and 4 ship");
    assert_eq!(report.refused, 1, "customer 4's bad order is refused");
    assert!(lines.iter().any(|line| line.contains("refused, as it should be")), "{lines:?}");

    let mut sync = SyncServiceClient::with_interceptor(demo.channel.clone(), Bearer::new(&demo.store_token));
    let parked = eventually("the misfit customer parks", async || {
        let request = pb::GetSyncStatusRequest { entity: Some(Entity::CustomerId(format!("{}", 1_000_000 + MISFIT))) };
        let status = sync.get_sync_status(request).await.ok()?.into_inner();
        (status.state == pb::SyncState::Parked as i32).then_some(status)
    })
    .await;
    assert_eq!(parked.last_error.expect("error").code, "STRING_TOO_LONG");

    let last_order = format!("{}", 100_000_000 + 5);
    eventually("the last order syncs", async || {
        let request = pb::GetSyncStatusRequest { entity: Some(Entity::OrderId(last_order.clone())) };
        let status = sync.get_sync_status(request).await.ok()?.into_inner();
        (status.state == pb::SyncState::Synced as i32).then_some(())
    })
    .await;
    let dump = counts(&demo.sandbox.url).await;
    let count = |object: &str| dump[object].as_array().map_or(0, Vec::len);
    assert!(count("Account") >= 4, "accounts: {}", count("Account"));
    assert!(count("Order") >= 3, "orders: {}", count("Order"));
    assert!(count("Opportunity") >= 4, "opportunities: {}", count("Opportunity"));
    demo.shutdown().await.expect("clean shutdown");
}
