use super::*;
use crate::domain::lifecycle::fixtures::{self, at, jane, store};
use crate::domain::lifecycle::{AttributeValue, ClosedStages, LifecycleEvent};
use crate::domain::sync::event::CustomerSave;
use crate::domain::sync::{EntityPlan, planned};
use serde_json::{Value, json};

fn address(city: &str, region_code: &str, country: &str) -> Address {
    Address {
        street: vec![format!("1 {city} Road")],
        city: city.into(),
        region_code: region_code.into(),
        region: String::new(),
        postcode: "12345".into(),
        country_code: country.into(),
    }
}

fn b2b() -> Customer {
    let mut customer = jane();
    customer.profile.company = "Acme Ltd".into();
    customer.profile.billing_address = Some(address("Albany", "NY", "US"));
    customer.profile.shipping_address = Some(address("Toronto", "ON", "CA"));
    customer.profile.attributes.insert("loyalty_tier".into(), AttributeValue::Text("gold".into()));
    customer
}

fn writes(settings: &StoreSettings, facts: &EntityFacts) -> Vec<PlannedWrite> {
    match planned(settings, &store(), facts, &ClosedStages::defaults(settings)) {
        EntityPlan::Write(writes) => writes,
        EntityPlan::Waiting(reason) => panic!("waiting: {reason}"),
    }
}

fn body(writes: &[PlannedWrite], object: &str) -> serde_json::Map<String, Value> {
    let write = writes.iter().find(|w| w.object == object).unwrap_or_else(|| panic!("{object}"));
    match write.body() {
        Value::Object(fields) => fields,
        _ => unreachable!(),
    }
}

#[test]
fn a_b2b_customer_gets_company_and_both_addresses() {
    let facts = EntityFacts::Customer(CustomerSave { customer: b2b(), at: at(1, 9) });
    let settings = StoreSettings { state_country_picklists: true, ..StoreSettings::default() };
    let w = writes(&settings, &facts);
    let account = body(&w, "Account");
    assert_eq!(account["Name"], json!("Acme Ltd"));
    assert_eq!(account["BillingStateCode"], json!("NY"));
    assert_eq!(account["BillingCountryCode"], json!("US"));
    assert_eq!(account["ShippingStateCode"], json!("ON"));
    assert_eq!(account["ShippingCity"], json!("Toronto"));
    assert!(!account.contains_key("BillingState"), "codes only with picklists on");
    let contact = body(&w, "Contact");
    assert_eq!(contact["MailingCity"], json!("Albany"));
    assert_eq!(contact["LastName"], json!("Doe"));

    let free_text = writes(&StoreSettings::default(), &facts);
    let account = body(&free_text, "Account");
    assert_eq!((account["BillingState"].clone(), account["BillingCountry"].clone()), (json!("NY"), json!("US")));
    assert!(!account.contains_key("BillingStateCode"));
}

#[test]
fn an_old_style_customer_plans_exactly_what_it_did() {
    let facts = EntityFacts::Customer(CustomerSave { customer: jane(), at: at(1, 9) });
    let w = writes(&StoreSettings::default(), &facts);
    assert_eq!(
        Value::Object(body(&w, "Account")),
        json!({"Name": "Jane Doe", "Phone": "+1 555 0100"}),
        "no address, no company: nothing new"
    );
}

#[test]
fn a_guest_order_carries_its_addresses_number_and_methods() {
    let mut guest = jane();
    guest.key = Customer::key_for(None, &guest.email);
    let details = OrderDetails {
        increment_id: Some("000000123".into()),
        currency: Some("EUR".into()),
        billing_address: Some(address("Sydney", "NSW", "AU")),
        shipping_address: Some(address("Melbourne", "VIC", "AU")),
        payment_method: Some("checkmo".into()),
        shipping_method: Some("flatrate_flatrate".into()),
        ..OrderDetails::default()
    };
    let LifecycleEvent::OrderPlaced { order_id, cart_id, items, total, status, at, .. } = fixtures::placed(at(2, 10))
    else {
        unreachable!()
    };
    let mut items = items;
    items[1].details.options.insert("Color".into(), "Red".into());
    let placed = LifecycleEvent::OrderPlaced {
        order_id,
        cart_id,
        customer: guest,
        items,
        total,
        status,
        at,
        details: Box::new(details),
    };
    let settings = StoreSettings {
        create_order: crate::domain::settings::CreateOrder::EveryOrder,
        state_country_picklists: true,
        ..StoreSettings::default()
    };
    let facts = EntityFacts::Sale(Box::new(fixtures::facts(&[placed])));
    let w = writes(&settings, &facts);
    let account = body(&w, "Account");
    assert_eq!(account["BillingCity"], json!("Sydney"), "a guest's Account takes the order's billing address");
    assert_eq!(account["ShippingStateCode"], json!("VIC"));
    let order = body(&w, "Order");
    assert_eq!(order["OrderReferenceNumber"], json!("000000123"));
    assert_eq!(order["BillingCity"], json!("Sydney"));
    assert_eq!(order["ShippingCity"], json!("Melbourne"));
    assert_eq!(order["Description"], json!("Payment: checkmo\nShipping: flatrate_flatrate"));
    assert_eq!(body(&w, "Opportunity")["Name"], json!("Jane Doe – Order 000000123"));
    let lines: Vec<_> = w.iter().filter(|w| w.object == "OrderItem").collect();
    assert_eq!(lines[1].fields.get("Description"), Some(&json!("Color: Red")));
    assert_eq!(lines[0].fields.get("Description"), None);
}

#[test]
fn line_of_reads_the_line_number_from_the_key() {
    let items = [fixtures::item("A", 1.0, 100), fixtures::item("B", 1.0, 100)];
    let sources = Sources { items: &items, ..Sources::default() };
    assert_eq!(sources.line_of("main:orderitem:9:2").map(|l| l.sku.as_str()), Some("B"));
    assert!(sources.line_of("main:orderitem:9:0").is_none() && sources.line_of("main:orderitem:9:3").is_none());
}

#[test]
fn a_b2c_customer_becomes_one_person_account_when_the_org_has_them() {
    let settings = StoreSettings { person_accounts: true, ..StoreSettings::default() };
    let facts = EntityFacts::Customer(CustomerSave { customer: jane(), at: at(1, 9) });
    let org = OrgFacts { person_account_record_type: Some("012PA".into()), ..OrgFacts::default() };
    let plan = |org: &OrgFacts, facts: &EntityFacts| match crate::domain::sync::planned_for_org(
        &settings,
        &store(),
        facts,
        &ClosedStages::defaults(&settings),
        org,
    ) {
        EntityPlan::Write(writes) => writes,
        EntityPlan::Waiting(reason) => panic!("{reason}"),
    };
    let w = plan(&org, &facts);
    assert_eq!(w.iter().map(|w| w.object.as_str()).collect::<Vec<_>>(), ["Account"], "no Contact");
    assert_eq!(
        Value::Object(body(&w, "Account")),
        json!({"RecordTypeId": "012PA", "FirstName": "Jane", "LastName": "Doe", "PersonEmail": "jane@example.com",
               "Phone": "+1 555 0100"})
    );
    assert_eq!(plan(&OrgFacts::default(), &facts).len(), 2, "an org without Person Accounts: Account and Contact");
    let company = EntityFacts::Customer(CustomerSave { customer: b2b(), at: at(1, 9) });
    assert_eq!(plan(&org, &company).len(), 2, "a company's buyer stays a business Account and a Contact");
}
