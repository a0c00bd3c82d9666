//! A small Sales Cloud schema and data set shared by the resolver and executor tests.

use chrono::NaiveDate;
use serde_json::{Value, json};

use super::{
    Catalog, ChildRelationship, ExecContext, FieldInfo, QueryOutput, Record, Relationship, SoqlError, Source,
    ValueKind, execute, prepare,
};

type Fields = &'static [(&'static str, ValueKind)];
type Relationships = &'static [(&'static str, &'static str, &'static str)];

const SCHEMA: &[(&str, Fields, Relationships)] = {
    use ValueKind::*;
    &[
        (
            "Account",
            &[
                ("Id", Id),
                ("Name", String),
                ("Industry", Picklist),
                ("AnnualRevenue", Currency),
                ("NumberOfEmployees", Integer),
                ("Active__c", Boolean),
                ("Rating__c", Double),
                ("CreatedDate", DateTime),
                ("Founded__c", Date),
                ("OwnerId", Reference),
                ("ParentId", Reference),
            ],
            &[("Owner", "OwnerId", "User"), ("Parent", "ParentId", "Account")],
        ),
        (
            "Contact",
            &[("Id", Id), ("LastName", String), ("Email", String), ("AccountId", Reference)],
            &[("Account", "AccountId", "Account")],
        ),
        (
            "Opportunity",
            &[("Id", Id), ("Name", String), ("Amount", Currency), ("AccountId", Reference)],
            &[("Account", "AccountId", "Account")],
        ),
        (
            "OpportunityContactRole",
            &[("Id", Id), ("Role", Picklist), ("OpportunityId", Reference), ("ContactId", Reference)],
            &[("Opportunity", "OpportunityId", "Opportunity"), ("Contact", "ContactId", "Contact")],
        ),
        ("User", &[("Id", Id), ("Name", String)], &[]),
    ]
};

/// Child relationships: (parent, relationship, child, foreign key).
const CHILDREN: &[(&str, &str, &str, &str)] = &[
    ("Account", "Contacts", "Contact", "AccountId"),
    ("Account", "Opportunities", "Opportunity", "AccountId"),
    ("Account", "ChildAccounts", "Account", "ParentId"),
    ("Opportunity", "OpportunityContactRoles", "OpportunityContactRole", "OpportunityId"),
    ("Contact", "OpportunityContactRoles", "OpportunityContactRole", "ContactId"),
];

pub struct TestCatalog;

fn object(name: &str) -> Option<&'static (&'static str, Fields, Relationships)> {
    SCHEMA.iter().find(|(o, ..)| o.eq_ignore_ascii_case(name))
}

impl Catalog for TestCatalog {
    fn object(&self, name: &str) -> Option<String> {
        object(name).map(|(o, ..)| (*o).to_owned())
    }

    fn field(&self, obj: &str, field: &str) -> Option<FieldInfo> {
        let (_, fields, _) = object(obj)?;
        let (name, kind) = fields.iter().find(|(f, _)| f.eq_ignore_ascii_case(field))?;
        Some(FieldInfo { name: (*name).to_owned(), kind: *kind })
    }

    fn relationship(&self, obj: &str, relationship: &str) -> Option<Relationship> {
        let (_, _, rels) = object(obj)?;
        let (name, key, target) = rels.iter().find(|(r, ..)| r.eq_ignore_ascii_case(relationship))?;
        let (name, foreign_key, target) = ((*name).into(), (*key).into(), (*target).into());
        Some(Relationship { name, foreign_key, target })
    }

    fn child_relationship(&self, obj: &str, relationship: &str) -> Option<ChildRelationship> {
        let (_, name, child, key) =
            CHILDREN.iter().find(|(p, r, ..)| *p == obj && r.eq_ignore_ascii_case(relationship))?;
        Some(ChildRelationship { name: (*name).into(), child: (*child).into(), foreign_key: (*key).into() })
    }
}

/// The store as a query source: every row, in store order.
struct Store<'s>(&'s [(&'static str, Record)]);

impl<'s> Source<'s> for Store<'s> {
    fn rows(&self, object: &str) -> Box<dyn Iterator<Item = &'s Record> + 's> {
        let object = object.to_owned();
        Box::new(self.0.iter().filter(move |(o, _)| *o == object).map(|(_, r)| r))
    }

    fn get(&self, object: &str, id: &str) -> Option<&'s Record> {
        self.0.iter().find(|(o, r)| *o == object && r.get("Id").and_then(Value::as_str) == Some(id)).map(|(_, r)| r)
    }
}

