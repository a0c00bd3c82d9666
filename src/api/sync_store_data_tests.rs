use super::*;
use crate::domain::FieldViolation;

fn addr(country: &str, region_code: &str) -> pb::Address {
    pb::Address {
        street: vec!["1 Main St".into(), "Suite 2".into()],
        city: "Springfield".into(),
        region_code: region_code.into(),
        region: String::new(),
        postcode: "12345".into(),
        country_code: country.into(),
    }
}

fn fields(v: Violations) -> Vec<String> {
    let found: Vec<FieldViolation> = v.finish(|| Some(())).err().unwrap_or_default();
    found.into_iter().map(|f| f.field).collect()
}

#[test]
fn a_full_customer_profile_is_kept() {
    let mut raw = pb::Customer {
        company: " Acme Ltd ".into(),
        billing_address: Some(addr("us", "ny")),
        shipping_address: Some(addr("DE", "BE")),
        customer_group: "Wholesale".into(),
        ..Default::default()
    };
    raw.attributes.insert(
        "loyalty_tier".into(),
        pb::AttributeValue { value: Some(pb::attribute_value::Value::Text("gold".into())) },
    );
    raw.attributes.insert(
        "since".into(),
        pb::AttributeValue { value: Some(pb::attribute_value::Value::Date("2020-02-29".into())) },
    );
    let mut v = Violations::default();
    let profile = customer_profile(&raw, &mut v).expect("valid");
    assert!(v.is_empty());
    assert_eq!(profile.company, "Acme Ltd");
    let billing = profile.billing_address.expect("billing");
    assert_eq!((billing.country_code.as_str(), billing.region_code.as_str()), ("US", "NY"), "codes upper-cased");
    assert_eq!(profile.shipping_address.map(|a| a.region_code), Some("BE".into()), "DE regions are not checked");
    assert_eq!(profile.attributes.get("loyalty_tier"), Some(&AttributeValue::Text("gold".into())));
    assert_eq!(profile.attributes.len(), 2);
}

#[test]
fn every_bad_part_is_named_by_its_path() {
    let mut raw = pb::Customer {
        billing_address: Some(addr("USA", "NY")),
        shipping_address: Some(pb::Address { street: vec!["x".into(); 5], ..addr("US", "ZZ") }),
        company: "c".repeat(256),
        ..Default::default()
    };
    raw.attributes.insert("9bad".into(), pb::AttributeValue { value: Some(pb::attribute_value::Value::Boolean(true)) });
    raw.attributes.insert("empty".into(), pb::AttributeValue { value: None });
    raw.attributes
        .insert("n".into(), pb::AttributeValue { value: Some(pb::attribute_value::Value::Number("1e3".into())) });
    let mut v = Violations::with_prefix("customer.");
    assert_eq!(customer_profile(&raw, &mut v), None);
    let mut got = fields(v);
    got.sort();
    assert_eq!(
        got,
        [
            "customer.attributes.9bad",
            "customer.attributes.empty",
            "customer.attributes.n",
            "customer.billing_address.country_code",
            "customer.company",
            "customer.shipping_address.region_code",
            "customer.shipping_address.street",
        ]
    );
}

#[test]
fn an_empty_address_is_none_and_a_partial_one_needs_its_country() {
    let mut v = Violations::default();
    assert_eq!(address(Some(&pb::Address::default()), &mut v), Some(None));
    assert_eq!(address(None, &mut v), Some(None));
    let city_only = pb::Address { city: "Paris".into(), ..Default::default() };
    assert_eq!(address(Some(&city_only), &mut v), None);
    assert_eq!(fields(v), ["country_code"]);
    assert!(region_code("AU", "nsw").is_ok_and(|c| c == "NSW"));
    assert!(region_code("CA", "XX").is_err_and(|e| e.contains("AB, BC")));
    assert!(region_code("FR", "IDF").is_ok());
    assert!(region_code("FR", "much too long").is_err());
}

#[test]
fn order_details_check_money_currency_and_methods() {
    let raw = pb::PlaceOrderRequest {
        increment_id: "000000123".into(),
        currency_code: "eur".into(),
        subtotal: "30.00".into(),
        tax_amount: "5.70".into(),
        shipping_amount: "5".into(),
        discount_amount: "-2.50".into(),
        payment_method: "checkmo".into(),
        ..Default::default()
    };
    let mut v = Violations::default();
    let details = order_details(&raw, &mut v).expect("valid");
    assert_eq!(details.currency.as_deref(), Some("EUR"));
    assert_eq!(details.discount, Some(Money { minor: -250, exponent: 2 }));
    assert_eq!(details.increment_id.as_deref(), Some("000000123"));
    assert_eq!(details.shipping_method, None);

    let bad = pb::PlaceOrderRequest {
        currency_code: "EURO".into(),
        subtotal: "-1".into(),
        tax_amount: "1,5".into(),
        increment_id: "x".repeat(51),
        ..Default::default()
    };
    let mut v = Violations::with_prefix("order.");
    assert_eq!(order_details(&bad, &mut v), None);
    let mut got = fields(v);
    got.sort();
    assert_eq!(got, ["order.currency_code", "order.increment_id", "order.subtotal", "order.tax_amount"]);
}

#[test]
fn line_details_and_options() {
    let mut raw = pb::LineItem { discount_amount: "1.00".into(), tax_amount: "bad".into(), ..Default::default() };
    raw.options.insert("Size".into(), "L".into());
    raw.options.insert(" ".into(), "x".into());
    let mut v = Violations::with_prefix("items[0].");
    assert_eq!(line_details(&raw, &mut v), None);
    let mut got = fields(v);
    got.sort();
    assert_eq!(got, ["items[0].options. ", "items[0].tax_amount"]);
}
