//! A store's own field mappings (issue 12): rules per object that set a
//! Salesforce field from a store value path or a constant, with optional
//! transforms, on top of the default mapping. Validated here; applied by
//! `domain::mapping`; checked against the org by Test Connection.

use chrono::format::{Item, StrftimeItems};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::ApiName;
use crate::domain::mapping::paths::{self, SourcePath};

/// Most rules a store may have.
pub const MAX_FIELD_MAPPINGS: usize = 100;
/// Most characters of a constant or of a value-map entry.
pub const MAX_CONSTANT_CHARS: usize = 4000;
/// Most entries of a value map.
pub const MAX_VALUE_MAP_ENTRIES: usize = 500;
/// Longest truncation accepted (Salesforce's long text areas hold 131,072).
pub const MAX_TRUNCATE: u32 = 131_072;

/// The objects a rule may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum MappedObject {
    Account,
    Contact,
    Opportunity,
    Order,
    OrderItem,
}

impl MappedObject {
    pub const ALL: [MappedObject; 5] = [Self::Account, Self::Contact, Self::Opportunity, Self::Order, Self::OrderItem];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Account => "Account",
            Self::Contact => "Contact",
            Self::Opportunity => "Opportunity",
            Self::Order => "Order",
            Self::OrderItem => "OrderItem",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|o| o.as_str() == raw).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|o| o.as_str()).collect();
            format!("{raw:?} is not an object forcesync maps (one of {})", names.join(", "))
        })
    }
}

/// Where a rule's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MappingSource {
    /// A store value (`customer.attributes.loyalty_tier`).
    Path(SourcePath),
    /// The same text on every record.
    Constant(String),
}

/// A change made to the value before it is written, in rule order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    Upper,
    Lower,
    /// At most this many characters.
    Truncate(u32),
    /// A `YYYY-MM-DD` value written with a strftime pattern (`%d/%m/%Y`).
    DateFormat(String),
    /// Store value → Salesforce value; values not listed pass unchanged.
    ValueMap(BTreeMap<String, String>),
}

/// One rule: `object.field ← source`, transformed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldMapping {
    pub object: MappedObject,
    pub field: ApiName,
    pub source: MappingSource,
    #[serde(default)]
    pub transforms: Vec<Transform>,
}

/// A constant: any text up to 4,000 characters.
pub fn constant(raw: &str) -> Result<String, String> {
    let count = raw.chars().count();
    if count > MAX_CONSTANT_CHARS {
        Err(format!("must be at most {MAX_CONSTANT_CHARS} characters, got {count}"))
    } else {
        Ok(raw.to_owned())
    }
}

/// A source path usable on `object` (see `domain::mapping::paths`).
pub fn source_path(object: MappedObject, raw: &str) -> Result<SourcePath, String> {
    let path = SourcePath::parse(raw)?;
    if !paths::available_on(path.root(), object) {
        return Err(format!(
            "{raw:?} is not available on {}: use {}",
            object.as_str(),
            paths::roots_of(object).iter().map(|root| format!("{root}.*")).collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(path)
}

/// A truncation length: 1 to 131,072.
pub fn truncate(length: i64) -> Result<Transform, String> {
    u32::try_from(length)
        .ok()
        .filter(|n| (1..=MAX_TRUNCATE).contains(n))
        .map(Transform::Truncate)
        .ok_or_else(|| format!("must be between 1 and {MAX_TRUNCATE}, got {length}"))
}

/// A strftime date pattern chrono can render.
pub fn date_format(pattern: &str) -> Result<Transform, String> {
    if pattern.is_empty() || pattern.chars().count() > 64 {
        return Err("must be a strftime pattern of 1 to 64 characters, e.g. %d/%m/%Y".into());
    }
    if StrftimeItems::new(pattern).any(|item| matches!(item, Item::Error)) {
        return Err(format!("{pattern:?} is not a valid strftime pattern (e.g. %d/%m/%Y)"));
    }
    Ok(Transform::DateFormat(pattern.to_owned()))
}

/// A value map: 1 to 500 entries of text.
pub fn value_map(map: &BTreeMap<String, String>) -> Result<Transform, String> {
    if map.is_empty() || map.len() > MAX_VALUE_MAP_ENTRIES {
        return Err(format!("must have 1 to {MAX_VALUE_MAP_ENTRIES} entries, got {}", map.len()));
    }
    for (from, to) in map {
        constant(from).and_then(|_| constant(to)).map_err(|e| format!("entry {from:?}: {e}"))?;
    }
    Ok(Transform::ValueMap(map.clone()))
}

/// Rules spanning several mappings, as (path, reason): a field mapped twice,
/// or a field forcesync owns (the record Id and its external-id key).
pub fn check_rules(mappings: &[FieldMapping], key_field_of: impl Fn(&str) -> String) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut seen: BTreeMap<(MappedObject, String), usize> = BTreeMap::new();
    for (i, rule) in mappings.iter().enumerate() {
        let field = rule.field.to_string();
        let object = rule.object.as_str();
        if field.eq_ignore_ascii_case("Id") || field.eq_ignore_ascii_case(&key_field_of(object)) {
            found.push((
                format!("field_mappings[{i}].field"),
                format!("{object}.{field} is forcesync's own key: it cannot be mapped"),
            ));
        }
        match seen.get(&(rule.object, field.to_lowercase())) {
            Some(first) => found.push((
                format!("field_mappings[{i}].field"),
                format!("{object}.{field} is already mapped at field_mappings[{first}]"),
            )),
            None => {
                seen.insert((rule.object, field.to_lowercase()), i);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsers_refuse_what_cannot_work() {
        assert!(MappedObject::parse("Order").is_ok());
        assert!(MappedObject::parse("Lead").is_err_and(|e| e.contains("Account, Contact")));
        assert!(source_path(MappedObject::Account, "customer.attributes.tier").is_ok());
        assert!(source_path(MappedObject::Account, "order.total").is_err_and(|e| e.contains("customer.*")));
        assert!(source_path(MappedObject::OrderItem, "item.options.Size").is_ok());
        assert_eq!(truncate(0), Err("must be between 1 and 131072, got 0".into()));
        assert!(date_format("%d/%m/%Y").is_ok());
        assert!(date_format("%Q").is_err());
        assert!(value_map(&BTreeMap::new()).is_err());
    }

    #[test]
    fn a_field_mapped_twice_or_a_key_field_is_named() {
        let rule = |object, field: &str| FieldMapping {
            object,
            field: ApiName::parse(field).expect("name"),
            source: MappingSource::Constant("x".into()),
            transforms: Vec::new(),
        };
        let rules = [
            rule(MappedObject::Account, "Tier__c"),
            rule(MappedObject::Contact, "Tier__c"),
            rule(MappedObject::Account, "tier__c"),
            rule(MappedObject::Order, "ForceSync_Key__c"),
        ];
        let found = check_rules(&rules, |_| "ForceSync_Key__c".into());
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["field_mappings[2].field", "field_mappings[3].field"]);
    }
}
