//! Valid requests convert to the exact domain values; batches keep order and prefixes.

use super::fixtures::*;
use super::*;

// ------------------------------------------------------------ valid requests

#[test]
fn upsert_customer_converts() {
    let want = (id("e-1"), EventPayload::Customer(CustomerSave { customer: customer(), at: at() }));
    assert_eq!(content(run(|v| upsert_customer(&customer_req(), now(), v))), Ok(want));
}

#[test]
fn guests_are_keyed_by_their_lower_cased_email_and_keep_its_case() {
    let mut req = customer_req();
    let c = req.customer.as_mut().expect("set");
    c.customer_id.clear();
    c.phone = "  ".into();
    c.first_name = "  Ann ".into();
    let want = Customer { key: "guest:ann@example.com".into(), phone: None, ..customer() };
    let got = run(|v| upsert_customer(&req, now(), v)).expect("valid");
    assert_eq!(got.payload, EventPayload::Customer(CustomerSave { customer: want, at: at() }));
}

#[test]
fn upsert_products_converts_with_the_receive_time_by_default() {
    let product = |sku: &str, name: &str, price, active| ProductSave {
        sku: sku.into(),
        name: name.into(),
        price,
        active,
        at: now(),
    };
    let want = (
        id("e-2"),
        EventPayload::Products(vec![
            product("WB-01", "Water bottle", money(1990, 2), true),
            product("A/B", "Old cap", money(0, 0), false),
        ]),
    );
    assert_eq!(content(run(|v| upsert_products(&products_req(), now(), v))), Ok(want));
}

#[test]
fn start_checkout_converts() {
    let event = LifecycleEvent::CheckoutStarted {
        cart_id: "77".into(),
        customer: customer(),
        items: items(),
        total: money(4230, 2),
        at: at(),
    };
    assert_eq!(content(run(|v| start_checkout(&checkout_req(), now(), v))), Ok(lifecycle_event("e-3", event)));
}

#[test]
fn place_order_converts_with_and_without_a_cart() {
    let event = |cart_id: Option<&str>| LifecycleEvent::OrderPlaced {
        order_id: "100000123".into(),
        cart_id: cart_id.map(str::to_owned),
        customer: customer(),
        items: items(),
        total: money(4230, 2),
        status: "pending".into(),
        at: at(),
        details: Default::default(),
    };
    assert_eq!(content(run(|v| place_order(&order_req(), now(), v))), Ok(lifecycle_event("e-4", event(Some("77")))));
    let no_cart = pb::PlaceOrderRequest { cart_id: String::new(), ..order_req() };
    assert_eq!(content(run(|v| place_order(&no_cart, now(), v))), Ok(lifecycle_event("e-4", event(None))));
}

#[test]
fn record_payment_converts() {
    let payment = Payment {
        invoice_id: "INV-9".into(),
        paid_on: NaiveDate::from_ymd_opt(2026, 1, 31).expect("valid"),
        amount: money(423, 1),
    };
    let event = LifecycleEvent::OrderPaid { order_id: "100000123".into(), payment, at: at() };
    assert_eq!(content(run(|v| record_payment(&payment_req(), now(), v))), Ok(lifecycle_event("e-5", event)));
}

#[test]
fn update_order_status_converts() {
    let event =
        LifecycleEvent::OrderStatusChanged { order_id: "100000123".into(), status: "canceled".into(), at: now() };
    assert_eq!(content(run(|v| update_order_status(&status_req(), now(), v))), Ok(lifecycle_event("e-6", event)));
}

// ------------------------------------------------------------ batches

#[test]
fn sync_events_report_under_their_oneof_field() {
    use crate::pb::sync_event::Event;
    let cases = [
        (Event::Customer(pb::UpsertCustomerRequest { event_id: String::new(), ..customer_req() }), "customer.event_id"),
        (Event::Products(pb::UpsertProductsRequest { event_id: String::new(), ..products_req() }), "products.event_id"),
        (Event::Checkout(pb::StartCheckoutRequest { event_id: String::new(), ..checkout_req() }), "checkout.event_id"),
        (Event::Order(pb::PlaceOrderRequest { event_id: String::new(), ..order_req() }), "order.event_id"),
        (Event::Payment(pb::RecordPaymentRequest { event_id: String::new(), ..payment_req() }), "payment.event_id"),
        (Event::Status(pb::UpdateOrderStatusRequest { event_id: String::new(), ..status_req() }), "status.event_id"),
    ];
    for (event, want) in cases {
        let event = pb::SyncEvent { event: Some(event) };
        assert_eq!(fields(run(|v| sync_event(&event, now(), v))), [want]);
    }
    assert_eq!(fields(run(|v| sync_event(&pb::SyncEvent { event: None }, now(), v))), ["event"]);
}

#[test]
fn sync_events_convert_like_their_rpc() {
    use crate::pb::sync_event::Event;
    let event = pb::SyncEvent { event: Some(Event::Payment(payment_req())) };
    let direct = run(|v| record_payment(&payment_req(), now(), v)).expect("valid");
    assert_eq!(run(|v| sync_event(&event, now(), v)), Ok(direct));
}

#[test]
fn the_digest_is_of_what_the_store_sent() {
    use crate::pb::sync_event::Event;
    let later = now() + chrono::Duration::seconds(1);
    let no_time = pb::PlaceOrderRequest { occur_time: None, ..order_req() };
    let first = run(|v| place_order(&no_time, now(), v)).expect("valid");
    let retry = run(|v| place_order(&no_time, later, v)).expect("valid");
    assert_ne!(first.payload, retry.payload, "the defaulted occur time differs");
    assert_eq!(first.digest, retry.digest, "what the server filled in takes no part");
    let batched = pb::SyncEvent { event: Some(Event::Order(no_time.clone())) };
    assert_eq!(run(|v| sync_event(&batched, later, v)).expect("valid").digest, first.digest);
    let products = run(|v| upsert_products(&products_req(), now(), v)).expect("valid");
    assert_eq!(run(|v| upsert_products(&products_req(), later, v)).expect("valid").digest, products.digest);

    let other = pb::PlaceOrderRequest { total: "1.00".into(), ..no_time };
    assert_ne!(run(|v| place_order(&other, now(), v)).expect("valid").digest, first.digest);
}

