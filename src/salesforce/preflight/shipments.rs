//! Shipment checks: each Order field the shipment settings name exists, the
//! integration user can edit it, and its type fits what forcesync writes
//! there (text for tracking numbers and carriers, a date or datetime for the
//! ship date). `shipped_status` is checked with the other picklist values.

use crate::domain::settings::{ApiName, CreateOrder, StoreSettings};
use crate::salesforce::client::Client;
use crate::salesforce::describe::ObjectDescribe;

use super::Check;

/// Types that take the joined tracking numbers or carriers.
const TEXT_TYPES: [&str; 2] = ["string", "textarea"];
/// Types that take the ship date.
const DATE_TYPES: [&str; 2] = ["date", "datetime"];

/// One configured shipment field: its setting, its name, what it holds and the types that fit.
struct Wanted<'a> {
    setting: &'static str,
    field: &'a ApiName,
    holds: &'static str,
    types: &'static [&'static str],
    create_as: &'static str,
}

fn wanted(settings: &StoreSettings) -> Vec<Wanted<'_>> {
    let s = &settings.shipment;
    let text = &TEXT_TYPES;
    let date = &DATE_TYPES;
    [
        ("tracking_number_field", &s.tracking_number_field, "the tracking numbers", &text[..], "Text(255)"),
        ("carrier_field", &s.carrier_field, "the carriers", &text[..], "Text(255)"),
        ("ship_date_field", &s.ship_date_field, "the ship date", &date[..], "Date"),
    ]
    .into_iter()
    .filter_map(|(setting, field, holds, types, create_as)| {
        field.as_ref().map(|field| Wanted { setting, field, holds, types, create_as })
    })
    .collect()
}

pub async fn check(client: &Client, settings: &StoreSettings) -> Vec<Check> {
    let wanted = wanted(settings);
    if wanted.is_empty() || settings.create_order == CreateOrder::Never {
        return Vec::new();
    }
    match client.describe("Order").await {
        Ok(Some(order)) => wanted.iter().map(|w| check_field(w, &order)).collect(),
        Ok(None) => Vec::new(), // the Order object check already failed
        Err(error) => vec![Check::from_error("shipment", "cannot describe Order", &error)],
    }
}

fn check_field(w: &Wanted<'_>, order: &ObjectDescribe) -> Check {
    let name = format!("shipment:{}", w.setting);
    let (setting, field) = (format!("shipment.{}", w.setting), w.field.as_str());
    let Some(found) = order.field(field) else {
        return Check::fail(
            name,
            format!("Order.{field} (from {setting}) does not exist or is not visible to the integration user"),
            format!(
                "Create Order.{field} as {} in Setup > Object Manager > Order > Fields (and grant field-level \
                 security), or set {setting} to an existing field.",
                w.create_as
            ),
        );
    };
    if !found.updateable {
        return Check::fail(
            name,
            format!("the integration user cannot edit Order.{field} (from {setting})"),
            format!(
                "Grant the integration user edit access to Order.{field} (field-level security), or choose another field."
            ),
        );
    }
    if !w.types.contains(&found.field_type.as_str()) {
        return Check::fail(
            name,
            format!(
                "Order.{field} (from {setting}) is a {} field, but it receives {}: it must be {}",
                found.field_type,
                w.holds,
                w.types.join(" or ")
            ),
            format!("Set {setting} to a {} field, or create one ({}).", w.types.join(" or "), w.create_as),
        );
    }
    let size = if found.length > 0 { format!(" of {} characters", found.length) } else { String::new() };
    Check::pass(name, format!("Order.{field} is an editable {} field{size} for {}", found.field_type, w.holds))
}
