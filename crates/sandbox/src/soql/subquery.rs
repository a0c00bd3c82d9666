//! Resolving subqueries: semi-joins and anti-joins in `WHERE`
//! (`AccountId [NOT] IN (SELECT Id FROM Account …)`) and child relationship
//! subqueries in the select list (`(SELECT LastName FROM Contacts)`), with
//! Salesforce's restrictions and error texts. Running them is `subquery_exec`.

use super::ast::{ChildSelect, FieldPath, Query, Select};
use super::catalog::Catalog;
use super::error::{INVALID_FIELD, INVALID_TYPE, MALFORMED_QUERY, SoqlError};
use super::plan::{ChildQuery, Filter, SemiJoin};
use super::resolve::{Place, Resolver, resolve_object};

impl<C: Catalog> Resolver<'_, C> {
    /// `field [NOT] IN (SELECT one Id or reference field FROM object [WHERE …])`.
    pub(super) fn semi_join(
        &self,
        field: &FieldPath,
        negated: bool,
        query: &Query,
        place: Place,
    ) -> Result<Filter, SoqlError> {
        let malformed = |reason: &str| SoqlError::at(MALFORMED_QUERY, self.text, field.pos, reason);
        // The texts are the ones Salesforce is reported to answer with; [unconfirmed]
        // the error codes and where the caret points (here: the left operand).
        if self.nested {
            return Err(malformed("Nesting of semi join sub-selects is not supported"));
        }
        match place {
            Place::TopLevel => {}
            Place::UnderOr => return Err(malformed("Semi join sub-selects are not allowed with the 'OR' operator")),
            Place::Nested => {
                return Err(malformed(
                    "Semi join sub-selects are only allowed at the top level WHERE expressions and not in nested WHERE expressions.",
                ));
            }
        }
        let column = self.column(field)?;
        if !column.kind.is_id() {
            // [unconfirmed] text: Salesforce requires an Id or reference field on the left.
            let reason =
                format!("semi join sub selects are only supported on id fields, cannot use: '{}'", field.dotted());
            return Err(SoqlError::at(INVALID_FIELD, self.text, field.pos, reason));
        }
        let object = resolve_object(query, self.catalog)?;
        let inner = Resolver { text: self.text, catalog: self.catalog, object, nested: true };
        // The parser reads exactly one field for a semi-join; a second one is a syntax error.
        let Select::Fields(paths) = &query.select else { return Err(malformed("unexpected token: 'COUNT'")) };
        let [path] = paths.as_slice() else { return Err(malformed("unexpected token: ','")) };
        let selected = inner.column(path)?;
        if !selected.kind.is_id() {
            // [unconfirmed] error code; the text is the one Salesforce is reported to use.
            let reason = format!("semi join sub selects can only query id fields, cannot use: '{}'", path.dotted());
            return Err(SoqlError::at(INVALID_FIELD, self.text, path.pos, reason));
        }
        let query = inner.query(query)?;
        Ok(Filter::SemiJoin { column, negated, inner: Box::new(SemiJoin { query, selected }) })
    }

    /// The select list's child subqueries, each against the child object of its relationship.
    pub(super) fn child_queries(&self, children: &[ChildSelect]) -> Result<Vec<ChildQuery>, SoqlError> {
        children
            .iter()
            .map(|child| {
                let from = &child.query.from;
                let relationship = self.catalog.child_relationship(&self.object, &from.text).ok_or_else(|| {
                    let reason = format!(
                        "Didn't understand relationship '{}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.",
                        from.text
                    );
                    SoqlError::at(INVALID_TYPE, self.text, from.pos, reason)
                })?;
                let object = relationship.child.clone();
                let query = Resolver { text: self.text, catalog: self.catalog, object, nested: true }.query(&child.query)?;
                Ok(ChildQuery {
                    after: child.after,
                    relationship: relationship.name,
                    foreign_key: relationship.foreign_key,
                    query,
                })
            })
            .collect()
    }
}
