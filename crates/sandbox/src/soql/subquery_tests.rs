//! Semi-joins (`IN (SELECT …)`), anti-joins (`NOT IN (SELECT …)`) and child
//! relationship subqueries in the select list, from parse to response shape.

use serde_json::{Value, json};

use crate::soql::parse;
use crate::soql::testkit::{A1, A2, A3, A4, C1, C2, C3, error, ids, run};

const RELATIONSHIP_HINT: &str = "If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.";

fn reason(soql: &str) -> (&'static str, String) {
    let e = error(soql);
    (e.code, e.message.rsplit('\n').next().unwrap_or_default().to_owned())
}

fn records(soql: &str) -> Vec<Value> {
    match run(soql) {
        Ok(out) => out.records,
        Err(e) => panic!("{soql}: {e}"),
    }
}

fn contact(id: &str, last_name: &str) -> Value {
    json!({"attributes": {"type": "Contact", "url": format!("/services/data/v62.0/sobjects/Contact/{id}")},
           "LastName": last_name})
}

#[test]
fn semi_joins_keep_rows_whose_id_the_inner_select_returns() {
    assert_eq!(ids("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)"), vec![A1, A2]);
    assert_eq!(ids("SELECT Id FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)"), vec![A3, A4]);
    assert_eq!(
        ids("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE LastName = 'jones')"),
        vec![A2]
    );
    let retail = "(SELECT Id FROM Account WHERE Industry = 'retail')";
    assert_eq!(ids(&format!("SELECT Id FROM Contact WHERE AccountId IN {retail}")), vec![C1]);
    assert_eq!(ids(&format!("SELECT Id FROM Contact WHERE AccountId NOT IN {retail}")), vec![C2, C3]);
    assert_eq!(
        ids("select id from account where id in (select accountid from contact) and name like 'a%' order by name"),
        vec![A1]
    );
    assert_eq!(
        ids("SELECT Id FROM Account WHERE ParentId IN (SELECT Id FROM Account WHERE Name = 'Acme')"),
        vec![A2],
        "a reference field on the left, the same object inside"
    );
}

#[test]
fn semi_join_restrictions() {
    let id_only = "semi join sub selects can only query id fields, cannot use: 'LastName'";
    assert_eq!(
        reason("SELECT Id FROM Account WHERE Id IN (SELECT LastName FROM Contact)"),
        ("INVALID_FIELD", id_only.to_owned())
    );
    assert_eq!(
        reason("SELECT Id FROM Account WHERE Id IN (SELECT AccountId, Id FROM Contact)"),
        ("MALFORMED_QUERY", "unexpected token: ','".to_owned())
    );
    assert_eq!(
        reason("SELECT Id FROM Account WHERE Name IN (SELECT AccountId FROM Contact)").0,
        "INVALID_FIELD",
        "the left operand must be an Id or reference field"
    );
    assert_eq!(
        reason("SELECT Id FROM Account WHERE Name = 'x' OR Id IN (SELECT AccountId FROM Contact)"),
        ("MALFORMED_QUERY", "Semi join sub-selects are not allowed with the 'OR' operator".to_owned())
    );
    assert_eq!(
        reason("SELECT Id FROM Account WHERE NOT (Id IN (SELECT AccountId FROM Contact))").1,
        "Semi join sub-selects are only allowed at the top level WHERE expressions and not in nested WHERE expressions."
    );
    assert_eq!(
        reason(
            "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE AccountId IN (SELECT Id FROM Account))"
        ),
        ("MALFORMED_QUERY", "Nesting of semi join sub-selects is not supported".to_owned())
    );
    assert_eq!(reason("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Nope__c)").0, "INVALID_TYPE");
    let deep = format!("SELECT Id FROM A WHERE {}", "Id IN (SELECT Id FROM A WHERE ".repeat(100));
    assert_eq!(parse(&deep).err().map(|e| e.code), Some("MALFORMED_QUERY"), "nesting is bounded");
}

