use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::domain::lifecycle::{self as lc, Money};

fn now() -> DateTime<Utc> {
    DateTime::from_timestamp(1_700_000_000, 0).expect("valid")
}

fn at() -> DateTime<Utc> {
    DateTime::from_timestamp(1_600_000_000, 250).expect("valid")
}

fn timestamp() -> Option<prost_types::Timestamp> {
    Some(prost_types::Timestamp { seconds: 1_600_000_000, nanos: 250 })
}

fn id(raw: &str) -> EventId {
    EventId::parse(raw).expect("valid event id")
}

fn money(minor: i64, exponent: u8) -> Money {
    Money { minor, exponent }
}

/// Runs one converter on a fresh collector.
fn run<T>(convert: impl FnOnce(&mut Violations) -> Option<T>) -> Result<T, Vec<FieldViolation>> {
    let mut v = Violations::default();
    let value = convert(&mut v);
    v.finish(|| value)
}

/// The fields a converter refused, in the order reported.
fn fields<T: std::fmt::Debug>(result: Result<T, Vec<FieldViolation>>) -> Vec<String> {
    result.expect_err("should be refused").into_iter().map(|violation| violation.field).collect()
}

fn pb_customer() -> pb::Customer {
    pb::Customer {
        customer_id: "42".into(),
        email: " Ann@Example.com ".into(),
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        phone: "+1 555 0100".into(),
    }
}

fn customer() -> lc::Customer {
    lc::Customer {
        key: "42".into(),
        email: "Ann@Example.com".into(),
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        phone: Some("+1 555 0100".into()),
    }
}

fn pb_items() -> Vec<pb::LineItem> {
    vec![
        pb::LineItem { sku: "WB-01".into(), name: "Water bottle".into(), quantity: 2.0, unit_price: "19.90".into() },
        pb::LineItem { sku: "CAP/RED".into(), name: String::new(), quantity: 0.5, unit_price: "5".into() },
    ]
}

fn items() -> Vec<lc::LineItem> {
    vec![
        lc::LineItem { sku: "WB-01".into(), name: "Water bottle".into(), quantity: 2.0, unit_price: money(1990, 2) },
        lc::LineItem { sku: "CAP/RED".into(), name: "CAP/RED".into(), quantity: 0.5, unit_price: money(5, 0) },
    ]
}

fn customer_req() -> pb::UpsertCustomerRequest {
    pb::UpsertCustomerRequest { event_id: "e-1".into(), customer: Some(pb_customer()), occur_time: timestamp() }
}

fn products_req() -> pb::UpsertProductsRequest {
    let product = |sku: &str, name: &str, price: &str, active| pb::Product {
        sku: sku.into(),
        name: name.into(),
        price: price.into(),
        active,
    };
    pb::UpsertProductsRequest {
        event_id: "e-2".into(),
        products: vec![product("WB-01", "Water bottle", "19.90", None), product("A/B", "Old cap", "0", Some(false))],
        occur_time: None,
    }
}

fn checkout_req() -> pb::StartCheckoutRequest {
    pb::StartCheckoutRequest {
        event_id: "e-3".into(),
        cart_id: "77".into(),
        customer: Some(pb_customer()),
        items: pb_items(),
        total: "42.30".into(),
        occur_time: timestamp(),
    }
}

fn order_req() -> pb::PlaceOrderRequest {
    pb::PlaceOrderRequest {
        event_id: "e-4".into(),
        order_id: "100000123".into(),
        cart_id: "77".into(),
        customer: Some(pb_customer()),
        items: pb_items(),
        total: "42.30".into(),
        status: "pending".into(),
        occur_time: timestamp(),
    }
}

fn payment_req() -> pb::RecordPaymentRequest {
    pb::RecordPaymentRequest {
        event_id: "e-5".into(),
        order_id: "100000123".into(),
        invoice_id: "INV-9".into(),
        invoice_date: "2026-01-31".into(),
        amount: "42.3".into(),
        occur_time: timestamp(),
    }
}

fn status_req() -> pb::UpdateOrderStatusRequest {
    pb::UpdateOrderStatusRequest {
        event_id: "e-6".into(),
        order_id: "100000123".into(),
        status: "canceled".into(),
        occur_time: None,
    }
}

fn lifecycle_event(event_id: &str, event: LifecycleEvent) -> NewEvent {
    NewEvent { event_id: id(event_id), payload: EventPayload::Lifecycle(event) }
}

// ------------------------------------------------------------ valid requests

#[test]
fn upsert_customer_converts() {
    let want = NewEvent {
        event_id: id("e-1"),
        payload: EventPayload::Customer(CustomerSave { customer: customer(), at: at() }),
    };
    assert_eq!(run(|v| upsert_customer(&customer_req(), now(), v)), Ok(want));
}

