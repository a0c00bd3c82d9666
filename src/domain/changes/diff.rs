//! Which watched fields a polled record changed: a field changed when
//! Salesforce now holds another value than forcesync last knew (what it
//! wrote, or what it last saw and delivered). A poll that finds forcesync's
//! own write, or a record touched without a watched field changing, yields
//! nothing, whoever the last modifier was.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One watched field's new value, with the value forcesync knew before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldChange {
    pub field: String,
    pub old: Value,
    pub new: Value,
}

/// Whether two Salesforce values are the same value: numbers by value (a
/// currency written as `12.5` reads back as `12.5` or `12.50`), text exactly.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Number(x), Value::String(y)) | (Value::String(y), Value::Number(x)) => {
            y.parse::<f64>().ok() == x.as_f64()
        }
        _ => a == b,
    }
}

/// The watched fields of `polled` (a query row) that differ from `known`.
/// A field forcesync knows nothing of yet is not a change: its value becomes
/// what is known from now on.
pub fn changed_fields<'a>(
    watched: impl IntoIterator<Item = &'a str>,
    known: &Map<String, Value>,
    polled: &Map<String, Value>,
) -> Vec<FieldChange> {
    let mut changes = Vec::new();
    for field in watched {
        let (Some(old), Some(new)) = (known.get(field), polled.get(field)) else { continue };
        if !same_value(old, new) {
            changes.push(FieldChange { field: field.to_owned(), old: old.clone(), new: new.clone() });
        }
    }
    changes
}

/// The watched fields' values of a query row, to remember as known.
pub fn watched_values<'a>(watched: impl IntoIterator<Item = &'a str>, row: &Map<String, Value>) -> Map<String, Value> {
    watched.into_iter().filter_map(|field| row.get(field).map(|value| (field.to_owned(), value.clone()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn only_watched_fields_that_differ_from_what_is_known_change() {
        let known = map(json!({"Phone": "555-0100", "Name": "Acme", "Fax": "1"}));
        let polled = map(json!({"Phone": "555-0199", "Name": "Acme", "Fax": "2", "Id": "001"}));
        let changes = changed_fields(["Phone", "Name"], &known, &polled);
        assert_eq!(changes, [FieldChange { field: "Phone".into(), old: json!("555-0100"), new: json!("555-0199") }]);
    }

    #[test]
    fn forcesyncs_own_write_read_back_is_no_change() {
        let written = map(json!({"Status": "Activated", "Amount": 12.5}));
        let polled = map(json!({"Status": "Activated", "Amount": 12.50}));
        assert!(changed_fields(["Status", "Amount"], &written, &polled).is_empty());
        let as_text = map(json!({"Amount": "12.50"}));
        assert!(changed_fields(["Amount"], &written, &as_text).is_empty());
    }

    #[test]
    fn a_cleared_field_is_a_change_and_an_unknown_one_is_not() {
        let known = map(json!({"Phone": "555"}));
        let polled = map(json!({"Phone": null, "Email": "a@example.com"}));
        let changes = changed_fields(["Phone", "Email"], &known, &polled);
        assert_eq!(changes, [FieldChange { field: "Phone".into(), old: json!("555"), new: Value::Null }]);
    }

    #[test]
    fn watched_values_keep_only_watched_fields_present_in_the_row() {
        let row = map(json!({"Id": "001", "Phone": "1", "Name": null}));
        assert_eq!(watched_values(["Phone", "Name", "Fax"], &row), map(json!({"Phone": "1", "Name": null})));
    }
}
