//! Semantic checks: resolves object, relationship and field names through a `Catalog` and
//! types every literal against its field, with Salesforce's error codes and texts (§5.5).

use super::ast::{CompareOp, Condition, FieldPath, Literal, LiteralValue, Query, Select};
use super::catalog::{Catalog, ValueKind};
use super::error::{
    INVALID_FIELD, INVALID_QUERY_FILTER_OPERATOR, INVALID_TYPE, MALFORMED_QUERY, NUMBER_OUTSIDE_VALID_RANGE, SoqlError,
};
use super::literal::{PatternPart, canonical_id, fold_case};
use super::plan::{Column, Filter, Operand, Projection, ResolvedQuery, SortKey};

/// Largest `OFFSET` Salesforce accepts.
pub const MAX_OFFSET: u64 = 2000;

/// Checks `query` against `catalog` and produces its executable form.
pub fn resolve(query: &Query, catalog: &impl Catalog) -> Result<ResolvedQuery, SoqlError> {
    let text = query.text.as_str();
    let object = resolve_object(query, catalog)?;
    Resolver { text, catalog, object, nested: false }.query(query)
}

/// The canonical name of the object a query (or a semi-join's inner select) reads.
pub(super) fn resolve_object(query: &Query, catalog: &impl Catalog) -> Result<String, SoqlError> {
    catalog.object(&query.from.text).ok_or_else(|| {
        let reason = format!(
            "sObject type '{}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
            query.from.text
        );
        SoqlError::at(INVALID_TYPE, &query.text, query.from.pos, reason)
    })
}

/// Where a condition stands in the `WHERE` tree: semi-joins are only allowed at its
/// top level (alone, or an operand of the top-level `AND`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    TopLevel,
    UnderOr,
    Nested,
}

/// Resolves one `SELECT` against `object`; `nested` for subqueries, which may hold
/// neither semi-joins nor child subqueries of their own.
pub(super) struct Resolver<'a, C> {
    pub text: &'a str,
    pub catalog: &'a C,
    pub object: String,
    pub nested: bool,
}

