//! Where `execute` reads records: the rows of the queried object, and of the objects
//! semi-joins and child subqueries read, plus single records for parent relationships.

use super::eval::Record;

/// Records by object, supplied by the sandbox (or a test store).
pub trait Source<'r> {
    /// The rows of `object` the query may see: the caller decides whether deleted rows
    /// take part (`query` vs `queryAll`). Unknown objects have no rows.
    fn rows(&self, object: &str) -> Box<dyn Iterator<Item = &'r Record> + 'r>;
    /// The record of `object` with this 18-character Id, for parent relationships; an
    /// unset or dangling lookup finds nothing and yields `null`.
    fn get(&self, object: &str, id: &str) -> Option<&'r Record>;
}
