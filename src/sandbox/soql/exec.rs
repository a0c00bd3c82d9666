//! Runs a resolved query over in-memory records: filter, sort, `OFFSET`/`LIMIT`, then
//! projection into the REST response shape of §5.2. Paging is left to the HTTP layer.

use std::cmp::Ordering;

use chrono::{FixedOffset, NaiveDate, Offset, Utc};
use serde_json::{Map, Value};

use super::eval::{Env, Record, Scalar};
use super::plan::{Column, Projection, ResolvedQuery, SortKey};

/// Per-call inputs of `execute`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExecContext<'a> {
    /// API version of the request, e.g. `"62.0"`, used in `attributes.url`.
    pub api_version: &'a str,
    /// The current day in the user's time zone; relative date literals count from it.
    pub today: NaiveDate,
    /// The user's time zone: relative ranges on dateTime fields start at local midnight.
    pub utc_offset: FixedOffset,
}

impl<'a> ExecContext<'a> {
    /// A context for a user in UTC.
    pub fn new(api_version: &'a str, today: NaiveDate) -> Self {
        ExecContext { api_version, today, utc_offset: Utc.fix() }
    }
}

/// The full, ordered result of a query.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryOutput {
    /// Rows after `OFFSET`/`LIMIT` (for `COUNT()`, the count).
    pub total_size: usize,
    /// Rows in response shape; empty for `COUNT()`.
    pub records: Vec<Value>,
}

/// Runs `query` over `records` (the queried object's rows; the caller decides whether
/// deleted rows take part). `lookup(object, id)` finds parent records for relationship
/// fields; an unset or dangling lookup yields `null`.
pub fn execute<'r, I, L>(query: &ResolvedQuery, records: I, lookup: L, ctx: &ExecContext<'_>) -> QueryOutput
where
    I: IntoIterator<Item = &'r Record>,
    L: Fn(&str, &str) -> Option<&'r Record>,
{
    let env = Env { lookup: &lookup, today: ctx.today, utc_offset: ctx.utc_offset };
    let mut rows: Vec<&Record> =
        records.into_iter().filter(|r| query.filter.as_ref().is_none_or(|f| env.matches(f, r))).collect();
    let columns = match &query.projection {
        Projection::Count => None,
        Projection::Columns(columns) => Some(columns),
    };
    if columns.is_some() && !query.order.is_empty() {
        rows = sorted(&env, &query.order, rows);
    }
    let page = rows.into_iter().skip(query.offset).take(query.limit.unwrap_or(usize::MAX));
    let Some(columns) = columns else {
        return QueryOutput { total_size: page.count(), records: Vec::new() };
    };
    let records: Vec<Value> =
        page.map(|record| project(&env, ctx.api_version, &query.object, columns, record)).collect();
    QueryOutput { total_size: records.len(), records }
}

/// Stable sort on the `ORDER BY` keys, each value read once.
fn sorted<'r, L>(env: &Env<'_, L>, order: &[SortKey], rows: Vec<&'r Record>) -> Vec<&'r Record>
where
    L: Fn(&str, &str) -> Option<&'r Record>,
{
    let mut keyed: Vec<(Vec<Scalar>, &Record)> =
        rows.into_iter().map(|r| (order.iter().map(|k| env.scalar(&k.column, r)).collect(), r)).collect();
    keyed.sort_by(|(a, _), (b, _)| {
        order
            .iter()
            .zip(a.iter().zip(b))
            .map(|(key, (x, y))| compare(key, x, y))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    keyed.into_iter().map(|(_, r)| r).collect()
}

fn compare(key: &SortKey, a: &Scalar, b: &Scalar) -> Ordering {
    let null_side = if key.nulls_last { Ordering::Greater } else { Ordering::Less };
    match (a.is_null(), b.is_null()) {
        (true, true) => Ordering::Equal,
        (true, false) => null_side,
        (false, true) => null_side.reverse(),
        (false, false) if key.descending => b.cmp_value(a),
        (false, false) => a.cmp_value(b),
    }
}

/// One response row: `attributes`, then each column, parent columns nested under their
/// relationship name (`null` when the lookup is empty).
fn project<'r, L>(env: &Env<'_, L>, version: &str, object: &str, columns: &[Column], record: &'r Record) -> Value
where
    L: Fn(&str, &str) -> Option<&'r Record>,
{
    let mut row = attributes(version, object, record);
    'columns: for column in columns {
        let (mut out, mut current) = (&mut row, record);
        for hop in &column.hops {
            let parent = env.parent(current, &hop.foreign_key, &hop.target);
            let slot = out
                .entry(hop.name.as_str())
                .or_insert_with(|| parent.map_or(Value::Null, |p| Value::Object(attributes(version, &hop.target, p))));
            match (slot, parent) {
                (Value::Object(nested), Some(parent)) => (out, current) = (nested, parent),
                _ => continue 'columns,
            }
        }
        let value = current.get(&column.field).cloned().unwrap_or(Value::Null);
        out.insert(column.field.clone(), value);
    }
    Value::Object(row)
}

/// A row holding only `attributes: {type, url}`.
fn attributes(version: &str, object: &str, record: &Record) -> Map<String, Value> {
    let id = record.get("Id").and_then(Value::as_str).unwrap_or_default();
    let version = version.trim_start_matches('v');
    let mut attributes = Map::new();
    attributes.insert("type".into(), Value::from(object));
    attributes.insert("url".into(), Value::from(format!("/services/data/v{version}/sobjects/{object}/{id}")));
    let mut row = Map::new();
    row.insert("attributes".into(), Value::Object(attributes));
    row
}

#[cfg(test)]
#[path = "exec_tests.rs"]
mod tests;
