//! Row-level evaluation: reads a column from a record (following parent lookups), types
//! the stored JSON value by its field kind, and tests filters and sort order on it.

use std::cmp::Ordering;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveTime, Utc};
use serde_json::{Map, Value};

use super::ast::CompareOp;
use super::catalog::ValueKind;
use super::literal::{PatternPart, canonical_id, fold_case, parse_date, parse_datetime};
use super::plan::{Column, Filter, Operand};

/// A stored record: canonical field name → JSON value in the REST formats of §3.7.
pub type Record = Map<String, Value>;

/// A stored value typed by its column's kind. Values that do not parse as their kind
/// (which the sandbox never stores) are treated as null.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar {
    Null,
    Boolean(bool),
    Number(f64),
    /// Case-folded.
    Text(String),
    /// 15-character form.
    Id(String),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
}

impl Scalar {
    fn from_json(kind: ValueKind, value: Option<&Value>) -> Self {
        let text = value.and_then(Value::as_str);
        let typed = match kind {
            ValueKind::Id | ValueKind::Reference => text.and_then(canonical_id).map(Scalar::Id),
            ValueKind::String | ValueKind::Picklist => match value {
                Some(Value::String(s)) => Some(Scalar::Text(fold_case(s))),
                Some(v @ (Value::Number(_) | Value::Bool(_))) => Some(Scalar::Text(v.to_string())),
                _ => None,
            },
            ValueKind::Boolean => value.and_then(Value::as_bool).map(Scalar::Boolean),
            ValueKind::Date => text.and_then(parse_date).map(Scalar::Date),
            ValueKind::DateTime => text.and_then(parse_datetime).map(Scalar::DateTime),
            ValueKind::Integer | ValueKind::Double | ValueKind::Currency | ValueKind::Percent => {
                value.and_then(Value::as_f64).map(Scalar::Number)
            }
        };
        typed.unwrap_or(Scalar::Null)
    }

    pub(crate) fn is_null(&self) -> bool {
        *self == Scalar::Null
    }

