//! Ingest outcomes: records in the org, counters, result CSVs and `sf__Error` cells.

use serde_json::{Value, json};

use super::Harness;
use crate::ids::SfId;

fn account_spec(operation: &str) -> Value {
    let key = "ForceSync_Key__c";
    json!({"object": "account", "operation": operation, "externalIdFieldName": key, "contentType": "CSV"})
}

#[test]
fn insert_writes_good_rows_and_reports_bad_ones() {
    let mut h = Harness::new();
    let csv = "Name,ForceSync_Key__c,NumberOfEmployees\nAcme,k1,10\n,k2,5\nGlobex,k3,lots\n\"Initech, Inc.\",k4,\n";
    let (id, info) = h.ingest(json!({"object": "Account", "operation": "insert"}), csv);
    assert_eq!(info["state"], "JobComplete");
    assert_eq!((info["numberRecordsProcessed"].as_u64(), info["numberRecordsFailed"].as_u64()), (Some(4), Some(2)));
    let names: Vec<Value> =
        h.query("SELECT Name FROM Account ORDER BY Name", false).iter().map(|r| r["Name"].clone()).collect();
    assert_eq!(names, [json!("Acme"), json!("Initech, Inc.")]);

    let ok = h.results(&id, "successfulResults");
    assert_eq!(ok[0], ["sf__Id", "sf__Created", "Name", "ForceSync_Key__c", "NumberOfEmployees"]);
    assert_eq!(ok.len(), 3);
    assert!(SfId::parse(&ok[1][0]).is_ok_and(|i| i.as_str() == ok[1][0] && i.key_prefix() == "001"));
    assert_eq!(ok[1][1..], ["true", "Acme", "k1", "10"]);
    assert_eq!(ok[2][1..], ["true", "Initech, Inc.", "k4", ""]);

    let failed = h.results(&id, "failedResults");
    assert_eq!(failed[0][..2], ["sf__Id", "sf__Error"]);
    assert_eq!(failed[1], ["", "REQUIRED_FIELD_MISSING:Required fields are missing: [Name]:Name --", "", "k2", "5"]);
    assert_eq!(failed[2][0], "");
    assert!(failed[2][1].starts_with("INVALID_TYPE_ON_FIELD_IN_RECORD:"), "{}", failed[2][1]);
    assert_eq!(failed[2][2..], ["Globex", "k3", "lots"]);
    assert_eq!(h.results(&id, "unprocessedrecords/"), [["Name", "ForceSync_Key__c", "NumberOfEmployees"]]);
}

