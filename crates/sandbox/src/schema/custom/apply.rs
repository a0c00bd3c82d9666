//! Applying a custom schema to the standard objects: custom objects first (so lookups between them
//! resolve), then fields and picklist extensions, with lookup targets made canonical.

use super::field::build_field;
use super::{CustomObjectSpec, CustomSchema};
use crate::ids::{base62, is_valid_key_prefix};
use crate::schema::builtin::{finish, owner, start};
use crate::schema::field::{FieldSchema, FieldType, PicklistValue};
use crate::schema::{Schema, SchemaError};

impl CustomSchema {
    /// Adds this file's objects and fields to a schema.
    pub fn apply(&self, schema: &mut Schema) -> Result<(), SchemaError> {
        for spec in &self.objects {
            if spec.name.to_ascii_lowercase().ends_with("__c") {
                add_custom_object(schema, spec)?;
            } else if schema.object(&spec.name).is_none() {
                return Err(SchemaError::UnknownObject { object: spec.name.clone() });
            }
        }
        for spec in &self.objects {
            let unknown = || SchemaError::UnknownObject { object: spec.name.clone() };
            let object = schema.object(&spec.name).map(|o| o.name.clone()).ok_or_else(unknown)?;
            for field_spec in &spec.fields {
                let mut field = build_field(&object, field_spec)?;
                canonicalise_targets(schema, &object, &mut field)?;
                schema.object_mut(&object).ok_or_else(unknown)?.add_field(field)?;
            }
            for (field, values) in &spec.picklist_values {
                let target = schema.object_mut(&object).ok_or_else(unknown)?;
                extend_picklist(&object, target.field_mut(field), field, values)?;
            }
        }
        Ok(())
    }
}

const MAX_NAME_LENGTH: usize = 40;

/// A custom API name: `Base__c` where Base starts with a letter and has letters, digits and
/// single, non-trailing underscores.
pub(crate) fn check_api_name(name: &str) -> Result<(), SchemaError> {
    let invalid = || SchemaError::InvalidName { name: name.to_owned() };
    let base = name.strip_suffix("__c").ok_or_else(invalid)?;
    let starts_with_letter = base.chars().next().is_some_and(|c| c.is_ascii_alphabetic());
    let charset = base.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !starts_with_letter || !charset || base.contains("__") || base.ends_with('_') || base.len() > MAX_NAME_LENGTH {
        return Err(invalid());
    }
    Ok(())
}

fn add_custom_object(schema: &mut Schema, spec: &CustomObjectSpec) -> Result<(), SchemaError> {
    check_api_name(&spec.name)?;
    let base = spec.name.get(..spec.name.len().saturating_sub(3)).unwrap_or(&spec.name);
    let label = spec.label.clone().unwrap_or_else(|| base.replace('_', " "));
    let plural = spec.plural_label.clone().unwrap_or_else(|| format!("{label}s"));
    let prefix = match &spec.key_prefix {
        Some(prefix) if is_valid_key_prefix(prefix) && !schema.prefix_taken(prefix) => prefix.clone(),
        Some(prefix) => {
            let (object, prefix) = (spec.name.clone(), prefix.clone());
            return Err(SchemaError::KeyPrefix { object, prefix });
        }
        None => (0..62 * 62)
            .filter_map(|n| base62(n, 2).map(|digits| format!("a{digits}")))
            .find(|prefix| !schema.prefix_taken(prefix))
            .ok_or_else(|| SchemaError::KeyPrefix { object: spec.name.clone(), prefix: "a??".into() })?,
    };
    let mut object = start(&spec.name, &label, &plural, &prefix)?;
    // Omitting Name on insert makes the platform use the record Id, hence "defaulted".
    let name = FieldSchema::new("Name", &format!("{label} Name"), FieldType::text(80));
    object.add_fields([name.required().defaulted().name_field().id_lookup(), owner()])?;
    schema.add_object(finish(object)?)
}

fn extend_picklist(
    object: &str,
    field: Option<&mut FieldSchema>,
    name: &str,
    extra: &[String],
) -> Result<(), SchemaError> {
    let invalid = |message: &str| SchemaError::InvalidField {
        object: object.to_owned(),
        field: name.to_owned(),
        message: message.to_owned(),
    };
    let field = field.ok_or_else(|| invalid("no such field to add picklist values to"))?;
    let FieldType::Picklist { values, .. } = &mut field.field_type else {
        return Err(invalid("picklistValues only extend picklist fields"));
    };
    for value in extra {
        if !values.iter().any(|v| v.value == *value) {
            values.push(PicklistValue::plain(value));
        }
    }
    Ok(())
}

