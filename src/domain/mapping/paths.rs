//! Store value paths: what a field mapping may read, its kind, and its value
//! for one record. Three roots: `customer.*` (every object), `order.*`
//! (Opportunity, Order, OrderItem) and `item.*` (OrderItem: its own line).
//!
//! | Path | Kind |
//! |---|---|
//! | `customer.id`, `.email`, `.first_name`, `.last_name`, `.full_name`, `.phone`, `.company`, `.group` | text |
//! | `customer.billing_address.<part>`, `customer.shipping_address.<part>` | text |
//! | `customer.attributes.<code>` | the attribute's own |
//! | `order.id`, `.number`, `.status`, `.currency`, `.payment_method`, `.shipping_method` | text |
//! | `order.total`, `.subtotal`, `.tax_amount`, `.shipping_amount`, `.discount_amount` | number |
//! | `order.placed_date` | date |
//! | `order.billing_address.<part>`, `order.shipping_address.<part>`, `order.attributes.<code>` | text / own |
//! | `item.sku`, `.name`, `.options_text`, `item.options.<name>` | text |
//! | `item.quantity`, `.unit_price`, `.discount_amount`, `.tax_amount` | number |
//!
//! Address parts: `street`, `city`, `region_code`, `region`, `postcode`,
//! `country_code`. A value the record does not have (no such attribute, a
//! cart without an order) writes nothing: a mapping never clears a field.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::fmt;

use super::Sources;
use crate::domain::lifecycle::{Address, AttributeValue, LineItem, Money};
use crate::domain::settings::MappedObject;

const ADDRESS_PARTS: &[&str] = &["street", "city", "region_code", "region", "postcode", "country_code"];
const CUSTOMER_TEXT: &[&str] = &["id", "email", "first_name", "last_name", "full_name", "phone", "company", "group"];
const ORDER_TEXT: &[&str] = &["id", "number", "status", "currency", "payment_method", "shipping_method"];
const ORDER_NUMBER: &[&str] = &["total", "subtotal", "tax_amount", "shipping_amount", "discount_amount"];
const ITEM_TEXT: &[&str] = &["sku", "name", "options_text"];
const ITEM_NUMBER: &[&str] = &["quantity", "unit_price", "discount_amount", "tax_amount"];
/// Longest path accepted.
const MAX_PATH_CHARS: usize = 200;

/// The kind of value a path gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    Text,
    Number,
    Bool,
    Date,
    /// An attribute: its kind is the store's, per record.
    Any,
}

/// A validated store value path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SourcePath(String);

