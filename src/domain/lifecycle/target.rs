//! The Salesforce records a sale should have, derived from its facts and the
//! store's settings (DESIGN.md §3). A pure function: the same facts always
//! give the same target, whatever order the events arrived in.

use super::event::{Customer, LineItem, Money};
use super::facts::LifecycleFacts;
use super::keys;
use super::shipment_target::{ShipmentTarget, shipment_target};
use super::stage::{ClosedStages, is_converted, stage, status_rule};
use crate::domain::settings::{CreateOpportunity, CreateOrder, StoreSettings};
use crate::domain::store::StoreCode;
use chrono::{Days, NaiveDate};

/// Salesforce's limit on Opportunity.Name.
const OPPORTUNITY_NAME_MAX_CHARS: usize = 120;
/// The Order Status used when the status map names none.
pub const DRAFT_ORDER_STATUS: &str = "Draft";

/// Everything forcesync should have written in Salesforce for one sale.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Target {
    /// The buyer's Account and Contact.
    pub customer: Option<CustomerTarget>,
    pub opportunity: Option<OpportunityTarget>,
    pub contact_role: Option<ContactRoleTarget>,
    pub order: Option<OrderTarget>,
}

/// A customer's Account and Contact (both keyed by `key`).
#[derive(Debug, Clone, PartialEq)]
pub struct CustomerTarget {
    pub key: String,
    /// The Account name: "First Last", or the email without a name.
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub phone: Option<String>,
}

impl CustomerTarget {
    /// The Account and Contact of a store customer.
    pub fn new(store: &StoreCode, customer: &Customer) -> Self {
        Self {
            key: keys::customer_key(store, &customer.key),
            name: customer.full_name(),
            first_name: customer.first_name.clone(),
            last_name: customer.last_name.clone(),
            email: customer.email.clone(),
            phone: customer.phone.clone(),
        }
    }
}

/// The Opportunity of a cart or order.
#[derive(Debug, Clone, PartialEq)]
pub struct OpportunityTarget {
    pub key: String,
    pub name: String,
    pub stage: String,
    pub close_date: NaiveDate,
    /// The cart or order total (the payment amount while neither is known).
    pub amount: Option<Money>,
    /// The buyer's Account, once a checkout or order named them.
    pub account_key: Option<String>,
}

/// The OpportunityContactRole linking the buyer's Contact.
#[derive(Debug, Clone, PartialEq)]
pub struct ContactRoleTarget {
    pub opportunity_key: String,
    pub contact_key: String,
    pub role: String,
}

/// The Salesforce Order of a placed store order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderTarget {
    pub key: String,
    pub account_key: String,
    pub opportunity_key: Option<String>,
    pub status: String,
    pub effective_date: NaiveDate,
    pub items: Vec<OrderItemTarget>,
    /// The shipment fields (and shipped status), once the order has shipments.
    pub shipment: Option<ShipmentTarget>,
}

/// One OrderItem.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderItemTarget {
    pub key: String,
    pub sku: String,
    /// The Product2 the line sells, by external id.
    pub product_key: String,
    pub quantity: f64,
    pub unit_price: Money,
}

/// The records the facts call for under these settings.
pub fn target(settings: &StoreSettings, store: &StoreCode, facts: &LifecycleFacts, closed: &ClosedStages) -> Target {
    let customer = facts.customer().map(|c| CustomerTarget::new(store, c));
    let opportunity = match settings.create_opportunity {
        CreateOpportunity::EveryOrder => opportunity(settings, store, facts, closed, customer.as_ref()),
        CreateOpportunity::Never => None,
    };
    let contact_role = match (&opportunity, &customer) {
        (Some(opportunity), Some(customer)) if settings.contact_roles.enabled => Some(ContactRoleTarget {
            opportunity_key: opportunity.key.clone(),
            contact_key: customer.key.clone(),
            role: settings.contact_roles.role.as_str().to_owned(),
        }),
        _ => None,
    };
    let order = order(settings, store, facts, customer.as_ref(), opportunity.as_ref());
    Target { customer, opportunity, contact_role, order }
}

