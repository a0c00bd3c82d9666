//! The store's data end to end (issue 12): a B2B customer with company and
//! two addresses, a guest order whose billing and shipping addresses differ,
//! State and Country/Territory picklists on (valid codes, and a code the org
//! lacks, reported by name) and off (free text), and intake naming bad fields.

use forcesync::pb::{self, get_sync_status_request::Entity};
use forcesync::sandbox::SandboxConfig;
use serde_json::Value;
use tonic::Code;

use crate::helpers::sandbox::spawn_sandbox_with;
use crate::helpers::sync::{
    SyncSetup, by_order, connected_store, connected_store_on, customer_save, field, items, order,
};
use crate::helpers::{test_engine, violated_fields};

pub fn address(street: &str, city: &str, region_code: &str, postcode: &str, country: &str) -> pb::Address {
    pb::Address {
        street: vec![street.into(), "Floor 3".into()],
        city: city.into(),
        region_code: region_code.into(),
        region: String::new(),
        postcode: postcode.into(),
        country_code: country.into(),
    }
}

/// Customer `id`, a company buyer with a billing and a shipping address.
pub fn b2b(id: &str, billing: pb::Address, shipping: pb::Address) -> pb::Customer {
    pb::Customer {
        customer_id: id.into(),
        email: format!("buyer{id}@acme.example"),
        first_name: "Ada".into(),
        last_name: "Byron".into(),
        phone: "+1 518 555 0100".into(),
        company: "Acme Ltd".into(),
        billing_address: Some(billing),
        shipping_address: Some(shipping),
        customer_group: "Wholesale".into(),
        ..Default::default()
    }
}

/// A store with picklists on, against an org that has them.
pub async fn picklist_store(create_order: pb::CreateOrderMode) -> SyncSetup {
    let sandbox = spawn_sandbox_with(SandboxConfig { state_country_picklists: true, ..SandboxConfig::demo() }).await;
    let settings =
        pb::StoreSettings { state_country_picklists: true, create_order: create_order as i32, ..Default::default() };
    connected_store_on(sandbox, test_engine(), settings, vec!["state_country_picklists", "create_order"]).await
}

/// The sandbox's record of `object` whose forcesync key is `key`.
pub async fn record(setup: &SyncSetup, object: &str, key: &str) -> Value {
    let records = setup.records(object).await;
    records.into_iter().find(|r| field(r, "ForceSync_Key__c") == key).unwrap_or_else(|| panic!("no {object} {key}"))
}

#[tokio::test]
async fn a_b2b_customer_and_a_guest_order_land_with_their_addresses_as_codes() {
    let setup = picklist_store(pb::CreateOrderMode::EveryOrder).await;
    let mut sync = setup.sync();
    let customer = b2b(
        "501",
        address("1 State St", "Albany", "NY", "12207", "US"),
        address("2 King St", "Toronto", "on", "M5H 1A1", "ca"),
    );
    sync.upsert_customer(customer_save("c501", customer)).await.expect("customer");
    let status = setup.caught_up(Entity::CustomerId("501".into())).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    let account = record(&setup, "Account", "main:customer:501").await;
    assert_eq!(field(&account, "Name"), "Acme Ltd", "the company names the Account");
    assert_eq!(field(&account, "BillingStreet"), "1 State St\nFloor 3");
    assert_eq!((field(&account, "BillingStateCode"), field(&account, "BillingState")), ("NY", "New York"));
    assert_eq!((field(&account, "ShippingStateCode"), field(&account, "ShippingCountryCode")), ("ON", "CA"));
    assert_eq!(field(&account, "ShippingCity"), "Toronto");
    let contact = record(&setup, "Contact", "main:customer:501").await;
    assert_eq!((field(&contact, "MailingCity"), field(&contact, "MailingStateCode")), ("Albany", "NY"));
    assert_eq!(field(&contact, "LastName"), "Byron");

    let guest = pb::Customer {
        email: "guest@example.com".into(),
        first_name: "Grace".into(),
        last_name: "Hopper".into(),
        ..Default::default()
    };
    let mut placed = order("o-777", "100000777", "", guest, 2);
    placed.increment_id = "000000777".into();
    placed.currency_code = "AUD".into();
    placed.subtotal = "79.48".into();
    placed.payment_method = "checkmo".into();
    placed.shipping_method = "flatrate_flatrate".into();
    placed.billing_address = Some(address("1 George St", "Sydney", "NSW", "2000", "AU"));
    placed.shipping_address = Some(address("5 Collins St", "Melbourne", "VIC", "3000", "AU"));
    placed.items = items();
    placed.items[0].options.insert("Color".into(), "Blue".into());
    sync.place_order(placed).await.expect("guest order");
    let status = setup.caught_up(by_order("100000777")).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    let order = record(&setup, "Order", "main:order:100000777").await;
    assert_eq!(field(&order, "OrderReferenceNumber"), "000000777");
    assert_eq!((field(&order, "BillingCity"), field(&order, "ShippingCity")), ("Sydney", "Melbourne"));
    assert_eq!((field(&order, "BillingStateCode"), field(&order, "ShippingStateCode")), ("NSW", "VIC"));
    assert_eq!(field(&order, "ShippingState"), "Victoria");
    assert_eq!(field(&order, "Description"), "Payment: checkmo\nShipping: flatrate_flatrate");
    let guest_key = "main:customer:guest:guest@example.com";
    let account = record(&setup, "Account", guest_key).await;
    assert_eq!((field(&account, "Name"), field(&account, "BillingCity")), ("Grace Hopper", "Sydney"));
    assert_eq!(field(&account, "ShippingCity"), "Melbourne", "a guest's Account takes the order's addresses");
    let line = record(&setup, "OrderItem", "main:orderitem:100000777:1").await;
    assert_eq!(field(&line, "Description"), "Color: Blue");
    let opportunity = record(&setup, "Opportunity", "main:order:100000777").await;
    assert_eq!(field(&opportunity, "Name"), "Grace Hopper – Order 000000777");
}

