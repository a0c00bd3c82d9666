//! The store's own field mappings applied to one planned write, after the
//! default mapping (a rule for a field the default mapping sets wins). A rule
//! whose source the record lacks writes nothing. When a rule maps the order's
//! payment or shipping method, the default `Order.Description` (which only
//! carries them because no field did) is left out.

use serde_json::Value;

use super::Sources;
use super::paths::resolve;
use crate::domain::lifecycle::PlannedWrite;
use crate::domain::settings::{FieldMapping, MappingSource, Transform};

/// Sets every rule of `write`'s object on it.
pub fn apply(rules: &[FieldMapping], sources: &Sources<'_>, write: &mut PlannedWrite) {
    let mine: Vec<&FieldMapping> = rules.iter().filter(|rule| rule.object.as_str() == write.object).collect();
    if mine.is_empty() {
        return;
    }
    let maps_methods = mine.iter().any(|rule| {
        matches!(&rule.source, MappingSource::Path(p) if matches!(p.as_str(), "order.payment_method" | "order.shipping_method"))
    });
    if write.object == "Order" && maps_methods {
        write.fields.remove("Description");
    }
    let line = if write.object == "OrderItem" { sources.line_of(&write.key) } else { None };
    for rule in mine {
        let value = match &rule.source {
            MappingSource::Constant(text) => Some(Value::String(text.clone())),
            MappingSource::Path(path) => resolve(path, sources, line),
        };
        if let Some(value) = value {
            write.fields.insert(rule.field.to_string(), transformed(value, &rule.transforms));
        }
    }
}

/// `value` through each transform in order.
pub fn transformed(mut value: Value, transforms: &[Transform]) -> Value {
    for transform in transforms {
        value = match transform {
            Transform::Upper => Value::String(as_text(&value).to_uppercase()),
            Transform::Lower => Value::String(as_text(&value).to_lowercase()),
            Transform::Truncate(length) => {
                let max = usize::try_from(*length).unwrap_or(usize::MAX);
                Value::String(as_text(&value).chars().take(max).collect())
            }
            Transform::DateFormat(pattern) => {
                let text = as_text(&value);
                match chrono::NaiveDate::parse_from_str(text.get(..10).unwrap_or(&text), "%Y-%m-%d") {
                    Ok(date) => {
                        let mut out = String::new();
                        // The pattern was checked when the rule was saved; a failure keeps the value.
                        match std::fmt::write(&mut out, format_args!("{}", date.format(pattern))) {
                            Ok(()) => Value::String(out),
                            Err(_) => value,
                        }
                    }
                    Err(_) => value,
                }
            }
            Transform::ValueMap(map) => match map.get(&as_text(&value)) {
                Some(mapped) => Value::String(mapped.clone()),
                None => value,
            },
        };
    }
    value
}

/// The text a value stands for (`12.5`, `true`, the string itself).
fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn transforms_apply_in_order() {
        let map: BTreeMap<String, String> = [("gold".to_owned(), "Gold Tier".to_owned())].into();
        let text = |s: &str| Value::String(s.into());
        assert_eq!(transformed(text("gold"), &[Transform::ValueMap(map.clone()), Transform::Upper]), text("GOLD TIER"));
        assert_eq!(transformed(text("silver"), &[Transform::ValueMap(map)]), text("silver"), "unlisted passes");
        assert_eq!(transformed(text("Ab"), &[Transform::Lower]), text("ab"));
        assert_eq!(transformed(text("abcdef"), &[Transform::Truncate(3)]), text("abc"));
        let date = [Transform::DateFormat("%d/%m/%Y".into())];
        assert_eq!(transformed(text("2026-12-04"), &date), text("04/12/2026"));
        assert_eq!(transformed(text("soon"), &date), text("soon"), "not a date: unchanged");
        assert_eq!(transformed(serde_json::json!(12.5), &[Transform::Truncate(2)]), text("12"));
        assert_eq!(transformed(serde_json::json!(true), &[Transform::Upper]), text("TRUE"));
    }
}
