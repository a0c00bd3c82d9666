//! The sales flow: a sale's Opportunity, contact role, Order and OrderItems
//! are planned by the domain (`domain::lifecycle`) and sent by the core as
//! plain upserts. What is its own here: the products its order lines need
//! in Salesforce before an OrderItem can name their PricebookEntry.

use crate::domain::lifecycle::keys;
use crate::domain::store::StoreCode;
use crate::domain::sync::EntityFacts;

use super::super::store_batch::Work;
use super::products::ProductWant;

/// The products the order lines of a sale `w` writes need; none when it writes no OrderItem.
pub(super) fn order_line_products(code: &StoreCode, w: &Work) -> Vec<ProductWant> {
    let EntityFacts::Sale(facts) = &w.entity.facts else { return Vec::new() };
    if !w.operations.iter().any(|op| op.object() == "OrderItem") {
        return Vec::new();
    }
    let items = facts.basket().map(|b| b.items.as_slice()).unwrap_or_default();
    items
        .iter()
        .map(|item| ProductWant {
            key: keys::product_key(code, &item.sku),
            sku: item.sku.clone(),
            name: item.name.clone(),
            price: item.unit_price.to_f64(),
            active: true,
            catalog: false,
        })
        .collect()
}