impl SourcePath {
    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.len() > MAX_PATH_CHARS {
            return Err(format!("must be at most {MAX_PATH_CHARS} characters"));
        }
        kind_of(raw).map(|_| Self(raw.to_owned()))
    }

    /// `customer`, `order` or `item`.
    pub fn root(&self) -> &str {
        self.0.split('.').next().unwrap_or_default()
    }

    pub fn kind(&self) -> ValueKind {
        kind_of(&self.0).unwrap_or(ValueKind::Any)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SourcePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for SourcePath {
    type Error = String;
    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl From<SourcePath> for String {
    fn from(path: SourcePath) -> String {
        path.0
    }
}

/// The roots a rule of `object` may read.
pub fn roots_of(object: MappedObject) -> &'static [&'static str] {
    match object {
        MappedObject::Account | MappedObject::Contact => &["customer"],
        MappedObject::Opportunity | MappedObject::Order => &["customer", "order"],
        MappedObject::OrderItem => &["customer", "order", "item"],
    }
}

pub fn available_on(root: &str, object: MappedObject) -> bool {
    roots_of(object).contains(&root)
}

fn kind_of(path: &str) -> Result<ValueKind, String> {
    let parts: Vec<&str> = path.split('.').collect();
    let named = |name: &str| !name.is_empty() && name.len() <= 64 && !name.contains(char::is_whitespace);
    let kind = match parts.as_slice() {
        ["customer", field] if CUSTOMER_TEXT.contains(field) => Some(ValueKind::Text),
        ["customer" | "order", "billing_address" | "shipping_address", part] if ADDRESS_PARTS.contains(part) => {
            Some(ValueKind::Text)
        }
        ["customer" | "order", "attributes", code] if named(code) => Some(ValueKind::Any),
        ["order", field] if ORDER_TEXT.contains(field) => Some(ValueKind::Text),
        ["order", field] if ORDER_NUMBER.contains(field) => Some(ValueKind::Number),
        ["order", "placed_date"] => Some(ValueKind::Date),
        ["item", field] if ITEM_TEXT.contains(field) => Some(ValueKind::Text),
        ["item", field] if ITEM_NUMBER.contains(field) => Some(ValueKind::Number),
        ["item", "options", name] if named(name) => Some(ValueKind::Text),
        _ => None,
    };
    kind.ok_or_else(|| {
        format!(
            "{path:?} is not a store value path: customer.<field>, customer.attributes.<code>, \
             customer.billing_address.<part>, order.<field>, order.attributes.<code>, item.<field>, \
             item.options.<name> (see README \"Store data and field mappings\")"
        )
    })
}

/// The value of `path` for a record of the entity (`line`: an OrderItem's own line).
pub fn resolve(path: &SourcePath, sources: &Sources<'_>, line: Option<&LineItem>) -> Option<Value> {
    let parts: Vec<&str> = path.as_str().split('.').collect();
    let text = |value: &str| Some(value).filter(|v| !v.is_empty()).map(|v| Value::String(v.to_owned()));
    match parts.as_slice() {
        ["customer", "attributes", code] => sources.customer?.profile.attributes.get(*code).map(attribute),
        ["customer", which, part] => address_part(customer_address(sources, which)?, part),
        ["customer", field] => {
            let c = sources.customer?;
            match *field {
                "id" => text(c.key.strip_prefix("guest:").map_or(c.key.as_str(), |_| "")),
                "email" => text(&c.email),
                "first_name" => text(&c.first_name),
                "last_name" => text(&c.last_name),
                "full_name" => text(&c.full_name()),
                "phone" => text(c.phone.as_deref().unwrap_or_default()),
                "company" => text(&c.profile.company),
                "group" => text(&c.profile.group),
                _ => None,
            }
        }
        ["order", "attributes", code] => sources.order?.attributes.get(*code).map(attribute),
        ["order", "billing_address", part] => address_part(sources.order?.billing_address.as_ref()?, part),
        ["order", "shipping_address", part] => address_part(sources.order?.shipping_address.as_ref()?, part),
        ["order", field] => {
            let order = sources.order;
            match *field {
                "id" => text(sources.order_id?),
                "number" => text(order?.increment_id.as_deref()?),
                "status" => text(sources.status?),
                "currency" => text(order?.currency.as_deref()?),
                "payment_method" => text(order?.payment_method.as_deref()?),
                "shipping_method" => text(order?.shipping_method.as_deref()?),
                "total" => sources.total.map(money),
                "subtotal" => order?.subtotal.map(money),
                "tax_amount" => order?.tax.map(money),
                "shipping_amount" => order?.shipping.map(money),
                "discount_amount" => order?.discount.map(money),
                "placed_date" => text(&sources.placed_on?.format("%Y-%m-%d").to_string()),
                _ => None,
            }
        }
        ["item", "options", name] => text(line?.details.options.get(*name)?),
        ["item", field] => {
            let line = line?;
            match *field {
                "sku" => text(&line.sku),
                "name" => text(&line.name),
                "options_text" => text(&line.details.options_text()),
                "quantity" => serde_json::Number::from_f64(line.quantity).map(Value::Number),
                "unit_price" => Some(money(line.unit_price)),
                "discount_amount" => line.details.discount.map(money),
                "tax_amount" => line.details.tax.map(money),
                _ => None,
            }
        }
        _ => None,
    }
}

fn customer_address<'a>(sources: &Sources<'a>, which: &str) -> Option<&'a Address> {
    match which {
        "billing_address" => sources.customer_billing(),
        "shipping_address" => sources.customer_shipping(),
        _ => None,
    }
}

fn address_part(address: &Address, part: &str) -> Option<Value> {
    let value = match part {
        "street" => address.street_text(),
        "city" => address.city.clone(),
        "region_code" => address.region_code.clone(),
        "region" => address.region.clone(),
        "postcode" => address.postcode.clone(),
        "country_code" => address.country_code.clone(),
        _ => return None,
    };
    Some(value).filter(|v| !v.is_empty()).map(Value::String)
}

fn money(amount: Money) -> Value {
    serde_json::Number::from_f64(amount.to_f64()).map_or(Value::Null, Value::Number)
}

fn attribute(value: &AttributeValue) -> Value {
    match value {
        AttributeValue::Text(text) => Value::String(text.clone()),
        AttributeValue::Number(number) => number
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or_else(|| Value::String(number.clone()), Value::Number),
        AttributeValue::Bool(flag) => Value::Bool(*flag),
        AttributeValue::Date(date) => Value::String(date.format("%Y-%m-%d").to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_have_kinds_and_roots() {
        let kind = |raw: &str| SourcePath::parse(raw).map(|p| p.kind());
        assert_eq!(kind("customer.company"), Ok(ValueKind::Text));
        assert_eq!(kind("customer.attributes.loyalty_tier"), Ok(ValueKind::Any));
        assert_eq!(kind("order.shipping_address.postcode"), Ok(ValueKind::Text));
        assert_eq!(kind("order.tax_amount"), Ok(ValueKind::Number));
        assert_eq!(kind("order.placed_date"), Ok(ValueKind::Date));
        assert_eq!(kind("item.options.Size"), Ok(ValueKind::Text));
        for bad in ["customer", "customer.nope", "order.billing_address.planet", "cart.total", "", "item.options."] {
            assert!(SourcePath::parse(bad).is_err(), "{bad:?}");
        }
        assert!(available_on("order", MappedObject::Order) && !available_on("item", MappedObject::Order));
    }
}