#[test]
fn upsert_inserts_then_updates_and_resolves_parents_by_external_id() {
    let mut h = Harness::new();
    let (first, info) = h.ingest(account_spec("upsert"), "ForceSync_Key__c,Name\na1,Acme\na2,Globex\n");
    assert_eq!(info["numberRecordsFailed"], 0);
    let created: Vec<String> = h.results(&first, "successfulResults").iter().skip(1).map(|r| r[1].clone()).collect();
    assert_eq!(created, ["true", "true"]);

    let (second, _) = h.ingest(account_spec("upsert"), "ForceSync_Key__c,Name\nA1,Acme Renamed\na3,Hooli\n");
    let rows = h.results(&second, "successfulResults");
    assert_eq!(rows[1][1..], ["false", "A1", "Acme Renamed"], "key match is case-insensitive");
    assert_eq!(rows[2][1..], ["true", "a3", "Hooli"]);
    assert_eq!(h.query("SELECT Id FROM Account", false).len(), 3);
    let acme = h.query("SELECT Id, Name FROM Account WHERE ForceSync_Key__c = 'a1'", false);
    assert_eq!((acme[0]["Name"].as_str(), acme[0]["Id"].as_str()), (Some("Acme Renamed"), Some(rows[1][0].as_str())));

    let contacts = "LastName,Email,ForceSync_Key__c,Account.ForceSync_Key__c\n\
                    Doe,doe@example.com,c1,a1\nRoe,,c2,nope\nPoe,poe@example.com,c3,\n";
    let spec = json!({"object": "Contact", "operation": "upsert", "externalIdFieldName": "forcesync_key__c"});
    let (job, info) = h.ingest(spec, contacts);
    assert_eq!(info["externalIdFieldName"], "ForceSync_Key__c");
    assert_eq!(info["numberRecordsFailed"], 1);
    let failed = h.results(&job, "failedResults");
    assert_eq!(failed[0], ["sf__Id", "sf__Error", "LastName", "Email", "ForceSync_Key__c", "Account.ForceSync_Key__c"]);
    assert_eq!(
        failed[1][1],
        "INVALID_FIELD:Foreign key external ID: nope not found for field ForceSync_Key__c in entity Account:--"
    );
    let linked = h.query("SELECT LastName, Account.Name FROM Contact ORDER BY LastName", false);
    assert_eq!(linked.len(), 2);
    assert_eq!(linked[0]["Account"]["Name"], "Acme Renamed");
    assert_eq!(linked[1]["Account"], Value::Null);

    // `#N/A` in a relationship column clears the lookup; an empty cell leaves it alone.
    let spec = json!({"object": "Contact", "operation": "upsert", "externalIdFieldName": "ForceSync_Key__c"});
    h.ingest(spec, "ForceSync_Key__c,Email,Account.ForceSync_Key__c\nc1,#N/A,#N/A\n");
    let doe = h.query("SELECT LastName, Email, AccountId FROM Contact WHERE ForceSync_Key__c = 'c1'", false);
    assert_eq!(
        (doe[0]["LastName"].as_str(), &doe[0]["Email"], &doe[0]["AccountId"]),
        (Some("Doe"), &Value::Null, &Value::Null)
    );
}

#[test]
fn upsert_row_errors_missing_and_duplicate_keys() {
    let mut h = Harness::new();
    let csv = "Name,ForceSync_Key__c\nNo Key,\nTwin A,t1\nTwin B,T1\nSolo,s1\n";
    let (id, info) = h.ingest(account_spec("upsert"), csv);
    assert_eq!((info["numberRecordsProcessed"].as_u64(), info["numberRecordsFailed"].as_u64()), (Some(4), Some(3)));
    let failed = h.results(&id, "failedResults");
    assert_eq!(failed[1][1..], ["MISSING_ARGUMENT:ForceSync_Key__c not specified:--", "No Key", ""]);
    assert_eq!(failed[2][1], "DUPLICATE_VALUE:Duplicate external id specified: t1:--");
    assert_eq!(failed[3][1], "DUPLICATE_VALUE:Duplicate external id specified: T1:--");
    assert_eq!(h.query("SELECT Name FROM Account", false).len(), 1);

    // A failed update of an existing record reports its Id.
    let (id, _) = h.ingest(account_spec("upsert"), "Name,ForceSync_Key__c,NumberOfEmployees\nSolo,s1,many\n");
    let failed = h.results(&id, "failedResults");
    let solo = h.query("SELECT Id FROM Account WHERE ForceSync_Key__c = 's1'", false);
    assert_eq!(failed[1][0], solo[0]["Id"].as_str().unwrap_or_default());
}

