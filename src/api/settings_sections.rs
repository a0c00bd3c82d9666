//! Wire → domain for the settings' repeated and nested sections, reporting
//! each bad field by its path.

use crate::domain::Violations;
use crate::domain::settings::{self as s, ApiName, PicklistValue};
use crate::pb;

use super::settings_convert::{enum_field, optional_date};

/// Salesforce usernames look like email addresses, at most 80 characters.
pub fn username(raw: &str) -> Result<String, String> {
    let looks_like_email = raw.split_once('@').is_some_and(|(user, domain)| !user.is_empty() && !domain.is_empty());
    if raw.is_empty() {
        Ok(String::new())
    } else if raw.len() > 80 {
        Err("must be at most 80 characters".into())
    } else if !looks_like_email || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err(format!("{raw:?} is not a Salesforce username (they look like email addresses)"))
    } else {
        Ok(raw.to_owned())
    }
}

/// A connected app's consumer key: printable, no spaces, at most 255 characters.
pub fn client_id(raw: &str) -> Result<String, String> {
    if raw.len() > 255 {
        Err("must be at most 255 characters".into())
    } else if !raw.chars().all(|c| c.is_ascii_graphic()) {
        Err("must contain only printable characters without spaces".into())
    } else {
        Ok(raw.to_owned())
    }
}

fn optional<T>(raw: &str, parse: impl FnOnce(&str) -> Result<T, String>) -> Result<Option<T>, String> {
    if raw.is_empty() { Ok(None) } else { parse(raw).map(Some) }
}

pub fn status_map(rules: &[pb::OrderStatusMapping], v: &mut Violations) -> Option<Vec<s::OrderStatusRule>> {
    if rules.len() > s::MAX_STATUS_RULES {
        v.add("order_status_map", format!("at most {} entries", s::MAX_STATUS_RULES));
        return None;
    }
    let parsed: Vec<Option<s::OrderStatusRule>> = rules
        .iter()
        .enumerate()
        .map(|(i, rule)| {
            let field = |name: &str| format!("order_status_map[{i}].{name}");
            let store_status = v.check(&field("store_status"), s::parse_store_status(&rule.store_status));
            let order_status = v.check(&field("order_status"), optional(&rule.order_status, PicklistValue::parse));
            let stage = v.check(&field("opportunity_stage"), optional(&rule.opportunity_stage, PicklistValue::parse));
            if matches!((&order_status, &stage), (Some(None), Some(None))) {
                v.add(&field("order_status"), "set order_status, opportunity_stage or both");
                return None;
            }
            Some(s::OrderStatusRule {
                store_status: store_status?,
                order_status: order_status?,
                opportunity_stage: stage?,
            })
        })
        .collect();
    parsed.into_iter().collect()
}

pub fn shipment(p: Option<&pb::ShipmentSettings>, v: &mut Violations) -> Option<s::Shipment> {
    let Some(p) = p else { return Some(s::Shipment::default()) };
    let tracking = v.check("shipment.tracking_number_field", optional(&p.tracking_number_field, ApiName::parse));
    let carrier = v.check("shipment.carrier_field", optional(&p.carrier_field, ApiName::parse));
    let ship_date = v.check("shipment.ship_date_field", optional(&p.ship_date_field, ApiName::parse));
    let status = v.check("shipment.shipped_status", optional(&p.shipped_status, PicklistValue::parse));
    Some(s::Shipment {
        tracking_number_field: tracking?,
        carrier_field: carrier?,
        ship_date_field: ship_date?,
        shipped_status: status?,
    })
}

pub fn inventory(
    p: Option<&pb::InventorySettings>,
    default: &s::Inventory,
    v: &mut Violations,
) -> Option<s::Inventory> {
    let Some(p) = p else { return Some(default.clone()) };
    let object = v.check("inventory.object", ApiName::parse(&p.object));
    let quantity = v.check("inventory.quantity_field", ApiName::parse(&p.quantity_field));
    let matched = v.check("inventory.match_field", ApiName::parse(&p.match_field));
    Some(s::Inventory {
        enabled: p.enabled,
        object: object?,
        quantity_field: quantity?,
        match_field: matched?,
        create_missing: p.create_missing,
    })
}

pub fn order_download(p: Option<&pb::OrderDownloadSettings>, v: &mut Violations) -> Option<s::OrderDownload> {
    let Some(p) = p else { return Some(s::OrderDownload::default()) };
    let filter = v.check("order_download.soql_filter", soql_filter(&p.soql_filter));
    let start_date = v.check("order_download.start_date", optional_date(&p.start_date));
    Some(s::OrderDownload { enabled: p.enabled, soql_filter: filter?, start_date: start_date? })
}

