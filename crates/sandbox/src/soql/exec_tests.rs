//! Projection, relationship shapes, COUNT(), ordering and paging over the test data.

use serde_json::json;

use super::*;
use crate::soql::testkit::{A1, A2, A3, A4, C1, C2, C3, R1, ids, run, run_with, today};

fn output(soql: &str) -> QueryOutput {
    match run(soql) {
        Ok(out) => out,
        Err(e) => panic!("{soql}: {e}"),
    }
}

fn contacts(clause: &str) -> Vec<String> {
    ids(&format!("SELECT Id FROM Contact WHERE {clause}"))
}

#[test]
fn rows_carry_attributes_and_every_selected_field_with_canonical_names() {
    let out = output("select id, name, industry, annualrevenue, founded__c from account where name = 'beta ltd'");
    assert_eq!(out.total_size, 1);
    let expected = json!({
        "attributes": {"type": "Account", "url": "/services/data/v62.0/sobjects/Account/001000000000002AAA"},
        "Id": A2, "Name": "beta ltd", "Industry": null, "AnnualRevenue": 200, "Founded__c": "2026-10-01"
    });
    assert_eq!(out.records, vec![expected]);
}

#[test]
fn parent_relationships_nest_or_are_null() {
    let out = output("SELECT LastName, Account.Name, Account.Owner.Name FROM Contact");
    let account = |id: &str, name: &str| {
        json!({"attributes": {"type": "Account", "url": format!("/services/data/v62.0/sobjects/Account/{id}")},
               "Name": name,
               "Owner": {"attributes": {"type": "User", "url": "/services/data/v62.0/sobjects/User/005000000000001AAA"}, "Name": "Ada"}})
    };
    let row = |id: &str, last: &str, acc: Value| {
        json!({"attributes": {"type": "Contact", "url": format!("/services/data/v62.0/sobjects/Contact/{id}")},
               "LastName": last, "Account": acc})
    };
    assert_eq!(
        out.records,
        vec![
            row(C1, "Smith", account(A1, "Acme")),
            row(C2, "Jones", account(A2, "beta ltd")),
            row(C3, "O'Brien", json!(null))
        ]
    );
}

#[test]
fn two_level_paths_share_one_nested_object() {
    let out =
        output("SELECT Id, Opportunity.Name, Opportunity.Account.Name, Contact.LastName FROM OpportunityContactRole");
    let row = out.records.first().cloned().unwrap_or_default();
    assert_eq!(row.pointer("/Id"), Some(&json!(R1)));
    assert_eq!(row.pointer("/Opportunity/Name"), Some(&json!("Big deal")));
    assert_eq!(row.pointer("/Opportunity/attributes/type"), Some(&json!("Opportunity")));
    assert_eq!(row.pointer("/Opportunity/Account/Name"), Some(&json!("beta ltd")));
    assert_eq!(
        row.pointer("/Opportunity/Account/attributes/url"),
        Some(&json!(format!("/services/data/v62.0/sobjects/Account/{A2}")))
    );
    assert_eq!(row.pointer("/Contact/LastName"), Some(&json!("Smith")));
}

#[test]
fn dangling_lookups_are_null() {
    let out = output("SELECT Id, Owner.Name, Parent.Name FROM Account WHERE Id = '001000000000004AAA'");
    let row = out.records.first().cloned().unwrap_or_default();
    assert_eq!(row.get("Owner"), Some(&json!(null)));
    assert_eq!(row.get("Parent"), Some(&json!(null)));
}

#[test]
fn count_returns_total_size_without_records() {
    assert_eq!(output("SELECT COUNT() FROM Account"), QueryOutput { total_size: 4, records: vec![] });
    assert_eq!(output("SELECT COUNT() FROM Account WHERE Active__c = true").total_size, 2);
    assert_eq!(output("SELECT COUNT() FROM Account LIMIT 3").total_size, 3);
    assert_eq!(output("SELECT COUNT() FROM Account ORDER BY Name OFFSET 3").total_size, 1);
}

#[test]
fn relationship_fields_filter_and_sort() {
    assert_eq!(contacts("Account.Name = 'acme'"), vec![C1]);
    assert_eq!(contacts("Account.Name != 'acme'"), vec![C2, C3]);
    assert_eq!(contacts("Account.Parent.Name = 'Acme'"), vec![C2]);
    assert_eq!(ids("SELECT Id FROM Contact ORDER BY Account.Name DESC"), vec![C2, C1, C3]);
    assert_eq!(ids("SELECT Id FROM Account WHERE Account.Name = 'Acme'"), vec![A1]);
}

#[test]
fn order_by_defaults_nulls_and_case_insensitive_text() {
    assert_eq!(ids("SELECT Id FROM Account ORDER BY Name"), vec![A1, A4, A2, A3]);
    assert_eq!(ids("SELECT Id FROM Account ORDER BY Name DESC"), vec![A3, A2, A4, A1]);
    assert_eq!(ids("SELECT Id FROM Account ORDER BY Industry"), vec![A2, A3, A1, A4]);
    assert_eq!(ids("SELECT Id FROM Account ORDER BY Industry DESC"), vec![A1, A4, A3, A2]);
    assert_eq!(ids("SELECT Id FROM Account ORDER BY Industry ASC NULLS LAST"), vec![A3, A1, A4, A2]);
    assert_eq!(ids("SELECT Id FROM Account ORDER BY Industry DESC NULLS FIRST"), vec![A2, A1, A4, A3]);
    assert_eq!(ids("SELECT Id FROM Account ORDER BY Industry DESC, Name DESC"), vec![A4, A1, A3, A2]);
    assert_eq!(ids("SELECT Id FROM Account ORDER BY AnnualRevenue DESC"), vec![A4, A1, A2, A3]);
    assert_eq!(ids("SELECT Id FROM Account ORDER BY Founded__c, Active__c"), vec![A3, A2, A4, A1]);
    assert_eq!(ids("SELECT Id FROM Account ORDER BY CreatedDate DESC"), vec![A4, A1, A3, A2]);
}

#[test]
fn offset_and_limit_apply_after_sorting() {
    assert_eq!(ids("SELECT Id FROM Account ORDER BY Name LIMIT 2"), vec![A1, A4]);
    assert_eq!(ids("SELECT Id FROM Account ORDER BY Name LIMIT 2 OFFSET 1"), vec![A4, A2]);
    assert_eq!(ids("SELECT Id FROM Account ORDER BY Name OFFSET 3"), vec![A3]);
    assert_eq!(ids("SELECT Id FROM Account OFFSET 10"), Vec::<String>::new());
    assert_eq!(ids("SELECT Id FROM Account LIMIT 0"), Vec::<String>::new());
    assert_eq!(output("SELECT Id FROM Account ORDER BY Name LIMIT 2 OFFSET 1").total_size, 2);
}

#[test]
fn api_version_is_taken_from_the_context() {
    let ctx = ExecContext::new("v66.0", today());
    let out = run_with("SELECT Id FROM Account WHERE Name = 'Acme'", &ctx)
        .unwrap_or(QueryOutput { total_size: 0, records: vec![] });
    let url = out.records.first().and_then(|r| r.pointer("/attributes/url").cloned());
    assert_eq!(url, Some(json!(format!("/services/data/v66.0/sobjects/Account/{A1}"))));
}
