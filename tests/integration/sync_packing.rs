//! Requests packed full across batches: when a full batch's last composite
//! request would go out mostly empty, its entities wait for the next batch
//! (first in line) instead, so a backlog spends the fewest requests; the last
//! batch sends whatever is left. Checked by what the sandbox holds and the
//! graph requests it counted. The engine is stepped, so every claim is
//! exactly the batch the test means (with running workers, how claims fall
//! depends on timing).

use forcesync::engine::{EngineConfig, TestClock};
use forcesync::pb::{self, get_sync_status_request::Entity, sync_event::Event};
use reqwest::Method;

use crate::helpers::stepped_engine;
use crate::helpers::sync::{connected_store_with, customer_save};

const CUSTOMERS: usize = 600;
const BATCH: i64 = 300;

fn customer(n: usize) -> pb::Customer {
    pb::Customer {
        customer_id: format!("{n}"),
        email: format!("buyer{n}@example.com"),
        first_name: "Buyer".into(),
        last_name: format!("Number {n}"),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_full_batch_holds_its_sparse_last_request_for_the_next_and_everything_syncs_once() {
    let clock = TestClock::ahead_of_wall_clock();
    let engine = EngineConfig { batch_size: BATCH, ..stepped_engine(&clock) };
    let setup = connected_store_with(engine, pb::StoreSettings::default(), Vec::new()).await;
    let before = setup.sandbox.control(Method::GET, "/counters", None).await;
    // One transaction: all 600 customers become due together, so the claims are full batches of 300.
    let events = (0..CUSTOMERS)
        .map(|n| pb::SyncEvent { event: Some(Event::Customer(customer_save(&format!("c{n}"), customer(n)))) })
        .collect();
    setup.sync().submit_events(pb::SubmitEventsRequest { events }).await.expect("submit");
    let drained = setup.app.server.engine().expect("engine").drain().await;
    // 300 claimed (50 held back), 300 (the 50 first in line and 250 new; 50 held back again), then the
    // last 100 (the 50 held and the 50 never claimed).
    assert_eq!((drained.claimed, drained.synced, drained.deferred), (700, 600, 100), "{drained:?}");
    for n in [0, CUSTOMERS / 2, CUSTOMERS - 1] {
        let status = setup.caught_up(Entity::CustomerId(format!("{n}"))).await;
        assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    }
    crate::helpers::sync::eventually("every customer in the org", async || {
        let counts = setup.counts().await;
        let held = (counts.get("Account").copied(), counts.get("Contact").copied());
        (held == (Some(CUSTOMERS), Some(CUSTOMERS))).then_some(())
    })
    .await;

    // 1,200 records: three requests of at most 500 nodes. A batch of 300 customers alone packs
    // into a full request and a second of 100 nodes, so without holding that back two batches
    // would take four.
    let after = setup.sandbox.control(Method::GET, "/counters", None).await;
    let graphs = |counters: &serde_json::Value| counters["calls"]["composite_graph"].as_u64().unwrap_or_default();
    assert_eq!(graphs(&after) - graphs(&before), 3, "{after}");
    let accounts = setup.records("Account").await;
    let mut keys: Vec<&str> = accounts.iter().filter_map(|a| a["ForceSync_Key__c"].as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), CUSTOMERS, "each Account once");
}
