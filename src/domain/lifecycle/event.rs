//! What the store tells forcesync about one sale: the values (money, line
//! items, customer, payment) and the lifecycle events that carry them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

use super::shipments::Shipment;
use super::store_data::{CustomerProfile, LineDetails, OrderDetails};

/// An exact amount of money in minor units: 19.99 is `{ minor: 1999, exponent: 2 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Money {
    /// The amount in units of `10^-exponent`.
    pub minor: i64,
    /// How many decimal places `minor` carries.
    pub exponent: u8,
}

impl Money {
    /// The amount as a float, for Salesforce currency fields.
    pub fn to_f64(self) -> f64 {
        self.minor as f64 / 10f64.powi(i32::from(self.exponent))
    }

    /// A total order used only to break ties deterministically (not numeric:
    /// `{100, 2}` and `{1, 0}` are different values here).
    pub(super) fn tie_break(&self, other: &Self) -> Ordering {
        (self.minor, self.exponent).cmp(&(other.minor, other.exponent))
    }
}

/// One line of a cart or order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineItem {
    pub sku: String,
    pub name: String,
    pub quantity: f64,
    pub unit_price: Money,
    /// Discount, tax and options (none in events stored before they existed).
    #[serde(default, skip_serializing_if = "LineDetails::is_empty")]
    pub details: LineDetails,
}

impl LineItem {
    /// A total order used only to break ties deterministically.
    pub(super) fn tie_break(&self, other: &Self) -> Ordering {
        self.sku
            .cmp(&other.sku)
            .then_with(|| self.name.cmp(&other.name))
            .then_with(|| self.quantity.total_cmp(&other.quantity))
            .then_with(|| self.unit_price.tie_break(&other.unit_price))
            .then_with(|| self.details.cmp(&other.details))
    }
}

/// The buyer, as the store knows them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Customer {
    /// The store customer id, or `guest:` + the lower-cased email for guests
    /// (see [`Customer::key_for`]).
    pub key: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub phone: Option<String>,
    /// Company, addresses, group and attributes (empty in events stored before they existed).
    #[serde(default, skip_serializing_if = "is_empty_profile")]
    pub profile: Box<CustomerProfile>,
}

fn is_empty_profile(profile: &CustomerProfile) -> bool {
    profile.is_empty()
}

impl Customer {
    /// The customer key: the store customer id when there is one, else
    /// `guest:` followed by the lower-cased, trimmed email.
    pub fn key_for(store_customer_id: Option<&str>, email: &str) -> String {
        match store_customer_id {
            Some(id) => id.to_owned(),
            None => format!("guest:{}", email.trim().to_lowercase()),
        }
    }

    /// "First Last", or the email when the store has no name.
    pub fn full_name(&self) -> String {
        let name = format!("{} {}", self.first_name.trim(), self.last_name.trim());
        let name = name.trim();
        if name.is_empty() { self.email.clone() } else { name.to_owned() }
    }
}

fn is_empty_details(details: &OrderDetails) -> bool {
    details.is_empty()
}

/// An invoice: the order was paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payment {
    pub invoice_id: String,
    pub paid_on: NaiveDate,
    pub amount: Money,
}

/// One store event in the life of a sale. `at` is when it happened in the
/// store (not when forcesync received it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum LifecycleEvent {
    /// The customer started checkout with a cart.
    CheckoutStarted { cart_id: String, customer: Customer, items: Vec<LineItem>, total: Money, at: DateTime<Utc> },
    /// The order was placed (from the cart `cart_id` when the store knows it).
    OrderPlaced {
        order_id: String,
        cart_id: Option<String>,
        customer: Customer,
        items: Vec<LineItem>,
        total: Money,
        status: String,
        at: DateTime<Utc>,
        /// Number, currency, amounts, addresses, methods, attributes (empty in
        /// events stored before they existed).
        #[serde(default, skip_serializing_if = "is_empty_details")]
        details: Box<OrderDetails>,
    },
    /// The order was invoiced.
    OrderPaid { order_id: String, payment: Payment, at: DateTime<Utc> },
    /// The order's store status changed (for example to `canceled`).
    OrderStatusChanged { order_id: String, status: String, at: DateTime<Utc> },
    /// The order (or part of it) shipped.
    Shipped { order_id: String, shipment: Shipment, at: DateTime<Utc> },
}

impl LifecycleEvent {
    /// When the event happened in the store.
    pub fn at(&self) -> DateTime<Utc> {
        match self {
            Self::CheckoutStarted { at, .. }
            | Self::OrderPlaced { at, .. }
            | Self::OrderPaid { at, .. }
            | Self::OrderStatusChanged { at, .. }
            | Self::Shipped { at, .. } => *at,
        }
    }
}
