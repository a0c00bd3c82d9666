//! A SOQL builder that never concatenates raw input: every value goes through
//! `Literal`, which quotes and escapes strings (`o'hara@example.com` matches).

use std::fmt::Write as _;

/// A value in a SOQL condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Int(i64),
    Bool(bool),
    Null,
    /// `YYYY-MM-DD` (validated by the caller's type).
    Date(chrono::NaiveDate),
    DateTime(chrono::DateTime<chrono::Utc>),
}

impl Literal {
    pub fn str(value: impl Into<String>) -> Self {
        Self::Str(value.into())
    }

    fn write(&self, out: &mut String) {
        match self {
            Self::Str(s) => {
                out.push('\'');
                out.push_str(&escape(s));
                out.push('\'');
            }
            Self::Int(n) => {
                let _ = write!(out, "{n}");
            }
            Self::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
            Self::Null => out.push_str("NULL"),
            Self::Date(d) => {
                let _ = write!(out, "{}", d.format("%Y-%m-%d"));
            }
            Self::DateTime(t) => {
                let _ = write!(out, "{}", t.format("%Y-%m-%dT%H:%M:%SZ"));
            }
        }
    }
}

/// Escapes a string for use inside single quotes: backslash first, then
/// quotes and control characters, as SOQL requires.
pub fn escape(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 2);
    for c in raw.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            other => out.push(other),
        }
    }
    out
}

/// Whether `name` can be spliced as an object or field path (`Account.Name`).
fn is_identifier_path(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|part| {
            part.starts_with(|c: char| c.is_ascii_alphabetic())
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
}

/// A query under construction. Identifiers are checked; values are literals.
#[derive(Debug, Clone, PartialEq)]
pub struct Soql {
    fields: Vec<String>,
    object: String,
    conditions: Vec<String>,
    order_by: Vec<String>,
    limit: Option<u32>,
}

/// An identifier that is not a plain API name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a Salesforce API name")]
pub struct BadIdentifier(pub String);

impl From<BadIdentifier> for super::Error {
    /// A query that cannot be built, reported like one Salesforce refused.
    fn from(error: BadIdentifier) -> Self {
        super::Error::new("INVALID_QUERY", error.to_string(), None)
    }
}

fn checked(name: &str) -> Result<String, BadIdentifier> {
    if is_identifier_path(name) { Ok(name.to_owned()) } else { Err(BadIdentifier(name.to_owned())) }
}

impl Soql {
    pub fn select(fields: &[&str], object: &str) -> Result<Self, BadIdentifier> {
        Ok(Self {
            fields: fields.iter().map(|f| checked(f)).collect::<Result<_, _>>()?,
            object: checked(object)?,
            conditions: Vec::new(),
            order_by: Vec::new(),
            limit: None,
        })
    }

    /// `field = value` (ANDed with the other conditions).
    pub fn where_eq(self, field: &str, value: Literal) -> Result<Self, BadIdentifier> {
        self.where_op(field, "=", value)
    }

    /// `field <op> value` with `op` one of `= != < <= > >= LIKE`.
    pub fn where_op(mut self, field: &str, op: &str, value: Literal) -> Result<Self, BadIdentifier> {
        if !matches!(op, "=" | "!=" | "<" | "<=" | ">" | ">=" | "LIKE") {
            return Err(BadIdentifier(op.to_owned()));
        }
        let mut condition = format!("{} {op} ", checked(field)?);
        value.write(&mut condition);
        self.conditions.push(condition);
        Ok(self)
    }

    /// `field IN (values…)`; an empty list matches nothing.
    pub fn where_in(mut self, field: &str, values: &[Literal]) -> Result<Self, BadIdentifier> {
        let field = checked(field)?;
        if values.is_empty() {
            self.conditions.push("Id = NULL AND Id != NULL".into());
            return Ok(self);
        }
        let mut condition = format!("{field} IN (");
        for (i, value) in values.iter().enumerate() {
            if i > 0 {
                condition.push_str(", ");
            }
            value.write(&mut condition);
        }
        condition.push(')');
        self.conditions.push(condition);
        Ok(self)
    }

    pub fn order_by(mut self, field: &str, descending: bool) -> Result<Self, BadIdentifier> {
        self.order_by.push(format!("{}{}", checked(field)?, if descending { " DESC" } else { "" }));
        Ok(self)
    }

    pub fn limit(mut self, limit: u32) -> Self {
        self.limit = Some(limit);
        self
    }

    /// The query text.
    pub fn build(&self) -> String {
        let mut out = format!("SELECT {} FROM {}", self.fields.join(", "), self.object);
        if !self.conditions.is_empty() {
            let _ = write!(out, " WHERE {}", self.conditions.join(" AND "));
        }
        if !self.order_by.is_empty() {
            let _ = write!(out, " ORDER BY {}", self.order_by.join(", "));
        }
        if let Some(limit) = self.limit {
            let _ = write!(out, " LIMIT {limit}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped() {
        let q = Soql::select(&["Id", "Account.Name"], "Contact")
            .and_then(|q| q.where_eq("Email", Literal::str("o'hara@example.com")))
            .and_then(|q| q.where_op("Name", "!=", Literal::str("back\\slash\n")))
            .and_then(|q| q.where_in("Id", &[Literal::str("003A"), Literal::str("003B")]))
            .and_then(|q| q.order_by("CreatedDate", true))
            .map(|q| q.limit(5).build());
        assert_eq!(
            q,
            Ok("SELECT Id, Account.Name FROM Contact WHERE Email = 'o\\'hara@example.com' AND Name != 'back\\\\slash\\n' \
                AND Id IN ('003A', '003B') ORDER BY CreatedDate DESC LIMIT 5"
                .into())
        );
    }

    #[test]
    fn identifiers_are_checked() {
        assert!(Soql::select(&["Id"], "Account WHERE 1=1").is_err());
        assert!(Soql::select(&["Id, (SELECT Id FROM Contacts)"], "Account").is_err());
        assert!(Soql::select(&["Id"], "Account").and_then(|q| q.where_op("Id", "; DROP", Literal::Null)).is_err());
        let empty = Soql::select(&["Id"], "Account").and_then(|q| q.where_in("Id", &[])).map(|q| q.build());
        assert_eq!(empty, Ok("SELECT Id FROM Account WHERE Id = NULL AND Id != NULL".into()));
        let typed = Soql::select(&["Id"], "Order")
            .and_then(|q| q.where_eq("IsDeleted", Literal::Bool(false)))
            .and_then(|q| q.where_op("EffectiveDate", ">=", Literal::Date(chrono::NaiveDate::MIN)))
            .map(|q| q.build());
        assert!(typed.is_ok_and(|t| t.contains("IsDeleted = FALSE AND EffectiveDate >= ")));
    }
}
