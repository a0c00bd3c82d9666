//! The checked form of a query: every name resolved to its canonical API name and every
//! literal converted to the type of the field it is compared with.

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, Utc};

use super::ast::CompareOp;
use super::catalog::{Relationship, ValueKind};
use super::dates::RelativeDate;
use super::literal::PatternPart;

/// A query ready for `execute`, produced by `resolve`.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedQuery {
    pub(crate) object: String,
    pub(crate) projection: Projection,
    pub(crate) filter: Option<Filter>,
    pub(crate) order: Vec<SortKey>,
    pub(crate) offset: usize,
    pub(crate) limit: Option<usize>,
    /// Child relationship subqueries of the select list.
    pub(crate) children: Vec<ChildQuery>,
}

impl ResolvedQuery {
    /// Canonical name of the queried object.
    pub fn object(&self) -> &str {
        &self.object
    }

    /// Whether this is `SELECT COUNT()`, answered with `totalSize` and no records.
    pub fn is_count(&self) -> bool {
        self.projection == Projection::Count
    }

    /// Whether the select list holds child relationship subqueries.
    pub fn has_child_queries(&self) -> bool {
        !self.children.is_empty()
    }
}

/// A child relationship subquery, run for each parent row.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ChildQuery {
    /// How many columns come before it in the select list.
    pub after: usize,
    /// Canonical relationship name, the key of the nested result.
    pub relationship: String,
    /// The child's field holding the parent Id.
    pub foreign_key: String,
    /// The subquery over the child object (no children of its own).
    pub query: ResolvedQuery,
}

/// The inner select of a semi-join: a query and the one Id or reference column it selects.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SemiJoin {
    pub query: ResolvedQuery,
    pub selected: Column,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Projection {
    Count,
    Columns(Vec<Column>),
}

/// A field reached from the queried object through zero or more parent relationships.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    pub hops: Vec<Relationship>,
    pub field: String,
    pub kind: ValueKind,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Compare {
        column: Column,
        op: CompareOp,
        operand: Operand,
    },
    In {
        column: Column,
        negated: bool,
        operands: Vec<Operand>,
    },
    Like {
        column: Column,
        negated: bool,
        /// Literal characters already lower-cased.
        pattern: Vec<PatternPart>,
    },
    /// `column [NOT] IN (SELECT …)`, before execution.
    SemiJoin {
        column: Column,
        negated: bool,
        inner: Box<SemiJoin>,
    },
    /// A semi-join once its inner select has run: the 15-character Ids it returned.
    InIds {
        column: Column,
        negated: bool,
        ids: BTreeSet<String>,
    },
}

/// A literal checked against its field's kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Operand {
    Null,
    Boolean(bool),
    Number(f64),
    /// Lower-cased, for case-insensitive comparison.
    Text(String),
    /// The 15-character form of an Id.
    Id(String),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    Relative(RelativeDate),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SortKey {
    pub column: Column,
    pub descending: bool,
    pub nulls_last: bool,
}
