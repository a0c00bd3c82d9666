//! Everything known about one sale, accumulated from its events.
//!
//! Facts form a join-semilattice: every field is either a register that keeps
//! the greatest value under a total order, a minimum, or a grow-only map, so
//! [`LifecycleFacts::merge`] is commutative, associative and idempotent.
//! [`LifecycleFacts::absorb`] is a merge with the facts of a single event,
//! hence events may arrive in any order, or more than once, and give the
//! same facts.

use super::event::{Customer, LifecycleEvent, LineItem, Money, Payment};
use super::shipments::{self, RecordedShipment, Shipment};
use super::store_data::OrderDetails;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Order data supersede cart data; within a rank, the later `at` wins.
const FROM_CART: u8 = 0;
const FROM_ORDER: u8 = 1;
/// An order id seen on a payment or a status change ranks below the placed order's.
const FROM_ORDER_UPDATE: u8 = 0;

/// The buyer and what they buy, from the checkout or (superseding it) the order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Basket {
    pub customer: Customer,
    pub items: Vec<LineItem>,
    pub total: Money,
    /// The placed order's own data (empty for a cart, and in facts stored before it existed).
    #[serde(default, skip_serializing_if = "OrderDetails::is_empty")]
    pub details: OrderDetails,
}

impl Basket {
    fn tie_break(&self, other: &Self) -> Ordering {
        let items = || {
            let pairs = self.items.iter().zip(&other.items);
            pairs.map(|(a, b)| a.tie_break(b)).find(|o| o.is_ne()).unwrap_or(self.items.len().cmp(&other.items.len()))
        };
        self.customer
            .cmp(&other.customer)
            .then_with(items)
            .then_with(|| self.total.tie_break(&other.total))
            .then_with(|| self.details.cmp(&other.details))
    }
}

/// A value with where it came from (`rank`) and when (`at`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Stamped<T> {
    rank: u8,
    at: DateTime<Utc>,
    value: T,
}

impl<T> Stamped<T> {
    fn compare(&self, other: &Self, values: impl Fn(&T, &T) -> Ordering) -> Ordering {
        (self.rank, self.at).cmp(&(other.rank, other.at)).then_with(|| values(&self.value, &other.value))
    }
}

/// A payment with when it was recorded; the first recorded wins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RecordedPayment {
    at: DateTime<Utc>,
    payment: Payment,
}

impl RecordedPayment {
    fn compare(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.payment, &other.payment);
        (self.at, &a.invoice_id, a.paid_on)
            .cmp(&(other.at, &b.invoice_id, b.paid_on))
            .then_with(|| a.amount.tie_break(&b.amount))
    }
}

/// The accumulated facts of one sale (a cart and/or its order).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LifecycleFacts {
    cart_id: Option<Stamped<String>>,
    order_id: Option<Stamped<String>>,
    basket: Option<Stamped<Basket>>,
    checkout_at: Option<DateTime<Utc>>,
    placed_at: Option<DateTime<Utc>>,
    payment: Option<RecordedPayment>,
    /// Every store status seen, with the latest time it was seen.
    statuses: BTreeMap<String, DateTime<Utc>>,
    opened_on: Option<NaiveDate>,
    /// Shipments by shipment id (see `shipments`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    shipments: BTreeMap<String, RecordedShipment>,
}

/// Keeps in `slot` the greater of its value and `candidate` under `compare`,
/// which must be a total order (equal only when the values are equal).
fn keep_greatest<T: Clone>(slot: &mut Option<T>, candidate: Option<&T>, compare: impl Fn(&T, &T) -> Ordering) {
    if let Some(candidate) = candidate {
        match slot {
            Some(current) if compare(candidate, current) != Ordering::Greater => {}
            _ => *slot = Some(candidate.clone()),
        }
    }
}

fn keep_earliest<T: Ord + Copy>(slot: &mut Option<T>, candidate: Option<T>) {
    keep_greatest(slot, candidate.as_ref(), |a, b| b.cmp(a));
}