impl<C: Catalog> Resolver<'_, C> {
    pub(super) fn query(&self, query: &Query) -> Result<ResolvedQuery, SoqlError> {
        let text = self.text;
        let projection = match &query.select {
            Select::Count => Projection::Count,
            Select::Fields(paths) => Projection::Columns(self.select_list(paths)?),
        };
        let filter = query.filter.as_ref().map(|c| self.filter(c, Place::TopLevel)).transpose()?;
        let order = query
            .order_by
            .iter()
            .map(|item| {
                let column = self.column(&item.field)?;
                Ok(SortKey { column, descending: item.descending, nulls_last: item.nulls_last() })
            })
            .collect::<Result<_, SoqlError>>()?;
        let offset = match query.offset {
            // [unconfirmed] the caret position; the reason text is the documented one.
            Some(n) if n.value > MAX_OFFSET => {
                let reason = format!("Maximum SOQL offset allowed is {MAX_OFFSET}");
                return Err(SoqlError::at(NUMBER_OUTSIDE_VALID_RANGE, text, n.pos, reason));
            }
            Some(n) => usize::try_from(n.value).unwrap_or(usize::MAX),
            None => 0,
        };
        let limit = query.limit.map(|n| usize::try_from(n.value).unwrap_or(usize::MAX));
        let children = self.child_queries(&query.children)?;
        let object = self.object.clone();
        Ok(ResolvedQuery { object, projection, filter, order, offset, limit, children })
    }

    fn select_list(&self, paths: &[FieldPath]) -> Result<Vec<Column>, SoqlError> {
        let mut columns: Vec<Column> = Vec::with_capacity(paths.len());
        for path in paths {
            let column = self.column(path)?;
            if columns.contains(&column) {
                // [unconfirmed] code and layout; Salesforce rejects repeated columns with
                // this reason text.
                let reason = format!("duplicate field selected: {}", path.dotted());
                return Err(SoqlError::at(MALFORMED_QUERY, self.text, path.pos, reason));
            }
            columns.push(column);
        }
        Ok(columns)
    }

    pub(super) fn column(&self, path: &FieldPath) -> Result<Column, SoqlError> {
        let mut object = self.object.clone();
        let mut segments = path.segments.as_slice();
        // `Account.Name` in a query on Account may qualify a field with the object name.
        if let [first, _, ..] = segments
            && first.eq_ignore_ascii_case(&object)
            && self.catalog.relationship(&object, first).is_none()
        {
            segments = segments.get(1..).unwrap_or_default();
        }
        let Some((field, relationships)) = segments.split_last() else {
            return Err(self.invalid_column(path, &path.dotted(), &object));
        };
        let mut hops = Vec::with_capacity(relationships.len());
        for name in relationships {
            let Some(hop) = self.catalog.relationship(&object, name) else {
                let reason = format!(
                    "Didn't understand relationship '{name}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."
                );
                return Err(SoqlError::at(INVALID_FIELD, self.text, path.pos, reason));
            };
            object.clone_from(&hop.target);
            hops.push(hop);
        }
        let info = self.catalog.field(&object, field);
        let info = info.ok_or_else(|| self.invalid_column(path, field, &object))?;
        Ok(Column { hops, field: info.name, kind: info.kind })
    }

    fn invalid_column(&self, path: &FieldPath, field: &str, object: &str) -> SoqlError {
        let reason = format!(
            "No such column '{field}' on entity '{object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
        );
        SoqlError::at(INVALID_FIELD, self.text, path.pos, reason)
    }

    fn filter(&self, condition: &Condition, place: Place) -> Result<Filter, SoqlError> {
        let all = |parts: &[Condition], place| parts.iter().map(|c| self.filter(c, place)).collect::<Result<_, _>>();
        let below = if place == Place::UnderOr { Place::UnderOr } else { Place::Nested };
        Ok(match condition {
            Condition::And(parts) => Filter::And(all(parts, place)?),
            Condition::Or(parts) => Filter::Or(all(parts, Place::UnderOr)?),
            Condition::Not(inner) => Filter::Not(Box::new(self.filter(inner, below)?)),
            Condition::SemiJoin { field, negated, query } => self.semi_join(field, *negated, query, place)?,
            Condition::Compare { field, op, value } => {
                let column = self.column(field)?;
                let ordering = !matches!(op, CompareOp::Eq | CompareOp::Ne);
                if ordering && column.kind == ValueKind::Boolean {
                    return Err(self.invalid_operator(field, column.kind));
                }
                let operand = self.operand(&column, field, value)?;
                Filter::Compare { column, op: *op, operand }
            }
            Condition::In { field, negated, values } => {
                let column = self.column(field)?;
                let operands = values.iter().map(|v| self.operand(&column, field, v));
                let operands = operands.collect::<Result<_, _>>()?;
                Filter::In { column, negated: *negated, operands }
            }
            Condition::Like { field, negated, pattern } => {
                let column = self.column(field)?;
                if !matches!(column.kind, ValueKind::String | ValueKind::Picklist) {
                    return Err(self.invalid_operator(field, column.kind));
                }
                let pattern = pattern.iter().flat_map(lower_case).collect();
                Filter::Like { column, negated: *negated, pattern }
            }
        })
    }

    /// The literal as a value of the column's kind, or Salesforce's type error.
    fn operand(&self, column: &Column, path: &FieldPath, literal: &Literal) -> Result<Operand, SoqlError> {
        use LiteralValue as L;
        let kind = column.kind;
        let operand = match &literal.value {
            L::Null => Some(Operand::Null),
            L::String(s) if kind.is_id() => {
                return canonical_id(s).map(Operand::Id).ok_or_else(|| {
                    let reason = format!("invalid ID field: {s}");
                    SoqlError::at(INVALID_QUERY_FILTER_OPERATOR, self.text, path.pos, reason)
                });
            }
            L::String(s) if kind.is_quoted() => Some(Operand::Text(fold_case(s))),
            L::Boolean(b) if kind == ValueKind::Boolean => Some(Operand::Boolean(*b)),
            L::Number(n) if kind.is_number() => Some(Operand::Number(*n)),
            L::Date(d) if kind == ValueKind::Date => Some(Operand::Date(*d)),
            L::DateTime(t) if kind == ValueKind::DateTime => Some(Operand::DateTime(*t)),
            L::Relative(r) if matches!(kind, ValueKind::Date | ValueKind::DateTime) => Some(Operand::Relative(*r)),
            _ => None,
        };
        operand.ok_or_else(|| {
            // [unconfirmed] §5.5 lists no text for literal type mismatches; this is the
            // INVALID_FIELD wording Salesforce uses for them (also for a date literal
            // against a dateTime field and vice versa).
            let quotes = if kind.is_quoted() { "should" } else { "should not" };
            let reason = format!(
                "value of filter criterion for field '{}' must be of type {} and {quotes} be enclosed in quotes",
                path.dotted(),
                kind.message_name()
            );
            SoqlError::at(INVALID_FIELD, self.text, path.pos, reason)
        })
    }

    // Documented for Id fields ("invalid operator on id field", e.g. LIKE on Id);
    // [unconfirmed] the same pattern for other kinds (LIKE on numbers, `<` on booleans).
    fn invalid_operator(&self, path: &FieldPath, kind: ValueKind) -> SoqlError {
        let reason = format!("invalid operator on {} field", kind.message_name());
        SoqlError::at(INVALID_QUERY_FILTER_OPERATOR, self.text, path.pos, reason)
    }
}

/// A pattern part with its literal character lower-cased (one character may become several).
fn lower_case(part: &PatternPart) -> Vec<PatternPart> {
    match part {
        PatternPart::Char(c) => c.to_lowercase().map(PatternPart::Char).collect(),
        other => vec![other.clone()],
    }
}

#[cfg(test)]
#[path = "resolve_tests.rs"]
mod tests;
