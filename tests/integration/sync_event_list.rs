//! ListSyncEvents' storage read on SQLite, and on PostgreSQL when
//! FORCESYNC_TEST_PG is set: with more events than `SELECTIVE_ROWS`, every
//! filter lists exactly the rows the unfiltered listing says it should, newest
//! first; on SQLite the plan reads one page through an index (no sort of the
//! store's events) for the unfiltered page and the common filters, and reads
//! and sorts only the few rows of a selective state or time filter.

use std::sync::Arc;

use forcesync::domain::sync::{CustomerSave, EventKind, EventPayload};
use forcesync::storage::Storage;
use forcesync::storage::sync::{EntityState, EventFilter, EventInfo, Intake, Outcome, RecordedError, SELECTIVE_ROWS};
use tokio::sync::Notify;

use crate::sync_storage::{at, backends, checkout_by, event, jane, now};

/// Customers saved once each: more events than the selective threshold.
const CUSTOMERS: usize = 1_200;
const PAGE: i64 = 50;

fn customer(n: usize) -> forcesync::domain::lifecycle::Customer {
    forcesync::domain::lifecycle::Customer { key: format!("c{n}"), email: format!("c{n}@example.com"), ..jane() }
}

/// 1,200 customers (pending, 3 of them parked) and 3 checkouts, folded.
async fn backlog(db: &Storage, store: i64) {
    let backend = db.backend_name();
    let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
    let saves: Vec<_> = (0..CUSTOMERS)
        .map(|n| event(&format!("e{n}"), EventPayload::Customer(CustomerSave { customer: customer(n), at: at(1) })))
        .collect();
    for chunk in saves.chunks(400) {
        intake.submit(store, chunk).await.expect(backend);
    }
    let checkouts: Vec<_> = (0..3).map(|n| checkout_by(&format!("k{n}"), &format!("cart{n}"), customer(n))).collect();
    intake.submit(store, &checkouts).await.expect(backend);
    while db.fold_events(1_000, 0, now()).await.expect(backend) > 0 {}
    let claimed = db.claim_entities("w1", 2_000, 600_000, now()).await.expect(backend);
    let parked = ["customer:c10", "customer:c500", "customer:c1100"];
    for entity in claimed.iter().filter(|e| parked.contains(&e.label.as_str())) {
        let error = RecordedError {
            code: "INVALID_EMAIL_ADDRESS".into(),
            message: "bad email".into(),
            fields: vec!["Email".into()],
            remedy: None,
            class: "data".into(),
        };
        db.finish_entity("w1", entity, &Outcome::Parked(error), now()).await.expect(backend);
    }
}

/// What `filter` must list, computed from the full listing (newest first).
fn expected(all: &[EventInfo], filter: &EventFilter, limit: i64) -> Vec<EventInfo> {
    all.iter()
        .filter(|e| filter.state.is_none_or(|s| e.entity_state == Some(s)))
        .filter(|e| filter.kind.is_none_or(|k| e.kind == Some(k)))
        .filter(|e| filter.received_after.is_none_or(|t| e.received_at >= t))
        .filter(|e| filter.received_before.is_none_or(|t| e.received_at < t))
        .filter(|e| filter.before_sequence.is_none_or(|s| e.sequence < s))
        .take(usize::try_from(limit).expect("limit"))
        .cloned()
        .collect()
}

/// The filters checked, named, with the index SQLite must read them through
/// and whether it may sort (only the few rows of a selective filter).
fn filters(all: &[EventInfo]) -> Vec<(&'static str, EventFilter, &'static str, bool)> {
    let newest = all[0].received_at;
    let middle = all[all.len() / 2].sequence;
    let state = |s| EventFilter { state: Some(s), ..Default::default() };
    vec![
        ("unfiltered", EventFilter::default(), "sync_events_store (store_id=?)", false),
        ("pending", state(EntityState::Pending), "sync_events_store (store_id=?)", false),
        ("parked (few)", state(EntityState::Parked), "sync_entities_store_state (store_id=? AND state=?)", true),
        (
            "kind (rare)",
            EventFilter { kind: Some(EventKind::Checkout), ..Default::default() },
            "sync_events_kind (store_id=? AND kind=?)",
            false,
        ),
        (
            "pending customers",
            EventFilter { state: Some(EntityState::Pending), kind: Some(EventKind::Customer), ..Default::default() },
            "sync_events_kind (store_id=? AND kind=?)",
            false,
        ),
        (
            "received since the newest (few)",
            EventFilter { received_after: Some(newest), ..Default::default() },
            "sync_events_received (store_id=? AND received_at>?)",
            true,
        ),
        (
            "received since 0 (all)",
            EventFilter { received_after: Some(0), ..Default::default() },
            "sync_events_store (store_id=?)",
            false,
        ),
        (
            "next page",
            EventFilter { before_sequence: Some(middle), ..Default::default() },
            "sync_events_store (store_id=? AND seq<?)",
            false,
        ),
        (
            "pending, next page",
            EventFilter { state: Some(EntityState::Pending), before_sequence: Some(middle), ..Default::default() },
            "sync_events_store (store_id=? AND seq<?)",
            false,
        ),
    ]
}

#[tokio::test]
async fn every_filter_lists_its_rows_newest_first_and_sqlite_reads_one_page_through_an_index() {
    for (db, store, _dir) in backends().await {
        let backend = db.backend_name();
        backlog(&db, store).await;
        let all = db.list_events(store, &EventFilter::default(), 10_000).await.expect(backend);
        assert_eq!(all.len(), CUSTOMERS + 3, "{backend}");
        assert!(all.len() > usize::try_from(SELECTIVE_ROWS).expect("rows"), "{backend}: past the threshold");
        assert!(all.windows(2).all(|w| w[0].sequence > w[1].sequence), "{backend}: newest first");

        for (name, filter, index, may_sort) in filters(&all) {
            let listed = db.list_events(store, &filter, PAGE).await.expect(backend);
            let want = expected(&all, &filter, PAGE);
            assert!(!want.is_empty(), "{backend} {name}: the filter matches something");
            assert_eq!(listed, want, "{backend} {name}");
            if backend != "sqlite" {
                continue;
            }
            let plan = db.list_events_plan(store, &filter, PAGE).await.expect(backend);
            let text = plan.join("\n");
            assert!(text.contains(&format!("USING INDEX {index}")), "{name}: reads through {index}:\n{text}");
            assert!(!text.contains("SCAN "), "{name}: no table or index scan:\n{text}");
            if !may_sort {
                assert!(!text.contains("TEMP B-TREE"), "{name}: no sort, one page read:\n{text}");
            }
        }

        // Paging through everything with the page token's sequence gives the full listing back.
        let mut paged = Vec::new();
        let mut filter = EventFilter::default();
        loop {
            let page = db.list_events(store, &filter, 300).await.expect(backend);
            let Some(last) = page.last() else { break };
            filter.before_sequence = Some(last.sequence);
            paged.extend(page);
        }
        assert_eq!(paged, all, "{backend}: pages cover every event once, in order");
    }
}
