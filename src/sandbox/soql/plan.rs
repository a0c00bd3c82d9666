//! The checked form of a query: every name resolved to its canonical API name and every
//! literal converted to the type of the field it is compared with.

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
