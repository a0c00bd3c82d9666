//! Entities: what events accumulate into, and what the engine syncs as one
//! unit. A customer save belongs to its customer, each product of a batch to
//! its SKU, and every lifecycle event to one sale, found by any of its
//! aliases (`cart:77`, `order:100000123`): an order placed from a cart joins
//! the cart's sale, and a payment that arrives first joins it later.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

use super::event::{CustomerSave, EventPayload, ProductSave};
use crate::domain::lifecycle::{LifecycleEvent, LifecycleFacts};

/// The kind of an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EntityKind {
    Customer,
    Product,
    Sale,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Product => "product",
            Self::Sale => "sale",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        [Self::Customer, Self::Product, Self::Sale].into_iter().find(|kind| kind.as_str() == raw)
    }
}

/// The alias of a customer entity: `customer:42`.
pub fn customer_alias(customer_key: &str) -> String {
    format!("customer:{customer_key}")
}

/// The alias of a product entity: `product:WB-01`.
pub fn product_alias(sku: &str) -> String {
    format!("product:{sku}")
}

/// Everything known about one entity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EntityFacts {
    /// The latest save of the customer.
    Customer(CustomerSave),
    /// The latest save of the product.
    Product(ProductSave),
    Sale(Box<LifecycleFacts>),
}

impl EntityFacts {
    pub fn kind(&self) -> EntityKind {
        match self {
            Self::Customer(_) => EntityKind::Customer,
            Self::Product(_) => EntityKind::Product,
            Self::Sale(_) => EntityKind::Sale,
        }
    }

    /// Joins `other` into these facts: commutative, associative and idempotent,
    /// so events may be folded in any order. Saves keep the latest (ties broken
    /// by content); sales merge their lifecycle facts. Facts of different kinds
    /// never meet (an alias names one kind), and are left unchanged.
    pub fn merge(&mut self, other: &EntityFacts) {
        match (self, other) {
            (Self::Customer(mine), Self::Customer(theirs))
                if (theirs.at, &theirs.customer).cmp(&(mine.at, &mine.customer)) == Ordering::Greater =>
            {
                *mine = theirs.clone();
            }
            (Self::Product(mine), Self::Product(theirs)) if product_order(theirs, mine) == Ordering::Greater => {
                *mine = theirs.clone();
            }
            (Self::Sale(mine), Self::Sale(theirs)) => mine.merge(theirs),
            _ => {}
        }
    }

    /// The customer entity a sale depends on (synced first), if it names one.
    pub fn depends_on(&self) -> Option<String> {
        match self {
            Self::Sale(facts) => facts.customer().map(|customer| customer_alias(&customer.key)),
            _ => None,
        }
    }
}

fn product_order(a: &ProductSave, b: &ProductSave) -> Ordering {
    (a.at, &a.sku, &a.name, a.active, a.price.minor, a.price.exponent).cmp(&(
        b.at,
        &b.sku,
        &b.name,
        b.active,
        b.price.minor,
        b.price.exponent,
    ))
}

/// One entity an event touches: the aliases that find it and the facts it adds.
#[derive(Debug, Clone, PartialEq)]
pub struct Routed {
    /// Every alias of the entity this event knows; the first names a new entity.
    pub aliases: Vec<String>,
    pub facts: EntityFacts,
}

/// The entities an event touches.
pub fn route(payload: &EventPayload) -> Vec<Routed> {
    match payload {
        EventPayload::Customer(save) => vec![Routed {
            aliases: vec![customer_alias(&save.customer.key)],
            facts: EntityFacts::Customer(save.clone()),
        }],
        EventPayload::Products(products) => products
            .iter()
            .map(|product| Routed {
                aliases: vec![product_alias(&product.sku)],
                facts: EntityFacts::Product(product.clone()),
            })
            .collect(),
        EventPayload::Lifecycle(event) => {
            vec![Routed {
                aliases: sale_aliases(event),
                facts: EntityFacts::Sale(Box::new(LifecycleFacts::from_event(event))),
            }]
        }
    }
}

