//! External ids forcesync owns in Salesforce: `<store>:<kind>:<store id>`.
//!
//! Account and Contact share one customer key (`main:customer:42`, or
//! `main:customer:guest:jane@example.com` for a guest): the object tells them
//! apart, and either can be found from the customer alone.

use crate::domain::store::StoreCode;

/// The key of a customer's Account and Contact: `main:customer:42`.
pub fn customer_key(store: &StoreCode, customer_key: &str) -> String {
    format!("{store}:customer:{customer_key}")
}

/// The key of an Opportunity opened by a cart: `main:cart:77`.
pub fn cart_key(store: &StoreCode, cart_id: &str) -> String {
    format!("{store}:cart:{cart_id}")
}

/// The key of an Order, and of an Opportunity with no cart: `main:order:100000123`.
pub fn order_key(store: &StoreCode, order_id: &str) -> String {
    format!("{store}:order:{order_id}")
}

/// The key of an OrderItem, numbered from 1: `main:orderitem:100000123:1`.
pub fn order_item_key(store: &StoreCode, order_id: &str, line_number: usize) -> String {
    format!("{store}:orderitem:{order_id}:{line_number}")
}

/// The key of a Product2 by SKU: `main:product:WB-01`.
pub fn product_key(store: &StoreCode, sku: &str) -> String {
    format!("{store}:product:{sku}")
}

/// The key of the OpportunityContactRole on an Opportunity: `main:cart:77:role`.
pub fn contact_role_key(opportunity_key: &str) -> String {
    format!("{opportunity_key}:role")
}
