//! Sales blocked on a pending customer leave the due work, on SQLite and on
//! PostgreSQL when FORCESYNC_TEST_PG is set: a claim leases the claimable
//! work and takes each blocked sale out of the due set once (it waits, with
//! its reason, and is not parked); finishing its customer brings it back, so
//! every sale syncs. A sale blocked while its customer finished (a race
//! between replicas) is woken by the sweep.

use std::sync::Arc;

use forcesync::domain::lifecycle::Customer;
use forcesync::domain::sync::{CustomerSave, EventPayload, NewEvent};
use forcesync::storage::Storage;
use forcesync::storage::sync::{ClaimedEntity, EntityState, FinishedEntity, Intake, Outcome, RecordedError};
use tokio::sync::Notify;

use crate::sync_storage::{at, backends_with_urls, checkout_by, event, now};

const MINUTE: i64 = 60_000;

fn customer(n: usize) -> Customer {
    Customer {
        key: format!("k{n}"),
        email: format!("c{n}@example.com"),
        first_name: "C".into(),
        last_name: format!("Number {n}"),
        phone: None,
        profile: Default::default(),
    }
}

fn saved(n: usize) -> NewEvent {
    event(&format!("c{n}"), EventPayload::Customer(CustomerSave { customer: customer(n), at: at(8) }))
}

/// A checkout of cart `n` by customer `n`: a sale that depends on `customer:k{n}`.
fn checkout(n: usize) -> NewEvent {
    checkout_by(&format!("s{n}"), &format!("{n}"), customer(n))
}

async fn submit(db: &Storage, store: i64, events: &[NewEvent]) {
    let intake = Intake::start(db.clone(), Arc::new(Notify::new()));
    for chunk in events.chunks(200) {
        intake.submit(store, chunk).await.expect("submit");
    }
    while db.fold_events(1_000, 0, now()).await.expect("fold") > 0 {}
}

fn unavailable(retry_at: i64) -> Outcome {
    let error = RecordedError {
        code: "SERVER_UNAVAILABLE".into(),
        message: "Salesforce is down".into(),
        fields: Vec::new(),
        remedy: None,
        class: "transient".into(),
    };
    Outcome::Retry { error, retry_at }
}

/// Records `outcome` for every entity of `claimed` as one batch (the engine's path).
async fn finish_all(db: &Storage, owner: &str, store: i64, claimed: &[ClaimedEntity], outcome: &Outcome, at: i64) {
    let finished: Vec<FinishedEntity<'_>> =
        claimed.iter().map(|entity| FinishedEntity { entity, outcome, records: &[] }).collect();
    let failed = db.record_outcomes(owner, store, &finished, at).await;
    assert!(failed.is_empty(), "{failed:?}");
}

fn labels(claimed: &[ClaimedEntity]) -> Vec<&str> {
    claimed.iter().map(|entity| entity.label.as_str()).collect()
}

#[tokio::test]
async fn sales_blocked_on_pending_customers_leave_the_due_work_and_all_sync_once_the_customers_do() {
    const SALES: usize = 120;
    for (db, _url, store, _dir) in backends_with_urls().await {
        let backend = db.backend_name();
        let mut events = Vec::new();
        for n in 0..SALES {
            events.push(saved(n));
            events.push(checkout(n));
        }
        submit(&db, store, &events).await;
        // Past any linger the intake gave what it folded.
        let t0 = now() + MINUTE;

        // A claim of 10 leases 10 customers; the sales it read on the way are blocked, not leased.
        let first = db.claim_entities("w1", 10, MINUTE, t0).await.expect(backend);
        assert_eq!(first.len(), 10, "{backend}: a full batch of claimable work");
        assert!(labels(&first).iter().all(|l| l.starts_with("customer:")), "{backend}: {:?}", labels(&first));
        let blocked_early = db.blocked_entities(store).await.expect(backend);
        assert!(blocked_early > 0 && blocked_early < SALES as i64, "{backend}: {blocked_early} read and blocked");

        // Salesforce is down: those customers fail and stay pending, their sales stay blocked.
        finish_all(&db, "w1", store, &first, &unavailable(t0 + 10 * MINUTE), t0).await;
        let rest = db.claim_entities("w2", 1_000, MINUTE, t0).await.expect(backend);
        assert_eq!(rest.len(), SALES - 10, "{backend}: every other customer, and no sale");
        assert!(labels(&rest).iter().all(|l| l.starts_with("customer:")), "{backend}");
        assert_eq!(db.blocked_entities(store).await.expect(backend), SALES as i64, "{backend}: every sale blocked");
        assert_eq!(db.due_work(1_000, t0).await.expect(backend), 0, "{backend}: blocked sales are not due work");
        assert!(db.claim_entities("w3", 1_000, MINUTE, t0).await.expect(backend).is_empty(), "{backend}");
        let sale = db.entity_status(store, "cart:0").await.expect(backend).expect("sale");
        assert_eq!(sale.state, EntityState::Waiting, "{backend}: waiting, not parked");
        let reason = sale.waiting_reason.unwrap_or_default();
        assert!(reason.contains("customer:k0"), "{backend}: {reason}");
        let health = db.store_health(store).await.expect(backend);
        assert_eq!((health.waiting, health.parked), (SALES as i64, 0), "{backend}");

        // The other customers sync (one batch): their sales are due again at once.
        finish_all(&db, "w2", store, &rest, &Outcome::Synced, t0).await;
        assert_eq!(db.blocked_entities(store).await.expect(backend), 10, "{backend}: the failed customers' sales");
        let sales = db.claim_entities("w4", 1_000, MINUTE, t0).await.expect(backend);
        assert_eq!(sales.len(), SALES - 10, "{backend}");
        assert!(labels(&sales).iter().all(|l| l.starts_with("cart:")), "{backend}");
        finish_all(&db, "w4", store, &sales, &Outcome::Synced, t0).await;

        // The failed customers' retry comes; one by one (finish_entity), each wakes its sale.
        let later = t0 + 11 * MINUTE;
        let retried = db.claim_entities("w5", 1_000, MINUTE, later).await.expect(backend);
        assert_eq!(retried.len(), 10, "{backend}: {:?}", labels(&retried));
        for entity in &retried {
            db.finish_entity("w5", entity, &Outcome::Synced, later).await.expect(backend);
        }
        let last = db.claim_entities("w6", 1_000, MINUTE, later).await.expect(backend);
        assert_eq!(last.len(), 10, "{backend}: their sales");
        finish_all(&db, "w6", store, &last, &Outcome::Synced, later).await;

        for n in 0..SALES {
            let sale = db.entity_status(store, &format!("cart:{n}")).await.expect(backend).expect("sale");
            assert_eq!(sale.state, EntityState::Synced, "{backend}: cart:{n}");
        }
        assert_eq!(db.blocked_entities(store).await.expect(backend), 0, "{backend}: nothing stuck");
        assert_eq!(db.due_work(1_000, later).await.expect(backend), 0, "{backend}");
    }
}

