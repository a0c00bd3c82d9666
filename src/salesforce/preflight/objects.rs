//! Object and field checks: every object and field forcesync writes exists and
//! is writable for the user, external ids are external and unique, and no
//! required field is left unfilled.

use crate::domain::settings::StoreSettings;
use crate::domain::write_plan::{self, ObjectWrite};
use crate::salesforce::client::Client;
use crate::salesforce::describe::ObjectDescribe;

use super::Check;

pub async fn check(client: &Client, settings: &StoreSettings) -> Vec<Check> {
    let mut checks = Vec::new();
    for write in write_plan::plan(settings) {
        let name = format!("object:{}", write.object);
        match client.describe(&write.object).await {
            Ok(Some(describe)) => checks.extend(check_object(&name, &write, &describe)),
            Ok(None) => checks.push(Check::fail(
                name,
                format!("{} does not exist or is not visible to the user (needed for {})", write.object, write.reason),
                format!("Give the integration user access to {} (profile or permission set).", write.object),
            )),
            Err(error) => checks.push(Check::from_error(name, &format!("cannot describe {}", write.object), &error)),
        }
    }
    checks.push(state_country(client, settings).await);
    checks
}

fn check_object(name: &str, write: &ObjectWrite, describe: &ObjectDescribe) -> Vec<Check> {
    let object = &write.object;
    let mut problems = Vec::new();
    if write.creates && !describe.createable {
        problems.push(format!("the user cannot create {object} records"));
    }
    if !describe.updateable {
        problems.push(format!("the user cannot update {object} records"));
    }
    let missing: Vec<&str> = write.fields.iter().filter(|f| describe.field(f).is_none()).map(String::as_str).collect();
    if !missing.is_empty() {
        problems.push(format!("missing fields: {}", missing.join(", ")));
    }
    let read_only: Vec<&str> = write
        .fields
        .iter()
        .filter_map(|f| describe.field(f))
        .filter(|f| !(f.createable || f.updateable))
        .map(|f| f.name.as_str())
        .collect();
    if !read_only.is_empty() {
        problems.push(format!("fields the user cannot write: {}", read_only.join(", ")));
    }
    let mut checks = Vec::new();
    if let Some(key) = &write.external_id {
        checks.push(match describe.field(key) {
            None => Check::fail(
                format!("external_id:{object}"),
                format!("{object}.{key} is missing: forcesync upserts {object} by it so retries never duplicate"),
                format!("Create the field {object}.{key}: Text(255), External ID, Unique (case-insensitive)."),
            ),
            Some(field) if !(field.external_id && field.unique) => Check::fail(
                format!("external_id:{object}"),
                format!("{object}.{key} exists but is not marked External ID and Unique"),
                format!("Edit {object}.{key} and tick 'External ID' and 'Unique'."),
            ),
            Some(_) => {
                Check::pass(format!("external_id:{object}"), format!("{object}.{key} is an external, unique id"))
            }
        });
    }
    let unfilled: Vec<&str> = describe
        .fields
        .iter()
        .filter(|f| write.creates && f.required_on_create())
        .filter(|f| !write.fields.iter().any(|w| w.eq_ignore_ascii_case(&f.name)))
        .filter(|f| write.external_id.as_deref().is_none_or(|k| !k.eq_ignore_ascii_case(&f.name)))
        .map(|f| f.name.as_str())
        .collect();
    if !unfilled.is_empty() {
        problems.push(format!("required fields forcesync does not fill: {}", unfilled.join(", ")));
    }
    checks.insert(
        0,
        if problems.is_empty() {
            Check::pass(name, format!("{object}: {} fields writable ({})", write.fields.len(), write.reason))
        } else {
            Check::fail(
                name,
                format!("{object}: {}", problems.join("; ")),
                format!(
                    "In Setup, create the missing fields, grant the integration user create/edit access and \
                     field-level security, and give required fields a default value ({object} is needed for {}).",
                    write.reason
                ),
            )
        },
    );
    checks
}

/// The store's state/country picklist setting must match the org's.
async fn state_country(client: &Client, settings: &StoreSettings) -> Check {
    let name = "state_country_picklists";
    let (org_has, codes) = match client.describe("Account").await {
        Ok(Some(account)) => (account.field("BillingCountryCode").is_some(), super::store_data::valid_codes(&account)),
        Ok(None) => return Check::fail(name, "Account is not visible", "Give the user access to Account."),
        Err(error) => return Check::from_error(name, "cannot describe Account", &error),
    };
    match (settings.state_country_picklists, org_has) {
        (true, false) => Check::fail(
            name,
            "the store sends state/country codes, but the org has no State and Country/Territory Picklists",
            "Turn off state_country_picklists, or enable the picklists in Setup > State and Country/Territory Picklists.",
        ),
        (false, true) => Check::warn(
            name,
            "the org uses State and Country/Territory Picklists, but the store sends free-text names",
            "Turn on state_country_picklists so ISO codes are sent; names that do not match the org's labels are refused.",
        ),
        (true, true) => {
            Check::pass(name, format!("the org has State and Country/Territory Picklists; codes are sent; {codes}"))
        }
        (false, false) => Check::pass(name, "free-text state and country, as the org expects"),
    }
}
