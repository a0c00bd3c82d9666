//! Running subqueries: a semi-join's inner select runs once, before the outer rows
//! are filtered, and becomes the set of Ids it returned; a child subquery's rows are
//! read once, grouped by parent, and nested under each parent row of the page as
//! `{totalSize, done, records}` (`null` when the parent has none).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::eval::{Env, Record, Scalar};
use super::exec::{page, project, select};
use super::literal::canonical_id;
use super::plan::{ChildQuery, Filter, Projection};
use super::source::Source;

/// `filter` with every semi-join replaced by the Ids its inner select returns.
pub(super) fn bind<'r, S, L>(env: &Env<'_, L>, source: &S, filter: &Filter) -> Filter
where
    S: Source<'r>,
    L: Fn(&str, &str) -> Option<&'r Record>,
{
    let all = |parts: &[Filter]| parts.iter().map(|f| bind(env, source, f)).collect();
    match filter {
        Filter::And(parts) => Filter::And(all(parts)),
        Filter::Or(parts) => Filter::Or(all(parts)),
        Filter::Not(inner) => Filter::Not(Box::new(bind(env, source, inner))),
        Filter::SemiJoin { column, negated, inner } => {
            let rows = select(env, source, &inner.query, source.rows(&inner.query.object));
            let ids = rows
                .into_iter()
                .filter_map(|row| match env.scalar(&inner.selected, row) {
                    Scalar::Id(id) => Some(id),
                    _ => None,
                })
                .collect();
            Filter::InIds { column: column.clone(), negated: *negated, ids }
        }
        other => other.clone(),
    }
}

/// One child subquery's matching rows, by the 15-character Id of their parent.
pub(super) struct ChildRows<'q, 'r> {
    plan: &'q ChildQuery,
    by_parent: HashMap<String, Vec<&'r Record>>,
}

impl<'q, 'r> ChildRows<'q, 'r> {
    /// Reads and filters the child object's rows once for the whole page.
    pub(super) fn collect<S, L>(env: &Env<'_, L>, source: &S, plan: &'q ChildQuery) -> Self
    where
        S: Source<'r>,
        L: Fn(&str, &str) -> Option<&'r Record>,
    {
        let filter = plan.query.filter.as_ref().map(|f| bind(env, source, f));
        let mut by_parent: HashMap<String, Vec<&'r Record>> = HashMap::new();
        for row in source.rows(&plan.query.object) {
            let parent = row.get(&plan.foreign_key).and_then(Value::as_str).and_then(canonical_id);
            if let Some(parent) = parent
                && filter.as_ref().is_none_or(|f| env.matches(f, row))
            {
                by_parent.entry(parent).or_default().push(row);
            }
        }
        ChildRows { plan, by_parent }
    }

    /// How many columns of the select list come before this subquery.
    pub(super) fn after(&self) -> usize {
        self.plan.after
    }

    /// The relationship name, the key of the nested result.
    pub(super) fn name(&self) -> &str {
        &self.plan.relationship
    }

    /// The nested query result for `parent`, or `null` when it has no matching children.
    pub(super) fn nested<L>(&self, env: &Env<'_, L>, version: &str, parent: &Record) -> Value
    where
        L: Fn(&str, &str) -> Option<&'r Record>,
    {
        let query = &self.plan.query;
        let id = parent.get("Id").and_then(Value::as_str).and_then(canonical_id);
        let rows = id.and_then(|id| self.by_parent.get(&id)).cloned().unwrap_or_default();
        let rows = page(env, query, rows);
        let Projection::Columns(columns) = &query.projection else { return Value::Null };
        if rows.is_empty() {
            return Value::Null;
        }
        let records: Vec<Value> =
            rows.into_iter().map(|row| project(env, version, &query.object, columns, &[], row)).collect();
        json!({ "totalSize": records.len(), "done": true, "records": records })
    }
}
