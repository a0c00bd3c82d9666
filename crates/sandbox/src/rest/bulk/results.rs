//! The result CSVs of a finished ingest job (§7.3): `successfulResults`
//! (`sf__Id`, `sf__Created`), `failedResults` (`sf__Id`, `sf__Error`) and
//! `unprocessedrecords`, each followed by the uploaded columns as uploaded.

use super::csv_rows::{self, Rows};
use super::ingest::IngestJob;

/// Which result file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultKind {
    Successful,
    Failed,
    Unprocessed,
}

impl ResultKind {
    /// The path segment, case-insensitively (`unprocessedRecords` is common).
    pub fn parse(segment: &str) -> Option<Self> {
        [
            ("successfulResults", Self::Successful),
            ("failedResults", Self::Failed),
            ("unprocessedrecords", Self::Unprocessed),
        ]
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(segment))
        .map(|(_, kind)| kind)
    }
}

/// The CSV text; empty when the job's data never parsed.
pub fn render(job: &IngestJob, kind: ResultKind) -> Result<String, String> {
    let Some(rows) = &job.rows else { return Ok(String::new()) };
    let mut out = csv_rows::writer(job.meta.format);
    let leading: &[&str] = match kind {
        ResultKind::Successful => &["sf__Id", "sf__Created"],
        ResultKind::Failed => &["sf__Id", "sf__Error"],
        ResultKind::Unprocessed => &[],
    };
    write_row(&mut out, leading, rows.header.iter())?;
    match kind {
        ResultKind::Successful => {
            for success in &job.successes {
                let created = if success.created { "true" } else { "false" };
                write_row(&mut out, &[&success.id, created], original(rows, success.row))?;
            }
        }
        ResultKind::Failed => {
            for failure in &job.failures {
                write_row(&mut out, &[&failure.id, &failure.error], original(rows, failure.row))?;
            }
        }
        ResultKind::Unprocessed => {
            for record in rows.records.iter().skip(job.cursor) {
                write_row(&mut out, &[], record.iter())?;
            }
        }
    }
    csv_rows::finish(out)
}

fn original(rows: &Rows, row: usize) -> impl Iterator<Item = &str> {
    rows.records.get(row).into_iter().flat_map(|record| record.iter())
}

fn write_row<'a>(
    out: &mut csv::Writer<Vec<u8>>,
    leading: &[&'a str],
    rest: impl Iterator<Item = &'a str>,
) -> Result<(), String> {
    out.write_record(leading.iter().copied().chain(rest)).map_err(|e| e.to_string())
}
