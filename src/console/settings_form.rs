//! The settings form: which settings the console edits (by their
//! `StoreSettings` field-mask path), how each reads from and writes to the
//! wire message, and which paths a submitted form changed. Validation is
//! not here: the changed paths go through UpdateStoreConfig's own merge and
//! checks, so the console and the RPC accept exactly the same settings.

use std::collections::HashMap;

use serde::Serialize;

use crate::pb;

/// How a setting is entered.
#[derive(Debug, Clone, Copy)]
pub enum Input {
    Text,
    Number,
    Check,
    /// The enum's proto names with labels.
    Select(&'static [(&'static str, &'static str)]),
}

/// One editable setting.
#[derive(Debug)]
pub struct Field {
    pub path: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub help: &'static str,
}

const fn f(path: &'static str, label: &'static str, input: Input, help: &'static str) -> Field {
    Field { path, label, input, help }
}

use Input::{Check, Number, Select, Text};

const MODES: &[(&str, &str)] = &[
    ("INTEGRATION_MODE_STORE_TO_SALESFORCE", "Store to Salesforce"),
    ("INTEGRATION_MODE_BIDIRECTIONAL", "Bidirectional"),
];
const AUTH: &[(&str, &str)] = &[
    ("AUTH_METHOD_PASSWORD", "Username, password and security token"),
    ("AUTH_METHOD_OAUTH_CLIENT_CREDENTIALS", "OAuth client credentials"),
    ("AUTH_METHOD_OAUTH_JWT_BEARER", "OAuth JWT bearer"),
];
const QUEUES: &[(&str, &str)] =
    &[("QUEUE_MODE_STANDARD", "Standard (database queue)"), ("QUEUE_MODE_RABBITMQ", "RabbitMQ")];
const ORDERS: &[(&str, &str)] = &[
    ("CREATE_ORDER_MODE_PAID_ONLY", "Paid orders only"),
    ("CREATE_ORDER_MODE_EVERY_ORDER", "Every order"),
    ("CREATE_ORDER_MODE_NEVER", "Never"),
];
const OPPORTUNITIES: &[(&str, &str)] =
    &[("CREATE_OPPORTUNITY_MODE_EVERY_ORDER", "Every cart and order"), ("CREATE_OPPORTUNITY_MODE_NEVER", "Never")];

/// The form's sections, in page order.
pub const SECTIONS: &[(&str, &[Field])] = &[
    (
        "Connection",
        &[
            f("connection.auth_method", "Auth method", Select(AUTH), "Secrets are set with SetCredentials or the CLI."),
            f(
                "connection.login_url",
                "Login URL",
                Text,
                "https://login.salesforce.com, test.salesforce.com or My Domain.",
            ),
            f("connection.api_version", "API version", Text, "For example 62.0."),
            f("connection.username", "Username", Text, ""),
            f("connection.client_id", "OAuth client id", Text, "For the OAuth methods."),
        ],
    ),
    (
        "Sync",
        &[
            f("integration_mode", "Integration mode", Select(MODES), ""),
            f("queue_mode", "Message queue", Select(QUEUES), ""),
            f("state_country_picklists", "State and country picklists", Check, "Send ISO codes (BillingStateCode…)."),
            f("person_accounts", "Person Accounts for B2C customers", Check, ""),
        ],
    ),
    (
        "Opportunities",
        &[
            f("create_opportunity", "Create opportunity", Select(OPPORTUNITIES), ""),
            f("abandoned_cart_stage", "Abandoned cart stage", Text, "StageName when checkout starts."),
            f("draft_stage", "Default draft stage", Text, "StageName while placed but not paid."),
            f("sales_cycle_days", "Sales cycle length (days)", Number, "CloseDate = creation + N days, 1–3650."),
            f("convert_opportunity.enabled", "Convert opportunity when paid", Check, ""),
            f("convert_opportunity.converted_stage", "Converted stage", Text, ""),
            f("invoice_date_as_close_date", "Use invoice date as close date", Check, ""),
            f("contact_roles.enabled", "Contact roles", Check, ""),
            f("contact_roles.role", "Contact role", Text, ""),
        ],
    ),
    (
        "Orders",
        &[
            f("create_order", "Create order", Select(ORDERS), ""),
            f("pricebook", "Price book", Text, "Pricebook2 Id or name; empty for the standard one."),
            f("shipment.tracking_number_field", "Tracking number field", Text, "Order field API name."),
            f("shipment.carrier_field", "Carrier field", Text, ""),
            f("shipment.ship_date_field", "Ship date field", Text, ""),
            f("shipment.shipped_status", "Shipped status", Text, "Order Status when fully shipped."),
        ],
    ),
    (
        "Inventory",
        &[
            f("inventory.enabled", "Inventory sync", Check, ""),
            f("inventory.object", "Object", Text, "For example Product2."),
            f("inventory.quantity_field", "Quantity field", Text, ""),
            f("inventory.match_field", "Match field", Text, "For example ProductCode."),
            f("inventory.create_missing", "Create missing records", Check, ""),
        ],
    ),
    (
        "Order download",
        &[
            f("order_download.enabled", "Order download", Check, ""),
            f("order_download.soql_filter", "SOQL filter", Text, ""),
            f("order_download.start_date", "Start date", Text, "YYYY-MM-DD"),
        ],
    ),
    (
        "Logging",
        &[
            f("logging.enabled", "Enable log", Check, ""),
            f("logging.database_logging", "Database logging", Check, ""),
            f("logging.database_log_limit", "Database log limit (rows)", Number, ""),
        ],
    ),
];

/// A field as the template shows it.
#[derive(Debug, Serialize)]
pub struct FieldView {
    pub path: &'static str,
    /// The input's id (the path with dots as dashes).
    pub id: String,
    pub label: &'static str,
    pub kind: &'static str,
    pub value: String,
    pub checked: bool,
    pub options: Vec<(&'static str, &'static str)>,
    pub help: &'static str,
    pub error: Option<String>,
}

/// A section as the template shows it.
#[derive(Debug, Serialize)]
pub struct SectionView {
    pub title: &'static str,
    pub fields: Vec<FieldView>,
}

/// The form for `values` (the saved settings, or what was submitted), with
/// each field's error (by path) beside it.
pub fn view(values: &pb::StoreSettings, errors: &HashMap<String, String>) -> Vec<SectionView> {
    SECTIONS
        .iter()
        .map(|(title, fields)| SectionView {
            title,
            fields: fields
                .iter()
                .map(|field| {
                    let value = get(values, field.path);
                    let (kind, options) = match field.input {
                        Text => ("text", Vec::new()),
                        Number => ("number", Vec::new()),
                        Check => ("checkbox", Vec::new()),
                        Select(options) => ("select", options.to_vec()),
                    };
                    FieldView {
                        path: field.path,
                        id: field.path.replace('.', "-"),
                        label: field.label,
                        kind,
                        checked: value == "true",
                        value,
                        options,
                        help: field.help,
                        error: errors.get(field.path).cloned(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// Applies a submitted form to `current`: the new message, the paths whose
/// value changed, and the fields that could not even be read (a number
/// that is not one), by path.
pub fn apply(
    current: &pb::StoreSettings,
    form: &HashMap<String, String>,
) -> (pb::StoreSettings, Vec<String>, HashMap<String, String>) {
    let mut next = current.clone();
    let (mut changed, mut errors) = (Vec::new(), HashMap::new());
    for field in SECTIONS.iter().flat_map(|(_, fields)| fields.iter()) {
        let raw = form.get(field.path).map(String::as_str);
        if let Err(error) = set(&mut next, field, raw) {
            errors.insert(field.path.to_owned(), error);
            continue;
        }
        if get(&next, field.path) != get(current, field.path) {
            changed.push(field.path.to_owned());
        }
    }
    (next, changed, errors)
}

fn enum_name(path: &str, raw: i32) -> String {
    let name = match path {
        "integration_mode" => pb::IntegrationMode::try_from(raw).ok().map(|e| e.as_str_name()),
        "queue_mode" => pb::QueueMode::try_from(raw).ok().map(|e| e.as_str_name()),
        "create_order" => pb::CreateOrderMode::try_from(raw).ok().map(|e| e.as_str_name()),
        "create_opportunity" => pb::CreateOpportunityMode::try_from(raw).ok().map(|e| e.as_str_name()),
        "connection.auth_method" => pb::AuthMethod::try_from(raw).ok().map(|e| e.as_str_name()),
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

/// The field's value as the form shows it (enums by proto name).
pub fn get(values: &pb::StoreSettings, path: &str) -> String {
    let mut copy = values.clone();
    if matches!(
        SECTIONS.iter().flat_map(|(_, f)| f.iter()).find(|f| f.path == path),
        Some(Field { input: Select(_), .. })
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

fn set(values: &mut pb::StoreSettings, field: &Field, raw: Option<&str>) -> Result<(), String> {
    if let Select(_) = field.input {
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

    fn saved() -> pb::StoreSettings {
        crate::api::settings_convert::to_proto(&StoreSettings::default())
    }

    /// The form as the browser sends it for `values` (unchecked boxes absent).
    fn submitted(values: &pb::StoreSettings) -> HashMap<String, String> {
        SECTIONS
            .iter()
            .flat_map(|(_, fields)| fields.iter())
            .filter_map(|field| {
                let value = get(values, field.path);
                match field.input {
                    Check if value.is_empty() => None,
                    _ => Some((field.path.to_owned(), value)),
                }
            })
            .collect()
    }

    #[test]
    fn an_unchanged_form_changes_nothing() {
        let current = saved();
        let (next, changed, errors) = apply(&current, &submitted(&current));
        assert!(changed.is_empty() && errors.is_empty(), "{changed:?} {errors:?}");
        assert_eq!(next, current);
    }

    #[test]
    fn changed_fields_are_named_by_their_mask_path() {
        let current = saved();
        let mut form = submitted(&current);
        form.insert("sales_cycle_days".into(), "45".into());
        form.insert("create_order".into(), "CREATE_ORDER_MODE_EVERY_ORDER".into());
        form.insert("contact_roles.enabled".into(), "on".into());
        form.remove("logging.enabled");
        let (next, mut changed, errors) = apply(&current, &form);
        changed.sort();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(next.sales_cycle_days, 45);
        assert_eq!(next.create_order, pb::CreateOrderMode::EveryOrder as i32);
        let expected = ["create_order", "logging.enabled", "sales_cycle_days"];
        let expected: Vec<&str> = if current.contact_roles.as_ref().is_some_and(|c| c.enabled) {
            expected.to_vec()
        } else {
            let mut all = expected.to_vec();
            all.insert(1, "contact_roles.enabled");
            all
        };
        assert_eq!(changed, expected);
    }

    #[test]
    fn unreadable_values_are_reported_by_path() {
        let current = saved();
        let mut form = submitted(&current);
        form.insert("sales_cycle_days".into(), "soon".into());
        form.insert("queue_mode".into(), "QUEUE_MODE_CARRIER_PIGEON".into());
        let (_, _, errors) = apply(&current, &form);
        assert!(errors["sales_cycle_days"].contains("whole number"), "{errors:?}");
        assert!(errors["queue_mode"].contains("not one of the choices"), "{errors:?}");
    }

    #[test]
    fn every_field_has_a_slot() {
        let mut values = saved();
        for field in SECTIONS.iter().flat_map(|(_, fields)| fields.iter()) {
            let known = with_slot!(&mut values, field.path, |_slot| true, false);
            assert!(known, "{}", field.path);
        }
    }
}