    /// Order of two non-null values of the same column (text case-insensitively).
    pub(crate) fn cmp_value(&self, other: &Scalar) -> Ordering {
        match (self, other) {
            (Scalar::Boolean(a), Scalar::Boolean(b)) => a.cmp(b),
            (Scalar::Number(a), Scalar::Number(b)) => a.total_cmp(b),
            (Scalar::Text(a), Scalar::Text(b)) | (Scalar::Id(a), Scalar::Id(b)) => a.cmp(b),
            (Scalar::Date(a), Scalar::Date(b)) => a.cmp(b),
            (Scalar::DateTime(a), Scalar::DateTime(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }
}

/// What evaluation needs besides the record: parent lookup and the user's calendar.
pub(crate) struct Env<'a, L> {
    pub lookup: &'a L,
    pub today: NaiveDate,
    pub utc_offset: FixedOffset,
}

impl<'r, L> Env<'_, L>
where
    L: Fn(&str, &str) -> Option<&'r Record>,
{
    /// The parent record a relationship hop leads to, if the lookup is set and resolves.
    pub(crate) fn parent(&self, record: &'r Record, key: &str, target: &str) -> Option<&'r Record> {
        let id = record.get(key)?.as_str()?;
        (self.lookup)(target, id)
    }

    pub(crate) fn scalar(&self, column: &Column, record: &'r Record) -> Scalar {
        let mut current = Some(record);
        for hop in &column.hops {
            current = current.and_then(|r| self.parent(r, &hop.foreign_key, &hop.target));
        }
        Scalar::from_json(column.kind, current.and_then(|r| r.get(&column.field)))
    }

    pub(crate) fn matches(&self, filter: &Filter, record: &'r Record) -> bool {
        match filter {
            Filter::And(parts) => parts.iter().all(|f| self.matches(f, record)),
            Filter::Or(parts) => parts.iter().any(|f| self.matches(f, record)),
            Filter::Not(inner) => !self.matches(inner, record),
            Filter::Compare { column, op, operand } => self.compare(&self.scalar(column, record), *op, operand),
            Filter::In { column, negated, operands } => {
                let value = self.scalar(column, record);
                operands.iter().any(|o| self.compare(&value, CompareOp::Eq, o)) != *negated
            }
            Filter::Like { column, negated, pattern } => match self.scalar(column, record) {
                Scalar::Text(text) => like(&text, pattern) != *negated,
                _ => *negated,
            },
            Filter::InIds { column, negated, ids } => match self.scalar(column, record) {
                Scalar::Id(id) => ids.contains(&id) != *negated,
                _ => *negated,
            },
            // `execute` binds every semi-join to its Ids before rows are matched.
            Filter::SemiJoin { .. } => false,
        }
    }

    /// SOQL comparison: `= NULL`/`!= NULL` test for null; a null value is only `!=` to
    /// anything else; otherwise compare by value, a date range counting as equal when
    /// the value falls inside it.
    fn compare(&self, value: &Scalar, op: CompareOp, operand: &Operand) -> bool {
        match (value, operand) {
            (_, Operand::Null) => match op {
                CompareOp::Eq => value.is_null(),
                CompareOp::Ne => !value.is_null(),
                _ => false,
            },
            (Scalar::Null, _) => op == CompareOp::Ne,
            _ => self.ordering(value, operand).is_some_and(|ord| holds(op, ord)),
        }
    }

    fn ordering(&self, value: &Scalar, operand: &Operand) -> Option<Ordering> {
        Some(match (value, operand) {
            (Scalar::Boolean(a), Operand::Boolean(b)) => a.cmp(b),
            (Scalar::Number(a), Operand::Number(b)) => a.total_cmp(b),
            (Scalar::Text(a), Operand::Text(b)) | (Scalar::Id(a), Operand::Id(b)) => a.cmp(b),
            (Scalar::Date(a), Operand::Date(b)) => a.cmp(b),
            (Scalar::DateTime(a), Operand::DateTime(b)) => a.cmp(b),
            (Scalar::Date(d), Operand::Relative(r)) => {
                let (start, end) = r.range(self.today);
                within(d, &start, &end)
            }
            (Scalar::DateTime(t), Operand::Relative(r)) => {
                let (start, end) = r.range(self.today);
                within(t, &self.midnight(start), &self.midnight(end))
            }
            _ => return None,
        })
    }

    /// The instant a day starts in the user's time zone.
    fn midnight(&self, day: NaiveDate) -> DateTime<Utc> {
        let local = day.and_time(NaiveTime::MIN);
        let offset = Duration::seconds(i64::from(self.utc_offset.local_minus_utc()));
        local.checked_sub_signed(offset).unwrap_or(local).and_utc()
    }
}

/// `Equal` inside `[start, end)`, `Less` before it, `Greater` after it.
fn within<T: Ord>(value: &T, start: &T, end: &T) -> Ordering {
    if value < start {
        Ordering::Less
    } else if value < end {
        Ordering::Equal
    } else {
        Ordering::Greater
    }
}

fn holds(op: CompareOp, ord: Ordering) -> bool {
    match op {
        CompareOp::Eq => ord.is_eq(),
        CompareOp::Ne => ord.is_ne(),
        CompareOp::Lt => ord.is_lt(),
        CompareOp::Le => ord.is_le(),
        CompareOp::Gt => ord.is_gt(),
        CompareOp::Ge => ord.is_ge(),
    }
}

/// Whether case-folded `text` matches a pattern whose literal characters are case-folded.
/// Greedy scan that backtracks only to the latest `%`: O(text × pattern) at worst.
fn like(text: &str, pattern: &[PatternPart]) -> bool {
    let text: Vec<char> = text.chars().collect();
    let (mut t, mut p) = (0, 0);
    let mut retry: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(PatternPart::AnyMany) => {
                p += 1;
                retry = Some((p, t));
            }
            Some(PatternPart::AnyOne) => (t, p) = (t + 1, p + 1),
            Some(PatternPart::Char(c)) if text.get(t) == Some(c) => (t, p) = (t + 1, p + 1),
            _ => match retry {
                Some((after, start)) => {
                    retry = Some((after, start + 1));
                    (t, p) = (start + 1, after);
                }
                None => return false,
            },
        }
    }
    pattern.get(p..).unwrap_or_default().iter().all(|part| *part == PatternPart::AnyMany)
}

#[cfg(test)]
#[path = "eval_tests.rs"]
mod tests;
