//! Test Connection's view of the store data the org takes (issue 12): the
//! State and Country/Territory picklist codes it accepts, listed so a store
//! address the org would refuse can be fixed on either side, and one check
//! per field mapping.

use super::Check;
use crate::domain::mapping::paths::ValueKind;
use crate::domain::settings::{FieldMapping, MappingSource, StoreSettings, Transform};
use crate::salesforce::client::Client;
use crate::salesforce::describe::ObjectDescribe;

/// "countries: AU, CA, …; states: ACT, AB, …" from Account's code picklists.
pub fn valid_codes(account: &ObjectDescribe) -> String {
    let values = |field: &str| {
        account.field(field).map(|f| f.active_values().into_iter().map(str::to_owned).collect::<Vec<_>>())
    };
    let countries = values("BillingCountryCode").unwrap_or_default();
    let states = values("BillingStateCode").unwrap_or_default();
    format!(
        "the org's valid country codes ({}): {}; state codes ({}): {}",
        countries.len(),
        countries.join(", "),
        states.len(),
        states.join(", ")
    )
}

/// One check per field mapping (`field_mappings[2]`): the field exists on its
/// object, the user can write it, it takes the source's kind of value, a
/// truncation fits it, and a restricted picklist has every constant or mapped value.
pub async fn mapping_checks(client: &Client, settings: &StoreSettings) -> Vec<Check> {
    let mut checks = Vec::new();
    for (i, rule) in settings.field_mappings.iter().enumerate() {
        let name = format!("field_mappings[{i}]");
        let object = rule.object.as_str();
        let check = match client.describe(object).await {
            Ok(Some(describe)) => check_rule(&name, rule, &describe),
            Ok(None) => Check::fail(
                name,
                format!("{object} is not visible to the integration user"),
                format!("Give the integration user access to {object}."),
            ),
            Err(error) => Check::from_error(name, &format!("cannot describe {object}"), &error),
        };
        checks.push(check);
    }
    if settings.person_accounts {
        checks.push(person_accounts(client).await);
    }
    checks
}

/// With `person_accounts` on, the org must have Person Accounts.
async fn person_accounts(client: &Client) -> Check {
    let name = "person_accounts";
    match client.describe("Account").await {
        Ok(Some(account)) => match account.person_account_record_type() {
            Some(id) => Check::pass(
                name,
                format!("the org has Person Accounts (record type {id}); customers without a company become one"),
            ),
            None => Check::fail(
                name,
                "person_accounts is on, but the org has no Person Accounts (no Account.IsPersonAccount or no \
                 available PersonAccount record type)",
                "Turn person_accounts off, or enable Person Accounts for the org (Salesforce Support; irreversible) \
                 and make the record type available to the integration user's profile.",
            ),
        },
        Ok(None) => Check::fail(name, "Account is not visible", "Give the integration user access to Account."),
        Err(error) => Check::from_error(name, "cannot describe Account", &error),
    }
}

fn source_text(rule: &FieldMapping) -> String {
    match &rule.source {
        MappingSource::Path(path) => path.to_string(),
        MappingSource::Constant(text) => format!("the constant {text:?}"),
    }
}

/// The kind of value a rule writes: its source's, or text after a text transform.
fn written_kind(rule: &FieldMapping) -> ValueKind {
    match &rule.source {
        _ if !rule.transforms.is_empty() => ValueKind::Text,
        MappingSource::Constant(_) => ValueKind::Text,
        MappingSource::Path(path) => path.kind(),
    }
}

fn compatible(kind: ValueKind, constant: Option<&str>, field_type: &str) -> bool {
    const TEXT: &[&str] =
        &["string", "textarea", "picklist", "multipicklist", "combobox", "email", "phone", "url", "encryptedstring"];
    const NUMBER: &[&str] = &["double", "currency", "percent", "int", "long"];
    let text = TEXT.contains(&field_type);
    match kind {
        ValueKind::Any => !matches!(field_type, "reference" | "id" | "address" | "location" | "base64"),
        ValueKind::Text => {
            text || match constant {
                Some(value) if NUMBER.contains(&field_type) => value.trim().parse::<f64>().is_ok(),
                Some(value) if field_type == "boolean" => {
                    value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false")
                }
                Some(value) if field_type == "date" => chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok(),
                _ => false,
            }
        }
        ValueKind::Number => text || NUMBER.contains(&field_type),
        ValueKind::Date => text || field_type == "date",
        ValueKind::Bool => text || field_type == "boolean",
    }
}

fn kind_name(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Text => "text",
        ValueKind::Number => "a number",
        ValueKind::Bool => "true/false",
        ValueKind::Date => "a date",
        ValueKind::Any => "an attribute value",
    }
}

fn check_rule(name: &str, rule: &FieldMapping, describe: &ObjectDescribe) -> Check {
    let (object, field) = (rule.object.as_str(), rule.field.to_string());
    let target = format!("{object}.{field}");
    let source = source_text(rule);
    let Some(found) = describe.field(&field) else {
        return Check::fail(
            name,
            format!("{target} does not exist in the org (mapped from {source}); nothing is written to it"),
            format!(
                "Create the field {target} in Setup (Object Manager > {object} > Fields & Relationships), or change \
                 {name}.field to an existing field."
            ),
        );
    };
    if !(found.createable || found.updateable) {
        return Check::fail(
            name,
            format!("the integration user cannot write {target} (mapped from {source})"),
            format!("Grant the integration user edit access to {target} (field-level security), or map another field."),
        );
    }
    let kind = written_kind(rule);
    let constant = match &rule.source {
        MappingSource::Constant(text) if rule.transforms.is_empty() => Some(text.as_str()),
        _ => None,
    };
    if !compatible(kind, constant, &found.field_type) {
        return Check::fail(
            name,
            format!("{target} is a {} field; {source} gives {}", found.field_type, kind_name(kind)),
            format!("Map {source} to a field of a matching type, or change {name}.source."),
        );
    }
    for (t, transform) in rule.transforms.iter().enumerate() {
        if let Transform::Truncate(length) = transform
            && found.length > 0
            && *length > found.length
        {
            return Check::fail(
                name,
                format!("{name}.transforms[{t}] truncates to {length} characters, but {target} holds {}", found.length),
                format!("Set {name}.transforms[{t}].length to {} or less.", found.length),
            );
        }
    }
    if found.restricted_picklist {
        let allowed = found.active_values();
        let mut values: Vec<&str> = match &rule.source {
            MappingSource::Constant(text) => vec![text.as_str()],
            MappingSource::Path(_) => Vec::new(),
        };
        for transform in &rule.transforms {
            if let Transform::ValueMap(map) = transform {
                values = map.values().map(String::as_str).collect();
            }
        }
        let missing: Vec<&str> = values.into_iter().filter(|v| !allowed.contains(v)).collect();
        if !missing.is_empty() {
            return Check::fail(
                name,
                format!("{} not active in {target}; allowed: {}", missing.join(", "), allowed.join(", ")),
                format!("Add the values to {target}'s picklist in Setup, or change {name}."),
            );
        }
    }
    let note =
        if kind == ValueKind::Any { " (the attribute's kind is checked by Salesforce on each write)" } else { "" };
    Check::pass(name, format!("{target} ← {source}: exists, writable, {}{note}", found.field_type))
}
