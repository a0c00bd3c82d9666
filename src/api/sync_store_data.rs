//! The store's data on the Sync API (issue 12) from its wire form: addresses,
//! custom attributes, a customer's company and group, an order's number,
//! currency, amounts and methods, a line's discount, tax and options. All
//! optional; every problem is reported by its request path
//! (`customer.billing_address.country_code`, `attributes.loyalty_tier`).

use chrono::NaiveDate;
use std::collections::BTreeMap;

use crate::domain::Violations;
use crate::domain::geo;
use crate::domain::lifecycle::{
    Address, AttributeValue, Attributes, CustomerProfile, LineDetails, Money, OrderDetails,
};
use crate::pb;

use super::settings_convert::optional_date;
use super::sync_values::{money, optional_text};

/// Most characters of a free-text value (company, city, street line, method...).
const MAX_TEXT_CHARS: usize = 255;
/// Most street lines of an address.
const MAX_STREET_LINES: usize = 4;
/// Most characters of a region code the country's list does not check.
const MAX_REGION_CODE_CHARS: usize = 10;
/// Most attributes on a customer or order, and options on a line.
const MAX_ENTRIES: usize = 100;
/// Most characters of an attribute code or option name.
const MAX_CODE_CHARS: usize = 64;
/// Most characters of a text attribute or option value.
const MAX_VALUE_CHARS: usize = 4000;
/// Most characters of an order number.
const MAX_INCREMENT_ID_CHARS: usize = 50;

/// The customer's company, addresses, group and attributes.
pub fn customer_profile(raw: &pb::Customer, v: &mut Violations) -> Option<CustomerProfile> {
    let company = v.check("company", optional_text(raw.company.trim(), MAX_TEXT_CHARS));
    let group = v.check("customer_group", optional_text(raw.customer_group.trim(), MAX_TEXT_CHARS));
    let billing = v.nested("billing_address.", |v| address(raw.billing_address.as_ref(), v));
    let shipping = v.nested("shipping_address.", |v| address(raw.shipping_address.as_ref(), v));
    let attributes = attributes(&raw.attributes, v);
    Some(CustomerProfile {
        company: company?,
        billing_address: billing?,
        shipping_address: shipping?,
        group: group?,
        attributes: attributes?,
    })
}

/// A placed order's own data.
pub fn order_details(raw: &pb::PlaceOrderRequest, v: &mut Violations) -> Option<OrderDetails> {
    let increment_id = v.check("increment_id", optional_text(raw.increment_id.trim(), MAX_INCREMENT_ID_CHARS));
    let currency = v.check("currency_code", currency(&raw.currency_code));
    let subtotal = v.check("subtotal", optional_money(&raw.subtotal));
    let tax = v.check("tax_amount", optional_money(&raw.tax_amount));
    let shipping = v.check("shipping_amount", optional_money(&raw.shipping_amount));
    let discount = v.check("discount_amount", signed_money(&raw.discount_amount));
    let billing = v.nested("billing_address.", |v| address(raw.billing_address.as_ref(), v));
    let shipping_address = v.nested("shipping_address.", |v| address(raw.shipping_address.as_ref(), v));
    let payment_method = v.check("payment_method", optional_text(raw.payment_method.trim(), MAX_TEXT_CHARS));
    let shipping_method = v.check("shipping_method", optional_text(raw.shipping_method.trim(), MAX_TEXT_CHARS));
    let attributes = attributes(&raw.attributes, v);
    let some = |text: String| Some(text).filter(|t| !t.is_empty());
    Some(OrderDetails {
        increment_id: some(increment_id?),
        currency: currency?,
        subtotal: subtotal?,
        tax: tax?,
        shipping: shipping?,
        discount: discount?,
        billing_address: billing?,
        shipping_address: shipping_address?,
        payment_method: some(payment_method?),
        shipping_method: some(shipping_method?),
        attributes: attributes?,
    })
}

/// A line's discount, tax and options.
pub fn line_details(raw: &pb::LineItem, v: &mut Violations) -> Option<LineDetails> {
    let discount = v.check("discount_amount", signed_money(&raw.discount_amount));
    let tax = v.check("tax_amount", optional_money(&raw.tax_amount));
    let options = options(&raw.options, v);
    Some(LineDetails { discount: discount?, tax: tax?, options: options? })
}

/// An address: absent, or all empty, is `None`; otherwise the country code is
/// required and every part is checked.
fn address(raw: Option<&pb::Address>, v: &mut Violations) -> Option<Option<Address>> {
    let Some(raw) = raw else { return Some(None) };
    let street: Vec<String> = raw.street.iter().map(|line| line.trim().to_owned()).collect();
    let empty = street.iter().all(String::is_empty)
        && [&raw.city, &raw.region_code, &raw.region, &raw.postcode, &raw.country_code]
            .iter()
            .all(|s| s.trim().is_empty());
    if empty {
        return Some(None);
    }
    let mut ok = true;
    if street.len() > MAX_STREET_LINES {
        v.add("street", format!("must have at most {MAX_STREET_LINES} lines, got {}", street.len()));
        ok = false;
    }
    for (i, line) in street.iter().enumerate() {
        ok &= v.check(&format!("street[{i}]"), optional_text(line, MAX_TEXT_CHARS)).is_some();
    }
    let city = v.check("city", optional_text(raw.city.trim(), MAX_TEXT_CHARS));
    let region = v.check("region", optional_text(raw.region.trim(), MAX_TEXT_CHARS));
    let postcode = v.check("postcode", optional_text(raw.postcode.trim(), MAX_TEXT_CHARS));
    let country = v.check("country_code", country_code(&raw.country_code));
    let region_code = match &country {
        Some(country) => v.check("region_code", region_code(country, &raw.region_code)),
        None => None,
    };
    if !ok {
        return None;
    }
    Some(Some(Address {
        street: street.into_iter().filter(|line| !line.is_empty()).collect(),
        city: city?,
        region_code: region_code?,
        region: region?,
        postcode: postcode?,
        country_code: country?,
    }))
}