impl LifecycleFacts {
    /// The facts one event carries on its own.
    pub fn from_event(event: &LifecycleEvent) -> Self {
        let at = event.at();
        let mut facts = Self { opened_on: Some(at.date_naive()), ..Self::default() };
        let stamp = |rank, value| Some(Stamped { rank, at, value });
        match event {
            LifecycleEvent::CheckoutStarted { cart_id, customer, items, total, .. } => {
                facts.cart_id = stamp(FROM_CART, cart_id.clone());
                let basket = Basket {
                    customer: customer.clone(),
                    items: items.clone(),
                    total: *total,
                    details: Default::default(),
                };
                facts.basket = Some(Stamped { rank: FROM_CART, at, value: basket });
                facts.checkout_at = Some(at);
            }
            LifecycleEvent::OrderPlaced { order_id, cart_id, customer, items, total, status, details, .. } => {
                facts.order_id = stamp(FROM_ORDER, order_id.clone());
                facts.cart_id = cart_id.as_ref().and_then(|cart| stamp(FROM_ORDER, cart.clone()));
                let details = details.as_ref().clone();
                let basket = Basket { customer: customer.clone(), items: items.clone(), total: *total, details };
                facts.basket = Some(Stamped { rank: FROM_ORDER, at, value: basket });
                facts.placed_at = Some(at);
                facts.statuses.insert(status.clone(), at);
            }
            LifecycleEvent::OrderPaid { order_id, payment, .. } => {
                facts.order_id = stamp(FROM_ORDER_UPDATE, order_id.clone());
                facts.payment = Some(RecordedPayment { at, payment: payment.clone() });
            }
            LifecycleEvent::OrderStatusChanged { order_id, status, .. } => {
                facts.order_id = stamp(FROM_ORDER_UPDATE, order_id.clone());
                facts.statuses.insert(status.clone(), at);
            }
            LifecycleEvent::Shipped { order_id, shipment, .. } => {
                facts.order_id = stamp(FROM_ORDER_UPDATE, order_id.clone());
                let recorded = RecordedShipment { at, shipment: shipment.clone() };
                facts.shipments.insert(shipment.shipment_id.clone(), recorded);
            }
        }
        facts
    }

    /// Adds what one event says. Order-independent and idempotent.
    pub fn absorb(&mut self, event: &LifecycleEvent) {
        self.merge(&Self::from_event(event));
    }

    /// Joins another set of facts into these: commutative, associative, idempotent.
    pub fn merge(&mut self, other: &LifecycleFacts) {
        keep_greatest(&mut self.cart_id, other.cart_id.as_ref(), |a, b| a.compare(b, String::cmp));
        keep_greatest(&mut self.order_id, other.order_id.as_ref(), |a, b| a.compare(b, String::cmp));
        keep_greatest(&mut self.basket, other.basket.as_ref(), |a, b| a.compare(b, Basket::tie_break));
        keep_earliest(&mut self.checkout_at, other.checkout_at);
        keep_earliest(&mut self.placed_at, other.placed_at);
        keep_greatest(&mut self.payment, other.payment.as_ref(), |a, b| b.compare(a));
        for (status, at) in &other.statuses {
            let latest = self.statuses.entry(status.clone()).or_insert(*at);
            *latest = (*latest).max(*at);
        }
        keep_earliest(&mut self.opened_on, other.opened_on);
        shipments::merge(&mut self.shipments, &other.shipments);
    }

    /// The store cart id, if a checkout or the placed order named one.
    pub fn cart_id(&self) -> Option<&str> {
        self.cart_id.as_ref().map(|c| c.value.as_str())
    }

    /// The store order id, once any order event arrived.
    pub fn order_id(&self) -> Option<&str> {
        self.order_id.as_ref().map(|o| o.value.as_str())
    }

    /// The buyer and items: the order's when it was placed, else the cart's.
    pub fn basket(&self) -> Option<&Basket> {
        self.basket.as_ref().map(|b| &b.value)
    }

    /// The buyer, once a checkout or a placed order named them.
    pub fn customer(&self) -> Option<&Customer> {
        self.basket().map(|b| &b.customer)
    }

    /// When checkout started (the earliest checkout seen).
    pub fn checkout_at(&self) -> Option<DateTime<Utc>> {
        self.checkout_at
    }

    /// When the order was placed.
    pub fn placed_at(&self) -> Option<DateTime<Utc>> {
        self.placed_at
    }

    /// The first payment recorded (ties broken by invoice id).
    pub fn payment(&self) -> Option<&Payment> {
        self.payment.as_ref().map(|p| &p.payment)
    }

    /// Every store status seen with the latest time it was seen, newest first
    /// (equal times ordered by the status string, greatest first).
    pub fn statuses_newest_first(&self) -> Vec<(&str, DateTime<Utc>)> {
        let mut statuses: Vec<_> = self.statuses.iter().map(|(s, at)| (s.as_str(), *at)).collect();
        statuses.sort_by(|a, b| (b.1, b.0).cmp(&(a.1, a.0)));
        statuses
    }

    /// The current store status: the one seen last.
    pub fn latest_status(&self) -> Option<&str> {
        self.statuses_newest_first().first().map(|(status, _)| *status)
    }

    /// The order's shipments, by shipment id.
    pub fn shipments(&self) -> impl Iterator<Item = &Shipment> {
        self.shipments.values().map(|recorded| &recorded.shipment)
    }

    /// The earliest date (UTC) of any event: the basis of the CloseDate.
    pub fn opened_on(&self) -> Option<NaiveDate> {
        self.opened_on
    }
}
