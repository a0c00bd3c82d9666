//! When inventory levels wait: while inventory sync is off (nothing is sent,
//! the levels go out once it is turned on) and while the org's daily API
//! allocation is spent (the store pauses like the other flows and resumes
//! once the budget is back). Also: a full snapshot re-sends an equal level.

use std::time::Duration;

use forcesync::engine::TestClock;
use forcesync::pb;
use reqwest::Method;
use serde_json::json;

use crate::helpers::sync::SyncSetup;
use crate::inventory::{engine, held, inventory, inventory_store, level, quantity, seed_products, status, update};
use crate::sync_faults::{count, counters};

async fn set_enabled(setup: &SyncSetup, enabled: bool) {
    let mut config = setup.app.config(&setup.token);
    let etag = setup.etag().await;
    let inventory = pb::InventorySettings { enabled, ..Default::default() };
    let settings = pb::StoreSettings { inventory: Some(inventory), ..Default::default() };
    let request = pb::UpdateStoreConfigRequest {
        store_code: "main".into(),
        settings: Some(settings),
        update_mask: Some(prost_types::FieldMask { paths: vec!["inventory.enabled".into()] }),
        etag,
    };
    config.update_store_config(request).await.expect("update config");
}

#[tokio::test]
async fn levels_wait_while_inventory_is_off_and_a_full_snapshot_resends_equal_levels() {
    let clock = TestClock::ahead_of_wall_clock();
    let setup = inventory_store(None, &clock, false).await;
    seed_products(&setup, &["S-1".to_owned()]).await;
    set_enabled(&setup, false).await;
    update(&setup, "s-1", vec![level("S-1", "5", 1)]).await;
    let before = setup.api_calls().await;
    assert_eq!(engine(&setup).step_inventory().await.pushes, 0);
    assert_eq!(setup.api_calls().await, before, "nothing is sent while inventory sync is off");
    let read = status(&setup).await;
    assert!(!read.enabled && read.pending == 1, "{read:?}");

    set_enabled(&setup, true).await;
    clock.advance(Duration::from_secs(15 * 60));
    assert_eq!(engine(&setup).step_inventory().await.written, 1);
    assert_eq!(quantity(&held(&setup).await, "S-1"), Some(5.0));

    let snapshot =
        pb::UpdateInventoryRequest { event_id: "s-2".into(), levels: vec![level("S-1", "5", 2)], full_snapshot: true };
    inventory(&setup).update_inventory(snapshot).await.expect("snapshot");
    let before = setup.api_calls().await;
    let report = engine(&setup).step_inventory().await;
    assert_eq!((report.written, report.unchanged), (1, 0), "a snapshot re-sends an equal level: {report:?}");
    assert_eq!(setup.api_calls().await - before, 1);
    update(&setup, "s-3", vec![level("S-1", "5", 3)]).await;
    let report = engine(&setup).step_inventory().await;
    assert_eq!((report.written, report.unchanged), (0, 1), "after it, an equal level costs nothing again");
}

#[tokio::test]
async fn a_spent_allocation_pauses_the_push_until_the_budget_is_back() {
    let clock = TestClock::ahead_of_wall_clock();
    let setup = inventory_store(None, &clock, false).await;
    seed_products(&setup, &["L-1".to_owned(), "L-2".to_owned()]).await;
    let used = count(&counters(&setup).await, "/api_usage/used");
    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "daily_api_limit": used }))).await;
    update(&setup, "l-1", vec![level("L-1", "3", 1), level("L-2", "4", 1)]).await;
    let engine = engine(&setup);
    let stopped = engine.step_inventory().await;
    assert_eq!((stopped.pushes, stopped.interrupted, stopped.written), (1, 1, 0), "{stopped:?}");
    let push = status(&setup).await.last_push.expect("push");
    assert!(push.error.contains("REQUEST_LIMIT_EXCEEDED"), "{push:?}");
    assert_eq!(status(&setup).await.pending, 2);
    clock.advance(Duration::from_secs(30 * 60));
    assert_eq!(engine.step_inventory().await.pushes, 0, "the store stays paused until a check finds budget");

    setup.sandbox.control(Method::PATCH, "/settings", Some(json!({ "daily_api_limit": used + 100_000 }))).await;
    let checked = engine.step().await;
    assert_eq!((checked.checked, checked.resumed), (1, 1), "{checked:?}");
    assert_eq!(engine.step_inventory().await.written, 2);
    let now = held(&setup).await;
    assert_eq!((quantity(&now, "L-1"), quantity(&now, "L-2")), (Some(3.0), Some(4.0)));
}
