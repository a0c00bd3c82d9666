//! The syntax tree `parse` produces. Names are kept as written; `resolve` maps them to the
//! catalog's canonical API names. Every node that can be the subject of an error carries
//! the byte offset where it starts in the query text.

use chrono::{DateTime, NaiveDate, Utc};

pub use super::dates::{RelativeDate, Unit};
pub use super::literal::PatternPart;

/// A parsed `SELECT` statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    /// The query text, kept to echo it in later errors.
    pub text: String,
    pub select: Select,
    /// Child relationship subqueries of the select list, e.g. `(SELECT Id FROM Contacts)`.
    pub children: Vec<ChildSelect>,
    pub from: Name,
    pub filter: Option<Condition>,
    pub order_by: Vec<OrderItem>,
    pub limit: Option<Number>,
    pub offset: Option<Number>,
}

/// The select list.
#[derive(Debug, Clone, PartialEq)]
pub enum Select {
    /// `SELECT COUNT()`.
    Count,
    /// Plain and relationship fields, in query order.
    Fields(Vec<FieldPath>),
}

/// A child relationship subquery in the select list: `query.from` names the child
/// relationship (`Contacts`), not an object.
#[derive(Debug, Clone, PartialEq)]
pub struct ChildSelect {
    /// How many fields of the select list come before it, to keep the output order.
    pub after: usize,
    pub query: Query,
}

/// An identifier with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    pub text: String,
    pub pos: usize,
}

/// `Field` or `Rel.Rel.Field`: relationship names followed by one field name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    pub segments: Vec<String>,
    pub pos: usize,
}

impl FieldPath {
    /// The path as written, dot-separated.
    pub fn dotted(&self) -> String {
        self.segments.join(".")
    }
}

/// A non-negative integer (`LIMIT`, `OFFSET`) with its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number {
    pub value: u64,
    pub pos: usize,
}

/// A `WHERE` condition. `And`/`Or` hold two or more operands.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    And(Vec<Condition>),
    Or(Vec<Condition>),
    Not(Box<Condition>),
    Compare {
        field: FieldPath,
        op: CompareOp,
        value: Literal,
    },
    In {
        field: FieldPath,
        negated: bool,
        values: Vec<Literal>,
    },
    Like {
        field: FieldPath,
        negated: bool,
        pattern: Vec<PatternPart>,
    },
    /// `field [NOT] IN (SELECT one field FROM object …)`: a semi-join, or an anti-join
    /// when negated.
    SemiJoin {
        field: FieldPath,
        negated: bool,
        query: Box<Query>,
    },
}

/// `=`, `!=` (also `<>`), `<`, `<=`, `>`, `>=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

/// A literal value with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Literal {
    pub value: LiteralValue,
    pub pos: usize,
}

/// The literal kinds of §5.3.
#[derive(Debug, Clone, PartialEq)]
pub enum LiteralValue {
    Null,
    Boolean(bool),
    Number(f64),
    /// A quoted string with its escapes decoded.
    String(String),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    Relative(RelativeDate),
}

/// One `ORDER BY` key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderItem {
    pub field: FieldPath,
    pub descending: bool,
    /// `NULLS FIRST`/`NULLS LAST` as written; `None` takes Salesforce's default.
    pub nulls: Option<Nulls>,
}

/// Where null values sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nulls {
    First,
    Last,
}

impl OrderItem {
    /// Whether nulls sort after values: as written, else first for `ASC` and last for `DESC`.
    pub fn nulls_last(&self) -> bool {
        self.nulls.map_or(self.descending, |n| n == Nulls::Last)
    }
}