#[tokio::test]
async fn a_sale_folded_around_its_customers_finish_still_syncs() {
    for (db, url, store, _dir) in backends_with_urls().await {
        let backend = db.backend_name();
        // Past any linger the intake gives what it folds during the test.
        let t0 = now() + 10 * MINUTE;

        // Folded while its customer is leased: blocked, then woken by the customer's finish.
        submit(&db, store, &[saved(1)]).await;
        let customer = db.claim_entities("w1", 10, MINUTE, t0).await.expect(backend);
        assert_eq!(labels(&customer), ["customer:k1"], "{backend}");
        submit(&db, store, &[checkout(1)]).await;
        assert!(db.claim_entities("w2", 10, MINUTE, t0).await.expect(backend).is_empty(), "{backend}");
        assert_eq!(db.blocked_entities(store).await.expect(backend), 1, "{backend}");
        db.finish_entity("w1", &customer[0], &Outcome::Synced, t0).await.expect(backend);
        let sale = db.claim_entities("w2", 10, MINUTE, t0).await.expect(backend);
        assert_eq!(labels(&sale), ["cart:1"], "{backend}");
        db.finish_entity("w2", &sale[0], &Outcome::Synced, t0).await.expect(backend);

        // Folded after its customer finished: claimed at once.
        submit(&db, store, &[saved(2)]).await;
        let customer = db.claim_entities("w1", 10, MINUTE, t0).await.expect(backend);
        db.finish_entity("w1", &customer[0], &Outcome::Synced, t0).await.expect(backend);
        submit(&db, store, &[checkout(2)]).await;
        assert_eq!(labels(&db.claim_entities("w2", 10, MINUTE, t0).await.expect(backend)), ["cart:2"], "{backend}");

        // The race between replicas: a claim blocked the sale on a customer another replica was
        // finishing, whose wake ran before the block was committed. The state it leaves is made
        // by hand; the sweep wakes the sale, and nothing else would.
        submit(&db, store, &[saved(3), checkout(3)]).await;
        let customer = db.claim_entities("w1", 10, MINUTE, t0).await.expect(backend);
        assert_eq!(labels(&customer), ["customer:k3"], "{backend}");
        assert_eq!(db.blocked_entities(store).await.expect(backend), 1, "{backend}");
        let finished_unseen = "UPDATE sync_entities SET state = 'synced', synced_version = version, \
            locked_until = NULL, lease_owner = NULL WHERE label = 'customer:k3'";
        if url.starts_with("sqlite") {
            let pool = sqlx::SqlitePool::connect(&url).await.expect("pool");
            sqlx::query(finished_unseen).execute(&pool).await.expect("finish");
        } else {
            let pool = sqlx::PgPool::connect(&url).await.expect("pool");
            sqlx::query(finished_unseen).execute(&pool).await.expect("finish");
        }
        assert!(db.claim_entities("w3", 10, MINUTE, t0).await.expect(backend).is_empty(), "{backend}: still blocked");
        assert_eq!(db.wake_unblocked().await.expect(backend), 1, "{backend}: the sweep wakes it");
        let sale = db.claim_entities("w3", 10, MINUTE, t0).await.expect(backend);
        assert_eq!(labels(&sale), ["cart:3"], "{backend}");
        db.finish_entity("w3", &sale[0], &Outcome::Synced, t0).await.expect(backend);
        assert_eq!(db.wake_unblocked().await.expect(backend), 0, "{backend}: nothing left to wake");
        assert_eq!(db.blocked_entities(store).await.expect(backend), 0, "{backend}");
    }
}