/// ISO 3166-1 alpha-2, any case, kept upper case.
pub fn country_code(raw: &str) -> Result<String, String> {
    let code = raw.trim().to_ascii_uppercase();
    if code.is_empty() {
        return Err("is required when an address is given (ISO 3166-1 alpha-2, e.g. \"US\")".into());
    }
    if geo::is_country(&code) { Ok(code) } else { Err(format!("{raw:?} is not an ISO 3166-1 alpha-2 country code")) }
}

/// A region code: one of the country's when its regions are checked (then
/// upper case), else free text of at most 10 characters.
pub fn region_code(country: &str, raw: &str) -> Result<String, String> {
    let code = raw.trim();
    if code.is_empty() {
        return Ok(String::new());
    }
    match geo::regions(country) {
        Some(codes) => {
            let upper = code.to_ascii_uppercase();
            if codes.contains(&upper.as_str()) {
                Ok(upper)
            } else {
                Err(format!("{raw:?} is not a region code of {country} (one of {})", codes.join(", ")))
            }
        }
        None => optional_text(code, MAX_REGION_CODE_CHARS),
    }
}

/// ISO 4217, any case, kept upper case; empty is `None`.
pub fn currency(raw: &str) -> Result<Option<String>, String> {
    let code = raw.trim().to_ascii_uppercase();
    if code.is_empty() {
        Ok(None)
    } else if geo::is_currency(&code) {
        Ok(Some(code))
    } else {
        Err(format!("{raw:?} is not an ISO 4217 currency code"))
    }
}

fn optional_money(raw: &str) -> Result<Option<Money>, String> {
    if raw.is_empty() { Ok(None) } else { money(raw).map(Some) }
}

/// An amount that may be negative (discounts).
fn signed_money(raw: &str) -> Result<Option<Money>, String> {
    match raw.strip_prefix('-') {
        Some(rest) => money(rest).map(|m| Some(Money { minor: -m.minor, exponent: m.exponent })),
        None => optional_money(raw),
    }
}

/// An attribute code or option name.
fn code(raw: &str) -> Result<(), String> {
    let mut chars = raw.chars();
    let starts = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !starts || !raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') || raw.len() > MAX_CODE_CHARS {
        return Err(format!(
            "{raw:?} is not an attribute code: a letter, then letters, digits or '_', at most {MAX_CODE_CHARS}"
        ));
    }
    Ok(())
}

fn attributes(raw: &BTreeMap<String, pb::AttributeValue>, v: &mut Violations) -> Option<Attributes> {
    if raw.len() > MAX_ENTRIES {
        v.add("attributes", format!("must have at most {MAX_ENTRIES} attributes, got {}", raw.len()));
        return None;
    }
    let mut out = BTreeMap::new();
    let mut ok = true;
    for (name, value) in raw {
        let path = format!("attributes.{name}");
        if v.check(&path, code(name)).is_none() {
            ok = false;
            continue;
        }
        match v.check(&path, attribute_value(value)) {
            Some(value) => {
                out.insert(name.clone(), value);
            }
            None => ok = false,
        }
    }
    ok.then_some(out)
}

fn attribute_value(raw: &pb::AttributeValue) -> Result<AttributeValue, String> {
    use pb::attribute_value::Value;
    match &raw.value {
        None => Err("needs a value: one of text, number, boolean or date".into()),
        Some(Value::Text(text)) => optional_text(text, MAX_VALUE_CHARS).map(AttributeValue::Text),
        Some(Value::Number(number)) => {
            signed_money(number.trim()).and_then(|m| m.ok_or_else(|| "is required".to_owned()))?;
            Ok(AttributeValue::Number(number.trim().to_owned()))
        }
        Some(Value::Boolean(flag)) => Ok(AttributeValue::Bool(*flag)),
        Some(Value::Date(date)) => {
            let date: Option<NaiveDate> = optional_date(date)?;
            date.map(AttributeValue::Date).ok_or_else(|| "is required".to_owned())
        }
    }
}

fn options(raw: &BTreeMap<String, String>, v: &mut Violations) -> Option<BTreeMap<String, String>> {
    if raw.len() > MAX_ENTRIES {
        v.add("options", format!("must have at most {MAX_ENTRIES} options, got {}", raw.len()));
        return None;
    }
    let mut out = BTreeMap::new();
    let mut ok = true;
    for (name, value) in raw {
        let path = format!("options.{name}");
        let name_ok = if name.trim().is_empty() {
            v.add(&path, "an option needs a name");
            false
        } else {
            v.check(&path, optional_text(name, MAX_TEXT_CHARS)).is_some()
        };
        match (name_ok, v.check(&path, optional_text(value, MAX_VALUE_CHARS))) {
            (true, Some(value)) => {
                out.insert(name.trim().to_owned(), value);
            }
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

#[cfg(test)]
#[path = "sync_store_data_tests.rs"]
mod tests;
