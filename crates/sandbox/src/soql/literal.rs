//! Literal decoding shared by the lexer, the resolver and the evaluator: quoted-string
//! escapes, date and dateTime text (query literals and stored values), and record Ids.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};

/// One element of a decoded `LIKE` pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternPart {
    /// A character that must match (case-insensitively).
    Char(char),
    /// `_`: exactly one character.
    AnyOne,
    /// `%`: any run of characters, possibly empty.
    AnyMany,
}

/// Decodes the body of a quoted string outside `LIKE`. On an illegal escape returns the
/// offending sequence (e.g. `\z`).
pub(crate) fn decode_string(raw: &str) -> Result<String, String> {
    decode(raw, false).map(|parts| {
        parts
            .into_iter()
            .filter_map(|p| match p {
                PatternPart::Char(c) => Some(c),
                PatternPart::AnyOne | PatternPart::AnyMany => None,
            })
            .collect()
    })
}

/// Decodes a `LIKE` pattern: `%`/`_` are wildcards, `\%`/`\_` are literal.
pub(crate) fn decode_pattern(raw: &str) -> Result<Vec<PatternPart>, String> {
    decode(raw, true)
}

fn decode(raw: &str, like: bool) -> Result<Vec<PatternPart>, String> {
    let mut out = Vec::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        let part = match c {
            '%' if like => PatternPart::AnyMany,
            '_' if like => PatternPart::AnyOne,
            '\\' => {
                let Some(e) = chars.next() else {
                    return Err("\\".to_owned());
                };
                PatternPart::Char(match e {
                    'n' | 'N' => '\n',
                    'r' | 'R' => '\r',
                    't' | 'T' => '\t',
                    'b' | 'B' => '\u{8}',
                    'f' | 'F' => '\u{c}',
                    '\'' | '"' | '\\' => e,
                    '%' | '_' if like => e,
                    'u' | 'U' => {
                        let hex: String = chars.by_ref().take(4).collect();
                        let valid = hex.len() == 4 && hex.chars().all(|c| c.is_ascii_hexdigit());
                        valid
                            .then(|| u32::from_str_radix(&hex, 16).ok())
                            .flatten()
                            .and_then(char::from_u32)
                            .ok_or_else(|| format!("\\{e}{hex}"))?
                    }
                    other => return Err(format!("\\{other}")),
                })
            }
            other => PatternPart::Char(other),
        };
        out.push(part);
    }
    Ok(out)
}

/// Parses `YYYY-MM-DD` exactly.
pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    NaiveDate::from_ymd_opt(
        i32::try_from(number(text.get(0..4)?)?).ok()?,
        number(text.get(5..7)?)?,
        number(text.get(8..10)?)?,
    )
}

/// Parses `YYYY-MM-DDThh:mm:ss[.fff](Z|±hh:mm|±hhmm)`, the request format of §3.7 and the
/// `...000+0000` response format, into UTC.
pub(crate) fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    let (date, rest) = text.split_once('T')?;
    let date = parse_date(date)?;
    let clock = rest.get(0..8)?;
    let (b, rest) = (clock.as_bytes(), rest.get(8..)?);
    if b.get(2) != Some(&b':') || b.get(5) != Some(&b':') {
        return None;
    }
    let (h, m, s) = (number(clock.get(0..2)?)?, number(clock.get(3..5)?)?, number(clock.get(6..8)?)?);
    let (millis, zone) = match rest.strip_prefix('.') {
        Some(frac) => {
            let digits = frac.find(|c: char| !c.is_ascii_digit()).unwrap_or(frac.len());
            let ms = format!("{:0<3}", frac.get(..digits.min(3))?);
            (number(&ms).filter(|_| digits > 0)?, frac.get(digits..)?)
        }
        None => (0, rest),
    };
    let time = NaiveTime::from_hms_milli_opt(h, m, s, millis)?;
    let offset = parse_offset(zone)?;
    let local = date.and_time(time).and_local_timezone(offset).single()?;
    Some(local.with_timezone(&Utc))
}

fn parse_offset(zone: &str) -> Option<FixedOffset> {
    if zone == "Z" {
        return FixedOffset::east_opt(0);
    }
    let sign = match zone.get(0..1)? {
        "+" => 1,
        "-" => -1,
        _ => return None,
    };
    let body = zone.get(1..)?;
    let hhmm = match body.len() {
        5 if body.get(2..3) == Some(":") => format!("{}{}", body.get(0..2)?, body.get(3..5)?),
        4 => body.to_owned(),
        _ => return None,
    };
    let (h, m) = (number(hhmm.get(0..2)?)?, number(hhmm.get(2..4)?)?);
    if m > 59 {
        return None;
    }
    let seconds = i32::try_from(h * 3600 + m * 60).ok()?;
    FixedOffset::east_opt(sign * seconds)
}

fn number(digits: &str) -> Option<u32> {
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then(|| digits.parse().ok()).flatten()
}

