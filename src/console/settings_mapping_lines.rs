//! One field mapping rule as one line of text, for the settings textarea:
//!
//! ```text
//! Account.Loyalty_Tier__c = customer.attributes.loyalty_tier | upper | truncate 40
//! Order.Channel__c = "Web shop"
//! Contact.Birthdate = customer.attributes.birthday | date %Y-%m-%d
//! Order.Region__c = order.shipping_address.country | map DE => EMEA; US => NA
//! ```
//!
//! `Object.Field = value`, the value a store value path or a constant in
//! double quotes (`""` inside stands for one quote), then transforms after
//! `|`, applied in order: `upper`, `lower`, `truncate N`, `date PATTERN`,
//! `map a => b; c => d`. A date pattern with `|`, or a value map entry with
//! `;` or `=>`, cannot be written this way (use the RPC). Only reading the
//! line is here; the rule is validated by UpdateStoreConfig.

use crate::pb::{self, field_mapping::Value};

/// The rule as a line.
pub fn mapping_to_line(rule: &pb::FieldMapping) -> String {
    let value = match &rule.value {
        Some(Value::Source(path)) => path.clone(),
        Some(Value::Constant(text)) => format!("\"{}\"", text.replace('"', "\"\"")),
        None => String::new(),
    };
    let mut line = format!("{}.{} = {value}", rule.object, rule.field);
    for transform in &rule.transforms {
        line.push_str(" | ");
        line.push_str(&transform_to_text(transform));
    }
    line
}

fn transform_to_text(t: &pb::FieldTransform) -> String {
    match pb::TransformKind::try_from(t.kind) {
        Ok(pb::TransformKind::Upper) => "upper".into(),
        Ok(pb::TransformKind::Lower) => "lower".into(),
        Ok(pb::TransformKind::Truncate) => format!("truncate {}", t.length),
        Ok(pb::TransformKind::DateFormat) => format!("date {}", t.date_format),
        Ok(pb::TransformKind::ValueMap) => {
            let entries: Vec<String> = t.value_map.iter().map(|(from, to)| format!("{from} => {to}")).collect();
            format!("map {}", entries.join("; "))
        }
        _ => format!("kind {}", t.kind),
    }
}

/// A line as a rule, or why it cannot be read.
pub fn mapping_from_line(line: &str) -> Result<pb::FieldMapping, String> {
    let (target, value) = line.split_once('=').ok_or("no \"=\" between the field and its value")?;
    let (object, field) = target.trim().split_once('.').ok_or("the field is not written Object.Field")?;
    let value = value.trim();
    let (value, rest) = match value.strip_prefix('"') {
        Some(quoted) => {
            let (text, rest) = constant(quoted)?;
            (Value::Constant(text), rest)
        }
        None => {
            let (path, rest) = value.split_once('|').map_or((value, ""), |(path, rest)| (path, rest));
            (Value::Source(path.trim().to_owned()), rest)
        }
    };
    let transforms = if rest.trim().is_empty() {
        Vec::new()
    } else {
        rest.split('|').map(|t| transform_from_text(t.trim())).collect::<Result<_, _>>()?
    };
    Ok(pb::FieldMapping {
        object: object.trim().to_owned(),
        field: field.trim().to_owned(),
        value: Some(value),
        transforms,
    })
}

/// A quoted constant (after its opening quote): its text, and the rest of
/// the line after the transforms' first `|`.
fn constant(quoted: &str) -> Result<(String, &str), String> {
    let mut text = String::new();
    let mut chars = quoted.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c != '"' {
            text.push(c);
        } else if chars.peek().is_some_and(|(_, next)| *next == '"') {
            chars.next();
            text.push('"');
        } else {
            let rest = quoted[at + 1..].trim_start();
            return match rest.strip_prefix('|') {
                Some(rest) => Ok((text, rest)),
                None if rest.is_empty() => Ok((text, "")),
                None => Err("text after the closing quote (transforms follow a \"|\")".into()),
            };
        }
    }
    Err("the constant's closing quote is missing".into())
}

fn transform_from_text(text: &str) -> Result<pb::FieldTransform, String> {
    let (name, argument) = text.split_once(' ').map_or((text, ""), |(name, arg)| (name, arg.trim()));
    let kind = |kind: pb::TransformKind| pb::FieldTransform { kind: kind as i32, ..Default::default() };
    match name.to_ascii_lowercase().as_str() {
        "upper" if argument.is_empty() => Ok(kind(pb::TransformKind::Upper)),
        "lower" if argument.is_empty() => Ok(kind(pb::TransformKind::Lower)),
        "truncate" => {
            let length = argument.parse().map_err(|_| format!("truncate needs a whole number, got {argument:?}"))?;
            Ok(pb::FieldTransform { length, ..kind(pb::TransformKind::Truncate) })
        }
        "date" => Ok(pb::FieldTransform { date_format: argument.to_owned(), ..kind(pb::TransformKind::DateFormat) }),
        "map" => {
            let mut value_map = std::collections::BTreeMap::new();
            for entry in argument.split(';').map(str::trim).filter(|e| !e.is_empty()) {
                let (from, to) = entry.split_once("=>").ok_or_else(|| format!("map entry {entry:?} has no \"=>\""))?;
                value_map.insert(from.trim().to_owned(), to.trim().to_owned());
            }
            Ok(pb::FieldTransform { value_map, ..kind(pb::TransformKind::ValueMap) })
        }
        _ => Err(format!("unknown transform {text:?}: upper, lower, truncate N, date PATTERN or map a => b; c => d")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_back_as_they_were_written() {
        for line in [
            "Account.Loyalty_Tier__c = customer.attributes.loyalty_tier | upper | truncate 40",
            "Order.Channel__c = \"Web \"\"shop\"\" | online\"",
            "Contact.Birthdate = customer.attributes.birthday | date %d/%m/%Y",
            "Order.Region__c = order.shipping_address.country | map DE => EMEA; US => NA | lower",
        ] {
            let rule = mapping_from_line(line).expect(line);
            assert_eq!(mapping_to_line(&rule), line);
        }
        let rule = mapping_from_line("Order.Channel__c = \"Web \"\"shop\"\" | online\"").expect("constant");
        assert_eq!(rule.value, Some(Value::Constant("Web \"shop\" | online".into())));
    }

    #[test]
    fn unreadable_lines_say_why() {
        assert!(mapping_from_line("Account Name").expect_err("no =").contains("no \"=\""));
        assert!(mapping_from_line("Name = x").expect_err("no object").contains("Object.Field"));
        assert!(mapping_from_line("A.B = \"open").expect_err("quote").contains("closing quote"));
        assert!(mapping_from_line("A.B = x | shout").expect_err("kind").contains("unknown transform"));
        assert!(mapping_from_line("A.B = x | truncate lots").expect_err("n").contains("whole number"));
    }
}
