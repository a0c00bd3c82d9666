//! Bidirectional checks (issue 14), run only in BIDIRECTIONAL mode: the
//! integration user can read every watched object and field
//! (`change_capture.watched`); with order download on, the download filter
//! runs once as `SELECT Id FROM Order WHERE (<filter>) LIMIT 1` (a refused
//! filter is reported with Salesforce's own error text); and the Order key
//! field that a downloaded order is stamped with exists, is an External ID
//! and can be edited.

use crate::domain::settings::{ALWAYS_READ_FIELDS, IntegrationMode, OrderDownload, StoreSettings, WatchedObject};
use crate::salesforce::client::Client;
use crate::salesforce::describe::ObjectDescribe;

use super::Check;

pub async fn check(client: &Client, settings: &StoreSettings) -> Vec<Check> {
    if settings.integration_mode != IntegrationMode::Bidirectional {
        return Vec::new();
    }
    let mut checks = Vec::new();
    for (i, watched) in settings.change_capture.watched.iter().enumerate() {
        let object = watched.object.api_name();
        let name = format!("change_capture:{object}");
        checks.push(match client.describe(object).await {
            Ok(Some(describe)) => watched_object(i, watched, &describe),
            Ok(None) => Check::fail(
                name,
                format!(
                    "{object} does not exist or is not visible to the integration user (change_capture.watched[{i}])"
                ),
                format!("Give the integration user read access to {object}, or remove it from change_capture.watched."),
            ),
            Err(error) => Check::from_error(name, &format!("cannot describe {object}"), &error),
        });
    }
    if settings.order_download.enabled {
        checks.push(order_filter(client, &settings.order_download).await);
        let key = settings.external_id_fields.field_for("Order");
        checks.push(match client.describe("Order").await {
            Ok(Some(order)) => order_key(key, &order),
            Ok(None) => Check::fail(
                KEY_CHECK,
                "Order does not exist or is not visible to the integration user",
                "Give the integration user read and edit access to Order, or turn order_download off.",
            ),
            Err(error) => Check::from_error(KEY_CHECK, "cannot describe Order", &error),
        });
    }
    checks
}

const FILTER_CHECK: &str = "order_download:soql_filter";
const KEY_CHECK: &str = "order_download:key_field";

/// The query Test Connection runs to try the download filter.
pub fn filter_probe(filter: &str) -> String {
    match filter.trim() {
        "" => "SELECT Id FROM Order LIMIT 1".to_owned(),
        filter => format!("SELECT Id FROM Order WHERE ({filter}) LIMIT 1"),
    }
}

fn watched_object(i: usize, watched: &WatchedObject, describe: &ObjectDescribe) -> Check {
    let object = watched.object.api_name();
    let name = format!("change_capture:{object}");
    if !describe.queryable {
        return Check::fail(
            name,
            format!("the integration user cannot query {object} records (change_capture.watched[{i}])"),
            format!("Give the integration user Read on {object}, or remove it from change_capture.watched."),
        );
    }
    let missing: Vec<String> = watched
        .fields
        .iter()
        .enumerate()
        .filter(|(_, f)| describe.field(f.as_str()).is_none())
        .map(|(j, f)| format!("{object}.{f} (change_capture.watched[{i}].fields[{j}])"))
        .collect();
    if !missing.is_empty() {
        return Check::fail(
            name,
            format!(
                "watched fields that do not exist or are not visible to the integration user: {}",
                missing.join(", ")
            ),
            format!(
                "Create the field in Setup > Object Manager > {object} > Fields or grant the integration user read \
                 access to it (field-level security), or remove it from change_capture.watched[{i}].fields."
            ),
        );
    }
    let unreadable: Vec<&str> = ALWAYS_READ_FIELDS.into_iter().filter(|f| describe.field(f).is_none()).collect();
    if !unreadable.is_empty() {
        return Check::fail(
            name,
            format!("{object} lacks {}, which change capture reads on every poll", unreadable.join(", ")),
            format!("Give the integration user read access to {object}'s system fields."),
        );
    }
    Check::pass(name, format!("{object}: {} watched field(s) readable", watched.fields.len()))
}

