//! Runs a resolved query over in-memory records: filter, sort, `OFFSET`/`LIMIT`, then
//! projection into the REST response shape of §5.2, child subqueries nested in each
//! row (see `subquery_exec`). Paging is left to the HTTP layer.

use std::cmp::Ordering;

use chrono::{FixedOffset, NaiveDate, Offset, Utc};
use serde_json::{Map, Value};

use super::eval::{Env, Record, Scalar};
use super::plan::{Column, Projection, ResolvedQuery, SortKey};
use super::source::Source;
use super::subquery_exec::{ChildRows, bind};

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

/// Runs `query` over the records of `source` (which decides whether deleted rows take
/// part, and finds parent records for relationship fields).
pub fn execute<'r, S: Source<'r>>(query: &ResolvedQuery, source: &S, ctx: &ExecContext<'_>) -> QueryOutput {
    let lookup = |object: &str, id: &str| source.get(object, id);
    let env = Env { lookup: &lookup, today: ctx.today, utc_offset: ctx.utc_offset };
    let rows = select(&env, source, query, source.rows(&query.object));
    let Projection::Columns(columns) = &query.projection else {
        return QueryOutput { total_size: rows.len(), records: Vec::new() };
    };
    let children: Vec<ChildRows<'_, '_>> = query.children.iter().map(|c| ChildRows::collect(&env, source, c)).collect();
    let records: Vec<Value> = rows
        .into_iter()
        .map(|record| project(&env, ctx.api_version, &query.object, columns, &children, record))
        .collect();
    QueryOutput { total_size: records.len(), records }
}

/// The rows of `rows` the query keeps, in order: filter (semi-joins run first), then
/// sort, `OFFSET` and `LIMIT`.
pub(super) fn select<'r, S, L>(
    env: &Env<'_, L>,
    source: &S,
    query: &ResolvedQuery,
    rows: impl Iterator<Item = &'r Record>,
) -> Vec<&'r Record>
where
    S: Source<'r>,
    L: Fn(&str, &str) -> Option<&'r Record>,
{
    let filter = query.filter.as_ref().map(|f| bind(env, source, f));
    let rows = rows.filter(|r| filter.as_ref().is_none_or(|f| env.matches(f, r))).collect();
    page(env, query, rows)
}

/// Sorts filtered rows (`COUNT()` needs no order), then applies `OFFSET` and `LIMIT`.
pub(super) fn page<'r, L>(env: &Env<'_, L>, query: &ResolvedQuery, mut rows: Vec<&'r Record>) -> Vec<&'r Record>
where
    L: Fn(&str, &str) -> Option<&'r Record>,
{
    if !query.is_count() && !query.order.is_empty() {
        rows = sorted(env, &query.order, rows);
    }
    rows.into_iter().skip(query.offset).take(query.limit.unwrap_or(usize::MAX)).collect()
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
/// relationship name (`null` when the lookup is empty), child subqueries where the
/// select list has them.
pub(super) fn project<'r, L>(
    env: &Env<'_, L>,
    version: &str,
    object: &str,
    columns: &[Column],
    children: &[ChildRows<'_, 'r>],
    record: &'r Record,
) -> Value
where
    L: Fn(&str, &str) -> Option<&'r Record>,
{
    let mut row = attributes(version, object, record);
    let nest = |row: &mut Map<String, Value>, position: usize| {
        for child in children.iter().filter(|c| c.after() == position) {
            row.insert(child.name().to_owned(), child.nested(env, version, record));
        }
    };
    'columns: for (position, column) in columns.iter().enumerate() {
        nest(&mut row, position);
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
    nest(&mut row, columns.len());
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