#[test]
fn update_and_delete_by_id() {
    let mut h = Harness::new();
    let (job, _) = h.ingest(json!({"object": "Account", "operation": "insert"}), "Name,Phone\nAcme,111\nGlobex,222\n");
    let ids: Vec<String> = h.results(&job, "successfulResults").iter().skip(1).map(|r| r[0].clone()).collect();
    let contact = h.ingest(json!({"object": "Contact", "operation": "insert"}), "LastName\nDoe\n").0;
    let contact_id = h.results(&contact, "successfulResults")[1][0].clone();
    let missing = format!("{}zzz", &ids[0][..12]);
    let id15 = SfId::parse(&ids[1]).map(|i| i.as_15().to_owned()).unwrap_or_default();
    let csv = format!(
        "Id,Phone,Name\n{},,Acme Two\n{id15},#N/A,\nbogus,1,x\n{contact_id},1,x\n,1,x\n{missing},1,x\n",
        ids[0]
    );
    let (update, info) = h.ingest(json!({"object": "Account", "operation": "update"}), &csv);
    assert_eq!((info["numberRecordsProcessed"].as_u64(), info["numberRecordsFailed"].as_u64()), (Some(6), Some(4)));
    let ok = h.results(&update, "successfulResults");
    assert_eq!(ok[2][..2], [ids[1].as_str(), "false"], "15-character Ids are accepted, 18 returned");
    let rows = h.query("SELECT Name, Phone FROM Account ORDER BY Name", false);
    assert_eq!((rows[0]["Name"].as_str(), rows[0]["Phone"].as_str()), (Some("Acme Two"), Some("111")));
    assert_eq!((rows[1]["Name"].as_str(), &rows[1]["Phone"]), (Some("Globex"), &Value::Null));
    let errors: Vec<String> = h.results(&update, "failedResults").iter().skip(1).map(|r| r[1].clone()).collect();
    assert_eq!(errors[0], "MALFORMED_ID:malformed id bogus:Id --");
    assert_eq!(errors[1], format!("MALFORMED_ID:Account ID: id value of incorrect type: {contact_id}:Id --"));
    assert_eq!(errors[2], "MISSING_ARGUMENT:Id not specified in an update call:--");
    assert_eq!(errors[3], "INVALID_CROSS_REFERENCE_KEY:invalid cross reference id:--");

    let (delete, info) =
        h.ingest(json!({"object": "Account", "operation": "delete"}), &format!("Id\n{}\n{}\n", ids[0], ids[0]));
    assert_eq!(info["numberRecordsFailed"], 1);
    assert_eq!(h.results(&delete, "failedResults")[1][1], "ENTITY_IS_DELETED:entity is deleted:--");
    assert_eq!(h.query("SELECT Id FROM Account", false).len(), 1);
    assert_eq!(h.query("SELECT Id FROM Account WHERE IsDeleted = true", true).len(), 1);
}

#[test]
fn dialect_of_the_job_is_used_for_input_and_results() {
    let mut h = Harness::new();
    let spec = json!({"object": "Product2", "operation": "insert", "columnDelimiter": "PIPE", "lineEnding": "CRLF"});
    let (id, info) = h.ingest(spec, "Name|Description\r\n\"A|B\"|x\r\nC|\"multi\nline\"\r\n");
    assert_eq!((info["columnDelimiter"].as_str(), info["lineEnding"].as_str()), (Some("PIPE"), Some("CRLF")));
    assert_eq!(info["numberRecordsFailed"], 0);
    let response = h.call(crate::rest::Method::Get, &format!("jobs/ingest/{id}/successfulResults"), "", b"");
    let text = super::csv_body(&response);
    assert!(text.starts_with("sf__Id|sf__Created|Name|Description\r\n"), "{text}");
    let cells = super::csv_cells(&text, b'|');
    assert_eq!(cells[1][2..], ["A|B", "x"]);
    assert_eq!(cells[2][3], "multi\nline");
}

#[test]
fn several_uploads_append() {
    let mut h = Harness::new();
    let id = h.create_ingest(json!({"object": "Account", "operation": "insert"}));
    assert_eq!(h.upload(&id, "Name\nOne\n").status, 201);
    assert_eq!(h.upload(&id, "name\nTwo\nThree\n").status, 201);
    h.close(&id);
    h.drain();
    assert_eq!(h.info("ingest", &id)["numberRecordsProcessed"], 3);
    assert_eq!(h.query("SELECT Id FROM Account", false).len(), 3);
}
