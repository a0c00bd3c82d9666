//! The CSV side of Bulk API 2.0: a writer for uploads (comma, LF, quoting
//! only where needed), a reader for result files, and `sf__Error` cells
//! (`CODE:message:fields--`, possibly several in a row) parsed into [`Error`]s.

use std::sync::Arc;

use crate::salesforce::composite::invalid_input;
use crate::salesforce::error::Error;

/// Builds an upload: header row of field API names, then rows of text.
/// Fields holding commas, quotes or line breaks are quoted; `""` leaves a
/// field unchanged on update/upsert and [`CsvWriter::NULL`] clears it.
#[derive(Debug)]
pub struct CsvWriter {
    inner: csv::Writer<Vec<u8>>,
    columns: usize,
    rows: usize,
}

impl CsvWriter {
    /// The cell value that sets a field to null.
    pub const NULL: &'static str = "#N/A";

    /// Starts a file with `header` (`Account.ForceSync_Key__c` for a relation by external id).
    pub fn new<S: AsRef<str>>(header: &[S]) -> Result<Self, Error> {
        if header.is_empty() || header.iter().any(|h| h.as_ref().trim().is_empty()) {
            return Err(invalid_input("a Bulk CSV header needs non-empty column names"));
        }
        let mut inner = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(Vec::new());
        inner.write_record(header.iter().map(AsRef::as_ref)).map_err(|e| invalid_input(e.to_string()))?;
        Ok(Self { inner, columns: header.len(), rows: 0 })
    }

    /// Appends a row; it must have as many values as the header has columns
    /// (a refused row leaves nothing behind).
    pub fn row<I, S>(&mut self, values: I) -> Result<(), Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let values: Vec<S> = values.into_iter().collect();
        if values.len() != self.columns {
            let message = format!("row {} has {} values for {} columns", self.rows + 1, values.len(), self.columns);
            return Err(invalid_input(message));
        }
        self.inner
            .write_record(values.iter().map(|v| v.as_ref().as_bytes()))
            .map_err(|e| invalid_input(format!("row {}: {e}", self.rows + 1)))?;
        self.rows += 1;
        Ok(())
    }

    /// Rows written so far (the header not counted).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The CSV text.
    pub fn finish(self) -> Result<String, Error> {
        let bytes = self.inner.into_inner().map_err(|e| invalid_input(e.to_string()))?;
        String::from_utf8(bytes).map_err(|e| invalid_input(e.to_string()))
    }
}

/// One data row of a CSV file, read by column name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvRow {
    header: Arc<[String]>,
    values: Vec<String>,
}

impl CsvRow {
    /// The value under `column` (exact name first, then ignoring case).
    pub fn get(&self, column: &str) -> Option<&str> {
        let index = self
            .header
            .iter()
            .position(|h| h == column)
            .or_else(|| self.header.iter().position(|h| h.eq_ignore_ascii_case(column)))?;
        self.values.get(index).map(String::as_str)
    }

    /// Column names, in file order.
    pub fn columns(&self) -> &[String] {
        &self.header
    }

    /// Values, in column order.
    pub fn values(&self) -> &[String] {
        &self.values
    }
}

/// A result file split into its first `N` columns (`sf__Id`, …) and the
/// rest as [`CsvRow`]s. An empty text has no rows.
pub(crate) fn read_table<const N: usize>(text: &str) -> Result<Vec<([String; N], CsvRow)>, Error> {
    let leading = N;
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let bad = |e: csv::Error| Error::bad_response(200, format!("unreadable result CSV: {e}"));
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(text.as_bytes());
    let header = reader.headers().map_err(bad)?.clone();
    if header.len() < leading {
        return Err(Error::bad_response(200, "a result CSV without its sf__ columns"));
    }
    let rest: Arc<[String]> = header.iter().skip(leading).map(str::to_owned).collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(bad)?;
        let first = std::array::from_fn(|i| record.get(i).unwrap_or_default().to_owned());
        let values = record.iter().skip(leading).map(str::to_owned).collect();
        rows.push((first, CsvRow { header: Arc::clone(&rest), values }));
    }
    Ok(rows)
}

/// Whether `text` starts with an error code followed by `:`.
fn starts_with_code(text: &str) -> bool {
    let code_len = text.chars().take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == '_').count();
    code_len > 0 && text[code_len..].starts_with(':')
}

/// The errors of an `sf__Error` cell, e.g. `REQUIRED_FIELD_MISSING:Required
/// fields are missing: [LastName]:LastName --`. Classified as the same error
/// on a single-record call (HTTP 400) would be.
pub fn parse_bulk_errors(cell: &str) -> Vec<Error> {
    let mut segments = Vec::new();
    let mut start = 0;
    for (at, _) in cell.match_indices("--") {
        let after = &cell[at + 2..];
        if at >= start && (after.trim().is_empty() || starts_with_code(after)) {
            segments.push(&cell[start..at]);
            start = at + 2;
        }
    }
    if !cell[start..].trim().is_empty() {
        segments.push(&cell[start..]);
    }
    segments
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .map(|segment| {
            let (code, rest) = segment.split_once(':').unwrap_or(("UNKNOWN", segment));
            let (message, fields) = rest.rsplit_once(':').unwrap_or((rest, ""));
            let fields = fields.split(',').map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned).collect();
            Error::new(code.trim(), message.trim(), Some(400)).with_fields(fields)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::salesforce::ErrorClass;

    #[test]
    fn writer_quotes_only_what_needs_it() {
        let mut csv = CsvWriter::new(&["Name", "Description__c"]).expect("header");
        csv.row(["Acme, Inc.", "say \"hi\"\nthen leave"]).expect("row");
        csv.row(["plain", CsvWriter::NULL]).expect("row");
        assert!(csv.row(["one column"]).is_err(), "a short row is refused");
        let text = csv.finish().expect("text");
        assert_eq!(text, "Name,Description__c\n\"Acme, Inc.\",\"say \"\"hi\"\"\nthen leave\"\nplain,#N/A\n");
        let rows = read_table::<1>(&text).expect("reads back");
        assert_eq!(rows[0].0, ["Acme, Inc."]);
        assert_eq!(rows[0].1.get("description__c"), Some("say \"hi\"\nthen leave"));
    }

    #[test]
    fn error_cells() {
        let one = parse_bulk_errors("REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --");
        assert_eq!(one.len(), 1);
        assert_eq!(
            (one[0].code.as_str(), one[0].message.as_str(), one[0].fields.as_slice(), one[0].class),
            (
                "REQUIRED_FIELD_MISSING",
                "Required fields are missing: [LastName]",
                &["LastName".to_owned()][..],
                ErrorClass::Data
            )
        );
        let two = parse_bulk_errors("ENTITY_IS_DELETED:entity is deleted:--UNABLE_TO_LOCK_ROW:a -- b:Name, Email--");
        assert_eq!(two.len(), 2);
        assert_eq!((two[0].code.as_str(), two[0].message.as_str()), ("ENTITY_IS_DELETED", "entity is deleted"));
        assert_eq!((two[1].message.as_str(), two[1].fields.len(), two[1].class), ("a -- b", 2, ErrorClass::Transient));
        assert!(parse_bulk_errors("").is_empty());
    }
}
