//! The evaluator's building blocks, then filter semantics end to end over the test data.

use chrono::FixedOffset;
use serde_json::json;

use super::*;
use crate::soql::ExecContext;
use crate::soql::literal::decode_pattern;
use crate::soql::testkit::{A1, A2, A3, A4, C1, C2, C3, ids, run_with, today};

fn like_str(text: &str, pattern: &str) -> bool {
    let parts = decode_pattern(&fold_case(pattern)).unwrap_or_default();
    like(&fold_case(text), &parts)
}

#[test]
fn like_wildcards_escapes_and_case() {
    assert!(like_str("Acme Corp", "acme%"));
    assert!(like_str("Acme Corp", "%CORP"));
    assert!(like_str("Acme Corp", "%me c%"));
    assert!(like_str("Acme", "A_me"));
    assert!(!like_str("Acme", "A_e"));
    assert!(like_str("", "%"));
    assert!(!like_str("", "_"));
    assert!(like_str("aXbXc", "%b%c"));
    assert!(like_str("abcabd", "%ab_"));
    assert!(!like_str("Acme", "Acm"));
    assert!(like_str("100%", r"100\%"));
    assert!(!like_str("1000", r"100\%"));
    assert!(like_str("a_b", r"a\_b"));
    assert!(!like_str("axb", r"a\_b"));
    assert!(like_str("ÉCOLE", "école"));
}

#[test]
fn stored_values_are_typed_by_kind() {
    use serde_json::json;
    let s = |kind, v: Value| Scalar::from_json(kind, Some(&v));
    assert_eq!(s(ValueKind::String, json!("AbC")), Scalar::Text("abc".into()));
    assert_eq!(s(ValueKind::Double, json!(2)), Scalar::Number(2.0));
    assert_eq!(s(ValueKind::Boolean, json!(true)), Scalar::Boolean(true));
    assert_eq!(s(ValueKind::Id, json!("001D000000IqhSLIAZ")), Scalar::Id("001D000000IqhSL".into()));
    assert_eq!(
        s(ValueKind::Date, json!("2026-11-25")),
        NaiveDate::from_ymd_opt(2026, 11, 25).map_or(Scalar::Null, Scalar::Date)
    );
    assert!(matches!(s(ValueKind::DateTime, json!("2026-11-25T10:00:00.000+0000")), Scalar::DateTime(_)));
    assert_eq!(s(ValueKind::Date, json!("soon")), Scalar::Null);
    assert_eq!(s(ValueKind::String, json!({"city": "Paris"})), Scalar::Null);
    assert_eq!(Scalar::from_json(ValueKind::String, None), Scalar::Null);
}

#[test]
fn relational_operators_against_a_range() {
    use Ordering::*;
    let ops = [CompareOp::Eq, CompareOp::Ne, CompareOp::Lt, CompareOp::Le, CompareOp::Gt, CompareOp::Ge];
    let truth = |ord| ops.map(|op| holds(op, ord));
    assert_eq!(truth(Less), [false, true, true, true, false, false]);
    assert_eq!(truth(Equal), [true, false, false, true, false, true]);
    assert_eq!(truth(Greater), [false, true, false, false, true, true]);
    assert_eq!(within(&5, &3, &7), Equal);
    assert_eq!(within(&7, &3, &7), Greater);
    assert_eq!(within(&2, &3, &7), Less);
}

fn accounts(clause: &str) -> Vec<String> {
    ids(&format!("SELECT Id FROM Account WHERE {clause}"))
}

fn contacts(clause: &str) -> Vec<String> {
    ids(&format!("SELECT Id FROM Contact WHERE {clause}"))
}

#[test]
fn string_equality_is_case_insensitive_and_nulls_compare_as_salesforce_does() {
    assert_eq!(accounts("Name = 'ACME'"), vec![A1]);
    assert_eq!(accounts("Industry = 'RETAIL'"), vec![A1, A4]);
    assert_eq!(accounts("Industry != 'retail'"), vec![A2, A3]);
    assert_eq!(accounts("Industry = null"), vec![A2]);
    assert_eq!(accounts("Industry != NULL"), vec![A1, A3, A4]);
    assert_eq!(accounts("Industry < 'f'"), vec![A3]);
    assert_eq!(contacts("LastName = 'o\\'brien'"), vec![C3]);
}

#[test]
fn numbers_booleans_and_ranges() {
    assert_eq!(accounts("AnnualRevenue > 200"), vec![A1, A4]);
    assert_eq!(accounts("AnnualRevenue >= 200"), vec![A1, A2, A4]);
    assert_eq!(accounts("AnnualRevenue <= 1000.5"), vec![A1, A2]);
    assert_eq!(accounts("NumberOfEmployees < 0"), vec![A3]);
    assert_eq!(accounts("NumberOfEmployees = -5"), vec![A3]);
    assert_eq!(accounts("Rating__c < -1"), vec![A2]);
    assert_eq!(accounts("Rating__c <> 0"), vec![A1, A2, A3]);
    assert_eq!(accounts("Active__c = TRUE"), vec![A1, A3]);
    assert_eq!(accounts("active__c = false"), vec![A2, A4]);
}

#[test]
fn in_and_not_in() {
    assert_eq!(accounts("Name IN ('acme', 'BETA LTD', 'nobody')"), vec![A1, A2]);
    assert_eq!(accounts("NumberOfEmployees IN (10, 250.0)"), vec![A1, A2]);
    assert_eq!(accounts("Industry NOT IN ('Retail')"), vec![A2, A3]);
    assert_eq!(accounts("Industry IN ('Energy', NULL)"), vec![A2, A3]);
    assert_eq!(accounts("Id IN ('001D000000IqhSL', '001000000000003AAA')"), vec![A1, A3]);
}

