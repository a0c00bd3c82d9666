//! How each form setting reads from and writes to the wire `StoreSettings`
//! (enums by their proto names, checkboxes present only when checked,
//! numbers parsed with a message naming the bad value).

use crate::pb;

use super::settings_fields::{Field, Input, SECTIONS};
use super::settings_lists;

fn enum_name(path: &str, raw: i32) -> String {
    let name = match path {
        "integration_mode" => pb::IntegrationMode::try_from(raw).ok().map(|e| e.as_str_name()),
        "queue_mode" => pb::QueueMode::try_from(raw).ok().map(|e| e.as_str_name()),
        "create_order" => pb::CreateOrderMode::try_from(raw).ok().map(|e| e.as_str_name()),
        "create_opportunity" => pb::CreateOpportunityMode::try_from(raw).ok().map(|e| e.as_str_name()),
        "connection.auth_method" => pb::AuthMethod::try_from(raw).ok().map(|e| e.as_str_name()),
        "change_capture.conflict_policy" => pb::ConflictPolicy::try_from(raw).ok().map(|e| e.as_str_name()),
        _ => None,
    };
    name.map(str::to_owned).unwrap_or_else(|| raw.to_string())
}

fn enum_number(path: &str, name: &str) -> Option<i32> {
    match path {
        "integration_mode" => pb::IntegrationMode::from_str_name(name).map(|e| e as i32),
        "queue_mode" => pb::QueueMode::from_str_name(name).map(|e| e as i32),
        "create_order" => pb::CreateOrderMode::from_str_name(name).map(|e| e as i32),
        "create_opportunity" => pb::CreateOpportunityMode::from_str_name(name).map(|e| e as i32),
        "connection.auth_method" => pb::AuthMethod::from_str_name(name).map(|e| e as i32),
        "change_capture.conflict_policy" => pb::ConflictPolicy::from_str_name(name).map(|e| e as i32),
        _ => None,
    }
}

/// Runs `$body` with `$slot` bound to the field `$path` names (`&mut`).
macro_rules! with_slot {
    ($p:expr, $path:expr, |$slot:ident| $body:expr, $missing:expr) => {{
        let p = $p;
        match $path {
            "integration_mode" => {
                let $slot = &mut p.integration_mode;
                $body
            }
            "queue_mode" => {
                let $slot = &mut p.queue_mode;
                $body
            }
            "state_country_picklists" => {
                let $slot = &mut p.state_country_picklists;
                $body
            }
            "person_accounts" => {
                let $slot = &mut p.person_accounts;
                $body
            }
            "create_opportunity" => {
                let $slot = &mut p.create_opportunity;
                $body
            }
            "create_order" => {
                let $slot = &mut p.create_order;
                $body
            }
            "abandoned_cart_stage" => {
                let $slot = &mut p.abandoned_cart_stage;
                $body
            }
            "draft_stage" => {
                let $slot = &mut p.draft_stage;
                $body
            }
            "sales_cycle_days" => {
                let $slot = &mut p.sales_cycle_days;
                $body
            }
            "invoice_date_as_close_date" => {
                let $slot = &mut p.invoice_date_as_close_date;
                $body
            }
            "pricebook" => {
                let $slot = &mut p.pricebook;
                $body
            }
            "connection.auth_method" => {
                let $slot = &mut p.connection.get_or_insert_with(Default::default).auth_method;
                $body
            }
            "connection.login_url" => {
                let $slot = &mut p.connection.get_or_insert_with(Default::default).login_url;
                $body
            }
            "connection.api_version" => {
                let $slot = &mut p.connection.get_or_insert_with(Default::default).api_version;
                $body
            }
            "connection.username" => {
                let $slot = &mut p.connection.get_or_insert_with(Default::default).username;
                $body
            }
            "connection.client_id" => {
                let $slot = &mut p.connection.get_or_insert_with(Default::default).client_id;
                $body
            }
            "convert_opportunity.enabled" => {
                let $slot = &mut p.convert_opportunity.get_or_insert_with(Default::default).enabled;
                $body
            }
            "convert_opportunity.converted_stage" => {
                let $slot = &mut p.convert_opportunity.get_or_insert_with(Default::default).converted_stage;
                $body
            }
            "contact_roles.enabled" => {
                let $slot = &mut p.contact_roles.get_or_insert_with(Default::default).enabled;
                $body
            }
            "contact_roles.role" => {
                let $slot = &mut p.contact_roles.get_or_insert_with(Default::default).role;
                $body
            }
            "shipment.tracking_number_field" => {
                let $slot = &mut p.shipment.get_or_insert_with(Default::default).tracking_number_field;
                $body
            }
            "shipment.carrier_field" => {
                let $slot = &mut p.shipment.get_or_insert_with(Default::default).carrier_field;
                $body
            }
            "shipment.ship_date_field" => {
                let $slot = &mut p.shipment.get_or_insert_with(Default::default).ship_date_field;
                $body
            }
            "shipment.shipped_status" => {
                let $slot = &mut p.shipment.get_or_insert_with(Default::default).shipped_status;
                $body
            }
            "inventory.enabled" => {
                let $slot = &mut p.inventory.get_or_insert_with(Default::default).enabled;
                $body
            }
            "inventory.object" => {
                let $slot = &mut p.inventory.get_or_insert_with(Default::default).object;
                $body
            }
            "inventory.quantity_field" => {
                let $slot = &mut p.inventory.get_or_insert_with(Default::default).quantity_field;
                $body
            }
            "inventory.match_field" => {
                let $slot = &mut p.inventory.get_or_insert_with(Default::default).match_field;
                $body
            }
            "inventory.create_missing" => {
                let $slot = &mut p.inventory.get_or_insert_with(Default::default).create_missing;
                $body
            }
            "order_download.enabled" => {
                let $slot = &mut p.order_download.get_or_insert_with(Default::default).enabled;
                $body
            }
            "order_download.soql_filter" => {
                let $slot = &mut p.order_download.get_or_insert_with(Default::default).soql_filter;
                $body
            }
            "order_download.start_date" => {
                let $slot = &mut p.order_download.get_or_insert_with(Default::default).start_date;
                $body
            }
            "logging.enabled" => {
                let $slot = &mut p.logging.get_or_insert_with(Default::default).enabled;
                $body
            }
            "logging.database_logging" => {
                let $slot = &mut p.logging.get_or_insert_with(Default::default).database_logging;
                $body
            }
            "logging.database_log_limit" => {
                let $slot = &mut p.logging.get_or_insert_with(Default::default).database_log_limit;
                $body
            }
            "change_capture.poll_interval_seconds" => {
                let $slot = &mut p.change_capture.get_or_insert_with(Default::default).poll_interval_seconds;
                $body
            }
            "change_capture.conflict_policy" => {
                let $slot = &mut p.change_capture.get_or_insert_with(Default::default).conflict_policy;
                $body
            }
            _ => $missing,
        }
    }};
}