#[test]
fn guests_are_keyed_by_their_lower_cased_email_and_keep_its_case() {
    let mut req = customer_req();
    let c = req.customer.as_mut().expect("set");
    c.customer_id.clear();
    c.phone = "  ".into();
    c.first_name = "  Ann ".into();
    let want = lc::Customer { key: "guest:ann@example.com".into(), phone: None, ..customer() };
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
    let want = NewEvent {
        event_id: id("e-2"),
        payload: EventPayload::Products(vec![
            product("WB-01", "Water bottle", money(1990, 2), true),
            product("A/B", "Old cap", money(0, 0), false),
        ]),
    };
    assert_eq!(run(|v| upsert_products(&products_req(), now(), v)), Ok(want));
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
    assert_eq!(run(|v| start_checkout(&checkout_req(), now(), v)), Ok(lifecycle_event("e-3", event)));
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
    };
    assert_eq!(run(|v| place_order(&order_req(), now(), v)), Ok(lifecycle_event("e-4", event(Some("77")))));
    let no_cart = pb::PlaceOrderRequest { cart_id: String::new(), ..order_req() };
    assert_eq!(run(|v| place_order(&no_cart, now(), v)), Ok(lifecycle_event("e-4", event(None))));
}

#[test]
fn record_payment_converts() {
    let payment = Payment {
        invoice_id: "INV-9".into(),
        paid_on: NaiveDate::from_ymd_opt(2026, 1, 31).expect("valid"),
        amount: money(423, 1),
    };
    let event = LifecycleEvent::OrderPaid { order_id: "100000123".into(), payment, at: at() };
    assert_eq!(run(|v| record_payment(&payment_req(), now(), v)), Ok(lifecycle_event("e-5", event)));
}

#[test]
fn update_order_status_converts() {
    let event =
        LifecycleEvent::OrderStatusChanged { order_id: "100000123".into(), status: "canceled".into(), at: now() };
    assert_eq!(run(|v| update_order_status(&status_req(), now(), v)), Ok(lifecycle_event("e-6", event)));
}

// ------------------------------------------------------------ field rules

#[test]
fn event_ids_are_checked() {
    for bad in [String::new(), "x".repeat(129), "a\tb".into()] {
        let req = pb::UpdateOrderStatusRequest { event_id: bad.clone(), ..status_req() };
        assert_eq!(fields(run(|v| update_order_status(&req, now(), v))), ["event_id"], "{bad:?}");
    }
}

#[test]
fn bad_occur_times_are_refused() {
    let req = pb::RecordPaymentRequest {
        occur_time: Some(prost_types::Timestamp { seconds: 0, nanos: -1 }),
        ..payment_req()
    };
    assert_eq!(fields(run(|v| record_payment(&req, now(), v))), ["occur_time"]);
    let req = pb::UpsertProductsRequest {
        occur_time: Some(prost_types::Timestamp { seconds: i64::MAX, nanos: 0 }),
        ..products_req()
    };
    assert_eq!(fields(run(|v| upsert_products(&req, now(), v))), ["occur_time"]);
}

#[test]
fn customer_fields_are_checked() {
    let with = |change: fn(&mut pb::Customer)| {
        let mut c = pb_customer();
        change(&mut c);
        fields(run(|v| upsert_customer(&pb::UpsertCustomerRequest { customer: Some(c), ..customer_req() }, now(), v)))
    };
    assert_eq!(with(|c| c.email = "  ".into()), ["customer.email"]);
    assert_eq!(with(|c| c.email = "ann.example.com".into()), ["customer.email"]);
    assert_eq!(with(|c| c.email = format!("{}@example.com", "a".repeat(69))), ["customer.email"]);
    assert_eq!(with(|c| c.first_name = "x".repeat(41)), ["customer.first_name"]);
    assert_eq!(with(|c| c.last_name = "x".repeat(81)), ["customer.last_name"]);
    assert_eq!(with(|c| c.phone = "1".repeat(41)), ["customer.phone"]);
    assert_eq!(with(|c| c.customer_id = "4/2".into()), ["customer.customer_id"]);
    assert_eq!(with(|c| c.customer_id = "guest:ann@example.com".into()), ["customer.customer_id"]);
    assert_eq!(with(|c| c.customer_id = "x".repeat(81)), ["customer.customer_id"]);
    // At the limits.
    let ok = |change: fn(&mut pb::Customer)| {
        let mut c = pb_customer();
        change(&mut c);
        run(|v| upsert_customer(&pb::UpsertCustomerRequest { customer: Some(c), ..customer_req() }, now(), v)).is_ok()
    };
    assert!(ok(|c| c.first_name = "x".repeat(40)));
    assert!(ok(|c| c.last_name = "x".repeat(80)));
    assert!(ok(|c| c.phone = "1".repeat(40)));
}

