//! Turns one custom field spec from the schema file into a [`FieldSchema`], rejecting names,
//! types and options Salesforce would not accept.

use serde_json::Value;

use super::CustomFieldSpec;
use super::apply::check_api_name;
use crate::schema::SchemaError;
use crate::schema::field::{FieldSchema, FieldType, PicklistValue, Reference};

/// Builds a custom field of `object` from its spec.
pub(crate) fn build_field(object: &str, spec: &CustomFieldSpec) -> Result<FieldSchema, SchemaError> {
    if !spec.name.ends_with("__c") {
        let (object, field) = (object.to_owned(), spec.name.clone());
        return Err(SchemaError::MissingCustomSuffix { object, field });
    }
    check_api_name(&spec.name)?;
    let invalid = |message: &str| SchemaError::InvalidField {
        object: object.to_owned(),
        field: spec.name.clone(),
        message: message.to_owned(),
    };
    let field_type = field_type(object, spec, &invalid)?;
    let keyable = matches!(
        field_type,
        FieldType::String { .. } | FieldType::Email | FieldType::Double { .. } | FieldType::Int { .. }
    );
    if (spec.external_id || spec.unique) && !keyable {
        return Err(invalid("externalId and unique need a Text, Email or Number field"));
    }
    let base = spec.name.trim_end_matches("__c");
    let label = spec.label.clone().unwrap_or_else(|| base.replace('_', " "));
    let mut field = FieldSchema::new(&spec.name, &label, field_type);
    if spec.required && field.field_type != FieldType::Boolean {
        field = field.required();
    }
    if spec.external_id {
        field = field.external_id();
    }
    field.unique = spec.unique;
    field.case_sensitive = spec.case_sensitive;
    if let Some(value) = &spec.default_value {
        check_default(&field.field_type, value).map_err(|m| invalid(&m))?;
        field = field.with_default(value.clone());
    }
    Ok(field)
}

fn field_type(
    object: &str,
    spec: &CustomFieldSpec,
    invalid: &dyn Fn(&str) -> SchemaError,
) -> Result<FieldType, SchemaError> {
    let kind = spec.field_type.to_ascii_lowercase().replace([' ', '_'], "");
    let is = |kinds: &[&str]| kinds.contains(&kind.as_str());
    let is_text = is(&["text", "string", "textarea", "longtextarea"]);
    let is_number = is(&["number", "double", "int", "currency", "percent"]);
    let is_lookup = is(&["lookup", "reference"]);
    let kind_name = &spec.field_type;
    let misplaced = |given: bool, fits: bool, option: &str| match given && !fits {
        true => Err(invalid(&format!("{option} is not allowed on a {kind_name} field"))),
        false => Ok(()),
    };
    misplaced(spec.length.is_some(), is_text, "length")?;
    misplaced(spec.precision.or(spec.scale).is_some(), is_number, "precision/scale")?;
    misplaced(!spec.values.is_empty() || spec.restricted, kind == "picklist", "values/restricted")?;
    let relationship = spec.relationship_name.is_some() || spec.child_relationship_name.is_some();
    misplaced(spec.reference_to.is_some() || relationship, is_lookup, "referenceTo/relationship names")?;
    let length = |default: u32, max: u32| match spec.length.unwrap_or(default) {
        n if (1..=max).contains(&n) => Ok(n),
        _ => Err(invalid(&format!("length must be between 1 and {max}"))),
    };
    let number = |precision: u8, scale: u8| {
        let (p, s) = (spec.precision.unwrap_or(precision), spec.scale.unwrap_or(scale));
        if (1..=18).contains(&p) && s <= p {
            Ok((p, s))
        } else {
            Err(invalid("precision must be 1 to 18 and scale at most the precision"))
        }
    };
    Ok(match kind.as_str() {
        "text" | "string" => FieldType::text(length(255, 255)?),
        "textarea" => FieldType::textarea(length(255, 255)?),
        "longtextarea" => FieldType::textarea(length(32768, 131_072)?),
        "email" => FieldType::Email,
        "phone" => FieldType::Phone,
        "url" => FieldType::Url,
        "checkbox" | "boolean" => FieldType::Boolean,
        "date" => FieldType::Date,
        "datetime" => FieldType::DateTime,
        "int" => FieldType::Int { digits: number(9, 0)?.0 },
        "number" | "double" => number(18, 0).map(|(precision, scale)| FieldType::Double { precision, scale })?,
        "currency" => number(18, 2).map(|(precision, scale)| FieldType::Currency { precision, scale })?,
        "percent" => number(5, 2).map(|(precision, scale)| FieldType::Percent { precision, scale })?,
        "picklist" => picklist(spec, invalid)?,
        "lookup" | "reference" => lookup_type(object, spec, invalid)?,
        _ => {
            return Err(SchemaError::UnknownFieldType {
                object: object.to_owned(),
                field: spec.name.clone(),
                field_type: spec.field_type.clone(),
            });
        }
    })
}

