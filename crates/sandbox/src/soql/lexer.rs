//! Tokenizer. SOQL's syntax is ASCII, so the scan is byte-wise; non-ASCII text can only
//! appear inside quoted strings, whose bodies are kept raw for the parser to decode.

use chrono::{DateTime, NaiveDate, Utc};

use super::ast::CompareOp;
use super::error::{MALFORMED_QUERY, SoqlError, position};
use super::literal::{parse_date, parse_datetime};

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// An identifier or keyword, as written.
    Word(String),
    /// A number as written, possibly negative and decimal.
    Number(String),
    /// The body of a quoted string, escapes not yet decoded.
    Str(String),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    Comma,
    Dot,
    Colon,
    LParen,
    RParen,
    Op(CompareOp),
    Eof,
}

/// A token and its byte range in the query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

/// Splits `src` into tokens, ending with `Tok::Eof`.
pub(crate) fn tokenize(src: &str) -> Result<Vec<Token>, SoqlError> {
    let bytes = src.as_bytes();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let (tok, end) = match at(i) {
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'\'' => {
                let close = string_end(bytes, i + 1).ok_or_else(|| {
                    let (row, column) = position(src, src.len());
                    let reason = format!("line {row}:{} mismatched character '<EOF>' expecting '''", column - 1);
                    SoqlError::at(MALFORMED_QUERY, src, src.len(), reason)
                })?;
                (Tok::Str(slice(src, i + 1, close)), close + 1)
            }
            b',' => (Tok::Comma, i + 1),
            b'.' => (Tok::Dot, i + 1),
            b':' => (Tok::Colon, i + 1),
            b'(' => (Tok::LParen, i + 1),
            b')' => (Tok::RParen, i + 1),
            b'=' => (Tok::Op(CompareOp::Eq), i + 1),
            b'!' if at(i + 1) == b'=' => (Tok::Op(CompareOp::Ne), i + 2),
            b'<' => match at(i + 1) {
                b'=' => (Tok::Op(CompareOp::Le), i + 2),
                b'>' => (Tok::Op(CompareOp::Ne), i + 2),
                _ => (Tok::Op(CompareOp::Lt), i + 1),
            },
            b'>' if at(i + 1) == b'=' => (Tok::Op(CompareOp::Ge), i + 2),
            b'>' => (Tok::Op(CompareOp::Gt), i + 1),
            b'-' if at(i + 1).is_ascii_digit() => number(src, i),
            b if b.is_ascii_digit() && is_date_shape(bytes, i) => temporal(src, i)?,
            b if b.is_ascii_digit() => number(src, i),
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let end = scan(bytes, i, |b| b.is_ascii_alphanumeric() || b == b'_');
                (Tok::Word(slice(src, i, end)), end)
            }
            _ => return Err(unexpected_character(src, i)),
        };
        tokens.push(Token { tok, start, end });
        i = end;
    }
    tokens.push(Token { tok: Tok::Eof, start: bytes.len(), end: bytes.len() });
    Ok(tokens)
}

/// The index of the quote closing a string whose body starts at `from`.
fn string_end(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        match bytes.get(i)? {
            b'\\' => i += 2,
            b'\'' => return Some(i),
            _ => i += 1,
        }
    }
}

fn number(src: &str, start: usize) -> (Tok, usize) {
    let bytes = src.as_bytes();
    let digits = |from| scan(bytes, from, |b| b.is_ascii_digit());
    let mut end = digits(start + 1);
    if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
        end = digits(end + 1);
    }
    (Tok::Number(slice(src, start, end)), end)
}

/// `dddd-dd-dd` at `i`: a date or the start of a dateTime.
fn is_date_shape(bytes: &[u8], i: usize) -> bool {
    bytes.get(i..i + 10).is_some_and(|s| {
        s.iter().enumerate().all(|(k, b)| if k == 4 || k == 7 { *b == b'-' } else { b.is_ascii_digit() })
    })
}

fn temporal(src: &str, start: usize) -> Result<(Tok, usize), SoqlError> {
    let bytes = src.as_bytes();
    let date_end = start + 10;
    let (tok, end) = if bytes.get(date_end) == Some(&b'T') {
        let end = scan(bytes, date_end + 1, |b| b.is_ascii_digit() || matches!(b, b':' | b'.' | b'+' | b'-' | b'Z'));
        (parse_datetime(&slice(src, start, end)).map(Tok::DateTime), end)
    } else {
        (parse_date(&slice(src, start, date_end)).map(Tok::Date), date_end)
    };
    let reason = || format!("unexpected token: '{}'", slice(src, start, end));
    Ok((tok.ok_or_else(|| SoqlError::at(MALFORMED_QUERY, src, start, reason()))?, end))
}

