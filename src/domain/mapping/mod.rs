//! Where the store's data goes in Salesforce (issue 12), on top of the
//! records the lifecycle plans: the [`defaults`] every store gets, then the
//! store's own field mappings. [`apply`] is the one hook: the planner calls
//! it on an entity's planned writes, so the engine and PreviewPlan send the
//! same bodies, and the skip-unchanged-by-hash rule sees the mapped values
//! (a changed mapping rewrites a record at its next change, never silently).

pub mod addresses;
pub mod defaults;
pub mod paths;
mod person;
mod rules;
mod written;

pub use written::{add_written_fields, default_fields};

use chrono::NaiveDate;

use crate::domain::lifecycle::{Address, Customer, LineItem, Money, OrderDetails, PlannedWrite};
use crate::domain::settings::StoreSettings;
use crate::domain::sync::EntityFacts;

/// The store data one entity's writes are mapped from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sources<'a> {
    pub customer: Option<&'a Customer>,
    /// The placed order's own data (none for a cart or a customer save).
    pub order: Option<&'a OrderDetails>,
    /// The store order id, once the sale has one.
    pub order_id: Option<&'a str>,
    pub items: &'a [LineItem],
    /// The cart or order total.
    pub total: Option<Money>,
    /// The store's latest order status.
    pub status: Option<&'a str>,
    /// When the order was placed (UTC date).
    pub placed_on: Option<NaiveDate>,
}

impl<'a> Sources<'a> {
    pub fn of(facts: &'a EntityFacts) -> Self {
        match facts {
            EntityFacts::Customer(save) => Self { customer: Some(&save.customer), ..Self::default() },
            EntityFacts::Product(_) => Self::default(),
            EntityFacts::Sale(facts) => {
                let basket = facts.basket();
                Self {
                    customer: basket.map(|b| &b.customer),
                    order: basket.map(|b| &b.details).filter(|d| !d.is_empty()),
                    order_id: facts.order_id(),
                    items: basket.map(|b| b.items.as_slice()).unwrap_or_default(),
                    total: basket.map(|b| b.total),
                    status: facts.latest_status(),
                    placed_on: facts.placed_at().map(|at| at.date_naive()),
                }
            }
        }
    }

    fn is_guest(&self) -> bool {
        self.customer.is_some_and(|c| c.key.starts_with("guest:"))
    }

    /// The customer's default billing address; a guest's is the order's.
    pub fn customer_billing(&self) -> Option<&'a Address> {
        let own = self.customer.and_then(|c| c.profile.billing_address.as_ref());
        own.or_else(|| self.order.filter(|_| self.is_guest()).and_then(|o| o.billing_address.as_ref()))
    }

    /// The customer's default shipping address; a guest's is the order's.
    pub fn customer_shipping(&self) -> Option<&'a Address> {
        let own = self.customer.and_then(|c| c.profile.shipping_address.as_ref());
        own.or_else(|| self.order.filter(|_| self.is_guest()).and_then(|o| o.shipping_address.as_ref()))
    }

    /// The order number the shop shows, when it sent one.
    pub fn order_number(&self) -> Option<&'a str> {
        self.order.and_then(|o| o.increment_id.as_deref())
    }

    /// The line an OrderItem key (`main:orderitem:100000123:2`) names.
    pub fn line_of(&self, key: &str) -> Option<&'a LineItem> {
        let number: usize = key.rsplit(':').next()?.parse().ok()?;
        self.items.get(number.checked_sub(1)?)
    }
}

/// What the org says about itself that the mapping needs; the engine learns
/// it (a describe, once per connection), a preview does not ask.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgFacts {
    /// The org's active currencies, when it has multiple currencies
    /// (`CurrencyIsoCode` exists); `None` for a single-currency org.
    pub currencies: Option<Vec<String>>,
    /// The Person Account record type Id, when the org has Person Accounts.
    pub person_account_record_type: Option<String>,
}

/// Multi-currency orgs: a sale's Opportunity and Order carry the order's
/// currency. A currency the org lacks is still sent, so Salesforce refuses it
/// by name (restricted picklist) and the sale is parked with that reason.
pub fn apply_org(settings: &StoreSettings, org: &OrgFacts, facts: &EntityFacts, writes: &mut Vec<PlannedWrite>) {
    person::apply(settings, org, &Sources::of(facts), writes);
    let Some(currency) = org.currencies.as_ref().and(Sources::of(facts).order).and_then(|o| o.currency.as_deref())
    else {
        return;
    };
    for write in writes.iter_mut().filter(|w| matches!(w.object.as_str(), "Opportunity" | "Order")) {
        write.fields.insert("CurrencyIsoCode".to_owned(), serde_json::Value::String(currency.to_owned()));
    }
}

/// Whether planning `facts` needs [`OrgFacts`]: a sale whose order names its
/// currency, or a customer's records when the store writes Person Accounts.
pub fn needs_org_facts(settings: &StoreSettings, facts: &EntityFacts) -> bool {
    let sources = Sources::of(facts);
    sources.order.is_some_and(|o| o.currency.is_some()) || (settings.person_accounts && sources.customer.is_some())
}

/// Maps the store's data onto an entity's planned writes.
pub fn apply(settings: &StoreSettings, facts: &EntityFacts, writes: &mut [PlannedWrite]) {
    let sources = Sources::of(facts);
    for write in writes.iter_mut() {
        defaults::apply(&sources, settings.state_country_picklists, write);
        rules::apply(&settings.field_mappings, &sources, write);
    }
}

#[cfg(test)]
mod tests;
