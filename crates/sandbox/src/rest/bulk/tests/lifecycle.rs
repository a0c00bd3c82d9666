//! Job creation checks, JobInfo, the state machine and its errors, budgets,
//! aborts and jobs that fail as a whole.

use serde_json::{Value, json};

use super::{Harness, error_code};
use crate::rest::Method;
use crate::rest::bulk::process_some;

fn is_sf_datetime(value: &Value) -> bool {
    let text = value.as_str().unwrap_or_default();
    text.len() == 28
        && text.ends_with("+0000")
        && chrono::DateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.3f%z").is_ok()
}

#[test]
fn job_info_has_the_reference_shape() {
    let mut h = Harness::new();
    let spec = json!({"object": "contact", "operation": "upsert", "externalIdFieldName": "ForceSync_Key__c",
                      "contentType": "CSV", "lineEnding": "LF", "columnDelimiter": "COMMA"});
    let (status, info) = h.json_call(Method::Post, "jobs/ingest", spec);
    assert_eq!(status, 200);
    let id = info["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("750") && id.len() == 18);
    assert_eq!(info["object"], "Contact");
    assert_eq!(info["state"], "Open");
    assert_eq!(info["jobType"], "V2Ingest");
    assert_eq!(info["concurrencyMode"], "Parallel");
    assert_eq!(info["apiVersion"], json!(62.0));
    assert!(info["apiVersion"].is_f64());
    assert_eq!(info["contentUrl"], format!("services/data/v62.0/jobs/ingest/{id}/batches"));
    assert_eq!(info["createdById"], h.writer.user_id.as_str());
    assert!(is_sf_datetime(&info["createdDate"]) && is_sf_datetime(&info["systemModstamp"]), "{info}");
    for counter in ["numberRecordsProcessed", "numberRecordsFailed", "retries", "totalProcessingTime"] {
        assert_eq!(info[counter], 0, "{counter}");
    }
    assert!(info.get("errorMessage").is_none());
    assert_eq!(h.info("ingest", &id), info);

    h.create_ingest(json!({"object": "Account", "operation": "insert"}));
    let (status, list) = h.json_call(Method::Get, "jobs/ingest", Value::Null);
    assert_eq!((status, list["done"].as_bool(), list["records"].as_array().map(Vec::len)), (200, Some(true), Some(2)));
    assert!(list["records"][1].get("externalIdFieldName").is_none());
}

#[test]
fn creation_is_validated() {
    let mut h = Harness::new();
    let cases = [
        (json!({"object": "Nope__c", "operation": "insert"}), "INVALIDENTITY"),
        (json!({"operation": "insert"}), "INVALIDJOB"),
        (json!({"object": "Account", "operation": "merge"}), "INVALIDJOB"),
        (json!({"object": "Account", "operation": "query"}), "INVALIDJOB"),
        (json!({"object": "Account", "operation": "upsert"}), "INVALIDJOB"),
        (json!({"object": "Account", "operation": "upsert", "externalIdFieldName": "Phone"}), "INVALIDJOB"),
        (json!({"object": "Account", "operation": "insert", "columnDelimiter": "COLON"}), "INVALIDJOB"),
        (json!({"object": "Account", "operation": "insert", "lineEnding": "CR"}), "INVALIDJOB"),
        (json!({"object": "Account", "operation": "insert", "contentType": "JSON"}), "INVALIDJOB"),
    ];
    for (spec, code) in cases {
        let (status, body) = h.json_call(Method::Post, "jobs/ingest", spec.clone());
        assert_eq!((status, error_code(&body)), (400, code), "{spec} → {body}");
    }
    let (_, body) = h.json_call(Method::Post, "jobs/ingest", json!({"object": "Account", "operation": "upsert"}));
    let message = body[0]["message"].as_str().unwrap_or_default();
    assert_eq!(message, "External ID was blank for Account. An External ID must be specified for upsert.");
    let response = h.call(Method::Post, "jobs/ingest", "", b"{not json");
    assert_eq!(response.status, 400);
    assert!(h.state.jobs.is_empty());
    let by_id = json!({"object": "Account", "operation": "upsert", "externalIdFieldName": "id"});
    assert_eq!(h.json_call(Method::Post, "jobs/ingest", by_id).1["externalIdFieldName"], "Id");
}

#[test]
fn state_machine_and_its_errors() {
    let mut h = Harness::new();
    let id = h.create_ingest(json!({"object": "Account", "operation": "insert"}));
    let path = format!("jobs/ingest/{id}");
    let results = h.call(Method::Get, &format!("{path}/successfulResults"), "", b"");
    assert_eq!(results.status, 400, "results only for finished jobs");
    let (status, body) = h.json_call(Method::Patch, &path, json!({"state": "JobComplete"}));
    assert_eq!((status, error_code(&body)), (400, "INVALIDJOBSTATE"));
    assert_eq!(h.json_call(Method::Patch, &path, json!({"state": "Bogus"})).0, 400);
    assert_eq!(h.call(Method::Delete, &path, "", b"").status, 400, "only terminal jobs can be deleted");
    h.upload(&id, "Name\nAcme\n");
    let (status, info) = h.close(&id);
    assert_eq!((status, info["state"].as_str()), (200, Some("UploadComplete")));
    assert_eq!(h.upload(&id, "Name\nLate\n").status, 400, "uploads only while Open");
    assert_eq!(h.close(&id).0, 400, "already closed");
    assert!(h.query("SELECT Id FROM Account", false).is_empty(), "nothing written before processing");
    h.drain();
    assert_eq!(h.info("ingest", &id)["state"], "JobComplete");
    let (status, body) = h.json_call(Method::Patch, &path, json!({"state": "Aborted"}));
    assert_eq!((status, error_code(&body)), (400, "INVALIDJOBSTATE"));
    assert_eq!(h.call(Method::Delete, &path, "", b"").status, 204);
    assert_eq!(h.call(Method::Get, &path, "", b"").status, 404);
    assert_eq!(h.call(Method::Put, "jobs/ingest/750000000000000AAA/batches", "", b"x").status, 404);
    assert_eq!(h.call(Method::Post, &path, "", b"").status, 404);
    let other = h.create_ingest(json!({"object": "Account", "operation": "insert"}));
    assert_eq!(h.call(Method::Post, &format!("jobs/ingest/{other}"), "", b"").status, 405);
    assert_eq!(h.call(Method::Get, &format!("jobs/query/{other}"), "", b"").status, 404);
}

#[test]
fn budget_limits_rows_per_call_and_abort_leaves_the_rest_unprocessed() {
    let mut h = Harness::new();
    let id = h.create_ingest(json!({"object": "Account", "operation": "insert"}));
    let csv: String = std::iter::once("Name\n".to_owned()).chain((0..10).map(|i| format!("A{i}\n"))).collect();
    h.upload(&id, &csv);
    h.close(&id);
    assert!(process_some(&mut h.state, 3));
    let info = h.info("ingest", &id);
    assert_eq!((info["state"].as_str(), info["numberRecordsProcessed"].as_u64()), (Some("InProgress"), Some(3)));
    assert!(process_some(&mut h.state, 4));
    assert_eq!(h.info("ingest", &id)["numberRecordsProcessed"], 7);
    let (status, info) = h.json_call(Method::Patch, &format!("jobs/ingest/{id}"), json!({"state": "Aborted"}));
    assert_eq!((status, info["state"].as_str()), (200, Some("Aborted")));
    assert!(!process_some(&mut h.state, 100), "aborted jobs are not processed");
    assert_eq!(h.query("SELECT Id FROM Account", false).len(), 7);
    assert_eq!(h.results(&id, "successfulResults").len(), 8);
    assert_eq!(h.results(&id, "unprocessedRecords"), [["Name"], ["A7"], ["A8"], ["A9"]]);

    // Aborted before processing: everything uploaded is unprocessed.
    let open = h.create_ingest(json!({"object": "Account", "operation": "insert"}));
    h.upload(&open, "Name\nX\nY\n");
    h.json_call(Method::Patch, &format!("jobs/ingest/{open}"), json!({"state": "Aborted"}));
    assert_eq!(h.results(&open, "UNPROCESSEDRECORDS").len(), 3);
}

#[test]
fn unreadable_data_fails_the_whole_job() {
    let mut h = Harness::new();
    let insert = json!({"object": "Account", "operation": "insert"});
    let cases = [
        (insert.clone(), "Name,Bogus__c\nA,1\n", "InvalidBatch : Field name not found : Bogus__c"),
        (insert.clone(), "Name,Phone\nA\n", "InvalidBatch : Wrong number of columns in row 1"),
        (insert.clone(), "Name\r\nA\r\n", "ClientInputError : LineEnding is invalid on user data"),
        (insert.clone(), "Name,name\nA,B\n", "InvalidBatch : Duplicate field name"),
        (insert, "Name,Parent.Nope__c\nA,1\n", "InvalidBatch : Field name not found : Parent.Nope__c"),
        (json!({"object": "Account", "operation": "update"}), "Name\nA\n", "InvalidBatch : Field name not found : Id"),
        (
            json!({"object": "Account", "operation": "upsert", "externalIdFieldName": "ForceSync_Key__c"}),
            "Name\nA\n",
            "InvalidBatch : Field name not found : ForceSync_Key__c",
        ),
    ];
    for (spec, csv, message) in cases {
        let (id, info) = h.ingest(spec, csv);
        assert_eq!(info["state"], "Failed", "{csv}");
        let error = info["errorMessage"].as_str().unwrap_or_default();
        assert!(error.starts_with(message), "{error}");
        assert_eq!(info["numberRecordsProcessed"], 0);
        assert_eq!(h.call(Method::Get, &format!("jobs/ingest/{id}/failedResults/"), "", b"").status, 200);
    }
    assert!(h.query("SELECT Id FROM Account", false).is_empty());
    let (id, info) = h.ingest(json!({"object": "Account", "operation": "insert"}), "");
    assert_eq!((info["state"].as_str(), info["numberRecordsProcessed"].as_u64()), (Some("JobComplete"), Some(0)));
    assert_eq!(h.call(Method::Get, &format!("jobs/ingest/{id}/failedResults"), "", b"").status, 200);
}