#[tokio::test]
async fn a_region_code_the_org_lacks_is_reported_by_name_and_a_bad_one_is_refused() {
    let setup = picklist_store(pb::CreateOrderMode::PaidOnly).await;
    let mut sync = setup.sync();
    // Puerto Rico is a US region code the store may send, but not in this org's State picklist.
    let customer = b2b(
        "502",
        address("1 Calle Sol", "San Juan", "PR", "00901", "US"),
        address("1 Calle Sol", "San Juan", "PR", "00901", "US"),
    );
    sync.upsert_customer(customer_save("c502", customer)).await.expect("customer");
    let status = setup.caught_up(Entity::CustomerId("502".into())).await;
    assert_eq!(status.state, pb::SyncState::Parked as i32, "{status:?}");
    let error = status.last_error.expect("the error");
    assert_eq!(error.code, "FIELD_INTEGRITY_EXCEPTION");
    assert!(error.message.contains("Account.BillingStateCode = \"PR\""), "the code is named: {}", error.message);
    assert!(error.remedy.contains("State and Country/Territory Picklists"), "{}", error.remedy);
    assert!(setup.records("Account").await.is_empty(), "nothing half-written");

    let bad =
        b2b("503", address("1 Main St", "Nowhere", "ZZ", "1", "US"), address("1 Main St", "Nowhere", "NY", "1", "USA"));
    let refused = sync.upsert_customer(customer_save("c503", bad)).await.expect_err("refused");
    assert_eq!(refused.code(), Code::InvalidArgument);
    assert_eq!(
        violated_fields(&refused),
        ["customer.billing_address.region_code", "customer.shipping_address.country_code"]
    );
}

#[tokio::test]
async fn without_picklists_addresses_are_free_text() {
    let setup = connected_store().await;
    let mut sync = setup.sync();
    let mut billing = address("1 State St", "Albany", "NY", "12207", "US");
    billing.region = "New York".into();
    let customer = b2b("504", billing, address("2 King St", "Toronto", "ON", "M5H 1A1", "CA"));
    sync.upsert_customer(customer_save("c504", customer)).await.expect("customer");
    let status = setup.caught_up(Entity::CustomerId("504".into())).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    let account = record(&setup, "Account", "main:customer:504").await;
    assert_eq!((field(&account, "BillingState"), field(&account, "BillingCountry")), ("New York", "US"));
    assert_eq!((field(&account, "ShippingState"), field(&account, "ShippingCountry")), ("ON", "CA"));
    assert!(account.get("BillingStateCode").is_none_or(Value::is_null), "no code fields in this org");
}

#[tokio::test]
async fn a_multi_currency_org_gets_the_orders_currency_and_a_currency_it_lacks_is_reported() {
    let sandbox = spawn_sandbox_with(SandboxConfig { multi_currency: true, ..SandboxConfig::demo() }).await;
    let settings = pb::StoreSettings { create_order: pb::CreateOrderMode::EveryOrder as i32, ..Default::default() };
    let setup = connected_store_on(sandbox, test_engine(), settings, vec!["create_order"]).await;
    let mut sync = setup.sync();
    let buyer = b2b(
        "505",
        address("1 Rue de Rivoli", "Paris", "", "75001", "FR"),
        address("1 Rue de Rivoli", "Paris", "", "75001", "FR"),
    );
    let mut euro = order("o-505", "100000505", "", buyer.clone(), 2);
    euro.currency_code = "eur".into();
    sync.place_order(euro).await.expect("order in EUR");
    let status = setup.caught_up(by_order("100000505")).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    let order_record = record(&setup, "Order", "main:order:100000505").await;
    assert_eq!(field(&order_record, "CurrencyIsoCode"), "EUR");
    let opportunity = record(&setup, "Opportunity", "main:order:100000505").await;
    assert_eq!(field(&opportunity, "CurrencyIsoCode"), "EUR");
    let account = record(&setup, "Account", "main:customer:505").await;
    assert_eq!(field(&account, "CurrencyIsoCode"), "USD", "customers keep the corporate currency");

    let mut yen = order("o-506", "100000506", "", buyer, 3);
    yen.currency_code = "JPY".into();
    sync.place_order(yen).await.expect("order in JPY");
    let status = setup.caught_up(by_order("100000506")).await;
    assert_eq!(status.state, pb::SyncState::Parked as i32, "{status:?}");
    let error = status.last_error.expect("error");
    assert_eq!(error.code, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
    assert!(error.message.contains("CurrencyIsoCode = \"JPY\""), "{}", error.message);
    assert!(error.remedy.contains("CurrencyIsoCode"), "{}", error.remedy);
}

#[tokio::test]
async fn test_connection_lists_the_orgs_valid_state_and_country_codes() {
    let setup = picklist_store(pb::CreateOrderMode::PaidOnly).await;
    let mut config = setup.app.config(&setup.token);
    let etag = setup.etag().await;
    let request = pb::TestConnectionRequest { store_code: "main".into(), etag, ..Default::default() };
    let response = config.test_connection(request).await.expect("test connection").into_inner();
    let check = response.checks.iter().find(|c| c.name == "state_country_picklists").expect("picklist check");
    assert_eq!(check.status, pb::CheckStatus::Pass as i32, "{check:?}");
    for code in ["country codes (35)", "AU", "US", "state codes (72)", "NSW", "QC", "NY"] {
        assert!(check.message.contains(code), "{code}: {}", check.message);
    }
    assert!(!check.message.contains("PR,"), "Puerto Rico is not in this org's list");
}
