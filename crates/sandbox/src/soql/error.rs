//! Query errors in Salesforce's wire shape: an `errorCode` plus a message that echoes the
//! offending query line with a caret under the error position (§5.5 of the API reference).

use std::fmt;

/// Syntax errors: bad tokens, unknown escapes, `AND`/`OR` mixed without parentheses.
pub const MALFORMED_QUERY: &str = "MALFORMED_QUERY";
/// Unknown column or relationship, or a literal of the wrong type for its field.
pub const INVALID_FIELD: &str = "INVALID_FIELD";
/// Unknown sObject in `FROM`.
pub const INVALID_TYPE: &str = "INVALID_TYPE";
/// A malformed Id literal or an operator the field type does not allow.
pub const INVALID_QUERY_FILTER_OPERATOR: &str = "INVALID_QUERY_FILTER_OPERATOR";
/// `OFFSET` above 2000.
pub const NUMBER_OUTSIDE_VALID_RANGE: &str = "NUMBER_OUTSIDE_VALID_RANGE";

/// A SOQL error as the REST API reports it: `[{"message": ..., "errorCode": ...}]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoqlError {
    /// Salesforce `errorCode`, one of the constants of this module.
    pub code: &'static str,
    /// The full `message`, including the query echo and caret lines.
    pub message: String,
}

impl SoqlError {
    /// An error located at byte `offset` of `query`:
    /// `"\n<line>\n<spaces>^\nERROR at Row:<r>:Column:<c>\n<reason>"`.
    pub(crate) fn at(code: &'static str, query: &str, offset: usize, reason: impl fmt::Display) -> Self {
        let (row, column) = position(query, offset);
        let line = query.lines().nth(row - 1).unwrap_or_default();
        let caret = " ".repeat(column - 1);
        SoqlError { code, message: format!("\n{line}\n{caret}^\nERROR at Row:{row}:Column:{column}\n{reason}") }
    }
}

/// 1-based (row, column) of byte `offset` in `text`, counting characters; offsets past the
/// end or inside a character are clamped to the previous character boundary.
pub(crate) fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = text.get(..end).unwrap_or_default();
    let row = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (row, column)
}

impl fmt::Display for SoqlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for SoqlError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_layout_matches_the_reference_example() {
        let q = "SELECT Id, Foo__c FROM Account";
        let e = SoqlError::at(INVALID_FIELD, q, 11, "No such column");
        assert_eq!(e.code, "INVALID_FIELD");
        assert_eq!(
            e.message,
            "\nSELECT Id, Foo__c FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column"
        );
    }

    #[test]
    fn second_line_is_echoed_with_its_own_row_and_column() {
        let q = "SELECT Id\nFROM Nope";
        let e = SoqlError::at(INVALID_TYPE, q, 15, "bad");
        assert_eq!(e.message, "\nFROM Nope\n     ^\nERROR at Row:2:Column:6\nbad");
    }

    #[test]
    fn offsets_are_clamped_and_counted_in_characters() {
        assert_eq!(position("é = x", 100), (1, 6));
        assert_eq!(position("é = x", 1), (1, 1));
        assert_eq!(position("é = x", 2), (1, 2));
        assert_eq!(position("", 0), (1, 1));
    }

    #[test]
    fn display_prefixes_the_code() {
        let e = SoqlError::at(MALFORMED_QUERY, "x", 0, "oops");
        assert_eq!(e.to_string(), "MALFORMED_QUERY: \nx\n^\nERROR at Row:1:Column:1\noops");
    }
}
