//! `field_mappings` between the wire and the domain: every rule checked, each
//! problem named by its path (`field_mappings[2].source`,
//! `field_mappings[0].transforms[1].length`).

use crate::domain::Violations;
use crate::domain::settings::{self as s, ApiName, FieldMapping, MappedObject, MappingSource, Transform};
use crate::pb;

/// Domain → wire.
pub fn to_proto(rule: &FieldMapping) -> pb::FieldMapping {
    use pb::field_mapping::Value;
    pb::FieldMapping {
        object: rule.object.as_str().to_owned(),
        field: rule.field.to_string(),
        value: Some(match &rule.source {
            MappingSource::Path(path) => Value::Source(path.to_string()),
            MappingSource::Constant(text) => Value::Constant(text.clone()),
        }),
        transforms: rule.transforms.iter().map(transform_to_proto).collect(),
    }
}

fn transform_to_proto(transform: &Transform) -> pb::FieldTransform {
    let kind = |kind: pb::TransformKind| pb::FieldTransform { kind: kind as i32, ..Default::default() };
    match transform {
        Transform::Upper => kind(pb::TransformKind::Upper),
        Transform::Lower => kind(pb::TransformKind::Lower),
        Transform::Truncate(length) => pb::FieldTransform {
            length: i32::try_from(*length).unwrap_or(i32::MAX),
            ..kind(pb::TransformKind::Truncate)
        },
        Transform::DateFormat(pattern) => {
            pb::FieldTransform { date_format: pattern.clone(), ..kind(pb::TransformKind::DateFormat) }
        }
        Transform::ValueMap(map) => pb::FieldTransform { value_map: map.clone(), ..kind(pb::TransformKind::ValueMap) },
    }
}

/// Wire → domain, or every violation.
pub fn from_proto(raw: &[pb::FieldMapping], v: &mut Violations) -> Option<Vec<FieldMapping>> {
    if raw.len() > s::MAX_FIELD_MAPPINGS {
        v.add("field_mappings", format!("at most {} rules, got {}", s::MAX_FIELD_MAPPINGS, raw.len()));
        return None;
    }
    let rules: Vec<Option<FieldMapping>> = raw
        .iter()
        .enumerate()
        .map(|(i, rule)| v.nested(&format!("field_mappings[{i}]."), |v| mapping(rule, v)))
        .collect();
    rules.into_iter().collect()
}

fn mapping(raw: &pb::FieldMapping, v: &mut Violations) -> Option<FieldMapping> {
    use pb::field_mapping::Value;
    let object = v.check("object", MappedObject::parse(&raw.object));
    let field = v.check("field", ApiName::parse(&raw.field));
    let source = match (&raw.value, object) {
        (None, _) => {
            v.add("source", "is required: a store value path (source) or a constant");
            None
        }
        (Some(Value::Source(path)), Some(object)) => {
            v.check("source", s::source_path(object, path)).map(MappingSource::Path)
        }
        (Some(Value::Source(_)), None) => None,
        (Some(Value::Constant(text)), _) => v.check("constant", s::mapping_constant(text)).map(MappingSource::Constant),
    };
    let transforms: Vec<Option<Transform>> = raw
        .transforms
        .iter()
        .enumerate()
        .map(|(i, t)| v.nested(&format!("transforms[{i}]."), |v| transform(t, v)))
        .collect();
    let transforms: Option<Vec<Transform>> = transforms.into_iter().collect();
    Some(FieldMapping { object: object?, field: field?, source: source?, transforms: transforms? })
}

fn transform(raw: &pb::FieldTransform, v: &mut Violations) -> Option<Transform> {
    let kind = super::settings_convert::enum_field(v, "kind", raw.kind, |kind: pb::TransformKind| kind)?;
    match kind {
        pb::TransformKind::Unspecified => {
            v.add("kind", "is required: UPPER, LOWER, TRUNCATE, DATE_FORMAT or VALUE_MAP");
            None
        }
        pb::TransformKind::Upper => Some(Transform::Upper),
        pb::TransformKind::Lower => Some(Transform::Lower),
        pb::TransformKind::Truncate => v.check("length", s::truncate(i64::from(raw.length))),
        pb::TransformKind::DateFormat => v.check("date_format", s::date_format(&raw.date_format)),
        pb::TransformKind::ValueMap => v.check("value_map", s::value_map(&raw.value_map)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::FieldViolation;

    fn rule(object: &str, field: &str, source: &str) -> pb::FieldMapping {
        pb::FieldMapping {
            object: object.into(),
            field: field.into(),
            value: Some(pb::field_mapping::Value::Source(source.into())),
            transforms: Vec::new(),
        }
    }

    #[test]
    fn rules_round_trip() {
        let mut tier = rule("Account", "Tier__c", "customer.attributes.loyalty_tier");
        tier.transforms = vec![
            pb::FieldTransform {
                kind: pb::TransformKind::ValueMap as i32,
                value_map: [("gold".to_owned(), "Gold".to_owned())].into(),
                ..Default::default()
            },
            pb::FieldTransform { kind: pb::TransformKind::Truncate as i32, length: 10, ..Default::default() },
        ];
        let constant = pb::FieldMapping {
            value: Some(pb::field_mapping::Value::Constant("Web".into())),
            ..rule("Order", "Channel__c", "")
        };
        let raw = vec![tier, constant];
        let mut v = Violations::default();
        let rules = from_proto(&raw, &mut v).expect("valid");
        assert!(v.is_empty());
        assert_eq!(rules.iter().map(to_proto).collect::<Vec<_>>(), raw);
    }

    #[test]
    fn every_bad_part_is_named() {
        let raw = vec![
            rule("Lead", "Tier__c", "customer.company"),
            rule("Account", "bad name", "order.total"),
            pb::FieldMapping {
                transforms: vec![
                    pb::FieldTransform { kind: pb::TransformKind::Truncate as i32, ..Default::default() },
                    pb::FieldTransform { kind: 99, ..Default::default() },
                    pb::FieldTransform { kind: pb::TransformKind::DateFormat as i32, ..Default::default() },
                ],
                value: None,
                ..rule("Order", "X__c", "")
            },
        ];
        let mut v = Violations::with_prefix("settings.");
        assert_eq!(from_proto(&raw, &mut v), None);
        let found: Vec<FieldViolation> = v.finish(|| Some(())).err().unwrap_or_default();
        let paths: Vec<&str> = found.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(
            paths,
            [
                "settings.field_mappings[0].object",
                "settings.field_mappings[1].field",
                "settings.field_mappings[1].source",
                "settings.field_mappings[2].source",
                "settings.field_mappings[2].transforms[0].length",
                "settings.field_mappings[2].transforms[1].kind",
                "settings.field_mappings[2].transforms[2].date_format",
            ]
        );
    }
}