/// A value that a form field shows and sets.
trait Slot {
    fn show(&self) -> String;
    fn take(&mut self, raw: Option<&str>) -> Result<(), String>;
    /// An enum's number (only `i32` slots have one).
    fn number(&self) -> Option<i32> {
        None
    }
    fn set_number(&mut self, _number: i32) {}
}

impl Slot for String {
    fn show(&self) -> String {
        self.clone()
    }
    fn take(&mut self, raw: Option<&str>) -> Result<(), String> {
        *self = raw.unwrap_or_default().trim().to_owned();
        Ok(())
    }
}

impl Slot for bool {
    fn show(&self) -> String {
        if *self { "true".into() } else { String::new() }
    }
    /// A checkbox sends its field only when checked.
    fn take(&mut self, raw: Option<&str>) -> Result<(), String> {
        *self = raw.is_some();
        Ok(())
    }
}

impl Slot for i32 {
    fn show(&self) -> String {
        self.to_string()
    }
    fn take(&mut self, raw: Option<&str>) -> Result<(), String> {
        let raw = raw.unwrap_or_default().trim();
        *self = raw.parse().map_err(|_| format!("must be a whole number, got {raw:?}"))?;
        Ok(())
    }
    fn number(&self) -> Option<i32> {
        Some(*self)
    }
    fn set_number(&mut self, number: i32) {
        *self = number;
    }
}

/// The field's value as the form shows it (enums by proto name, lists one entry a line).
pub(super) fn get(values: &pb::StoreSettings, path: &str) -> String {
    if settings_lists::is_list(path) {
        return settings_lists::get(values, path);
    }
    let mut copy = values.clone();
    if matches!(
        SECTIONS.iter().flat_map(|(_, f)| f.iter()).find(|f| f.path == path),
        Some(Field { input: Input::Select(_), .. })
    ) {
        return with_slot!(
            &mut copy,
            path,
            |slot| slot.number().map(|n| enum_name(path, n)).unwrap_or_default(),
            String::new()
        );
    }
    with_slot!(&mut copy, path, |slot| slot.show(), String::new())
}

pub(super) fn set(values: &mut pb::StoreSettings, field: &Field, raw: Option<&str>) -> Result<(), String> {
    if let Input::Lines = field.input {
        return settings_lists::set(values, field.path, raw.unwrap_or_default());
    }
    if let Input::Select(_) = field.input {
        let name = raw.unwrap_or_default();
        let number = enum_number(field.path, name).ok_or_else(|| format!("{name:?} is not one of the choices"))?;
        with_slot!(values, field.path, |slot| slot.set_number(number), ());
        return Ok(());
    }
    with_slot!(values, field.path, |slot| slot.take(raw), Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settings::StoreSettings;

    #[test]
    fn every_field_has_a_slot() {
        let mut values = crate::api::settings_convert::to_proto(&StoreSettings::default());
        for field in SECTIONS.iter().flat_map(|(_, fields)| fields.iter()) {
            let known = settings_lists::is_list(field.path) || with_slot!(&mut values, field.path, |_slot| true, false);
            assert!(known, "{}", field.path);
        }
    }

    #[test]
    fn every_path_the_rpc_edits_is_on_the_form() {
        for path in crate::api::field_mask::LEAF_PATHS {
            let on_form = SECTIONS.iter().flat_map(|(_, fields)| fields.iter()).any(|f| f.path == *path);
            assert!(on_form, "{path} is not on the console's settings form");
        }
    }
}
