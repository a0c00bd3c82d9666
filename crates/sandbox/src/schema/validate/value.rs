//! Reading one input value into the field's type ("deserialisation"): JSON type mismatches and
//! unparseable dates or numbers fail here, before any DML rule runs. Dates and datetimes come out in
//! Salesforce's output format (`2024-05-01`, `2024-05-01T10:00:00.000+0000`).

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde_json::{Number, Value};

use crate::errors::{ErrorCode, SfError};
use crate::schema::field::{FieldSchema, FieldType};

/// Where the values come from; it decides how a type error is reported.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InputFormat {
    /// A REST/composite JSON body: type errors are `JSON_PARSER_ERROR`.
    #[default]
    Json,
    /// A Bulk 2.0 CSV row (all values strings): type errors are `INVALID_TYPE_ON_FIELD_IN_RECORD`.
    Csv,
}

/// Converts `raw` to the stored form for `field`; `Value::Null` clears the field.
pub fn convert(field: &FieldSchema, raw: &Value, format: InputFormat) -> Result<Value, SfError> {
    let fail = || type_error(field, raw, format);
    let text = |value: &Value| match value {
        Value::String(s) if s.is_empty() => Ok(Value::Null),
        Value::String(s) => Ok(Value::String(s.clone())),
        Value::Number(n) => Ok(Value::String(n.to_string())),
        Value::Bool(b) => Ok(Value::String(b.to_string())),
        _ => Err(fail()),
    };
    if raw.is_null() {
        // Checkboxes are never null: clearing one sets it to false [unconfirmed].
        return Ok(if field.field_type == FieldType::Boolean { Value::Bool(false) } else { Value::Null });
    }
    if raw.as_str() == Some("") && !matches!(field.field_type, FieldType::Boolean) {
        return Ok(Value::Null);
    }
    match &field.field_type {
        FieldType::Boolean => match raw {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => Err(fail()),
        },
        FieldType::Int { .. } => integer(raw).map(Value::from).ok_or_else(fail),
        FieldType::Double { scale, .. } | FieldType::Currency { scale, .. } | FieldType::Percent { scale, .. } => {
            decimal(raw, *scale).ok_or_else(fail)
        }
        FieldType::Date => raw.as_str().and_then(parse_date).map(Value::String).ok_or_else(fail),
        FieldType::DateTime => raw.as_str().and_then(parse_datetime).map(Value::String).ok_or_else(fail),
        FieldType::Address => Ok(raw.clone()),
        _ => text(raw),
    }
}

