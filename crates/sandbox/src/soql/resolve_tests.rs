use super::*;
use crate::soql::parse;
use crate::soql::testkit::{TestCatalog, error};

const FIELD_HINT: &str = "If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.";

fn resolved(soql: &str) -> ResolvedQuery {
    match parse(soql).and_then(|q| resolve(&q, &TestCatalog)) {
        Ok(q) => q,
        Err(e) => panic!("{soql}: {e}"),
    }
}

fn reason(soql: &str) -> (&'static str, String) {
    let e = error(soql);
    let tail = e.message.rsplit('\n').next().unwrap_or_default().to_owned();
    (e.code, tail)
}

#[test]
fn names_resolve_case_insensitively_to_canonical_names() {
    let q = resolved("select id, NAME, owner.name from account order by annualrevenue");
    assert_eq!(q.object(), "Account");
    assert!(!q.is_count());
    let Projection::Columns(columns) = &q.projection else { panic!("count") };
    let names: Vec<_> = columns.iter().map(|c| (c.hops.len(), c.field.as_str())).collect();
    assert_eq!(names, vec![(0, "Id"), (0, "Name"), (1, "Name")]);
    assert_eq!(columns.get(2).and_then(|c| c.hops.first()).map(|h| h.name.as_str()), Some("Owner"));
    assert_eq!(q.order.first().map(|k| k.column.field.as_str()), Some("AnnualRevenue"));
    assert!(resolved("SELECT COUNT() FROM Contact").is_count());
}

#[test]
fn two_level_relationships_and_object_qualified_fields() {
    let q = resolved("SELECT Opportunity.Account.Name FROM OpportunityContactRole");
    let Projection::Columns(columns) = &q.projection else { panic!("count") };
    let hops: Vec<_> = columns.iter().flat_map(|c| c.hops.iter().map(|h| h.target.as_str())).collect();
    assert_eq!(hops, vec!["Opportunity", "Account"]);
    let q = resolved("SELECT Account.Name FROM Account");
    let Projection::Columns(columns) = &q.projection else { panic!("count") };
    assert_eq!(columns.first().map(|c| c.hops.is_empty()), Some(true));
}

#[test]
fn unknown_column_message_matches_the_reference_exactly() {
    let e = error("SELECT Id, Foo__c FROM Account");
    assert_eq!(e.code, "INVALID_FIELD");
    assert_eq!(
        e.message,
        format!(
            "\nSELECT Id, Foo__c FROM Account\n           ^\nERROR at Row:1:Column:12\nNo such column 'Foo__c' on entity 'Account'. {FIELD_HINT}"
        )
    );
}

#[test]
fn unknown_columns_in_paths_filters_and_order() {
    let nme = format!("No such column 'Nme' on entity 'Account'. {FIELD_HINT}");
    assert_eq!(reason("SELECT Account.Nme FROM Contact"), ("INVALID_FIELD", nme));
    let (code, text) = reason("SELECT Id FROM Contact WHERE Nope = 1");
    assert_eq!((code, text.starts_with("No such column 'Nope' on entity 'Contact'.")), ("INVALID_FIELD", true));
    assert_eq!(error("SELECT Id FROM Contact ORDER BY Nope").code, "INVALID_FIELD");
    assert_eq!(
        reason("SELECT Account FROM Contact").1,
        format!("No such column 'Account' on entity 'Contact'. {FIELD_HINT}")
    );
}

#[test]
fn unknown_relationship_message() {
    let e = error("SELECT Id, Owner__r.Name FROM Account");
    assert_eq!(e.code, "INVALID_FIELD");
    assert!(e.message.starts_with("\nSELECT Id, Owner__r.Name FROM Account\n           ^\nERROR at Row:1:Column:12\n"));
    assert!(e.message.ends_with("Didn't understand relationship 'Owner__r' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names."));
}

#[test]
fn unknown_object_message() {
    let e = error("SELECT Id FROM Foo__c");
    assert_eq!(e.code, "INVALID_TYPE");
    assert_eq!(
        e.message,
        "\nSELECT Id FROM Foo__c\n               ^\nERROR at Row:1:Column:16\nsObject type 'Foo__c' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names."
    );
}

