//! The DML rules applied to converted values, each with Salesforce's error code and message:
//! string length, e-mail syntax, restricted picklists, numeric range, lookup Ids, required fields.

use serde_json::{Map, Value};

use super::ReferenceCheck;
use crate::errors::{ErrorCode, SfError};
use crate::ids::SfId;
use crate::schema::Schema;
use crate::schema::field::{FieldSchema, FieldType, Reference};
use crate::schema::object::ObjectSchema;

/// `INVALID_FIELD` for a key that is neither a field nor a relationship of the object.
pub(super) fn unknown_field(key: &str, object: &ObjectSchema) -> SfError {
    let message = format!("No such column '{key}' on sobject of type {}", object.name);
    SfError::new(ErrorCode::InvalidField, message, Vec::new())
}

/// `INVALID_FIELD_FOR_INSERT_UPDATE` listing every field the operation may not write.
pub(super) fn not_writable(fields: Vec<String>) -> SfError {
    let message = format!(
        "Unable to create/update fields: {}. Please check the security settings of this field and \
         verify that it is read/write for your profile or permission set.",
        fields.join(", ")
    );
    SfError::new(ErrorCode::InvalidFieldForInsertUpdate, message, fields)
}

/// `REQUIRED_FIELD_MISSING` for required fields absent on insert, or set to null on any write.
pub(super) fn missing_required(
    object: &ObjectSchema,
    values: &Map<String, Value>,
    looked_up: &[&str],
    insert: bool,
) -> Option<SfError> {
    let missing: Vec<String> = object
        .fields()
        .iter()
        .filter(|field| !looked_up.contains(&field.name.as_str()))
        .filter(|field| match values.get(&field.name) {
            Some(value) => value.is_null() && !field.nillable,
            None => insert && field.is_required_on_create(),
        })
        .map(|field| field.name.clone())
        .collect();
    if missing.is_empty() {
        return None;
    }
    let message = format!("Required fields are missing: [{}]", missing.join(", "));
    Some(SfError::new(ErrorCode::RequiredFieldMissing, message, missing))
}

/// Applies the rules for one non-null value. Lookup Ids are rewritten to 18 characters and
/// returned for the existence check the store must make.
pub(super) fn check_value(
    schema: &Schema,
    object: &ObjectSchema,
    field: &FieldSchema,
    value: &mut Value,
) -> Result<Option<ReferenceCheck>, SfError> {
    let label = &field.label;
    let fail = |code: ErrorCode, message: String| Err(SfError::on_field(code, message, &field.name));
    if let Value::String(text) = &*value
        && let Some(max) = field.field_type.max_length()
        && text.chars().count() > max as usize
        && field.field_type.reference().is_none()
    {
        let message = format!("{label}: data value too large: {text} (max length={max})");
        return fail(ErrorCode::StringTooLong, message);
    }
    match (&field.field_type, &*value) {
        (FieldType::Email, Value::String(text)) if !is_email(text) => {
            fail(ErrorCode::InvalidEmailAddress, format!("{label}: invalid email address: {text}"))
        }
        (FieldType::Picklist { values, restricted: true, .. }, Value::String(text))
            if !is_address_code(object, &field.name) && !values.iter().any(|v| v.active && v.value == *text) =>
        {
            let message = format!("{label}: bad value for restricted picklist field: {text}");
            fail(ErrorCode::InvalidOrNullForRestrictedPicklist, message)
        }
        (FieldType::Reference(reference), Value::String(text)) => {
            let check = reference_id(schema, field, reference, text)?;
            *value = Value::String(check.id.as_str().to_owned());
            Ok(Some(check))
        }
        (field_type, Value::Number(number)) if !in_range(field_type, number.as_f64()) => {
            let shown = match number.as_f64() {
                Some(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", n as i64),
                _ => number.to_string(),
            };
            let message = format!("{label}: value outside of valid range on numeric field: {shown}");
            fail(ErrorCode::NumberOutsideValidRange, message)
        }
        _ => Ok(None),
    }
}

/// A lookup value must be a well-formed Id of one of the referenced objects.
fn reference_id(
    schema: &Schema,
    field: &FieldSchema,
    reference: &Reference,
    text: &str,
) -> Result<ReferenceCheck, SfError> {
    let incorrect = |code: ErrorCode, shown: &str| {
        let message = format!("{}: id value of incorrect type: {shown}", field.label);
        SfError::on_field(code, message, &field.name)
    };
    let id = SfId::parse(text).map_err(|_| incorrect(ErrorCode::MalformedId, text))?;
    let target = schema
        .object_for_id(&id)
        .filter(|object| reference.to.contains(&object.name))
        .ok_or_else(|| incorrect(ErrorCode::FieldIntegrityException, id.as_str()))?;
    Ok(ReferenceCheck { field: field.name.clone(), object: target.name.clone(), id })
}

/// The `*StateCode`/`*CountryCode` picklists are checked by the address rules instead.
fn is_address_code(object: &ObjectSchema, name: &str) -> bool {
    object.addresses().iter().any(|group| name == group.field("StateCode") || name == group.field("CountryCode"))
}

/// Whole digits must fit `precision - scale` (or `digits` for integers).
fn in_range(field_type: &FieldType, number: Option<f64>) -> bool {
    let whole_digits = match field_type {
        FieldType::Double { precision, scale }
        | FieldType::Currency { precision, scale }
        | FieldType::Percent { precision, scale } => precision.saturating_sub(*scale),
        FieldType::Int { digits } => *digits,
        _ => return true,
    };
    number.is_some_and(|n| n.abs() < 10f64.powi(i32::from(whole_digits)))
}

/// A permissive address check in the spirit of Salesforce's: `local@domain.tld`, no spaces.
fn is_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c);
    !local.is_empty()
        && local.chars().all(allowed)
        && !local.starts_with('.')
        && !local.ends_with('.')
        && domain.contains('.')
        && domain
            .split('.')
            .all(|label| !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && !text.contains("..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_syntax() {
        for good in ["a@b.co", "first.last+tag@mail.example.com", "o'neil@x.io"] {
            assert!(is_email(good), "{good}");
        }
        for bad in ["x", "a@b", "a b@c.de", "@b.co", "a@@b.co", "a@b..co", "a..b@c.de", "a@-.", "a@b.co."] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn numeric_ranges() {
        let currency = FieldType::currency();
        assert!(in_range(&currency, Some(999_999_999_999_999.0)));
        assert!(!in_range(&currency, Some(1e16)));
        let percent = FieldType::Percent { precision: 3, scale: 0 };
        assert!(in_range(&percent, Some(100.0)));
        assert!(!in_range(&percent, Some(1000.0)));
        assert!(!in_range(&FieldType::Int { digits: 2 }, Some(-100.0)));
    }
}