fn soql_filter(raw: &str) -> Result<String, String> {
    if raw.chars().count() > s::MAX_SOQL_FILTER_CHARS {
        Err(format!("must be at most {} characters", s::MAX_SOQL_FILTER_CHARS))
    } else if raw.chars().any(|c| c.is_control() && !c.is_whitespace()) || raw.contains(';') {
        Err("must be a single SOQL condition (no ';' or control characters)".into())
    } else {
        Ok(raw.trim().to_owned())
    }
}

/// `external_id_fields`: object → custom External ID field, each entry checked.
pub fn external_id_fields(
    raw: &std::collections::BTreeMap<String, String>,
    v: &mut Violations,
) -> Option<s::ExternalIdFields> {
    let mut entries: Vec<(&String, &String)> = raw.iter().collect();
    entries.sort();
    let parsed: Vec<Option<(String, ApiName)>> = entries
        .into_iter()
        .map(|(object, field)| {
            v.check(&format!("external_id_fields[{object}]"), s::ExternalIdFields::parse_entry(object, field))
        })
        .collect();
    parsed.into_iter().collect::<Option<Vec<_>>>().map(s::ExternalIdFields::from_entries)
}

/// `change_capture`: domain → wire.
pub fn change_capture_to_proto(d: &s::ChangeCapture) -> pb::ChangeCaptureSettings {
    pb::ChangeCaptureSettings {
        watched: d
            .watched
            .iter()
            .map(|w| pb::WatchedObject {
                object: w.object.api_name().to_owned(),
                fields: w.fields.iter().map(ToString::to_string).collect(),
            })
            .collect(),
        poll_interval_seconds: i32::try_from(d.poll_interval_secs).unwrap_or(i32::MAX),
        conflict_policy: match d.conflict_policy {
            s::ConflictPolicy::LatestWins => pb::ConflictPolicy::LatestWins,
            s::ConflictPolicy::StoreWins => pb::ConflictPolicy::StoreWins,
            s::ConflictPolicy::SalesforceWins => pb::ConflictPolicy::SalesforceWins,
        } as i32,
    }
}

/// `change_capture`: wire → domain. An absent section takes the defaults and
/// `CONFLICT_POLICY_UNSPECIFIED` the default policy; the rules that span
/// entries (each object once, unique fields) are the domain's.
pub fn change_capture(p: Option<&pb::ChangeCaptureSettings>, v: &mut Violations) -> Option<s::ChangeCapture> {
    let default = s::ChangeCapture::default();
    let Some(p) = p else { return Some(default) };
    let policy = enum_field(v, "change_capture.conflict_policy", p.conflict_policy, |m| match m {
        pb::ConflictPolicy::Unspecified => default.conflict_policy,
        pb::ConflictPolicy::LatestWins => s::ConflictPolicy::LatestWins,
        pb::ConflictPolicy::StoreWins => s::ConflictPolicy::StoreWins,
        pb::ConflictPolicy::SalesforceWins => s::ConflictPolicy::SalesforceWins,
    });
    let interval =
        v.check("change_capture.poll_interval_seconds", s::parse_poll_interval(i64::from(p.poll_interval_seconds)));
    let most = s::WatchedSObject::ALL.len();
    if p.watched.len() > most {
        v.add("change_capture.watched", format!("at most {most} entries, one per object"));
        return None;
    }
    let watched: Vec<Option<s::WatchedObject>> = p
        .watched
        .iter()
        .enumerate()
        .map(|(i, w)| {
            let object = v.check(&format!("change_capture.watched[{i}].object"), s::WatchedSObject::parse(&w.object));
            if w.fields.len() > s::MAX_WATCHED_FIELDS {
                v.add(
                    &format!("change_capture.watched[{i}].fields"),
                    format!("at most {} fields", s::MAX_WATCHED_FIELDS),
                );
                return None;
            }
            let fields: Vec<Option<ApiName>> = w
                .fields
                .iter()
                .enumerate()
                .map(|(j, f)| v.check(&format!("change_capture.watched[{i}].fields[{j}]"), ApiName::parse(f)))
                .collect();
            let fields: Option<Vec<ApiName>> = fields.into_iter().collect();
            Some(s::WatchedObject { object: object?, fields: fields? })
        })
        .collect();
    let watched: Option<Vec<s::WatchedObject>> = watched.into_iter().collect();
    Some(s::ChangeCapture { watched: watched?, poll_interval_secs: interval?, conflict_policy: policy? })
}