/// A sale's aliases from one event: its cart first (the Opportunity's key when
/// known), then its order.
fn sale_aliases(event: &LifecycleEvent) -> Vec<String> {
    let cart = |id: &str| format!("cart:{id}");
    let order = |id: &str| format!("order:{id}");
    match event {
        LifecycleEvent::CheckoutStarted { cart_id, .. } => vec![cart(cart_id)],
        LifecycleEvent::OrderPlaced { order_id, cart_id, .. } => {
            cart_id.iter().map(|id| cart(id)).chain([order(order_id)]).collect()
        }
        LifecycleEvent::OrderPaid { order_id, .. }
        | LifecycleEvent::OrderStatusChanged { order_id, .. }
        | LifecycleEvent::Shipped { order_id, .. } => {
            vec![order(order_id)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lifecycle::{Customer, Money};
    use crate::domain::sync::event::CustomerSave;
    use chrono::{TimeZone, Utc};

    fn at(hour: u32) -> chrono::DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 1, hour, 0, 0).single().expect("time")
    }

    fn customer(name: &str, hour: u32) -> EntityFacts {
        let customer = Customer {
            key: "42".into(),
            email: "jane@example.com".into(),
            first_name: name.into(),
            last_name: "Doe".into(),
            phone: None,
            profile: Default::default(),
        };
        EntityFacts::Customer(CustomerSave { customer, at: at(hour) })
    }

    fn product(name: &str, hour: u32) -> EntityFacts {
        let price = Money { minor: 100, exponent: 2 };
        EntityFacts::Product(ProductSave { sku: "A".into(), name: name.into(), price, active: true, at: at(hour) })
    }

    #[test]
    fn events_route_to_their_entities_by_alias() {
        let placed = LifecycleEvent::OrderPlaced {
            order_id: "9".into(),
            cart_id: Some("77".into()),
            customer: Customer {
                key: "c1".into(),
                email: "c1@example.com".into(),
                first_name: String::new(),
                last_name: String::new(),
                phone: None,
                profile: Default::default(),
            },
            items: Vec::new(),
            total: Money { minor: 0, exponent: 0 },
            status: "pending".into(),
            at: at(9),
            details: Default::default(),
        };
        let routed = route(&EventPayload::Lifecycle(placed));
        assert_eq!(routed[0].aliases, ["cart:77", "order:9"]);
        assert_eq!(routed[0].facts.depends_on().as_deref(), Some("customer:c1"));
        let products = EventPayload::Products(vec![
            ProductSave {
                sku: "A".into(),
                name: "A".into(),
                price: Money { minor: 1, exponent: 0 },
                active: true,
                at: at(9),
            },
            ProductSave {
                sku: "B".into(),
                name: "B".into(),
                price: Money { minor: 1, exponent: 0 },
                active: true,
                at: at(9),
            },
        ]);
        let aliases: Vec<Vec<String>> = route(&products).into_iter().map(|r| r.aliases).collect();
        assert_eq!(aliases, [["product:A"], ["product:B"]]);
    }

    #[test]
    fn saves_keep_the_latest_in_any_order() {
        for (a, b) in [(customer("Old", 9), customer("New", 10)), (product("Old", 9), product("New", 10))] {
            let (mut forward, mut backward) = (a.clone(), b.clone());
            forward.merge(&b);
            backward.merge(&a);
            assert_eq!(forward, backward, "commutative");
            assert_eq!(forward, b, "the later save wins");
            let mut twice = forward.clone();
            twice.merge(&b);
            assert_eq!(twice, forward, "idempotent");
        }
        let (mut tie_a, tie_b) = (customer("Ann", 9), customer("Bea", 9));
        tie_a.merge(&tie_b);
        let mut tie_b2 = tie_b.clone();
        tie_b2.merge(&customer("Ann", 9));
        assert_eq!(tie_a, tie_b2, "equal times break ties by content, the same either way");
    }

    #[test]
    fn facts_of_different_kinds_never_mix() {
        let mut facts = customer("Jane", 9);
        facts.merge(&product("A", 10));
        assert_eq!(facts, customer("Jane", 9));
    }
}
