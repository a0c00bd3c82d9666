//! The CSV data plane: reading the uploads of an ingest job (RFC 4180 quoting,
//! the job's `columnDelimiter`, its declared `lineEnding` enforced) and writing
//! result CSVs in the job's dialect.

use csv::{ReaderBuilder, StringRecord, Terminator, WriterBuilder};

use super::job::CsvFormat;

/// The header and data rows of all uploads of a job.
#[derive(Debug, Clone, Default)]
pub struct Rows {
    pub header: StringRecord,
    pub records: Vec<StringRecord>,
}

/// Parses the uploads (each starts with the same header row). Errors are the
/// job's `errorMessage`.
pub fn parse(uploads: &[Vec<u8>], format: CsvFormat) -> Result<Rows, String> {
    let mut header: Option<StringRecord> = None;
    let mut records = Vec::new();
    for data in uploads {
        let data = data.strip_prefix(b"\xEF\xBB\xBF".as_slice()).unwrap_or(data);
        check_last_ending(data, format)?;
        let mut reader =
            ReaderBuilder::new().has_headers(false).flexible(true).delimiter(format.delimiter).from_reader(data);
        for (index, result) in reader.records().enumerate() {
            let record = result.map_err(|e| format!("ClientInputError : {}", describe(&e)))?;
            let start = record.position().map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
            check_ending(data, start, format)?;
            let expected = match (&header, index) {
                (None, 0) => {
                    header = Some(record);
                    continue;
                }
                (Some(first), 0) if same_header(first, &record) => continue,
                (Some(_), 0) => {
                    return Err("InvalidBatch : Every upload of a job must have the same header row".to_owned());
                }
                (Some(first), _) => first.len(),
                (None, _) => 0,
            };
            if record.len() != expected {
                let message = format!(
                    "InvalidBatch : Wrong number of columns in row {index}: the header has {expected}, the row has {}",
                    record.len()
                );
                return Err(message);
            }
            records.push(record);
        }
    }
    Ok(Rows { header: header.unwrap_or_default(), records })
}

fn same_header(a: &StringRecord, b: &StringRecord) -> bool {
    a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

fn describe(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::Utf8 { .. } => "The data is not valid UTF-8".to_owned(),
        _ => error.to_string(),
    }
}

fn ending_error(format: CsvFormat) -> String {
    format!(
        "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is {}",
        format.line_ending_name()
    )
}

/// The terminator of the record before the one at `start` must be the declared
/// one. The reader reports a record's start just after the first byte of the
/// previous terminator (`\r` of `\r\n`; the `\n` then reads as a blank line).
fn check_ending(data: &[u8], start: usize, format: CsvFormat) -> Result<(), String> {
    let Some(index) = start.checked_sub(1) else { return Ok(()) };
    let found_crlf = match (data.get(index), data.get(start)) {
        (Some(b'\r'), Some(b'\n')) => true,
        (Some(b'\n'), _) => false,
        (Some(b'\r'), _) => return Err(ending_error(format)),
        _ => return Ok(()),
    };
    if found_crlf == format.crlf { Ok(()) } else { Err(ending_error(format)) }
}

/// A trailing terminator must be the declared one too.
fn check_last_ending(data: &[u8], format: CsvFormat) -> Result<(), String> {
    let crlf = data.ends_with(b"\r\n");
    let lf = data.ends_with(b"\n");
    if (lf && crlf != format.crlf) || (data.ends_with(b"\r") && !crlf) { Err(ending_error(format)) } else { Ok(()) }
}

/// A writer in the job's dialect, quoting only where needed.
pub fn writer(format: CsvFormat) -> csv::Writer<Vec<u8>> {
    let terminator = if format.crlf { Terminator::CRLF } else { Terminator::Any(b'\n') };
    WriterBuilder::new().delimiter(format.delimiter).terminator(terminator).from_writer(Vec::new())
}

/// The text a writer produced.
pub fn finish(writer: csv::Writer<Vec<u8>>) -> Result<String, String> {
    let bytes = writer.into_inner().map_err(|e| e.to_string())?;
    String::from_utf8(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LF: CsvFormat = CsvFormat { delimiter: b',', crlf: false };
    const CRLF: CsvFormat = CsvFormat { delimiter: b',', crlf: true };

    fn rows(data: &str, format: CsvFormat) -> Result<Vec<Vec<String>>, String> {
        let parsed = parse(&[data.as_bytes().to_vec()], format)?;
        let mut out = vec![parsed.header.iter().map(str::to_owned).collect::<Vec<_>>()];
        out.extend(parsed.records.iter().map(|r| r.iter().map(str::to_owned).collect()));
        Ok(out)
    }

    #[test]
    fn quoting_and_embedded_line_breaks() {
        let parsed = rows("Name,Description\n\"Acme, Inc.\",\"say \"\"hi\"\"\r\nthere\"\nB,\n", LF).expect("parses");
        assert_eq!(parsed[1], ["Acme, Inc.", "say \"hi\"\r\nthere"]);
        assert_eq!(parsed[2], ["B", ""]);
        let crlf = rows("Name,Description\r\n\"x\ny\",z\r\n", CRLF).expect("parses");
        assert_eq!(crlf[1], ["x\ny", "z"]);
    }

    #[test]
    fn declared_line_ending_is_enforced() {
        let lf_error = rows("Name\r\nA\r\n", LF).expect_err("CRLF data in an LF job");
        assert_eq!(lf_error, "ClientInputError : LineEnding is invalid on user data. Current LineEnding setting is LF");
        assert!(rows("Name\nA\n", CRLF).expect_err("LF data").ends_with("setting is CRLF"));
        assert!(rows("Name\nA", CRLF).is_err());
        assert!(rows("Name\r\nA", LF).is_err());
    }

    #[test]
    fn other_delimiters_and_bom() {
        let pipe = CsvFormat { delimiter: b'|', crlf: false };
        assert_eq!(rows("\u{feff}Name|Phone\na,b|1\n", pipe).expect("parses")[1], ["a,b", "1"]);
    }

    #[test]
    fn column_count_and_header_mismatch_fail() {
        let short = rows("Name,Phone\nA\n", LF).expect_err("short row");
        assert!(short.contains("Wrong number of columns in row 1"), "{short}");
        let uploads = [b"Name\nA\n".to_vec(), b"name\nB\n".to_vec(), b"Phone\n1\n".to_vec()];
        assert!(parse(&uploads[..2], LF).is_ok_and(|r| r.records.len() == 2));
        assert!(parse(&uploads, LF).is_err());
    }

    #[test]
    fn writer_uses_the_dialect() {
        let mut out = writer(CsvFormat { delimiter: b';', crlf: true });
        out.write_record(["a;b", "c", ""]).expect("write");
        assert_eq!(finish(out).expect("utf8"), "\"a;b\";c;\r\n");
    }
}