async fn order_filter(client: &Client, download: &OrderDownload) -> Check {
    let soql = filter_probe(&download.soql_filter);
    let filter = download.soql_filter.trim();
    match client.query_stream(&soql, false).next_page().await {
        Ok(Some(page)) => {
            let found = if page.is_empty() { "no Order matches it yet" } else { "at least one Order matches it" };
            let what = if filter.is_empty() { "No filter: every Order is a candidate" } else { "The filter runs" };
            Check::pass(FILTER_CHECK, format!("{what}; {found}"))
        }
        Ok(None) => Check::pass(FILTER_CHECK, "The filter runs; no Order matches it yet"),
        // Salesforce refused the query itself: its message points at the error.
        Err(error) if error.status == Some(400) => Check::fail(
            FILTER_CHECK,
            format!("Salesforce refused the order download filter {filter:?}: {error}"),
            "Fix order_download.soql_filter: a SOQL condition on Order such as \
             Status = 'Activated' AND Sync_To_Store__c = true, naming fields the integration user can read.",
        ),
        Err(error) => Check::from_error(FILTER_CHECK, "cannot run the order download filter", &error),
    }
}

fn order_key(key: &str, order: &ObjectDescribe) -> Check {
    let setting = "external_id_fields[Order]";
    let create = format!("Create Order.{key}: Text(255), External ID, Unique, editable by the integration user");
    match order.field(key) {
        None => Check::fail(
            KEY_CHECK,
            format!(
                "Order.{key} ({setting}) is missing: a downloaded order is stamped with it when the store \
                 acknowledges it, so the store's later events update that Order"
            ),
            format!("{create}; or name an existing field in {setting}."),
        ),
        Some(field) if !field.external_id => Check::fail(
            KEY_CHECK,
            format!("Order.{key} ({setting}) is not marked External ID, so Orders cannot be found by it"),
            format!("Edit Order.{key} and tick 'External ID' (and 'Unique')."),
        ),
        Some(field) if !field.updateable => Check::fail(
            KEY_CHECK,
            format!("the integration user cannot edit Order.{key} ({setting}), so downloaded orders cannot be stamped"),
            format!("Grant the integration user edit access to Order.{key} (field-level security)."),
        ),
        Some(_) => Check::pass(KEY_CHECK, format!("downloaded orders are stamped with Order.{key}")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::settings::{ApiName, WatchedSObject};

    fn describe(queryable: bool, fields: &[(&str, bool, bool)]) -> ObjectDescribe {
        let mut all: Vec<_> = ALWAYS_READ_FIELDS.iter().map(|f| json!({"name": f, "type": "string"})).collect();
        all.extend(fields.iter().map(|(name, external, updateable)| {
            json!({"name": name, "type": "string", "externalId": external, "updateable": updateable})
        }));
        serde_json::from_value(json!({"name": "Order", "queryable": queryable, "fields": all})).expect("describe")
    }

    fn watched(fields: &[&str]) -> WatchedObject {
        let fields = fields.iter().map(|f| ApiName::parse(f).expect("name")).collect();
        WatchedObject { object: WatchedSObject::Order, fields }
    }

    #[test]
    fn the_probe_wraps_the_filter() {
        assert_eq!(filter_probe(" Status = 'Activated' "), "SELECT Id FROM Order WHERE (Status = 'Activated') LIMIT 1");
        assert_eq!(filter_probe(""), "SELECT Id FROM Order LIMIT 1");
    }

    #[test]
    fn watched_fields_are_named_by_path_when_missing() {
        let order = describe(true, &[("Status", false, true)]);
        let ok = watched_object(3, &watched(&["status"]), &order);
        assert_eq!(ok.status, super::super::CheckStatus::Pass, "{ok:?}");
        let bad = watched_object(3, &watched(&["Status", "Tracking__c"]), &order);
        assert!(bad.message.contains("Order.Tracking__c (change_capture.watched[3].fields[1])"), "{bad:?}");
        assert!(bad.remedy.contains("remove it from change_capture.watched[3].fields"), "{bad:?}");
        let hidden = watched_object(0, &watched(&["Status"]), &describe(false, &[("Status", false, true)]));
        assert!(hidden.message.contains("cannot query Order"), "{hidden:?}");
    }

    #[test]
    fn the_key_field_must_be_an_editable_external_id() {
        let status = |order: &ObjectDescribe| order_key("ForceSync_Key__c", order).status;
        use super::super::CheckStatus::{Fail, Pass};
        assert_eq!(status(&describe(true, &[("ForceSync_Key__c", true, true)])), Pass);
        assert_eq!(status(&describe(true, &[("ForceSync_Key__c", false, true)])), Fail);
        assert_eq!(status(&describe(true, &[("ForceSync_Key__c", true, false)])), Fail);
        let missing = order_key("Shop_Key__c", &describe(true, &[]));
        assert!(missing.message.contains("Order.Shop_Key__c (external_id_fields[Order])"), "{missing:?}");
    }
}
