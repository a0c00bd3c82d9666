//! The default mapping: what a Salesforce admin expects out of the box from
//! the store's data, on top of the fields the lifecycle writes.
//!
//! | Object | Fields |
//! |---|---|
//! | Account | `Name` = company (else the person's name); `Billing*` = default billing address, `Shipping*` = default shipping address (a guest's: the order's) |
//! | Contact | `Mailing*` = default billing address, else shipping (a guest's: the order's) |
//! | Opportunity | `Name` = "<buyer> – Order <order number>" when the store sent its number |
//! | Order | `OrderReferenceNumber` = order number; `Billing*`/`Shipping*` = the order's addresses (else the customer's); `Description` = payment and shipping method |
//! | OrderItem | `Description` = the chosen options ("Color: Red, Size: L") |
//!
//! Nothing is added when the store sent nothing for it, so old-style events
//! plan exactly what they planned before.

use serde_json::Value;

use super::Sources;
use super::addresses::address_fields;
use crate::domain::lifecycle::{Address, PlannedWrite};

/// Salesforce's limit on Opportunity.Name.
const OPPORTUNITY_NAME_MAX_CHARS: usize = 120;
/// Salesforce's limit on Account.Name.
const ACCOUNT_NAME_MAX_CHARS: usize = 255;
/// Salesforce's limit on OrderItem.Description.
const LINE_DESCRIPTION_MAX_CHARS: usize = 255;

/// Adds the default mapping's fields to `write`.
pub fn apply(sources: &Sources<'_>, picklists: bool, write: &mut PlannedWrite) {
    for (name, value) in fields(sources, picklists, &write.object, &write.key) {
        write.fields.insert(name, value);
    }
}

/// The default mapping's fields of the record of `object` keyed `key`.
pub fn fields(sources: &Sources<'_>, picklists: bool, object: &str, key: &str) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    let address = |out: &mut Vec<(String, Value)>, prefix: &str, address: Option<&Address>| {
        out.extend(address.map(|a| address_fields(prefix, a, picklists)).unwrap_or_default());
    };
    match object {
        "Account" => {
            let Some(customer) = sources.customer else { return out };
            if !customer.profile.company.is_empty() {
                out.push(("Name".into(), text(truncate(&customer.profile.company, ACCOUNT_NAME_MAX_CHARS))));
            }
            address(&mut out, "Billing", sources.customer_billing());
            address(&mut out, "Shipping", sources.customer_shipping());
        }
        "Contact" => address(&mut out, "Mailing", sources.customer_billing().or(sources.customer_shipping())),
        "Opportunity" => {
            if let (Some(customer), Some(number)) = (sources.customer, sources.order_number()) {
                let name = format!("{} – Order {number}", customer.full_name());
                out.push(("Name".into(), text(truncate(&name, OPPORTUNITY_NAME_MAX_CHARS))));
            }
        }
        "Order" => {
            if let Some(number) = sources.order_number() {
                out.push(("OrderReferenceNumber".into(), text(number.to_owned())));
            }
            let order = sources.order;
            let billing = order.and_then(|o| o.billing_address.as_ref()).or(sources.customer_billing());
            let shipping = order.and_then(|o| o.shipping_address.as_ref()).or(sources.customer_shipping());
            address(&mut out, "Billing", billing);
            address(&mut out, "Shipping", shipping);
            let methods = [
                ("Payment", order.and_then(|o| o.payment_method.as_deref())),
                ("Shipping", order.and_then(|o| o.shipping_method.as_deref())),
            ];
            let described: Vec<String> =
                methods.iter().filter_map(|(what, method)| method.map(|m| format!("{what}: {m}"))).collect();
            if !described.is_empty() {
                out.push(("Description".into(), text(described.join("\n"))));
            }
        }
        "OrderItem" => {
            let options = sources.line_of(key).map(|line| line.details.options_text()).unwrap_or_default();
            if !options.is_empty() {
                out.push(("Description".into(), text(truncate(&options, LINE_DESCRIPTION_MAX_CHARS))));
            }
        }
        _ => {}
    }
    out
}

fn text(value: String) -> Value {
    Value::String(value)
}

fn truncate(value: &str, max: usize) -> String {
    value.chars().take(max).collect()
}
