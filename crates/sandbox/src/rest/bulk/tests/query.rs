//! Query jobs: creation errors, completion through `process_some`, CSV shape,
//! paging with locators, queryAll, abort and delete.

use serde_json::{Map, Value, json};

use super::{Harness, csv_body, csv_cells, error_code, header, json_of};
use crate::rest::Method;

fn record(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

/// Three accounts and four contacts, one without an account.
fn seeded() -> Harness {
    let mut h = Harness::new();
    let writer = h.writer.clone();
    let org = &mut h.state.org;
    let acme = org.create("Account", &record(json!({"Name": "Acme, Inc."})), &writer).expect("acme");
    org.create("Account", &record(json!({"Name": "Globex"})), &writer).expect("globex");
    for (name, account) in [("Ames", Some(&acme)), ("Baker", Some(&acme)), ("Cole", None), ("Dunn", Some(&acme))] {
        let mut contact = record(json!({"LastName": name, "Email": format!("{}@example.com", name.to_lowercase())}));
        if let Some(account) = account {
            contact.insert("AccountId".into(), json!(account));
        }
        org.create("Contact", &contact, &writer).expect("contact");
    }
    h
}

fn create_query(h: &mut Harness, operation: &str, soql: &str) -> (u16, Value) {
    h.json_call(Method::Post, "jobs/query", json!({"operation": operation, "query": soql}))
}

fn page(h: &mut Harness, id: &str, query: &str) -> (Vec<Vec<String>>, String, String) {
    let response = h.call(Method::Get, &format!("jobs/query/{id}/results"), query, b"");
    assert_eq!(response.status, 200, "{response:?}");
    let locator = header(&response, "Sforce-Locator").expect("locator");
    let count = header(&response, "Sforce-NumberOfRecords").expect("count");
    (csv_cells(&csv_body(&response), b','), locator, count)
}

#[test]
fn query_job_completes_and_pages_with_locators() {
    let mut h = seeded();
    let (status, info) =
        create_query(&mut h, "query", "SELECT LastName, Email, Account.Name FROM contact ORDER BY LastName");
    assert_eq!(status, 200, "{info}");
    assert_eq!((info["jobType"].as_str(), info["state"].as_str()), (Some("V2Query"), Some("UploadComplete")));
    assert_eq!((info["object"].as_str(), info["operation"].as_str()), (Some("Contact"), Some("query")));
    let id = info["id"].as_str().expect("id").to_owned();
    let early = h.call(Method::Get, &format!("jobs/query/{id}/results"), "", b"");
    assert_eq!((early.status, error_code(&json_of(&early))), (400, "INVALIDJOBSTATE"));
    h.drain();
    let info = h.info("query", &id);
    assert_eq!((info["state"].as_str(), info["numberRecordsProcessed"].as_u64()), (Some("JobComplete"), Some(4)));

    let (rows, locator, count) = page(&mut h, &id, "maxRecords=3");
    assert_eq!(rows[0], ["LastName", "Email", "Account.Name"]);
    assert_eq!(rows[1], ["Ames", "ames@example.com", "Acme, Inc."]);
    assert_eq!(rows[3], ["Cole", "cole@example.com", ""], "null parent → empty cell");
    assert_eq!((rows.len(), count.as_str()), (4, "3"));
    assert_ne!(locator, "null");
    let (rows, last, count) = page(&mut h, &id, &format!("maxRecords=3&locator={locator}"));
    assert_eq!(rows, [vec!["LastName", "Email", "Account.Name"], vec!["Dunn", "dunn@example.com", "Acme, Inc."]]);
    assert_eq!((last.as_str(), count.as_str()), ("null", "1"));
    let (all, last, count) = page(&mut h, &id, "");
    assert_eq!((all.len(), last.as_str(), count.as_str()), (5, "null", "4"));

    for bad in ["locator=!!!", "locator=OTk5", "maxRecords=0", "maxRecords=many"] {
        assert_eq!(h.call(Method::Get, &format!("jobs/query/{id}/results"), bad, b"").status, 400, "{bad}");
    }
    let response = h.call(Method::Get, &format!("jobs/query/{id}/results"), "", b"");
    assert!(csv_body(&response).contains("\"Acme, Inc.\""), "quoted per RFC 4180");
}

#[test]
fn soql_errors_are_reported_at_creation() {
    let mut h = seeded();
    let (status, body) = create_query(&mut h, "query", "SELECT Id, Nope__c FROM Account");
    assert_eq!((status, error_code(&body)), (400, "INVALID_FIELD"));
    assert!(body[0]["message"].as_str().unwrap_or_default().contains("ERROR at Row:1:Column:12"), "{body}");
    assert_eq!(error_code(&create_query(&mut h, "query", "SELECT Id FROM Nope").1), "INVALID_TYPE");
    assert_eq!(error_code(&create_query(&mut h, "query", "SELEC Id FROM Account").1), "MALFORMED_QUERY");
    assert_eq!(create_query(&mut h, "insert", "SELECT Id FROM Account").0, 400);
    assert_eq!(create_query(&mut h, "query", "SELECT COUNT() FROM Account").0, 400);
    let nested = create_query(&mut h, "query", "SELECT Id, (SELECT Id FROM Contacts) FROM Account");
    assert_eq!((nested.0, error_code(&nested.1)), (400, "API_ERROR"), "no parent-to-child queries in Bulk");
    let (status, _) = h.json_call(Method::Post, "jobs/query", json!({"operation": "query"}));
    assert_eq!(status, 400);
    assert!(h.state.jobs.is_empty());
}

#[test]
fn query_all_sees_deleted_rows_and_dialect_is_honoured() {
    let mut h = seeded();
    let writer = h.writer.clone();
    let globex = h.query("SELECT Id FROM Account WHERE Name = 'Globex'", false)[0]["Id"].as_str().map(str::to_owned);
    h.state.org.delete("Account", &globex.expect("globex"), &writer).expect("delete");
    let spec = |op: &str| {
        json!({"operation": op, "query": "SELECT Name, IsDeleted FROM Account ORDER BY Name",
               "columnDelimiter": "SEMICOLON", "lineEnding": "CRLF"})
    };
    let (_, live) = h.json_call(Method::Post, "jobs/query", spec("query"));
    let (_, all) = h.json_call(Method::Post, "jobs/query", spec("queryAll"));
    h.drain();
    let text = |h: &mut Harness, info: &Value| {
        let id = info["id"].as_str().unwrap_or_default();
        csv_body(&h.call(Method::Get, &format!("jobs/query/{id}/results"), "", b""))
    };
    assert_eq!(text(&mut h, &live), "Name;IsDeleted\r\nAcme, Inc.;false\r\n");
    assert_eq!(text(&mut h, &all), "Name;IsDeleted\r\nAcme, Inc.;false\r\nGlobex;true\r\n");
    assert_eq!(h.info("query", all["id"].as_str().unwrap_or_default())["operation"], "queryAll");
}

#[test]
fn abort_delete_and_list() {
    let mut h = seeded();
    let (_, info) = create_query(&mut h, "query", "SELECT Id FROM Account");
    let id = info["id"].as_str().expect("id").to_owned();
    let path = format!("jobs/query/{id}");
    assert_eq!(h.call(Method::Delete, &path, "", b"").status, 400);
    let (status, body) = h.json_call(Method::Patch, &path, json!({"state": "UploadComplete"}));
    assert_eq!((status, error_code(&body)), (400, "INVALIDJOBSTATE"));
    let (status, info) = h.json_call(Method::Patch, &path, json!({"state": "Aborted"}));
    assert_eq!((status, info["state"].as_str()), (200, Some("Aborted")));
    h.drain();
    assert_eq!(h.info("query", &id)["state"], "Aborted");
    assert_eq!(h.call(Method::Get, &format!("{path}/results"), "", b"").status, 400);
    let (_, list) = h.json_call(Method::Get, "jobs/query", Value::Null);
    assert_eq!(list["records"].as_array().map(Vec::len), Some(1));
    assert_eq!(h.json_call(Method::Get, "jobs/ingest", Value::Null).1["records"], json!([]));
    assert_eq!(h.call(Method::Delete, &path, "", b"").status, 204);
    assert_eq!(h.call(Method::Get, &path, "", b"").status, 404);
}
