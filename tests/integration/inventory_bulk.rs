//! Inventory pushes that go through a Bulk API 2.0 update job (above 1,000
//! writes), records deleted in Salesforce after forcesync remembered their
//! Id, create_missing, and Salesforce faults: whatever fails, every SKU ends
//! holding exactly the level last sent.

use forcesync::engine::TestClock;
use reqwest::Method;
use serde_json::json;

use crate::inventory::{
    databases, engine, held, inventory_store, level, quantity, seed_products, settle_inventory, status, update,
};
use crate::sync_faults::{count, counters, queue_faults};

fn codes(n: usize) -> Vec<String> {
    (0..n).map(|i| format!("B-{i:04}")).collect()
}

#[tokio::test]
async fn a_bulk_push_reads_back_its_refused_row() {
    for database in databases().await {
        let clock = TestClock::ahead_of_wall_clock();
        let setup = inventory_store(database, &clock, false).await;
        let skus = codes(1_100);
        seed_products(&setup, &skus).await;
        let levels =
            skus.iter().enumerate().map(|(i, sku)| level(sku, if i == 17 { "1000000" } else { "5" }, 1)).collect();
        update(&setup, "bulk-1", levels).await;
        let before = setup.api_calls().await;
        let report = engine(&setup).step_inventory().await;
        assert_eq!((report.written, report.failed), (1_099, 1), "{report:?}");
        let push = status(&setup).await.last_push.expect("push");
        assert_eq!(push.method, "bulk");
        let calls = setup.api_calls().await - before;
        assert_eq!(i64::try_from(calls).expect("calls"), push.api_calls, "the push counts its own calls");
        // Two IN queries, then create, upload, close, at least one poll and the failed rows.
        assert!((7..=12).contains(&calls), "{calls} calls");
        let now = held(&setup).await;
        assert!(skus.iter().enumerate().all(|(i, sku)| quantity(&now, sku) == (i != 17).then_some(5.0)));
        let read = status(&setup).await;
        assert_eq!(read.issues.len(), 1);
        assert_eq!(
            (read.issues[0].sku.as_str(), read.issues[0].error_code.as_str()),
            ("B-0017", "NUMBER_OUTSIDE_VALID_RANGE")
        );
    }
}

#[tokio::test]
async fn a_record_deleted_after_its_id_was_remembered_is_found_again_or_reported() {
    for database in databases().await {
        let clock = TestClock::ahead_of_wall_clock();
        let setup = inventory_store(database, &clock, false).await;
        seed_products(&setup, &["D-1".to_owned(), "D-2".to_owned()]).await;
        update(&setup, "d-1", vec![level("D-1", "1", 1), level("D-2", "1", 1)]).await;
        assert_eq!(engine(&setup).step_inventory().await.written, 2);

        // Both records are deleted; D-1 is created again with the same code.
        let session = setup.sandbox.session().await;
        let before = held(&setup).await;
        for code in ["D-1", "D-2"] {
            let id = &before[code].0;
            let (deleted, _, body) =
                setup.sandbox.rest(Method::DELETE, &format!("sobjects/Product2/{id}"), &session, None).await;
            assert!(deleted.is_success(), "{body}");
        }
        let again = setup.sandbox.create(&session, "Product2", json!({ "Name": "D-1", "ProductCode": "D-1" })).await;

        update(&setup, "d-2", vec![level("D-1", "2", 2), level("D-2", "2", 2)]).await;
        let report = engine(&setup).step_inventory().await;
        assert_eq!((report.written, report.unmatched), (1, 1), "{report:?}");
        let now = held(&setup).await;
        assert_eq!(now["D-1"], (again, Some(2.0)), "written to the record found again");
        assert!(!now.contains_key("D-2"));
        let read = status(&setup).await;
        assert_eq!(read.issues.iter().map(|i| i.sku.as_str()).collect::<Vec<_>>(), ["D-2"]);
    }
}

#[tokio::test]
async fn create_missing_creates_records_for_unmatched_skus() {
    let clock = TestClock::ahead_of_wall_clock();
    let setup = inventory_store(None, &clock, true).await;
    update(&setup, "c-1", vec![level("NEW-1", "3", 1)]).await;
    let report = engine(&setup).step_inventory().await;
    assert_eq!((report.written, report.created, report.unmatched), (1, 1, 0), "{report:?}");
    assert_eq!(quantity(&held(&setup).await, "NEW-1"), Some(3.0));
}

/// Every SKU holds the level last sent for it.
async fn assert_exact(setup: &crate::helpers::sync::SyncSetup, expected: &[(String, f64)]) {
    let now = held(setup).await;
    for (sku, level) in expected {
        assert_eq!(quantity(&now, sku), Some(*level), "{sku}");
    }
    let copies = now.len();
    assert_eq!(copies, expected.len(), "no record created or lost");
}

#[tokio::test]
async fn faults_leave_every_level_written_exactly_as_last_sent() {
    for database in databases().await {
        let clock = TestClock::ahead_of_wall_clock();
        let setup = inventory_store(database, &clock, false).await;
        let skus = codes(1_200);
        seed_products(&setup, &skus).await;
        let mut expected: Vec<(String, f64)> = skus.iter().map(|s| (s.clone(), 1.0)).collect();

        // A full push by Bulk with answers lost after commit and 500s.
        let faults = [("timeout_after_commit", 2), ("http_500", 6)];
        queue_faults(&setup, &faults).await;
        update(&setup, "f-1", skus.iter().map(|s| level(s, "1", 1)).collect()).await;
        let report = settle_inventory(&setup, &clock).await;
        assert!(report.interrupted > 0, "the faults stopped a push: {report:?}");
        assert_eq!(status(&setup).await.last_push.expect("push").method, "bulk");
        assert_exact(&setup, &expected).await;

        // Deltas by collections under the same faults, with newer levels arriving in between.
        queue_faults(&setup, &faults).await;
        let delta: Vec<_> = skus.iter().take(300).map(|s| level(s, "2", 2)).collect();
        update(&setup, "f-2", delta).await;
        engine(&setup).step_inventory().await;
        let newer: Vec<_> = skus.iter().skip(250).take(100).map(|s| level(s, "3", 3)).collect();
        update(&setup, "f-3", newer).await;
        settle_inventory(&setup, &clock).await;
        for (i, (_, level)) in expected.iter_mut().enumerate() {
            *level = match i {
                0..250 => 2.0,
                250..350 => 3.0,
                _ => 1.0,
            };
        }
        assert_exact(&setup, &expected).await;
        let after = counters(&setup).await;
        for (kind, queued) in faults {
            assert_eq!(count(&after, &format!("/faults_injected/{kind}")), 2 * queued as u64, "{kind}: {after}");
        }

        // A Bulk push of known records whose job creation loses its answer: the orphan job holds no
        // rows, the push is retried with a new job.
        queue_faults(&setup, &[("timeout_after_commit", 1)]).await;
        update(&setup, "f-4", skus.iter().map(|s| level(s, "4", 4)).collect()).await;
        let report = settle_inventory(&setup, &clock).await;
        assert_eq!((report.interrupted, report.written), (1, 1_200), "{report:?}");
        for (_, level) in &mut expected {
            *level = 4.0;
        }
        assert_exact(&setup, &expected).await;
        let read = status(&setup).await;
        assert_eq!((read.pending, read.failed, read.unmatched), (0, 0, 0));
    }
}