/// Lookup targets must exist; they are stored with their canonical names.
fn canonicalise_targets(schema: &Schema, object: &str, field: &mut FieldSchema) -> Result<(), SchemaError> {
    let FieldType::Reference(reference) = &mut field.field_type else {
        return Ok(());
    };
    for target in &mut reference.to {
        let canonical =
            schema.object(target).map(|o| o.name.clone()).ok_or_else(|| SchemaError::UnknownReferenceTarget {
                object: object.to_owned(),
                field: field.name.clone(),
                target: target.clone(),
            })?;
        *target = canonical;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::OrgFeatures;

    fn build(json: &str) -> Result<Schema, SchemaError> {
        Schema::with_custom(OrgFeatures::default(), &CustomSchema::from_json(json)?)
    }

    #[test]
    fn api_names_are_checked() {
        assert_eq!(check_api_name("ForceSync_Key__c"), Ok(()));
        for bad in ["Foo", "_Foo__c", "Foo__Bar__c", "Foo___c", "Fo o__c", "__c", "9Foo__c"] {
            assert_eq!(check_api_name(bad), Err(SchemaError::InvalidName { name: bad.into() }), "{bad}");
        }
    }

    #[test]
    fn bad_files_give_clear_errors() {
        let duplicate = r#"{"objects":[{"name":"Account","fields":[
            {"name":"Tier__c","type":"Text"},{"name":"tier__c","type":"Text"}]}]}"#;
        assert_eq!(
            build(duplicate).err(),
            Some(SchemaError::DuplicateField { object: "Account".into(), field: "tier__c".into() })
        );
        let unknown = r#"{"objects":[{"name":"Widget","fields":[]}]}"#;
        assert_eq!(build(unknown).err(), Some(SchemaError::UnknownObject { object: "Widget".into() }));
        let typo = r#"{"objects":[{"name":"Account","feilds":[]}]}"#;
        assert!(matches!(build(typo), Err(SchemaError::Json(m)) if m.contains("feilds")));
        let target = r#"{"objects":[{"name":"Account","fields":[
            {"name":"Hub__c","type":"Lookup","referenceTo":"Hub__c"}]}]}"#;
        assert!(matches!(build(target), Err(SchemaError::UnknownReferenceTarget { .. })));
    }

    #[test]
    fn custom_objects_get_generated_prefixes_and_standard_fields() {
        let json = r#"{"objects":[
            {"name":"Shipment__c","fields":[{"name":"Order__c","type":"Lookup","referenceTo":"order"}]},
            {"name":"Carrier__c","label":"Carrier","keyPrefix":"a0A"},
            {"name":"Depot__c"}]}"#;
        let Ok(schema) = build(json) else { panic!("builds") };
        let prefix = |name: &str| schema.object(name).map(|o| o.key_prefix.clone());
        assert_eq!(prefix("shipment__c").as_deref(), Some("a00"));
        assert_eq!(prefix("Carrier__c").as_deref(), Some("a0A"));
        assert_eq!(prefix("Depot__c").as_deref(), Some("a01"));
        let shipment = schema.object("Shipment__c");
        assert!(shipment.is_some_and(|o| o.custom && o.field("OwnerId").is_some()));
        let to = shipment.and_then(|o| o.field("Order__c")).and_then(|f| f.field_type.reference());
        assert_eq!(to.map(|r| r.to.clone()), Some(vec!["Order".to_owned()]));
        let taken = r#"{"objects":[{"name":"Hub__c","keyPrefix":"001"}]}"#;
        assert!(matches!(build(taken), Err(SchemaError::KeyPrefix { .. })));
    }

    #[test]
    fn picklist_values_extend_standard_picklists() {
        let json = r#"{"objects":[{"name":"Order","picklistValues":{"status":["Cancelled"]}}]}"#;
        let Ok(schema) = build(json) else { panic!("builds") };
        let values = schema.object("Order").and_then(|o| o.field("Status")).and_then(FieldSchema::picklist_values);
        let names: Vec<&str> = values.unwrap_or_default().iter().map(|v| v.value.as_str()).collect();
        assert_eq!(names, ["Draft", "Activated", "Cancelled"]);
        let not_picklist = r#"{"objects":[{"name":"Order","picklistValues":{"Name":["X"]}}]}"#;
        assert!(matches!(build(not_picklist), Err(SchemaError::InvalidField { .. })));
    }
}