#[test]
fn child_subqueries_nest_each_parents_children_or_null() {
    let rows = records("SELECT Name, (SELECT LastName FROM Contacts) FROM Account ORDER BY Name");
    let children: Vec<Value> = rows.iter().map(|r| r.get("Contacts").cloned().unwrap_or(json!("missing"))).collect();
    assert_eq!(
        children,
        vec![
            json!({"totalSize": 1, "done": true, "records": [contact(C1, "Smith")]}),
            Value::Null,
            json!({"totalSize": 1, "done": true, "records": [contact(C2, "Jones")]}),
            Value::Null,
        ]
    );
    let rows = records(
        "select id, (select lastname from CONTACTS where email = null) from account where id = '001000000000002AAA'",
    );
    assert_eq!(
        rows.first().and_then(|r| r.get("Contacts")),
        Some(&json!({"totalSize": 1, "done": true, "records": [contact(C2, "Jones")]}))
    );
    let rows = records(
        "SELECT Id, (SELECT LastName FROM Contacts WHERE Email != null) FROM Account WHERE Id = '001000000000002AAA'",
    );
    assert_eq!(rows.first().and_then(|r| r.get("Contacts")), Some(&Value::Null), "no child matches");
    let rows =
        records("SELECT Id, (SELECT Role, Contact.LastName FROM OpportunityContactRoles LIMIT 5) FROM Opportunity");
    assert_eq!(
        rows.first().and_then(|r| r.pointer("/OpportunityContactRoles/records/0/Contact/LastName")),
        Some(&json!("Smith"))
    );
    let rows = records("SELECT (SELECT Id FROM Contacts LIMIT 0), Name FROM Account WHERE Name = 'Acme'");
    assert_eq!(
        rows.first().map(|r| (r.get("Contacts").cloned(), r.get("Name").cloned())),
        Some((Some(Value::Null), Some(json!("Acme"))))
    );
}

#[test]
fn child_subquery_errors() {
    let unknown = format!("Didn't understand relationship 'Contactz' in FROM part of query call. {RELATIONSHIP_HINT}");
    assert_eq!(reason("SELECT Id, (SELECT Id FROM Contactz) FROM Account"), ("INVALID_TYPE", unknown));
    let e = error("SELECT Id, (SELECT Id FROM Contactz) FROM Account");
    assert!(e.message.contains("ERROR at Row:1:Column:28"), "{}", e.message);
    assert_eq!(
        reason("SELECT Id, (SELECT Nope FROM Contacts) FROM Account").1,
        "No such column 'Nope' on entity 'Contact'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names."
    );
    assert_eq!(
        reason("SELECT Id, (SELECT Id, (SELECT Id FROM Contacts) FROM Contacts) FROM Account"),
        ("MALFORMED_QUERY", "unexpected token: '('".to_owned())
    );
    assert_eq!(
        reason("SELECT Id, (SELECT Id FROM Contacts FROM Account"),
        ("MALFORMED_QUERY", "unexpected token: 'FROM'".to_owned())
    );
}

#[test]
fn subqueries_parse_into_the_tree() {
    use crate::soql::ast::{Condition, Select};
    let q = parse(
        "SELECT Id, (SELECT LastName FROM Contacts WHERE Email != null ORDER BY LastName LIMIT 2), Name FROM Account",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(q.select, Select::Fields(vec![path("Id", 7), path("Name", 90)]));
    let child = q
        .children
        .first()
        .map(|c| (c.after, c.query.from.text.as_str(), c.query.from.pos, c.query.limit.map(|n| n.value)));
    assert_eq!(child, Some((1, "Contacts", 33, Some(2))));
    assert_eq!(q.from.text, "Account");
    let q = parse("SELECT Id FROM Contact WHERE AccountId NOT IN (SELECT Id FROM Account)")
        .unwrap_or_else(|e| panic!("{e}"));
    let Some(Condition::SemiJoin { field, negated, query }) = q.filter else { panic!("not a semi-join") };
    assert_eq!((field.dotted(), negated, query.from.text.as_str()), ("AccountId".to_owned(), true, "Account"));
    assert_eq!(query.select, Select::Fields(vec![path("Id", 54)]));
}

fn path(dotted: &str, pos: usize) -> crate::soql::ast::FieldPath {
    crate::soql::ast::FieldPath { segments: dotted.split('.').map(str::to_owned).collect(), pos }
}
