//! `@{refId.path}` references between subrequests of `/composite` and
//! `/composite/graph`: the results seen so far, and substitution into URLs and
//! (recursively) into the strings of JSON bodies.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::errors::{ErrorCode, SfError};

/// `referenceId` may hold only letters, digits and `_`.
pub fn valid_reference_id(id: &str) -> bool {
    !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The major number of an API version such as `64.0`.
pub fn major(version: &str) -> u32 {
    version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0)
}

/// The results of the subrequests run so far, by `referenceId`.
#[derive(Debug)]
pub struct Scope {
    /// `None` for a subrequest that failed.
    results: HashMap<String, Option<Value>>,
    /// From v52.0 a reference to a null field resolves; earlier it fails.
    null_resolves: bool,
}

impl Scope {
    /// `version` is the composite request's own API version.
    pub fn new(version: &str) -> Self {
        Self { results: HashMap::new(), null_resolves: major(version) >= 52 }
    }

    /// Remembers a subrequest's body, or that it failed.
    pub fn record(&mut self, reference_id: &str, body: Option<Value>) {
        self.results.insert(reference_id.to_owned(), body);
    }

    /// The value `expr` (`acct.id`, `q.records[0].Id`) points to.
    fn lookup(&self, expr: &str) -> Result<&Value, SfError> {
        let split = expr.find(['.', '[']).unwrap_or(expr.len());
        let (reference_id, path) = expr.split_at(split);
        let invalid = |detail: String| {
            let message = format!("Invalid reference specified. {detail}");
            SfError::new(ErrorCode::ProcessingHalted, message, Vec::new())
        };
        let root = match self.results.get(reference_id) {
            Some(Some(root)) => root,
            Some(None) => {
                return Err(invalid(format!(
                    "No value for {expr} found in {reference_id}: the subrequest '{reference_id}' failed."
                )));
            }
            None => {
                return Err(invalid(format!(
                    "Provided referenceId ('{reference_id}') must be a valid one from a previous subrequest."
                )));
            }
        };
        match resolve_path(root, path) {
            Some(Value::Null) if !self.null_resolves => Err(invalid(format!("The value of {expr} is null."))),
            Some(value) => Ok(value),
            None => Err(invalid(format!("No value for {expr} found in {reference_id}."))),
        }
    }

    /// `text` with every reference replaced by its value's text.
    pub fn substitute_text(&self, text: &str) -> Result<String, SfError> {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some((before, expr, after)) = next_reference(rest) {
            out.push_str(before);
            out.push_str(&as_text(self.lookup(expr)?));
            rest = after;
        }
        out.push_str(rest);
        Ok(out)
    }

    /// `value` with references substituted in every string. A string that is
    /// exactly one reference takes the referenced value with its JSON type.
    pub fn substitute_json(&self, value: &Value) -> Result<Value, SfError> {
        match value {
            Value::String(text) => match next_reference(text) {
                None => Ok(value.clone()),
                Some(("", expr, "")) => self.lookup(expr).cloned(),
                Some(_) => self.substitute_text(text).map(Value::String),
            },
            Value::Array(items) => {
                items.iter().map(|item| self.substitute_json(item)).collect::<Result<_, _>>().map(Value::Array)
            }
            Value::Object(map) => {
                let mut out = Map::new();
                for (key, item) in map {
                    out.insert(key.clone(), self.substitute_json(item)?);
                }
                Ok(Value::Object(out))
            }
            other => Ok(other.clone()),
        }
    }
}

/// Splits at the first `@{expr}`: (text before, expr, text after).
fn next_reference(text: &str) -> Option<(&str, &str, &str)> {
    let start = text.find("@{")?;
    let close = text[start + 2..].find('}')? + start + 2;
    let expr = &text[start + 2..close];
    if expr.is_empty() {
        return None;
    }
    Some((&text[..start], expr, &text[close + 1..]))
}

/// Walks `.name` and `[index]` steps from `root`.
fn resolve_path<'v>(root: &'v Value, path: &str) -> Option<&'v Value> {
    let mut current = root;
    for step in path.split('.').filter(|s| !s.is_empty()) {
        let mut parts = step.split('[');
        let name = parts.next().unwrap_or_default();
        if !name.is_empty() {
            current = current.as_object()?.get(name)?;
        }
        for index in parts {
            let index: usize = index.strip_suffix(']')?.trim().parse().ok()?;
            current = current.as_array()?.get(index)?;
        }
    }
    Some(current)
}

/// How a referenced value reads inside a URL or a longer string; null reads as empty.
fn as_text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The `referenceId`s a text refers to (for a graph's depth).
pub fn text_ids<'a>(text: &'a str, out: &mut Vec<&'a str>) {
    let mut rest = text;
    while let Some((_, expr, after)) = next_reference(rest) {
        out.push(&expr[..expr.find(['.', '[']).unwrap_or(expr.len())]);
        rest = after;
    }
}

/// The `referenceId`s the strings of a JSON value refer to.
pub fn referenced_ids<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(text) => text_ids(text, out),
        Value::Array(items) => items.iter().for_each(|item| referenced_ids(item, out)),
        Value::Object(map) => map.values().for_each(|item| referenced_ids(item, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sample(version: &str) -> Scope {
        let mut scope = Scope::new(version);
        scope.record("acct", Some(json!({"id": "001A", "success": true})));
        scope.record("q", Some(json!({"records": [{"Id": "003B", "Email": null, "Amount": 5.5}]})));
        scope.record("bad", None);
        scope
    }

    #[test]
    fn references_resolve_in_text_and_json() {
        let scope = sample("64.0");
        assert_eq!(
            scope.substitute_text("sobjects/Account/@{acct.id}?x=@{q.records[0].Id}").ok(),
            Some("sobjects/Account/001A?x=003B".into())
        );
        let body = json!({"AccountId": "@{acct.id}", "Amount": "@{q.records[0].Amount}", "Note": "for @{acct.id}!",
                          "Nested": [{"Email": "@{q.records[0].Email}"}], "Plain": "@{", "N": 3});
        let expected = json!({"AccountId": "001A", "Amount": 5.5, "Note": "for 001A!",
                              "Nested": [{"Email": null}], "Plain": "@{", "N": 3});
        assert_eq!(scope.substitute_json(&body).ok(), Some(expected));
    }

    #[test]
    fn bad_references_halt() {
        let scope = sample("64.0");
        for text in ["@{bad.id}", "@{nope.id}", "@{acct.Id}", "@{q.records[3].Id}", "@{q.records.x}"] {
            let error = scope.substitute_text(text).expect_err(text);
            assert_eq!(error.code, ErrorCode::ProcessingHalted, "{text}");
            assert!(error.message.starts_with("Invalid reference specified."), "{text}");
        }
        assert!(sample("51.0").substitute_text("@{q.records[0].Email}").is_err(), "null fails before v52");
    }

    #[test]
    fn ids_and_referenced_ids() {
        assert!(valid_reference_id("ref_1") && !valid_reference_id("ref-1") && !valid_reference_id(""));
        let mut found = Vec::new();
        let body = json!({"a": "@{x.id}-@{y[0].Id}", "b": ["@{z}"]});
        referenced_ids(&body, &mut found);
        assert_eq!(found, vec!["x", "y", "z"]);
    }
}