#[test]
fn a_customer_is_required() {
    let req = pb::UpsertCustomerRequest { customer: None, ..customer_req() };
    assert_eq!(fields(run(|v| upsert_customer(&req, now(), v))), ["customer"]);
    let req = pb::StartCheckoutRequest { customer: None, ..checkout_req() };
    assert_eq!(fields(run(|v| start_checkout(&req, now(), v))), ["customer"]);
    let req = pb::PlaceOrderRequest { customer: None, ..order_req() };
    assert_eq!(fields(run(|v| place_order(&req, now(), v))), ["customer"]);
}

#[test]
fn line_items_are_checked() {
    let with = |change: fn(&mut pb::LineItem)| {
        let mut req = checkout_req();
        change(&mut req.items[1]);
        fields(run(|v| start_checkout(&req, now(), v)))
    };
    assert_eq!(with(|i| i.sku = " ".into()), ["items[1].sku"]);
    assert_eq!(with(|i| i.sku = "x".repeat(256)), ["items[1].sku"]);
    assert_eq!(with(|i| i.name = "x".repeat(256)), ["items[1].name"]);
    assert_eq!(with(|i| i.quantity = 0.0), ["items[1].quantity"]);
    assert_eq!(with(|i| i.quantity = -1.0), ["items[1].quantity"]);
    assert_eq!(with(|i| i.quantity = f64::NAN), ["items[1].quantity"]);
    assert_eq!(with(|i| i.quantity = f64::INFINITY), ["items[1].quantity"]);
    assert_eq!(with(|i| i.unit_price = String::new()), ["items[1].unit_price"]);
    assert_eq!(with(|i| i.unit_price = "-1".into()), ["items[1].unit_price"]);
}

#[test]
fn orders_need_1_to_490_items() {
    let req = pb::PlaceOrderRequest { items: vec![], ..order_req() };
    assert_eq!(fields(run(|v| place_order(&req, now(), v))), ["items"]);
    let req = pb::StartCheckoutRequest { items: vec![pb_items()[0].clone(); 491], ..checkout_req() };
    assert_eq!(fields(run(|v| start_checkout(&req, now(), v))), ["items"]);
    let req = pb::StartCheckoutRequest { items: vec![pb_items()[0].clone(); 490], ..checkout_req() };
    assert_eq!(run(|v| start_checkout(&req, now(), v)).map(|e| e.payload.kind()), Ok(EventKind::Checkout));
}

#[test]
fn store_ids_are_required_where_the_rpc_needs_them() {
    let req = pb::StartCheckoutRequest { cart_id: String::new(), ..checkout_req() };
    assert_eq!(fields(run(|v| start_checkout(&req, now(), v))), ["cart_id"]);
    let req = pb::PlaceOrderRequest { order_id: String::new(), ..order_req() };
    assert_eq!(fields(run(|v| place_order(&req, now(), v))), ["order_id"]);
    let req = pb::RecordPaymentRequest { order_id: String::new(), invoice_id: String::new(), ..payment_req() };
    assert_eq!(fields(run(|v| record_payment(&req, now(), v))), ["order_id", "invoice_id"]);
    let req = pb::UpdateOrderStatusRequest { order_id: String::new(), ..status_req() };
    assert_eq!(fields(run(|v| update_order_status(&req, now(), v))), ["order_id"]);
}

#[test]
fn store_ids_must_be_url_safe() {
    for bad in ["7/7", "7\u{0}", " 77", &"7".repeat(81)] {
        let req = pb::PlaceOrderRequest { order_id: bad.into(), cart_id: bad.into(), ..order_req() };
        assert_eq!(fields(run(|v| place_order(&req, now(), v))), ["order_id", "cart_id"], "{bad:?}");
        let req = pb::RecordPaymentRequest { invoice_id: bad.into(), ..payment_req() };
        assert_eq!(fields(run(|v| record_payment(&req, now(), v))), ["invoice_id"], "{bad:?}");
    }
    let req = pb::StartCheckoutRequest { cart_id: "7".repeat(80), ..checkout_req() };
    assert!(run(|v| start_checkout(&req, now(), v)).is_ok());
}

#[test]
fn statuses_are_required_and_short() {
    for bad in [String::new(), "x".repeat(41)] {
        let req = pb::PlaceOrderRequest { status: bad.clone(), ..order_req() };
        assert_eq!(fields(run(|v| place_order(&req, now(), v))), ["status"]);
        let req = pb::UpdateOrderStatusRequest { status: bad, ..status_req() };
        assert_eq!(fields(run(|v| update_order_status(&req, now(), v))), ["status"]);
    }
}

