//! The sandbox's SOQL engine: the subset of SOQL the sync uses (§5.4 of
//! `salesforce-api.md`) with Salesforce's semantics, response shape and error texts.
//!
//! `parse` (syntax only) → `resolve` (names and literal types, through a [`Catalog`] the
//! sandbox implements) → `execute` (filter, sort, `OFFSET`/`LIMIT`, projection over
//! the in-memory records of a [`Source`]). Semi-joins and anti-joins
//! (`Id [NOT] IN (SELECT …)`) and child relationship subqueries
//! (`(SELECT … FROM Contacts)`) go through the same steps (`subquery`,
//! `subquery_exec`). Paging (`nextRecordsUrl`) and choosing which rows are visible
//! (`query` vs `queryAll`) belong to the caller.

pub mod ast;
mod catalog;
mod cursor;
mod dates;
pub mod error;
mod eval;
mod exec;
mod lexer;
mod literal;
mod parser;
mod plan;
mod resolve;
mod source;
mod subquery;
mod subquery_exec;

#[cfg(test)]
mod testkit;

pub use ast::Query;
pub use catalog::{Catalog, ChildRelationship, FieldInfo, Relationship, ValueKind};
pub use error::SoqlError;
pub use eval::Record;
pub use exec::{ExecContext, QueryOutput, execute};
pub use parser::parse;
pub use plan::ResolvedQuery;
pub use resolve::{MAX_OFFSET, resolve};
pub use source::Source;

/// Parses and resolves `soql` in one step.
pub fn prepare(soql: &str, catalog: &impl Catalog) -> Result<ResolvedQuery, SoqlError> {
    resolve(&parse(soql)?, catalog)
}

#[cfg(test)]
#[path = "subquery_tests.rs"]
mod subquery_tests;