fn integer(raw: &Value) -> Option<i64> {
    match raw {
        Value::Number(n) => n.as_i64().or_else(|| {
            let f = n.as_f64()?;
            (f.fract() == 0.0 && f.abs() < 9.0e15).then_some(f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn decimal(raw: &Value, scale: u8) -> Option<Value> {
    let value = match raw {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    let factor = 10f64.powi(i32::from(scale));
    let rounded = if value.is_finite() { (value * factor).round() / factor } else { value };
    Number::from_f64(rounded).map(Value::Number)
}

/// `yyyy-MM-dd` → the same, canonicalised.
pub fn parse_date(text: &str) -> Option<String> {
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()?;
    Some(date.format("%Y-%m-%d").to_string())
}

/// `yyyy-MM-ddTHH:mm:ss[.SSS](Z|±HH:mm|±HHmm)`, or no zone (taken as UTC [unconfirmed]) →
/// `yyyy-MM-ddTHH:mm:ss.SSS+0000` in UTC.
pub fn parse_datetime(text: &str) -> Option<String> {
    let text = text.trim();
    let utc = DateTime::parse_from_rfc3339(text)
        .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .map(|dt| dt.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f").map(|n| n.and_utc()))
        .ok()?;
    Some(format_datetime(&utc))
}

/// Salesforce's dateTime output: milliseconds and a `+0000` offset without colon.
pub fn format_datetime(value: &DateTime<Utc>) -> String {
    value.format("%Y-%m-%dT%H:%M:%S%.3f+0000").to_string()
}

/// A parent reference object with no key field in it.
pub(super) fn empty_reference(raw: &Value) -> SfError {
    let message = format!(
        "Cannot deserialize instance of reference from {} value {{ or request may be missing a required field",
        token(raw)
    );
    SfError::new(ErrorCode::JsonParserError, message, Vec::new())
}

fn type_error(field: &FieldSchema, raw: &Value, format: InputFormat) -> SfError {
    let shown = match raw {
        Value::String(s) => s.clone(),
        Value::Object(_) => "{".to_owned(),
        Value::Array(_) => "[".to_owned(),
        other => other.to_string(),
    };
    match format {
        InputFormat::Csv => SfError::on_field(
            ErrorCode::InvalidTypeOnFieldInRecord,
            format!("{}: value not of required type: {shown}", field.label),
            &field.name,
        ),
        // The real message ends with " at [line:L, column:C]"; we have no positions to report.
        InputFormat::Json => SfError::new(
            ErrorCode::JsonParserError,
            format!(
                "Cannot deserialize instance of {} from {} value {shown} or request may be missing a required field",
                field.field_type.sf_name(),
                token(raw),
            ),
            Vec::new(),
        ),
    }
}

/// The Jackson token name Salesforce's parser errors mention.
fn token(raw: &Value) -> &'static str {
    match raw {
        Value::String(_) => "VALUE_STRING",
        Value::Number(n) if n.is_f64() => "VALUE_NUMBER_FLOAT",
        Value::Number(_) => "VALUE_NUMBER_INT",
        Value::Bool(true) => "VALUE_TRUE",
        Value::Bool(false) => "VALUE_FALSE",
        Value::Object(_) => "START_OBJECT",
        Value::Array(_) => "START_ARRAY",
        Value::Null => "VALUE_NULL",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(field_type: FieldType) -> FieldSchema {
        FieldSchema::new("X", "X Label", field_type)
    }

    fn ok(field_type: FieldType, raw: Value) -> Option<Value> {
        convert(&field(field_type), &raw, InputFormat::Json).ok()
    }

    #[test]
    fn dates_and_datetimes_are_canonicalised() {
        assert_eq!(ok(FieldType::Date, json!("2024-05-01")), Some(json!("2024-05-01")));
        assert_eq!(ok(FieldType::Date, json!("2024-02-30")), None);
        let expected = Some(json!("2021-11-06T17:38:40.000+0000"));
        for input in [
            "2021-11-06T17:38:40Z",
            "2021-11-06T19:38:40.000+02:00",
            "2021-11-06T12:38:40-0500",
            "2021-11-06T17:38:40.000+0000",
            "2021-11-06T17:38:40",
        ] {
            assert_eq!(ok(FieldType::DateTime, json!(input)), expected, "{input}");
        }
        assert_eq!(ok(FieldType::DateTime, json!("2021-11-06")), None);
    }

    #[test]
    fn numbers_booleans_and_text() {
        assert_eq!(ok(FieldType::currency(), json!(15000)), Some(json!(15000.0)));
        assert_eq!(ok(FieldType::currency(), json!("12.345")), Some(json!(12.35)));
        assert_eq!(ok(FieldType::Int { digits: 9 }, json!(3.0)), Some(json!(3)));
        assert_eq!(ok(FieldType::Int { digits: 9 }, json!(3.5)), None);
        assert_eq!(ok(FieldType::Boolean, json!("TRUE")), Some(json!(true)));
        assert_eq!(ok(FieldType::Boolean, Value::Null), Some(json!(false)));
        assert_eq!(ok(FieldType::text(10), json!(42)), Some(json!("42")));
        assert_eq!(ok(FieldType::text(10), json!("")), Some(Value::Null));
        assert_eq!(ok(FieldType::text(10), json!({"a": 1})), None);
    }

    #[test]
    fn json_type_errors_are_parser_errors() {
        let error = convert(&field(FieldType::Boolean), &json!("yes"), InputFormat::Json).err();
        let message = "Cannot deserialize instance of boolean from VALUE_STRING value yes or request may be missing a required field";
        assert_eq!(error, Some(SfError::new(ErrorCode::JsonParserError, message, Vec::new())));
        let error = convert(&field(FieldType::text(5)), &json!([1]), InputFormat::Json).err();
        assert!(error.is_some_and(|e| { e.message.contains("instance of string from START_ARRAY value [") }));
    }

    #[test]
    fn csv_type_errors_name_the_field() {
        let error = convert(&field(FieldType::currency()), &json!("abc"), InputFormat::Csv).err();
        let expected =
            SfError::on_field(ErrorCode::InvalidTypeOnFieldInRecord, "X Label: value not of required type: abc", "X");
        assert_eq!(error, Some(expected));
    }
}