#[test]
fn like_matching() {
    assert_eq!(accounts("Name LIKE 'acme%'"), vec![A1, A4]);
    assert_eq!(accounts("Name LIKE '%LTD'"), vec![A2]);
    assert_eq!(accounts("Name LIKE 'gamma\\_co 100\\%'"), vec![A3]);
    assert_eq!(accounts("Name LIKE 'gamma_co 1_0%'"), vec![A3]);
    assert_eq!(accounts("Name NOT LIKE 'acme%'"), vec![A2, A3]);
    assert_eq!(accounts("NOT Name LIKE '%e%'"), vec![A3]);
    assert_eq!(accounts("Industry LIKE 'R%'"), vec![A1, A4]);
}

#[test]
fn boolean_logic_and_parentheses() {
    assert_eq!(accounts("Active__c = true AND Industry = 'Energy'"), vec![A3]);
    assert_eq!(accounts("Name = 'Acme' OR AnnualRevenue > 1000.5"), vec![A1, A4]);
    assert_eq!(accounts("(Name = 'Acme' OR Name = 'beta ltd') AND Active__c = false"), vec![A2]);
    assert_eq!(accounts("NOT (Active__c = true OR Industry = null)"), vec![A4]);
    assert_eq!(accounts("NOT Active__c = true"), vec![A2, A4]);
}

#[test]
fn ids_match_in_fifteen_or_eighteen_characters_in_any_case_of_the_checksum_form() {
    assert_eq!(accounts("Id = '001D000000IqhSL'"), vec![A1]);
    assert_eq!(accounts("Id = '001d000000iqhslIAZ'"), vec![A1]);
    assert_eq!(accounts("Id = '001d000000iqhsl'"), Vec::<String>::new());
    assert_eq!(contacts("AccountId = '001D000000IqhSL'"), vec![C1]);
    assert_eq!(contacts("AccountId = null"), vec![C3]);
    assert_eq!(contacts("AccountId != '001D000000IqhSL'"), vec![C2, C3]);
}

#[test]
fn fixed_date_and_datetime_literals() {
    assert_eq!(accounts("Founded__c = 2026-11-25"), vec![A1]);
    assert_eq!(accounts("Founded__c < 2026-11-25"), vec![A2, A4]);
    assert_eq!(accounts("CreatedDate = 2026-11-25T08:00:00Z"), vec![A1]);
    assert_eq!(accounts("CreatedDate = 2026-11-25T09:00:00.000+0100"), vec![A1]);
    assert_eq!(accounts("CreatedDate >= 2026-11-25T09:00:00+01:00"), vec![A1, A4]);
    assert_eq!(accounts("CreatedDate < 2026-11-24T12:00:00Z"), vec![A2]);
}

#[test]
fn relative_date_literals_on_date_fields() {
    assert_eq!(accounts("Founded__c = TODAY"), vec![A1]);
    assert_eq!(accounts("Founded__c = YESTERDAY"), vec![A4]);
    assert_eq!(accounts("Founded__c = TOMORROW"), Vec::<String>::new());
    assert_eq!(accounts("Founded__c < TODAY"), vec![A2, A4]);
    assert_eq!(accounts("Founded__c <= TODAY"), vec![A1, A2, A4]);
    assert_eq!(accounts("Founded__c > YESTERDAY"), vec![A1]);
    assert_eq!(accounts("Founded__c = LAST_N_DAYS:1"), vec![A1, A4]);
    assert_eq!(accounts("Founded__c = LAST_N_DAYS:60"), vec![A1, A2, A4]);
    assert_eq!(accounts("Founded__c != LAST_N_DAYS:1"), vec![A2, A3]);
    assert_eq!(accounts("Founded__c = NEXT_N_DAYS:5"), Vec::<String>::new());
    assert_eq!(accounts("Founded__c < NEXT_N_DAYS:5"), vec![A1, A2, A4]);
}

#[test]
fn relative_date_literals_on_datetime_fields_follow_the_user_time_zone() {
    assert_eq!(accounts("CreatedDate = TODAY"), vec![A1]);
    assert_eq!(accounts("CreatedDate = TOMORROW"), vec![A4]);
    assert_eq!(accounts("CreatedDate = YESTERDAY"), vec![A3]);
    assert_eq!(accounts("CreatedDate = LAST_N_DAYS:4"), vec![A1, A3]);
    assert_eq!(accounts("CreatedDate > TODAY"), vec![A4]);
    let Some(utc_offset) = FixedOffset::east_opt(3600) else { panic!("offset out of range") };
    let paris = ExecContext { utc_offset, ..ExecContext::new("62.0", today()) };
    let run_paris = |clause: &str| {
        let out = run_with(&format!("SELECT Id FROM Account WHERE {clause}"), &paris);
        out.map(|o| o.records.iter().filter_map(|r| r.get("Id").cloned()).collect::<Vec<_>>()).unwrap_or_default()
    };
    // 2026-11-20T23:30Z is already the 21st in UTC+1.
    assert_eq!(run_paris("CreatedDate = LAST_N_DAYS:4"), vec![json!(A1), json!(A2), json!(A3)]);
    assert_eq!(run_paris("CreatedDate = TOMORROW"), vec![json!(A4)]);
}
