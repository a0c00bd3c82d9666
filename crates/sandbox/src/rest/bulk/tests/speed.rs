//! The 100,000-row upsert the sync's inventory backfill does; run with
//! `cargo test --release -p forcesync-sandbox rest::bulk -- --ignored --nocapture`.

use std::fmt::Write;
use std::time::Instant;

use serde_json::json;

use super::Harness;
use crate::rest::bulk::process_some;

fn products(count: usize, name: &str) -> String {
    let mut csv = String::from("ProductCode,Name,ForceSync_Key__c\n");
    for i in 0..count {
        let _ = writeln!(csv, "SKU-{i},{name} {i},p{i}");
    }
    csv
}

#[test]
#[ignore = "timing; run in release"]
fn upsert_100k_products() {
    let mut h = Harness::new();
    let spec = json!({"object": "Product2", "operation": "upsert", "externalIdFieldName": "ForceSync_Key__c"});
    for (round, name) in [(1, "Widget"), (2, "Gadget")] {
        let csv = products(100_000, name);
        let started = Instant::now();
        let id = h.create_ingest(spec.clone());
        h.upload(&id, &csv);
        h.close(&id);
        let mut calls = 0;
        while process_some(&mut h.state, 2_000) {
            calls += 1;
        }
        let info = h.info("ingest", &id);
        let elapsed = started.elapsed();
        println!("round {round}: 100000 rows in {elapsed:?} over {calls} calls");
        assert_eq!(
            (info["numberRecordsProcessed"].as_u64(), info["numberRecordsFailed"].as_u64()),
            (Some(100_000), Some(0))
        );
        let started = Instant::now();
        let ok = h.results(&id, "successfulResults");
        println!("round {round}: successfulResults ({} rows) in {:?}", ok.len() - 1, started.elapsed());
        assert_eq!(ok[1][1], if round == 1 { "true" } else { "false" });
    }
    assert_eq!(h.state.org.table("Product2").map(|t| t.len()), Some(100_000));
}
