//! The store's own data beyond what the lifecycle needs (issue 12): a
//! customer's company, addresses, group and custom attributes; an order's
//! number, currency, amounts, addresses and methods; a line's discount, tax
//! and options. Every part is optional, and stored events written before it
//! existed read as empty (`#[serde(default)]`), so nothing here changes what
//! an old-style event plans.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::event::Money;

/// A postal address, validated at intake: `country_code` is ISO 3166-1
/// alpha-2 (upper case), `region_code` one of the country's regions when
/// they are known (see `domain::geo`).
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    pub street: Vec<String>,
    pub city: String,
    pub region_code: String,
    pub region: String,
    pub postcode: String,
    pub country_code: String,
}

impl Address {
    /// The street lines as Salesforce's Street textarea holds them.
    pub fn street_text(&self) -> String {
        self.street.iter().map(|line| line.trim()).filter(|line| !line.is_empty()).collect::<Vec<_>>().join("\n")
    }
}

/// A custom attribute's value. Numbers keep the decimal text the store sent.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttributeValue {
    Text(String),
    Number(String),
    Bool(bool),
    Date(NaiveDate),
}

/// Custom attributes by code.
pub type Attributes = BTreeMap<String, AttributeValue>;

/// What a customer carries besides names, email and phone.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(default)]
pub struct CustomerProfile {
    pub company: String,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    pub group: String,
    pub attributes: Attributes,
}

impl CustomerProfile {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// What an order line carries besides SKU, name, quantity and price.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(default)]
pub struct LineDetails {
    pub discount: Option<Money>,
    pub tax: Option<Money>,
    /// Chosen options (`Size` → `L`).
    pub options: BTreeMap<String, String>,
}

impl LineDetails {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }

    /// "Size: L, Color: Red" (empty without options).
    pub fn options_text(&self) -> String {
        self.options.iter().map(|(name, value)| format!("{name}: {value}")).collect::<Vec<_>>().join(", ")
    }
}

/// What a placed order carries besides its id, cart, buyer, items, total and status.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(default)]
pub struct OrderDetails {
    /// The order number the shop shows (Magento's increment id).
    pub increment_id: Option<String>,
    /// ISO 4217, upper case.
    pub currency: Option<String>,
    pub subtotal: Option<Money>,
    pub tax: Option<Money>,
    pub shipping: Option<Money>,
    /// Signed as the store sends it (Magento sends discounts negative).
    pub discount: Option<Money>,
    pub billing_address: Option<Address>,
    pub shipping_address: Option<Address>,
    pub payment_method: Option<String>,
    pub shipping_method: Option<String>,
    pub attributes: Attributes,
}

impl OrderDetails {
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_json_reads_as_empty_and_empty_writes_nothing_new() {
        let profile: CustomerProfile = serde_json::from_str("{}").expect("reads");
        assert!(profile.is_empty());
        let value = AttributeValue::Date(NaiveDate::from_ymd_opt(2026, 1, 2).expect("date"));
        let json = serde_json::to_string(&value).expect("writes");
        assert_eq!(json, r#"{"date":"2026-01-02"}"#);
        assert_eq!(serde_json::from_str::<AttributeValue>(&json).expect("reads"), value);
    }

    #[test]
    fn street_and_options_text() {
        let address = Address { street: vec!["1 Main St".into(), " ".into(), "Suite 2".into()], ..Address::default() };
        assert_eq!(address.street_text(), "1 Main St\nSuite 2");
        let mut line = LineDetails::default();
        line.options.insert("Size".into(), "L".into());
        line.options.insert("Color".into(), "Red".into());
        assert_eq!(line.options_text(), "Color: Red, Size: L");
    }
}

#[cfg(test)]
mod stored_events {
    use crate::domain::lifecycle::{Customer, LifecycleEvent};

    /// Events stored before issue 12 (no `profile`, `details`) still load, and write back the same JSON.
    #[test]
    fn events_stored_before_the_store_data_load_unchanged() {
        let old = r#"{"OrderPlaced":{"order_id":"1","cart_id":null,"customer":{"key":"42","email":"a@b.co",
            "first_name":"A","last_name":"B","phone":null},"items":[{"sku":"S","name":"S","quantity":1.0,
            "unit_price":{"minor":100,"exponent":2}}],"total":{"minor":100,"exponent":2},"status":"pending",
            "at":"2025-03-01T09:00:00Z"}}"#;
        let event: LifecycleEvent = serde_json::from_str(old).expect("an old event loads");
        let LifecycleEvent::OrderPlaced { customer, items, details, .. } = &event else { panic!("placed") };
        assert!(customer.profile.is_empty() && details.is_empty() && items[0].details.is_empty());
        let again: serde_json::Value = serde_json::to_value(&event).expect("writes");
        let old: serde_json::Value = serde_json::from_str(old).expect("json");
        assert_eq!(again, old, "nothing new is written for it");
        let customer: Customer = serde_json::from_value(old["OrderPlaced"]["customer"].clone()).expect("customer");
        assert_eq!(customer.key, "42");
    }
}