#[test]
fn submit_events_keeps_request_order() {
    use crate::pb::sync_event::Event;
    let req = pb::SubmitEventsRequest {
        events: vec![
            pb::SyncEvent { event: Some(Event::Status(status_req())) },
            pb::SyncEvent { event: Some(Event::Customer(customer_req())) },
        ],
    };
    let got = submit_events(&req, now()).expect("valid");
    assert_eq!(got.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(), ["e-6", "e-1"]);
    assert_eq!(got[1].payload.kind(), EventKind::Customer);
}

#[test]
fn submit_events_prefixes_each_event() {
    use crate::pb::sync_event::Event;
    let mut bad_customer = customer_req();
    bad_customer.customer.as_mut().expect("set").email.clear();
    let mut bad_order = order_req();
    bad_order.order_id.clear();
    bad_order.items[1].quantity = -2.0;
    let req = pb::SubmitEventsRequest {
        events: vec![
            pb::SyncEvent { event: Some(Event::Customer(bad_customer)) },
            pb::SyncEvent { event: Some(Event::Status(status_req())) },
            pb::SyncEvent { event: None },
            pb::SyncEvent { event: Some(Event::Order(bad_order)) },
        ],
    };
    let want = [
        "events[0].customer.customer.email",
        "events[2].event",
        "events[3].order.order_id",
        "events[3].order.items[1].quantity",
    ];
    assert_eq!(fields(submit_events(&req, now())), want);
}

#[test]
fn submit_events_takes_1_to_1000_events() {
    let empty = pb::SubmitEventsRequest { events: vec![] };
    assert_eq!(
        submit_events(&empty, now()),
        Err(vec![FieldViolation::new("events", "must have 1 to 1000 events, got 0")])
    );
    let event = pb::SyncEvent { event: Some(pb::sync_event::Event::Status(status_req())) };
    let too_many = pb::SubmitEventsRequest { events: vec![event.clone(); 1001] };
    assert_eq!(fields(submit_events(&too_many, now())), ["events"]);
    let most = pb::SubmitEventsRequest { events: vec![event; 1000] };
    assert_eq!(submit_events(&most, now()).map(|events| events.len()), Ok(1000));
}

// ------------------------------------------------------------ reads

#[test]
fn event_kinds_round_trip() {
    for kind in EventKind::ALL {
        assert_eq!(event_kind_from_proto(event_kind_to_proto(kind) as i32), Ok(Some(kind)));
    }
    assert_eq!(event_kind_to_proto(EventKind::OrderPlaced), pb::EventKind::OrderPlaced);
    assert_eq!(event_kind_from_proto(0), Ok(None));
    assert_eq!(event_kind_from_proto(8), Err("unknown value 8".to_owned()));
}

#[test]
fn entity_kinds_round_trip() {
    for kind in [EntityKind::Customer, EntityKind::Product, EntityKind::Sale] {
        assert_eq!(entity_kind_from_proto(entity_kind_to_proto(kind) as i32), Ok(Some(kind)));
    }
    assert_eq!(entity_kind_to_proto(EntityKind::Sale), pb::EntityKind::Sale);
    assert_eq!(entity_kind_from_proto(0), Ok(None));
    assert_eq!(entity_kind_from_proto(-1), Err("unknown value -1".to_owned()));
}

#[test]
fn status_aliases_name_the_entity() {
    use crate::pb::get_sync_status_request::Entity;
    let alias = |entity| status_alias(&pb::GetSyncStatusRequest { entity: Some(entity) });
    assert_eq!(alias(Entity::CustomerId("42".into())), Ok("customer:42".to_owned()));
    assert_eq!(alias(Entity::GuestEmail(" Ann@Example.com ".into())), Ok("customer:guest:ann@example.com".to_owned()));
    assert_eq!(alias(Entity::Sku("CAP/RED".into())), Ok("product:CAP/RED".to_owned()));
    assert_eq!(alias(Entity::CartId("77".into())), Ok("cart:77".to_owned()));
    assert_eq!(alias(Entity::OrderId("100000123".into())), Ok("order:100000123".to_owned()));
    assert_eq!(alias(Entity::OrderId(String::new())), Err(FieldViolation::new("entity", "order_id must not be empty")));
    assert_eq!(
        alias(Entity::GuestEmail(" ".into())),
        Err(FieldViolation::new("entity", "guest_email must not be empty"))
    );
    let missing = status_alias(&pb::GetSyncStatusRequest { entity: None });
    assert_eq!(missing.map_err(|violation| violation.field), Err("entity".to_owned()));
}

#[test]
fn aliases_match_the_routed_entities() {
    let save = run(|v| {
        upsert_customer(
            &pb::UpsertCustomerRequest {
                customer: Some(pb::Customer { customer_id: String::new(), ..pb_customer() }),
                ..customer_req()
            },
            now(),
            v,
        )
    })
    .expect("valid");
    let routed = crate::domain::sync::route(&save.payload);
    let lookup = status_alias(&pb::GetSyncStatusRequest {
        entity: Some(pb::get_sync_status_request::Entity::GuestEmail("ann@example.COM".into())),
    });
    assert_eq!(lookup, Ok(routed[0].aliases[0].clone()));
}
