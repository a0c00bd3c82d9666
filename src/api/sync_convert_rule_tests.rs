//! Every field rule, reported under the request path of the field.

use super::fixtures::*;
use super::*;

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