fn scan(bytes: &[u8], from: usize, keep: impl Fn(u8) -> bool) -> usize {
    bytes.get(from..).map_or(from, |rest| from + rest.iter().position(|b| !keep(*b)).unwrap_or(rest.len()))
}

fn slice(src: &str, start: usize, end: usize) -> String {
    src.get(start..end).unwrap_or_default().to_owned()
}

// [unconfirmed] Salesforce reports lexer failures (a stray character here, an unterminated
// string in `tokenize`) in ANTLR's `line r:c ...` words; the exact texts are not in the
// reference.
fn unexpected_character(src: &str, i: usize) -> SoqlError {
    let c = src.get(i..).and_then(|s| s.chars().next()).unwrap_or('?');
    let (row, column) = position(src, i);
    let reason = format!("line {row}:{} no viable alternative at character '{c}'", column - 1);
    SoqlError::at(MALFORMED_QUERY, src, i, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        tokenize(src).map(|t| t.into_iter().map(|t| t.tok).collect()).unwrap_or_default()
    }

    fn word(s: &str) -> Tok {
        Tok::Word(s.to_owned())
    }

    #[test]
    fn punctuation_operators_and_words() {
        use CompareOp::*;
        assert_eq!(
            toks("a=b!=c<>d<e<=f>g>=h,(x.y):"),
            vec![
                word("a"),
                Tok::Op(Eq),
                word("b"),
                Tok::Op(Ne),
                word("c"),
                Tok::Op(Ne),
                word("d"),
                Tok::Op(Lt),
                word("e"),
                Tok::Op(Le),
                word("f"),
                Tok::Op(Gt),
                word("g"),
                Tok::Op(Ge),
                word("h"),
                Tok::Comma,
                Tok::LParen,
                word("x"),
                Tok::Dot,
                word("y"),
                Tok::RParen,
                Tok::Colon,
                Tok::Eof,
            ]
        );
    }

    #[test]
    fn numbers_dates_and_datetimes() {
        let n = |s: &str| Tok::Number(s.to_owned());
        assert_eq!(toks("42 -7 3.25 -0.5"), vec![n("42"), n("-7"), n("3.25"), n("-0.5"), Tok::Eof]);
        let date = NaiveDate::from_ymd_opt(2026, 11, 25).map(Tok::Date);
        assert_eq!(toks("2026-11-25)").first(), date.as_ref());
        let dt = toks("2026-11-25T10:00:00.000+0000 x");
        assert!(matches!(dt.first(), Some(Tok::DateTime(t)) if t.to_rfc3339() == "2026-11-25T10:00:00+00:00"));
        assert_eq!(dt.get(1), Some(&word("x")));
    }

    #[test]
    fn strings_keep_their_raw_body_and_span() {
        let t = tokenize(r"x = 'it\'s' y").unwrap_or_default();
        assert_eq!(t.get(2).map(|t| (&t.tok, t.start, t.end)), Some((&Tok::Str(r"it\'s".into()), 4, 11)));
        assert_eq!(t.get(3).map(|t| &t.tok), Some(&word("y")));
    }

    #[test]
    fn unterminated_string_is_malformed() {
        let e = tokenize("SELECT Id FROM A WHERE N = 'ab").err();
        assert_eq!(e.as_ref().map(|e| e.code), Some(MALFORMED_QUERY));
        let msg = e.map(|e| e.message).unwrap_or_default();
        assert!(
            msg.ends_with("ERROR at Row:1:Column:31\nline 1:30 mismatched character '<EOF>' expecting '''"),
            "{msg}"
        );
    }

    #[test]
    fn stray_characters_and_bad_dates_are_malformed() {
        let e = tokenize("SELECT # FROM A").err().map(|e| e.message).unwrap_or_default();
        assert!(e.ends_with("Column:8\nline 1:7 no viable alternative at character '#'"), "{e}");
        let e = tokenize("x = 2026-13-01").err().map(|e| e.message).unwrap_or_default();
        assert!(e.ends_with("Column:5\nunexpected token: '2026-13-01'"), "{e}");
        let e = tokenize("x = 2026-11-25T10:00").err().map(|e| e.message).unwrap_or_default();
        assert!(e.ends_with("unexpected token: '2026-11-25T10:00'"), "{e}");
        assert!(tokenize("a ! b").is_err());
    }
}