/// Case folding for Salesforce's case-insensitive text comparison and `LIKE`: the same
/// per-character lower-casing everywhere, so values and patterns always agree.
pub(crate) fn fold_case(text: &str) -> String {
    text.chars().flat_map(char::to_lowercase).collect()
}

/// The 15-character, case-sensitive form of a record Id given as 15 or 18 characters (§4.8).
/// An 18-character Id's checksum restores the case of its first 15 characters, so
/// `001d000000iqhslIAZ` and `001D000000IqhSL` are the same record. `None` if not an Id.
pub(crate) fn canonical_id(id: &str) -> Option<String> {
    if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let body = id.get(..15)?;
    match id.len() {
        15 => Some(body.to_owned()),
        18 => {
            let mut out = String::with_capacity(15);
            for (chunk, check) in id.get(15..)?.chars().enumerate() {
                let bits = match check.to_ascii_uppercase() {
                    c @ 'A'..='Z' => u32::from(c) - u32::from('A'),
                    c @ '0'..='5' => 26 + u32::from(c) - u32::from('0'),
                    _ => return None,
                };
                let part = body.get(chunk * 5..chunk * 5 + 5)?;
                for (i, c) in part.chars().enumerate() {
                    let upper = bits & (1 << i) != 0;
                    out.push(if upper { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() });
                }
            }
            Some(out)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_escape_decodes() {
        let raw = r#"a\'b\"c\\d\ne\rf\tg\bh\fi\Nj\u00e9"#;
        assert_eq!(decode_string(raw), Ok("a'b\"c\\d\ne\rf\tg\u{8}h\u{c}i\nj\u{e9}".to_owned()));
    }

    #[test]
    fn unknown_escapes_are_reported() {
        assert_eq!(decode_string(r"a\zb"), Err(r"\z".to_owned()));
        assert_eq!(decode_string(r"trailing\"), Err(r"\".to_owned()));
        assert_eq!(decode_string(r"\u12"), Err(r"\u12".to_owned()));
        assert_eq!(decode_string(r"\u+041"), Err(r"\u+041".to_owned()));
        assert_eq!(decode_string(r"\ud800"), Err(r"\ud800".to_owned()));
        // `\%` and `\_` are only legal inside LIKE.
        assert_eq!(decode_string(r"50\%"), Err(r"\%".to_owned()));
        assert_eq!(decode_string(r"a\_b"), Err(r"\_".to_owned()));
    }

    #[test]
    fn wildcards_are_plain_characters_outside_like() {
        assert_eq!(decode_string("50%_off"), Ok("50%_off".to_owned()));
    }

    #[test]
    fn like_patterns_separate_wildcards_from_escaped_characters() {
        use PatternPart::{AnyMany, AnyOne, Char};
        assert_eq!(decode_pattern(r"a%\%_\_"), Ok(vec![Char('a'), AnyMany, Char('%'), AnyOne, Char('_')]));
    }

    #[test]
    fn dates_and_datetimes_in_every_accepted_form() {
        let d = parse_date("2026-11-25");
        assert_eq!(d, NaiveDate::from_ymd_opt(2026, 11, 25));
        assert_eq!(parse_date("2026-13-01"), None);
        assert_eq!(parse_date("2026-1-01"), None);
        let utc = |s| parse_datetime(s).map(|t| t.to_rfc3339());
        let ten = Some("2026-11-25T10:00:00+00:00".to_owned());
        assert_eq!(utc("2026-11-25T10:00:00Z"), ten);
        assert_eq!(utc("2026-11-25T10:00:00.000+0000"), ten);
        assert_eq!(utc("2026-11-25T11:00:00+01:00"), ten);
        assert_eq!(utc("2026-11-25T02:00:00-0800"), ten);
        assert_eq!(utc("2026-11-25T10:00:00.5Z"), Some("2026-11-25T10:00:00.500+00:00".to_owned()));
        assert_eq!(utc("2026-11-25T10:00:00"), None);
        assert_eq!(utc("2026-11-25T10:00:00.Z"), None);
        assert_eq!(utc("2026-11-25T25:00:00Z"), None);
    }

    #[test]
    fn ids_normalise_to_fifteen_case_sensitive_characters() {
        assert_eq!(canonical_id("001D000000IqhSL"), Some("001D000000IqhSL".to_owned()));
        assert_eq!(canonical_id("001D000000IqhSLIAZ"), Some("001D000000IqhSL".to_owned()));
        assert_eq!(canonical_id("001d000000iqhslIAZ"), Some("001D000000IqhSL".to_owned()));
        assert_eq!(canonical_id("001d000000iqhslIAz"), Some("001D000000IqhSL".to_owned()));
        assert_eq!(canonical_id("abc"), None);
        assert_eq!(canonical_id("001D000000IqhSL99"), None);
        assert_eq!(canonical_id("001D000000IqhSLIA9"), None);
        assert_eq!(canonical_id("001D000000Iqh-L"), None);
    }
}