pub const A1: &str = "001D000000IqhSLIAZ";
pub const A2: &str = "001000000000002AAA";
pub const A3: &str = "001000000000003AAA";
pub const A4: &str = "001000000000004AAA";
pub const C1: &str = "003000000000001AAA";
pub const C2: &str = "003000000000002AAA";
pub const C3: &str = "003000000000003AAA";
pub const O1: &str = "006000000000001AAA";
pub const R1: &str = "00K000000000001AAA";
pub const U1: &str = "005000000000001AAA";
/// An Owner Id with no User behind it.
pub const DANGLING: &str = "005000000000099AAA";

/// All records with their object name, in a fixed order (Accounts A1..A4 first).
pub fn store() -> Vec<(&'static str, Record)> {
    let rows = [
        (
            "Account",
            json!({"Id": A1, "Name": "Acme", "Industry": "Retail", "AnnualRevenue": 1000.5,
            "NumberOfEmployees": 10, "Active__c": true, "Rating__c": 4.5,
            "CreatedDate": "2026-11-25T08:00:00.000+0000", "Founded__c": "2026-11-25",
            "OwnerId": U1, "ParentId": null}),
        ),
        (
            "Account",
            json!({"Id": A2, "Name": "beta ltd", "Industry": null, "AnnualRevenue": 200,
            "NumberOfEmployees": 250, "Active__c": false, "Rating__c": -1.25,
            "CreatedDate": "2026-11-20T23:30:00.000+0000", "Founded__c": "2026-10-01",
            "OwnerId": U1, "ParentId": A1}),
        ),
        (
            "Account",
            json!({"Id": A3, "Name": "Gamma_Co 100%", "Industry": "Energy",
            "AnnualRevenue": null, "NumberOfEmployees": -5, "Active__c": true, "Rating__c": null,
            "CreatedDate": "2026-11-24T12:00:00.000+0000", "Founded__c": null,
            "OwnerId": null, "ParentId": null}),
        ),
        (
            "Account",
            json!({"Id": A4, "Name": "ACME Europe", "Industry": "retail",
            "AnnualRevenue": 5000, "NumberOfEmployees": null, "Active__c": false, "Rating__c": 0,
            "CreatedDate": "2026-11-26T00:00:00.000+0000", "Founded__c": "2026-11-24",
            "OwnerId": DANGLING, "ParentId": null}),
        ),
        ("Contact", json!({"Id": C1, "LastName": "Smith", "Email": "s@acme.test", "AccountId": A1})),
        ("Contact", json!({"Id": C2, "LastName": "Jones", "Email": null, "AccountId": A2})),
        ("Contact", json!({"Id": C3, "LastName": "O'Brien", "Email": "ob@x.test", "AccountId": null})),
        ("Opportunity", json!({"Id": O1, "Name": "Big deal", "Amount": 100, "AccountId": A2})),
        ("OpportunityContactRole", json!({"Id": R1, "Role": "Buyer", "OpportunityId": O1, "ContactId": C1})),
        ("User", json!({"Id": U1, "Name": "Ada"})),
    ];
    rows.into_iter()
        .filter_map(|(object, row)| match row {
            Value::Object(record) => Some((object, record)),
            _ => None,
        })
        .collect()
}

/// Wednesday 2026-11-25.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap_or_default()
}

/// Runs `soql` over the store with `ctx`.
pub fn run_with(soql: &str, ctx: &ExecContext<'_>) -> Result<QueryOutput, SoqlError> {
    let store = store();
    let query = prepare(soql, &TestCatalog)?;
    Ok(execute(&query, &Store(&store), ctx))
}

/// Runs `soql` for a UTC user on `today()` at API version 62.0.
pub fn run(soql: &str) -> Result<QueryOutput, SoqlError> {
    run_with(soql, &ExecContext::new("62.0", today()))
}

/// The Ids of the rows `soql` returns, in order; panics on a query error.
pub fn ids(soql: &str) -> Vec<String> {
    match run(soql) {
        Ok(out) => {
            out.records.iter().map(|r| r.get("Id").and_then(Value::as_str).unwrap_or("<no Id>").to_owned()).collect()
        }
        Err(e) => panic!("{soql}: {e}"),
    }
}

/// The error `soql` fails with; panics if it succeeds.
pub fn error(soql: &str) -> SoqlError {
    match prepare(soql, &TestCatalog) {
        Ok(q) => panic!("{soql} resolved: {q:?}"),
        Err(e) => e,
    }
}
