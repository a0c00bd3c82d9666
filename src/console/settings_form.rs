//! The settings form: the fields as the template shows them (with each
//! one's error beside it), and which paths a submitted form changed. Which
//! settings there are lives in `settings_fields`, how each is read and
//! written in `settings_slots`. Validation is not here: the changed paths go
//! through UpdateStoreConfig's own merge and checks, so the console and the
//! RPC accept exactly the same settings.

use std::collections::HashMap;

use serde::Serialize;

use crate::pb;

use super::settings_fields::{Input, SECTIONS};
use super::settings_lists::normalize;
use super::settings_slots::{get, set};

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
    /// A textarea's height.
    pub rows: usize,
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
/// each field's error (by path) beside it. A list shows its `raw` text when
/// given (a refused form keeps what was typed, so line numbers match).
pub fn view(
    values: &pb::StoreSettings,
    errors: &HashMap<String, String>,
    raw: &HashMap<String, String>,
) -> Vec<SectionView> {
    SECTIONS
        .iter()
        .map(|(title, fields)| SectionView {
            title,
            fields: fields
                .iter()
                .map(|field| {
                    let value = match (field.input, raw.get(field.path)) {
                        (Input::Lines, Some(raw)) => raw.clone(),
                        _ => get(values, field.path),
                    };
                    let (kind, options) = match field.input {
                        Input::Lines => ("textarea", Vec::new()),
                        Input::Text => ("text", Vec::new()),
                        Input::Number => ("number", Vec::new()),
                        Input::Check => ("checkbox", Vec::new()),
                        Input::Select(options) => ("select", options.to_vec()),
                    };
                    FieldView {
                        path: field.path,
                        id: field.path.replace('.', "-"),
                        label: field.label,
                        kind,
                        checked: value == "true",
                        rows: value.lines().count().clamp(2, 20) + 1,
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
/// that is not one, a list line without its parts), by path. A list whose
/// text is the saved one (blank lines and spacing aside) or that is
/// missing from the form is left alone.
pub fn apply(
    current: &pb::StoreSettings,
    form: &HashMap<String, String>,
) -> (pb::StoreSettings, Vec<String>, HashMap<String, String>) {
    let mut next = current.clone();
    let (mut changed, mut errors) = (Vec::new(), HashMap::new());
    for field in SECTIONS.iter().flat_map(|(_, fields)| fields.iter()) {
        let raw = form.get(field.path).map(String::as_str);
        if let Input::Lines = field.input {
            let untouched = raw.is_none_or(|raw| normalize(raw) == normalize(&get(current, field.path)));
            if untouched {
                continue;
            }
        }
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
                    Input::Check if value.is_empty() => None,
                    Input::Lines => Some((field.path.to_owned(), value.replace('\n', "\r\n"))),
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
    fn a_list_is_changed_only_when_its_lines_change() {
        let current = saved();
        let mut form = submitted(&current);
        let (_, changed, _) = apply(&current, &form);
        assert!(changed.is_empty(), "CRLF line endings are not a change: {changed:?}");
        form.insert("order_status_map".into(), "canceled | Cancelled | Closed Lost\nrefunded | | Closed Lost".into());
        form.insert("external_id_fields".into(), "line without parts".into());
        let (next, changed, errors) = apply(&current, &form);
        assert_eq!(changed, ["order_status_map"]);
        assert_eq!(next.order_status_map.len(), 2);
        assert!(errors["external_id_fields"].contains("line 1: not 2 parts"), "{errors:?}");
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
}
