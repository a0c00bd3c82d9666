//! What the console's overview shows of a store's connection and API budget
//! comes from the database, so it survives a restart (and is the same on
//! every replica): a Test Connection run through the RPC and the API usage
//! the engine saw while syncing a sale are shown by a new server on the
//! same data directory, each with its time.

use forcesync::pb;
use reqwest::Method;
use serde_json::Value;

use crate::helpers::ADMIN_TOKEN;
use crate::helpers::console::ConsoleHttp;
use crate::sync_restart::{Stop, connected, restart};

fn when(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis).expect("time").format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

fn thousands(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[tokio::test]
async fn console_overview_shows_the_last_test_and_api_budget_after_a_restart() {
    let setup = connected(None).await;
    setup.paid_sale().await;
    let sandbox: Value = setup.sandbox.control(Method::GET, "/counters", None).await;
    let (sandbox_used, sandbox_max) = (sandbox["api_usage"]["used"].as_i64(), sandbox["api_usage"]["max"].as_i64());
    let (sandbox_used, sandbox_max) = (sandbox_used.expect("used"), sandbox_max.expect("max"));
    let request = pb::TestConnectionRequest { store_code: "main".into(), ..Default::default() };
    let tested = setup.app.config(&setup.token).test_connection(request).await.expect("test connection");
    assert!(tested.into_inner().passed, "the sandbox org passes Test Connection");

    let setup = restart(setup, Stop::Graceful).await;
    let storage = &setup.app.server.storage;
    let status = storage.store_status(storage.store_id("main").await.expect("store")).await.expect("status");
    let test = status.test.expect("the Test Connection result was kept");
    let usage = status.usage.expect("the engine's API usage was kept");
    assert!(test.passed && test.failed_checks == 0 && test.first_failure.is_none(), "{test:?}");
    assert!(usage.used > 0 && usage.used <= sandbox_used, "{usage:?} vs the sandbox's {sandbox_used}");
    assert_eq!(usage.max, sandbox_max);

    let mut console = ConsoleHttp::signed_in(setup.app.server.http_addr.expect("http addr"), ADMIN_TOKEN).await;
    let overview = console.get("/console/").await.body;
    let row = &overview[overview.find("id=\"store-main\"").expect("the store's row")..];
    assert!(row.contains("<span class=\"badge ok\">yes</span>"), "{row}");
    assert!(row.contains(&format!("Test Connection passed · as of {}", when(test.at))), "{row}");
    let budget = format!("{} / {}", thousands(usage.used), thousands(usage.max));
    assert!(row.contains(&budget) && row.contains(&format!("as of {}", when(usage.at))), "{budget}: {row}");
    let connection = console.get("/console/stores/main/connection").await.body;
    assert!(connection.contains(&format!("Last run {} (from any console", when(test.at))), "{connection}");
}
