//! Value checks: every stage, order status and contact role named in the
//! settings is an active picklist value, and the price book exists and is active.

use crate::domain::settings::{CreateOpportunity, CreateOrder, Pricebook, StoreSettings};
use crate::salesforce::client::Client;
use crate::salesforce::soql::{Literal, Soql};

use super::Check;

/// (setting, value) pairs that must be active values of `object.field`.
fn named_values(settings: &StoreSettings) -> Vec<(&'static str, &'static str, String, String)> {
    let mut wanted = Vec::new();
    let mut add = |object, field, setting: String, value: &str| wanted.push((object, field, setting, value.to_owned()));
    if settings.create_opportunity != CreateOpportunity::Never {
        add("Opportunity", "StageName", "abandoned_cart_stage".into(), settings.abandoned_cart_stage.as_str());
        add("Opportunity", "StageName", "draft_stage".into(), settings.draft_stage.as_str());
        if settings.convert_opportunity.enabled {
            add(
                "Opportunity",
                "StageName",
                "convert_opportunity.converted_stage".into(),
                settings.convert_opportunity.converted_stage.as_str(),
            );
        }
        if settings.contact_roles.enabled {
            add("OpportunityContactRole", "Role", "contact_roles.role".into(), settings.contact_roles.role.as_str());
        }
    }
    for (i, rule) in settings.order_status_map.iter().enumerate() {
        if let Some(stage) =
            rule.opportunity_stage.as_ref().filter(|_| settings.create_opportunity != CreateOpportunity::Never)
        {
            add("Opportunity", "StageName", format!("order_status_map[{i}].opportunity_stage"), stage.as_str());
        }
        if let Some(status) = rule.order_status.as_ref().filter(|_| settings.create_order != CreateOrder::Never) {
            add("Order", "Status", format!("order_status_map[{i}].order_status"), status.as_str());
        }
    }
    if let Some(status) =
        settings.shipment.shipped_status.as_ref().filter(|_| settings.create_order != CreateOrder::Never)
    {
        add("Order", "Status", "shipment.shipped_status".into(), status.as_str());
    }
    wanted
}

pub async fn check(client: &Client, settings: &StoreSettings) -> Vec<Check> {
    let mut checks = Vec::new();
    for (object, field, setting, value) in named_values(settings) {
        let name = format!("picklist:{setting}");
        let describe = match client.describe(object).await {
            Ok(Some(describe)) => describe,
            Ok(None) => continue, // the object check already failed
            Err(error) => {
                checks.push(Check::from_error(name, &format!("cannot describe {object}"), &error));
                continue;
            }
        };
        let Some(picklist) = describe.field(field) else { continue };
        let active = picklist.active_values();
        checks.push(if active.contains(&value.as_str()) {
            Check::pass(name, format!("{value:?} is an active {object}.{field} value"))
        } else {
            Check::fail(
                name,
                format!(
                    "{value:?} (from {setting}) is not an active {object}.{field} value; allowed: {}",
                    active.join(", ")
                ),
                format!("Add {value:?} to {object}.{field} in Setup, or set {setting} to one of the allowed values."),
            )
        });
    }
    checks.push(pricebook(client, settings).await);
    checks
}

async fn pricebook(client: &Client, settings: &StoreSettings) -> Check {
    let name = "pricebook";
    let query = Soql::select(&["Id", "Name", "IsActive"], "Pricebook2");
    let (query, described) = match &settings.pricebook {
        Pricebook::Standard => {
            (query.and_then(|q| q.where_eq("IsStandard", Literal::Bool(true))), "the standard price book".to_owned())
        }
        Pricebook::Id(id) => (query.and_then(|q| q.where_eq("Id", Literal::str(id))), format!("price book {id}")),
        Pricebook::Name(book) => {
            (query.and_then(|q| q.where_eq("Name", Literal::str(book))), format!("price book {book:?}"))
        }
    };
    let soql = match query {
        Ok(query) => query.limit(2).build(),
        Err(error) => return Check::fail(name, error.to_string(), "Fix the pricebook setting."),
    };
    let rows = match client.query_all_pages(&soql).await {
        Ok(rows) => rows,
        Err(error) => return Check::from_error(name, "cannot read Pricebook2", &error),
    };
    match rows.as_slice() {
        [] => Check::fail(
            name,
            format!("{described} does not exist"),
            "Set pricebook to an existing Pricebook2 Id or name, or leave it empty for the standard price book.",
        ),
        [book] if book["IsActive"].as_bool() != Some(true) => Check::fail(
            name,
            format!("{described} is inactive"),
            "Activate the price book in Setup, or choose another.",
        ),
        [book] => {
            Check::pass(name, format!("{described} exists and is active ({})", book["Id"].as_str().unwrap_or_default()))
        }
        _ => Check::fail(
            name,
            format!("{described}: several price books have that name"),
            "Use the Pricebook2 Id instead of the name.",
        ),
    }
}
