//! Inventory checks, when inventory sync is enabled: the target object exists
//! and is updateable, the match field can be filtered on (records are found
//! by SKU), the quantity field is a numeric field the user can update, and,
//! with create_missing, a record can be created from what the store sends
//! (the SKU, the quantity, and the SKU as `Name`). Each failure says how to fix it.

use crate::domain::settings::{Inventory, StoreSettings};
use crate::salesforce::client::Client;
use crate::salesforce::describe::ObjectDescribe;

use super::Check;

/// Field types a stock level can be written to.
const NUMERIC: [&str; 4] = ["double", "int", "currency", "percent"];

pub async fn check(client: &Client, settings: &StoreSettings) -> Vec<Check> {
    let inventory = &settings.inventory;
    if !inventory.enabled {
        return Vec::new();
    }
    let object = inventory.object.as_str();
    match client.describe(object).await {
        Ok(Some(describe)) => check_object(inventory, &describe),
        Ok(None) => vec![Check::fail(
            "inventory:object",
            format!("{object} does not exist or is not visible to the user (inventory.object)"),
            format!("Set inventory.object to an object the integration user can see, or grant access to {object}."),
        )],
        Err(error) => vec![Check::from_error("inventory:object", &format!("cannot describe {object}"), &error)],
    }
}

fn check_object(inventory: &Inventory, describe: &ObjectDescribe) -> Vec<Check> {
    let object = inventory.object.as_str();
    let (matched, quantity) = (inventory.match_field.as_str(), inventory.quantity_field.as_str());
    let mut checks = vec![if describe.updateable {
        Check::pass("inventory:object", format!("{object} records can be updated"))
    } else {
        Check::fail(
            "inventory:object",
            format!("the user cannot update {object} records"),
            format!("Grant the integration user Edit on {object} (profile or permission set)."),
        )
    }];
    checks.push(match describe.field(matched) {
        None => Check::fail(
            "inventory:match_field",
            format!("{object}.{matched} does not exist or is not visible (inventory.match_field)"),
            format!(
                "Set inventory.match_field to the {object} field holding the store SKU, or grant field-level access."
            ),
        ),
        Some(field) if !field.filterable => Check::fail(
            "inventory:match_field",
            format!("{object}.{matched} cannot be filtered on, so records cannot be found by SKU"),
            "Choose a text field that can be used in a SOQL WHERE clause (not a long text area).".to_owned(),
        ),
        Some(_) => Check::pass("inventory:match_field", format!("records are found by {object}.{matched}")),
    });
    checks.push(match describe.field(quantity) {
        None => Check::fail(
            "inventory:quantity_field",
            format!("{object}.{quantity} does not exist or is not visible (inventory.quantity_field)"),
            format!("Create {object}.{quantity} as a Number field, or grant the user field-level access to it."),
        ),
        Some(field) if !NUMERIC.contains(&field.field_type.as_str()) => Check::fail(
            "inventory:quantity_field",
            format!("{object}.{quantity} is a {} field; stock levels need a number", field.field_type),
            format!("Point inventory.quantity_field at a Number field, or change {object}.{quantity} to Number."),
        ),
        Some(field) if !field.updateable => Check::fail(
            "inventory:quantity_field",
            format!("the user cannot update {object}.{quantity}"),
            format!("Give the integration user edit access to {object}.{quantity} (field-level security)."),
        ),
        Some(_) => Check::pass("inventory:quantity_field", format!("levels are written to {object}.{quantity}")),
    });
    if inventory.create_missing {
        checks.push(creatable(inventory, describe));
    }
    checks
}

/// Whether a record can be created with the SKU, the quantity and `Name`.
fn creatable(inventory: &Inventory, describe: &ObjectDescribe) -> Check {
    let object = inventory.object.as_str();
    let name = "inventory:create_missing";
    let remedy_off = "or turn inventory.create_missing off to only update existing records";
    if !describe.createable {
        return Check::fail(
            name,
            format!("the user cannot create {object} records"),
            format!("Grant the integration user Create on {object}, {remedy_off}."),
        );
    }
    let sent = [inventory.match_field.as_str(), inventory.quantity_field.as_str(), "Name"];
    let not_createable: Vec<&str> =
        sent[..2].iter().filter(|f| describe.field(f).is_some_and(|d| !d.createable)).copied().collect();
    let unfilled: Vec<&str> = describe
        .fields
        .iter()
        .filter(|f| f.required_on_create() && !sent.iter().any(|s| s.eq_ignore_ascii_case(&f.name)))
        .map(|f| f.name.as_str())
        .collect();
    match (not_createable.is_empty(), unfilled.is_empty()) {
        (true, true) => Check::pass(name, format!("{object} records can be created from a SKU and a level")),
        (false, _) => Check::fail(
            name,
            format!("fields the user cannot set on create: {}", not_createable.join(", ")),
            format!("Give the integration user create access to them, {remedy_off}."),
        ),
        (true, false) => Check::fail(
            name,
            format!("{object} requires fields the store does not send: {}", unfilled.join(", ")),
            format!("Give those fields a default value or make them optional, {remedy_off}."),
        ),
    }
}
