//! What the intake takes and refuses, as a store plugin meets it: an ordinary
//! retry (the same request again, whatever the server filled in the first
//! time) is always a duplicate with the original ack, through any RPC that
//! carries the event; and nothing is accepted that Salesforce would refuse
//! later for a reason knowable at intake.

use forcesync::pb::{self, get_sync_status_request::Entity, sync_event::Event};
use tonic::Code;

use crate::helpers::sync::{SyncSetup, catalog, connected_store, customer_save, jane, order};
use crate::helpers::{error_reason, violated_fields};

/// Sends `first` then `again` and checks `again` is the duplicate of `first`.
fn assert_duplicate(first: Option<pb::EventAck>, again: Option<pb::EventAck>) {
    let (first, again) = (first.expect("ack"), again.expect("ack"));
    assert!(!first.duplicate, "{first:?}");
    assert!(again.duplicate, "a plain retry is a duplicate: {again:?}");
    assert_eq!(
        (&again.event_id, again.sequence, &again.receive_time),
        (&first.event_id, first.sequence, &first.receive_time)
    );
}

async fn submit_one(setup: &SyncSetup, event: Event) -> Option<pb::EventAck> {
    let request = pb::SubmitEventsRequest { events: vec![pb::SyncEvent { event: Some(event) }] };
    setup.sync().submit_events(request).await.expect("submit").into_inner().acks.pop()
}

#[tokio::test]
async fn a_retry_without_occur_time_is_a_duplicate_of_the_original() {
    let setup = connected_store().await;
    let mut sync = setup.sync();

    let placed = || pb::PlaceOrderRequest { occur_time: None, ..order("o1", "100000777", "", jane(), 1) };
    let first = sync.place_order(placed()).await.expect("order").into_inner().ack;
    let again = sync.place_order(placed()).await.expect("retry").into_inner().ack;
    assert_duplicate(first.clone(), again);
    // The same event through SubmitEvents (a plugin that switched to batches) is the same event.
    assert_duplicate(first, submit_one(&setup, Event::Order(placed())).await);

    let first = sync.upsert_products(catalog("p1")).await.expect("products").into_inner().ack;
    let again = sync.upsert_products(catalog("p1")).await.expect("retry").into_inner().ack;
    assert_duplicate(first, again);

    let first = sync.upsert_customer(customer_save("c1", jane())).await.expect("customer").into_inner().ack;
    let again = submit_one(&setup, Event::Customer(customer_save("c1", jane()))).await;
    assert_duplicate(first, again);

    // Other content under the same id is still refused.
    let other = pb::PlaceOrderRequest { total: "1.00".into(), ..placed() };
    let refused = sync.place_order(other).await.expect_err("other content");
    assert_eq!((refused.code(), error_reason(&refused).as_str()), (Code::AlreadyExists, "EVENT_ID_REUSED"));
}

/// Addresses Salesforce's Email fields refuse (quoted local parts, backslashes,
/// non-ASCII, a domain without a dot) are refused at intake, naming the field;
/// unusual addresses it takes are accepted.
#[tokio::test]
async fn emails_salesforce_refuses_are_refused_at_intake() {
    let setup = connected_store().await;
    let mut sync = setup.sync();
    let refused = [
        r#""a\'b"@x.com"#,
        r"back\slash'@example.com",
        "\"quoted\"@example.com",
        "jürgen@example.com",
        "ann@localhost",
        "ann@-example.com",
        "ann.@example.com",
        "ann@example..com",
    ];
    for (n, email) in refused.into_iter().enumerate() {
        let customer = pb::Customer { email: email.into(), ..jane() };
        let status = sync.upsert_customer(customer_save(&format!("bad{n}"), customer)).await.expect_err(email);
        assert_eq!(status.code(), Code::InvalidArgument, "{email}: {status:?}");
        assert_eq!(violated_fields(&status), ["customer.email"], "{email}");
        let batch =
            Event::Order(order(&format!("bad-order{n}"), "9", "", pb::Customer { email: email.into(), ..jane() }, 1));
        let request = pb::SubmitEventsRequest { events: vec![pb::SyncEvent { event: Some(batch) }] };
        let status = sync.submit_events(request).await.expect_err(email);
        assert_eq!(violated_fields(&status), ["events[0].order.customer.email"], "{email}");
    }
    for (n, email) in ["o'brien@example.com", "first.last+tag@mail.example.co.uk", "a_b-c!#$%&*/=?^`{|}~@x-y.io"]
        .into_iter()
        .enumerate()
    {
        let customer = pb::Customer { customer_id: format!("ok{n}"), email: email.into(), ..jane() };
        sync.upsert_customer(customer_save(&format!("ok{n}"), customer)).await.expect(email);
        let status = setup.caught_up(Entity::CustomerId(format!("ok{n}"))).await;
        assert_eq!(status.state, pb::SyncState::Synced as i32, "{email} reaches Salesforce: {status:?}");
    }
}
