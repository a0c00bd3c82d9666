//! Salesforce operations: the difference between the target last written and
//! the new one. Every record is an upsert by the external id forcesync owns,
//! and lookups name their parent by external id, so a repeated operation is
//! harmless. Operations come parents first: Account, Contact, Opportunity,
//! contact role, Order, OrderItems. Nothing is ever deleted.

use super::event::{Customer, Money};
use super::keys;
use super::target::{ContactRoleTarget, CustomerTarget, OpportunityTarget, OrderTarget, Target};
use crate::domain::store::StoreCode;
use crate::domain::write_plan::DEFAULT_EXTERNAL_ID_FIELD;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A lookup to a parent record named by its external id, written in
/// Salesforce's relationship form: `"Account": {"ForceSync_Key__c": "main:customer:42"}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentRef {
    /// The relationship name (`Account` for `AccountId`).
    pub relationship: String,
    /// The parent's object.
    pub object: String,
    /// The parent's external-id field.
    pub key_field: String,
    /// The parent's external id value.
    pub key: String,
}

/// One write to Salesforce: create or update the record of `object` whose
/// `key_field` is `key`.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedWrite {
    pub object: String,
    pub key_field: String,
    pub key: String,
    pub fields: BTreeMap<String, Value>,
    pub parents: Vec<ParentRef>,
}

impl PlannedWrite {
    /// The same write with each object's external-id field as `field_for` names it.
    pub fn with_key_fields<'a>(mut self, field_for: impl Fn(&str) -> &'a str) -> Self {
        self.key_field = field_for(&self.object).to_owned();
        for parent in &mut self.parents {
            parent.key_field = field_for(&parent.object).to_owned();
        }
        self
    }

    /// The object written.
    pub fn object(&self) -> &str {
        &self.object
    }

    /// The external id of the record written.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// The request body: its fields plus each parent in relationship form.
    pub fn body(&self) -> Value {
        let Self { fields, parents, .. } = self;
        let mut body: Map<String, Value> = fields.iter().map(|(name, value)| (name.clone(), value.clone())).collect();
        for parent in parents {
            let mut reference = Map::new();
            reference.insert(parent.key_field.clone(), Value::String(parent.key.clone()));
            body.insert(parent.relationship.clone(), Value::Object(reference));
        }
        Value::Object(body)
    }
}

/// The operations that take Salesforce from `previous` (last written) to
/// `next`: the records that differ, parents first; none when they are equal.
pub fn plan(previous: &Target, next: &Target) -> Vec<PlannedWrite> {
    let written = operations(previous);
    operations(next).into_iter().filter(|operation| !written.contains(operation)).collect()
}

/// The Account and Contact of a customer (for customer saves outside a sale).
pub fn plan_customer(store: &StoreCode, customer: &Customer) -> Vec<PlannedWrite> {
    customer_operations(&CustomerTarget::new(store, customer))
}

/// Every operation that writes `target`, parents first.
fn operations(target: &Target) -> Vec<PlannedWrite> {
    let mut operations = Vec::new();
    if let Some(customer) = &target.customer {
        operations.extend(customer_operations(customer));
    }
    if let Some(opportunity) = &target.opportunity {
        operations.push(opportunity_operation(opportunity));
    }
    if let Some(ContactRoleTarget { opportunity_key, contact_key, role }) = &target.contact_role {
        let parents =
            vec![parent("Opportunity", "Opportunity", opportunity_key), parent("Contact", "Contact", contact_key)];
        let key = keys::contact_role_key(opportunity_key);
        operations.push(upsert("OpportunityContactRole", &key, vec![("Role", text(role))], parents));
    }
    if let Some(order) = &target.order {
        operations.extend(order_operations(order));
    }
    operations
}

fn upsert(object: &str, key: &str, fields: Vec<(&str, Value)>, parents: Vec<ParentRef>) -> PlannedWrite {
    PlannedWrite {
        object: object.to_owned(),
        key_field: DEFAULT_EXTERNAL_ID_FIELD.to_owned(),
        key: key.to_owned(),
        fields: fields.into_iter().map(|(name, value)| (name.to_owned(), value)).collect(),
        parents,
    }
}

fn parent(relationship: &str, object: &str, key: &str) -> ParentRef {
    ParentRef {
        relationship: relationship.to_owned(),
        object: object.to_owned(),
        key_field: DEFAULT_EXTERNAL_ID_FIELD.to_owned(),
        key: key.to_owned(),
    }
}

fn text(value: &str) -> Value {
    Value::String(value.to_owned())
}

fn number(value: f64) -> Value {
    serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
}

fn money(value: Money) -> Value {
    number(value.to_f64())
}

fn customer_operations(customer: &CustomerTarget) -> Vec<PlannedWrite> {
    // Contact.LastName is required; a customer without one is named by email.
    let last_name = if customer.last_name.trim().is_empty() { &customer.email } else { &customer.last_name };
    let phone = customer.phone.as_deref().map(|phone| ("Phone", text(phone)));
    let mut account = vec![("Name", text(&customer.name))];
    account.extend(phone.clone());
    let mut contact = vec![
        ("FirstName", text(&customer.first_name)),
        ("LastName", text(last_name)),
        ("Email", text(&customer.email)),
    ];
    contact.extend(phone);
    vec![
        upsert("Account", &customer.key, account, Vec::new()),
        upsert("Contact", &customer.key, contact, vec![parent("Account", "Account", &customer.key)]),
    ]
}

fn opportunity_operation(opportunity: &OpportunityTarget) -> PlannedWrite {
    let mut fields = vec![
        ("Name", text(&opportunity.name)),
        ("StageName", text(&opportunity.stage)),
        ("CloseDate", text(&opportunity.close_date.format("%Y-%m-%d").to_string())),
    ];
    fields.extend(opportunity.amount.map(|amount| ("Amount", money(amount))));
    let parents = opportunity.account_key.iter().map(|key| parent("Account", "Account", key)).collect();
    upsert("Opportunity", &opportunity.key, fields, parents)
}

fn order_operations(order: &OrderTarget) -> Vec<PlannedWrite> {
    let fields = vec![
        ("EffectiveDate", text(&order.effective_date.format("%Y-%m-%d").to_string())),
        ("Status", text(&order.status)),
    ];
    let mut parents = vec![parent("Account", "Account", &order.account_key)];
    parents.extend(order.opportunity_key.iter().map(|key| parent("Opportunity", "Opportunity", key)));
    let mut order_write = upsert("Order", &order.key, fields, parents);
    let shipment_fields = order.shipment.iter().flat_map(|s| s.fields.iter());
    order_write.fields.extend(shipment_fields.map(|(name, value)| (name.clone(), text(value))));
    let mut operations = vec![order_write];
    for item in &order.items {
        let fields = vec![("Quantity", number(item.quantity)), ("UnitPrice", money(item.unit_price))];
        // The engine resolves the PricebookEntry from the product (or sends Product2Id).
        let parents = vec![parent("Order", "Order", &order.key), parent("Product2", "Product2", &item.product_key)];
        operations.push(upsert("OrderItem", &item.key, fields, parents));
    }
    operations
}
