//! `WHERE` grammar: operators, literals, escapes, `LIKE`, `IN`, boolean structure.

use chrono::NaiveDate;

use super::tests::{compared, err, filter, path};
use super::*;
use crate::soql::ast::{CompareOp, PatternPart};
#[test]
fn every_comparison_operator() {
    let op = |clause: &str| match filter(clause) {
        Condition::Compare { op, .. } => Some(op),
        _ => None,
    };
    use CompareOp::*;
    let cases = [("=", Eq), ("!=", Ne), ("<>", Ne), ("<", Lt), ("<=", Le), (">", Gt), (">=", Ge)];
    for (text, expected) in cases {
        assert_eq!(op(&format!("Amount {text} 1")), Some(expected), "{text}");
    }
}

#[test]
fn literal_kinds() {
    assert_eq!(compared("X = NULL"), LiteralValue::Null);
    assert_eq!(compared("X = True"), LiteralValue::Boolean(true));
    assert_eq!(compared("X = fALSE"), LiteralValue::Boolean(false));
    assert_eq!(compared("X = 42"), LiteralValue::Number(42.0));
    assert_eq!(compared("X = -3.5"), LiteralValue::Number(-3.5));
    assert_eq!(compared("X = 'Acme'"), LiteralValue::String("Acme".into()));
    let day = NaiveDate::from_ymd_opt(2026, 11, 25);
    assert_eq!(Some(compared("X = 2026-11-25")), day.map(LiteralValue::Date));
    let LiteralValue::DateTime(t) = compared("X > 2026-11-25T10:00:00+01:00") else { panic!("not a dateTime") };
    assert_eq!(t.to_rfc3339(), "2026-11-25T09:00:00+00:00");
}

#[test]
fn relative_date_literals() {
    let rel = |clause: &str| match compared(clause) {
        LiteralValue::Relative(r) => Some(r),
        _ => None,
    };
    assert_eq!(rel("D = today"), RelativeDate::fixed("TODAY"));
    assert_eq!(rel("D = YESTERDAY"), RelativeDate::fixed("YESTERDAY"));
    assert_eq!(rel("D = TOMORROW"), RelativeDate::fixed("TOMORROW"));
    assert_eq!(rel("D = LAST_N_DAYS:30"), RelativeDate::with_parameter("LAST_N_DAYS", 30));
    assert_eq!(rel("D > next_n_days:7"), RelativeDate::with_parameter("NEXT_N_DAYS", 7));
    assert!(err("SELECT Id FROM A WHERE D = LAST_N_DAYS").message.ends_with("unexpected token: '<EOF>'"));
    assert!(err("SELECT Id FROM A WHERE D = LAST_N_DAYS:-1").message.ends_with("unexpected token: '-1'"));
    assert!(err("SELECT Id FROM A WHERE D = LAST_N_DAYS:99999999999").message.ends_with("'99999999999'"));
    assert!(err("SELECT Id FROM A WHERE D = THIS_FISCAL_YEAR").message.ends_with("'THIS_FISCAL_YEAR'"));
}

#[test]
fn every_string_escape() {
    let cases = [
        (r"\'", "'"),
        (r#"\""#, "\""),
        (r"\\", "\\"),
        (r"\n", "\n"),
        (r"\r", "\r"),
        (r"\t", "\t"),
        (r"\b", "\u{8}"),
        (r"\f", "\u{c}"),
        (r"\u0041", "A"),
    ];
    for (escape, decoded) in cases {
        let value = compared(&format!("Name = 'a{escape}z'"));
        assert_eq!(value, LiteralValue::String(format!("a{decoded}z")), "{escape}");
    }
}

#[test]
fn unknown_escape_is_malformed_with_position() {
    let e = err(r"SELECT Id FROM Account WHERE Name = 'a\qb'");
    assert_eq!(e.code, "MALFORMED_QUERY");
    assert!(
        e.message.ends_with(
            "ERROR at Row:1:Column:37\nInvalid string literal 'a\\qb'. Illegal character sequence '\\q' in string literal."
        ),
        "{}",
        e.message
    );
    assert_eq!(err(r"SELECT Id FROM Account WHERE Name = '100\%'").code, "MALFORMED_QUERY");
}

#[test]
fn like_patterns_and_negations() {
    use PatternPart::{AnyMany, AnyOne, Char};
    let expected = vec![Char('a'), AnyOne, Char('%'), AnyMany];
    let like = |pos, negated| Condition::Like { field: path("Name", pos), negated, pattern: expected.clone() };
    assert_eq!(filter(r"Name LIKE 'a_\%%'"), like(29, false));
    assert_eq!(filter(r"Name not like 'a_\%%'"), like(29, true));
    assert_eq!(filter(r"NOT Name LIKE 'a_\%%'"), Condition::Not(Box::new(like(33, false))));
    assert!(err("SELECT Id FROM A WHERE Name LIKE 5").message.ends_with("unexpected token: '5'"));
}

#[test]
fn in_and_not_in_lists() {
    let Condition::In { negated, values, .. } = filter("Name NOT IN ('a', 'b')") else { panic!("not IN") };
    assert!(negated);
    let strings: Vec<_> = values.into_iter().map(|l| l.value).collect();
    assert_eq!(strings, vec![LiteralValue::String("a".into()), LiteralValue::String("b".into())]);
    let Condition::In { negated, values, .. } = filter("Amount in (1, 2.5)") else { panic!("not IN") };
    assert!(!negated);
    assert_eq!(values.len(), 2);
}

#[test]
fn and_or_parentheses_and_not() {
    let Condition::And(parts) = filter("A = 1 AND (B = 2 OR C = 3) AND NOT D = 4") else { panic!("not AND") };
    assert_eq!(parts.len(), 3);
    assert!(matches!(parts.get(1), Some(Condition::Or(or)) if or.len() == 2));
    assert!(matches!(parts.get(2), Some(Condition::Not(_))));
    assert!(matches!(filter("A = 1 or B = 2"), Condition::Or(p) if p.len() == 2));
}