fn opportunity(
    settings: &StoreSettings,
    store: &StoreCode,
    facts: &LifecycleFacts,
    closed: &ClosedStages,
    customer: Option<&CustomerTarget>,
) -> Option<OpportunityTarget> {
    let key = match (facts.cart_id(), facts.order_id()) {
        (Some(cart), _) => keys::cart_key(store, cart),
        (None, Some(order)) => keys::order_key(store, order),
        (None, None) => return None,
    };
    let stage = stage(settings, facts, closed)?;
    let opened_on = facts.opened_on()?;
    let invoice_date = facts.payment().map(|p| p.paid_on).filter(|_| settings.invoice_date_as_close_date);
    let close_date = match invoice_date {
        Some(paid_on) if is_converted(settings, facts) => paid_on,
        _ => close_date(opened_on, settings.sales_cycle_days.days()),
    };
    let amount = facts.basket().map(|b| b.total).or(facts.payment().map(|p| p.amount));
    Some(OpportunityTarget {
        key,
        name: opportunity_name(facts),
        stage,
        close_date,
        amount,
        account_key: customer.map(|c| c.key.clone()),
    })
}

/// `opened_on` plus the sales cycle (the latest representable date on overflow).
pub fn close_date(opened_on: NaiveDate, sales_cycle_days: u16) -> NaiveDate {
    opened_on.checked_add_days(Days::new(u64::from(sales_cycle_days))).unwrap_or(NaiveDate::MAX)
}

/// "Jane Doe – Order 100000123", or "… – Cart 77" before an order exists.
fn opportunity_name(facts: &LifecycleFacts) -> String {
    let what = match (facts.order_id(), facts.cart_id()) {
        (Some(order), _) => format!("Order {order}"),
        (None, Some(cart)) => format!("Cart {cart}"),
        (None, None) => String::new(),
    };
    let name = match facts.customer() {
        Some(customer) => format!("{} – {what}", customer.full_name()),
        None => what,
    };
    name.chars().take(OPPORTUNITY_NAME_MAX_CHARS).collect()
}

fn order(
    settings: &StoreSettings,
    store: &StoreCode,
    facts: &LifecycleFacts,
    customer: Option<&CustomerTarget>,
    opportunity: Option<&OpportunityTarget>,
) -> Option<OrderTarget> {
    let wanted = match settings.create_order {
        CreateOrder::EveryOrder => true,
        CreateOrder::PaidOnly => facts.payment().is_some(),
        CreateOrder::Never => false,
    };
    let placed_at = facts.placed_at().filter(|_| wanted)?;
    let order_id = facts.order_id()?;
    let customer = customer?;
    let status = facts
        .statuses_newest_first()
        .into_iter()
        .find_map(|(status, _)| status_rule(settings, status)?.order_status.as_ref())
        .map_or(DRAFT_ORDER_STATUS, |status| status.as_str());
    let items = facts.basket().map(|b| b.items.as_slice()).unwrap_or_default();
    let shipment = shipment_target(&settings.shipment, facts);
    let status = shipment.as_ref().and_then(|s| s.status.as_deref()).unwrap_or(status);
    Some(OrderTarget {
        key: keys::order_key(store, order_id),
        account_key: customer.key.clone(),
        opportunity_key: opportunity.map(|o| o.key.clone()),
        status: status.to_owned(),
        effective_date: placed_at.date_naive(),
        items: items.iter().enumerate().map(|(index, item)| order_item(store, order_id, index + 1, item)).collect(),
        shipment,
    })
}

fn order_item(store: &StoreCode, order_id: &str, line_number: usize, item: &LineItem) -> OrderItemTarget {
    OrderItemTarget {
        key: keys::order_item_key(store, order_id, line_number),
        sku: item.sku.clone(),
        product_key: keys::product_key(store, &item.sku),
        quantity: item.quantity,
        unit_price: item.unit_price,
    }
}