#[test]
fn invoice_dates_are_required_dates() {
    for bad in ["", "31.01.2026", "2026-13-01", "2026-01-31T00:00:00Z"] {
        let req = pb::RecordPaymentRequest { invoice_date: bad.into(), ..payment_req() };
        assert_eq!(fields(run(|v| record_payment(&req, now(), v))), ["invoice_date"], "{bad:?}");
    }
}

#[test]
fn totals_and_amounts_are_required_money() {
    let req = pb::StartCheckoutRequest { total: String::new(), ..checkout_req() };
    assert_eq!(fields(run(|v| start_checkout(&req, now(), v))), ["total"]);
    let req = pb::PlaceOrderRequest { total: "1.1234567".into(), ..order_req() };
    assert_eq!(fields(run(|v| place_order(&req, now(), v))), ["total"]);
    let req = pb::RecordPaymentRequest { amount: String::new(), ..payment_req() };
    assert_eq!(fields(run(|v| record_payment(&req, now(), v))), ["amount"]);
}

#[test]
fn products_are_checked() {
    let with = |change: fn(&mut pb::Product)| {
        let mut req = products_req();
        change(&mut req.products[1]);
        fields(run(|v| upsert_products(&req, now(), v)))
    };
    assert_eq!(with(|p| p.sku = String::new()), ["products[1].sku"]);
    assert_eq!(with(|p| p.sku = "x".repeat(256)), ["products[1].sku"]);
    assert_eq!(with(|p| p.sku = "WB-01".into()), ["products[1].sku"]);
    assert_eq!(with(|p| p.name = " ".into()), ["products[1].name"]);
    assert_eq!(with(|p| p.name = "x".repeat(256)), ["products[1].name"]);
    assert_eq!(with(|p| p.price = String::new()), ["products[1].price"]);
    assert_eq!(with(|p| p.price = "1e2".into()), ["products[1].price"]);
}

#[test]
fn a_repeated_sku_is_reported_on_the_later_product() {
    let mut req = products_req();
    req.products.push(req.products[0].clone());
    let got = run(|v| upsert_products(&req, now(), v));
    assert_eq!(got, Err(vec![FieldViolation::new("products[2].sku", "\"WB-01\" appears more than once")]));
}

#[test]
fn a_batch_has_1_to_1000_products() {
    let req = pb::UpsertProductsRequest { products: vec![], ..products_req() };
    assert_eq!(fields(run(|v| upsert_products(&req, now(), v))), ["products"]);
    let product = |i| pb::Product { sku: format!("SKU-{i}"), name: "n".into(), price: "1".into(), active: None };
    let req = pb::UpsertProductsRequest { products: (0..1001).map(product).collect(), ..products_req() };
    assert_eq!(fields(run(|v| upsert_products(&req, now(), v))), ["products"]);
    let req = pb::UpsertProductsRequest { products: (0..1000).map(product).collect(), ..products_req() };
    assert!(run(|v| upsert_products(&req, now(), v)).is_ok());
}

#[test]
fn every_bad_field_is_reported() {
    let mut req = order_req();
    req.event_id.clear();
    req.cart_id = "a/b".into();
    let c = req.customer.as_mut().expect("set");
    c.email = "nope".into();
    c.last_name = "x".repeat(81);
    req.items[0].quantity = 0.0;
    req.items[1].sku.clear();
    req.items[1].unit_price = "1.5.0".into();
    req.total = "-1".into();
    req.status.clear();
    req.occur_time = Some(prost_types::Timestamp { seconds: 0, nanos: 2_000_000_000 });
    let want = [
        "event_id",
        "cart_id",
        "customer.email",
        "customer.last_name",
        "items[0].quantity",
        "items[1].sku",
        "items[1].unit_price",
        "total",
        "status",
        "occur_time",
    ];
    assert_eq!(fields(run(|v| place_order(&req, now(), v))), want);
}

// ------------------------------------------------------------ batches

#[test]
fn sync_events_report_under_their_oneof_field() {
    use pb::sync_event::Event;
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
    use pb::sync_event::Event;
    let event = pb::SyncEvent { event: Some(Event::Payment(payment_req())) };
    let direct = run(|v| record_payment(&payment_req(), now(), v)).expect("valid");
    assert_eq!(run(|v| sync_event(&event, now(), v)), Ok(direct));
}

#[test]
fn submit_events_keeps_request_order() {
    use pb::sync_event::Event;
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
    use pb::sync_event::Event;
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
    assert_eq!(event_kind_from_proto(7), Err("unknown value 7".to_owned()));
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
    use pb::get_sync_status_request::Entity;
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