fn picklist(spec: &CustomFieldSpec, invalid: &dyn Fn(&str) -> SchemaError) -> Result<FieldType, SchemaError> {
    if spec.values.is_empty() {
        return Err(invalid("a Picklist needs at least one value"));
    }
    let mut values: Vec<PicklistValue> = Vec::new();
    for value in &spec.values {
        if value.trim().is_empty() || values.iter().any(|v| v.value == *value) {
            return Err(invalid(&format!("picklist value {value:?} is empty or repeated")));
        }
        values.push(PicklistValue::plain(value));
    }
    Ok(FieldType::Picklist { values, restricted: spec.restricted, controller: None })
}

fn lookup_type(
    object: &str,
    spec: &CustomFieldSpec,
    invalid: &dyn Fn(&str) -> SchemaError,
) -> Result<FieldType, SchemaError> {
    let to = spec.reference_to.clone().ok_or_else(|| invalid("a Lookup needs referenceTo"))?;
    let base = spec.name.trim_end_matches("__c");
    let relationship_name = spec.relationship_name.clone().unwrap_or_else(|| format!("{base}__r"));
    let child =
        spec.child_relationship_name.clone().unwrap_or_else(|| format!("{}s__r", object.trim_end_matches("__c")));
    Ok(FieldType::Reference(Reference {
        to: vec![to],
        relationship_name,
        child_relationship: Some(child),
        cascade_delete: false,
    }))
}

fn check_default(field_type: &FieldType, value: &Value) -> Result<(), String> {
    let fits = match field_type {
        FieldType::Boolean => value.is_boolean(),
        FieldType::Double { .. } | FieldType::Currency { .. } | FieldType::Percent { .. } => value.is_number(),
        FieldType::Int { .. } => value.is_i64(),
        FieldType::Picklist { values, .. } => {
            return match value.as_str() {
                Some(text) if values.iter().any(|v| v.value == text) => Ok(()),
                _ => Err(format!("default {value} is not one of the picklist values")),
            };
        }
        FieldType::Reference(_) | FieldType::Id | FieldType::Address => false,
        _ => value.is_string(),
    };
    if fits { Ok(()) } else { Err(format!("default {value} does not fit the field type")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(name: &str, field_type: &str) -> CustomFieldSpec {
        CustomFieldSpec::new(name, field_type)
    }

    fn rejected(spec: &CustomFieldSpec) -> bool {
        matches!(build_field("Order", spec), Err(SchemaError::InvalidField { .. }))
    }

    #[test]
    fn field_without_custom_suffix_is_rejected() {
        let error = build_field("Account", &spec("Tier", "Text"));
        assert_eq!(error, Err(SchemaError::MissingCustomSuffix { object: "Account".into(), field: "Tier".into() }));
    }

    #[test]
    fn unknown_type_is_rejected_with_its_name() {
        let error = build_field("Account", &spec("Geo__c", "Geolocation"));
        let expected = SchemaError::UnknownFieldType {
            object: "Account".into(),
            field: "Geo__c".into(),
            field_type: "Geolocation".into(),
        };
        assert_eq!(error, Err(expected));
    }

    #[test]
    fn types_options_and_defaults() {
        let mut text = spec("Carrier__c", "Text");
        text.length = Some(80);
        text.required = true;
        let field = build_field("Order", &text);
        assert!(field.as_ref().is_ok_and(|f| f.field_type == FieldType::text(80) && f.is_required_on_create()));
        assert_eq!(field.map(|f| f.label), Ok("Carrier".to_owned()));
        text.length = Some(256);
        assert!(rejected(&text));
        let mut date = spec("Ship_Date__c", "date");
        date.external_id = true;
        assert!(rejected(&date));
        let mut level = spec("Level__c", "Picklist");
        level.values = vec!["Gold".into(), "Silver".into()];
        level.restricted = true;
        level.default_value = Some(json!("Bronze"));
        assert!(rejected(&level));
        level.default_value = Some(json!("Gold"));
        let field = build_field("Account", &level);
        assert!(field.is_ok_and(|f| f.defaulted_on_create && !f.is_required_on_create()));
    }

    #[test]
    fn lookups_get_relationship_names() {
        let mut parent = spec("Order__c", "Lookup");
        parent.reference_to = Some("Order".into());
        let field = build_field("Shipment__c", &parent);
        let reference = field.ok().and_then(|f| f.field_type.reference().cloned());
        assert_eq!(reference.as_ref().map(|r| r.relationship_name.as_str()), Some("Order__r"));
        assert_eq!(reference.and_then(|r| r.child_relationship), Some("Shipments__r".into()));
        assert!(rejected(&spec("Order__c", "Lookup")));
        let mut misplaced = spec("Count__c", "Checkbox");
        misplaced.precision = Some(3);
        assert!(rejected(&misplaced));
    }
}