#[test]
fn literals_must_match_the_field_type() {
    let mismatch = |field: &str, kind: &str, quoted: bool| {
        let should = if quoted { "should" } else { "should not" };
        (
            "INVALID_FIELD",
            format!(
                "value of filter criterion for field '{field}' must be of type {kind} and {should} be enclosed in quotes"
            ),
        )
    };
    let cases = [
        ("Active__c = 'true'", mismatch("Active__c", "boolean", false)),
        ("Founded__c = '2026-11-25'", mismatch("Founded__c", "date", false)),
        ("Founded__c = 2026-11-25T00:00:00Z", mismatch("Founded__c", "date", false)),
        ("CreatedDate > 2026-11-25", mismatch("CreatedDate", "dateTime", false)),
        ("AnnualRevenue = '5'", mismatch("AnnualRevenue", "double", false)),
        ("NumberOfEmployees IN (1, 'two')", mismatch("NumberOfEmployees", "integer", false)),
        ("Name = 5", mismatch("Name", "string", true)),
        ("Industry = TRUE", mismatch("Industry", "string", true)),
        ("Name = TODAY", mismatch("Name", "string", true)),
        ("Owner.Name = 1", mismatch("Owner.Name", "string", true)),
        ("OwnerId = 5", mismatch("OwnerId", "id", true)),
    ];
    for (clause, expected) in cases {
        assert_eq!(reason(&format!("SELECT Id FROM Account WHERE {clause}")), expected, "{clause}");
    }
}

#[test]
fn null_fits_every_field_and_relative_dates_fit_date_and_datetime() {
    for clause in [
        "Active__c = NULL",
        "Founded__c != null",
        "OwnerId = null",
        "AnnualRevenue = NULL",
        "CreatedDate = TODAY",
        "Founded__c < LAST_N_DAYS:3",
    ] {
        resolved(&format!("SELECT Id FROM Account WHERE {clause}"));
    }
}

#[test]
fn id_literals_and_operators() {
    let e = error("SELECT Id FROM Account WHERE Id = 'abc'");
    assert_eq!(e.code, "INVALID_QUERY_FILTER_OPERATOR");
    assert!(e.message.ends_with("ERROR at Row:1:Column:30\ninvalid ID field: abc"), "{}", e.message);
    assert_eq!(
        reason("SELECT Id FROM Contact WHERE AccountId IN ('001000000000002AAA', 'x')"),
        ("INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: x".into())
    );
    assert_eq!(
        reason("SELECT Id FROM Account WHERE Id LIKE '001%'"),
        ("INVALID_QUERY_FILTER_OPERATOR", "invalid operator on id field".into())
    );
    assert_eq!(
        reason("SELECT Id FROM Account WHERE AnnualRevenue LIKE '1%'"),
        ("INVALID_QUERY_FILTER_OPERATOR", "invalid operator on double field".into())
    );
    assert_eq!(
        reason("SELECT Id FROM Account WHERE Active__c > false"),
        ("INVALID_QUERY_FILTER_OPERATOR", "invalid operator on boolean field".into())
    );
    resolved("SELECT Id FROM Account WHERE Id = '001D000000IqhSL' OR Id > '001000000000002AAA'");
}

#[test]
fn offset_above_two_thousand_is_out_of_range() {
    let e = error("SELECT Id FROM Account LIMIT 5 OFFSET 2001");
    assert_eq!(e.code, "NUMBER_OUTSIDE_VALID_RANGE");
    assert!(e.message.ends_with("ERROR at Row:1:Column:39\nMaximum SOQL offset allowed is 2000"), "{}", e.message);
    let q = resolved("SELECT Id FROM Account LIMIT 5 OFFSET 2000");
    assert_eq!((q.offset, q.limit), (2000, Some(5)));
}

#[test]
fn duplicate_columns_are_rejected() {
    assert_eq!(
        reason("SELECT Id, Name, name FROM Account"),
        ("MALFORMED_QUERY", "duplicate field selected: name".into())
    );
    assert_eq!(error("SELECT Owner.Name, owner.NAME FROM Account").code, "MALFORMED_QUERY");
    resolved("SELECT Name, Owner.Name, Parent.Name FROM Account");
}

#[test]
fn like_patterns_are_case_folded() {
    let q = resolved("SELECT Id FROM Account WHERE Name LIKE 'AB%'");
    let Some(Filter::Like { pattern, .. }) = q.filter else { panic!("not LIKE") };
    assert_eq!(pattern, vec![PatternPart::Char('a'), PatternPart::Char('b'), PatternPart::AnyMany]);
}
