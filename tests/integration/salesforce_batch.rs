//! The client's batch APIs against the sandbox: query paging, composite and
//! graph requests, sObject Collections and Bulk API 2.0, checked by what the
//! org holds afterwards and by the API calls spent.

use std::time::Duration;

use forcesync::salesforce::auth::{Credentials, Secret};
use forcesync::salesforce::bulk::{BulkOperation, CsvWriter, JobKind, PollPolicy};
use forcesync::salesforce::composite::{CompositeRequest, Graph, GraphBuilder, Subrequest, reference};
use forcesync::salesforce::retry::RetryPolicy;
use forcesync::salesforce::{Client, ConnectionSettings, ErrorClass};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::sandbox::{PASSWORD, TOKEN, TestSandbox, USER, spawn_sandbox};

const KEY: &str = "ForceSync_Key__c";

fn client(sandbox: &TestSandbox) -> Client {
    let credentials = Credentials::Password {
        username: USER.into(),
        password: Secret::new(PASSWORD),
        security_token: Secret::new(TOKEN),
    };
    let settings =
        ConnectionSettings { login_url: sandbox.server.url.clone(), api_version: "64.0".into(), credentials };
    let fast =
        RetryPolicy { max_attempts: 3, base_delay: Duration::from_millis(5), max_delay: Duration::from_millis(20) };
    Client::new(reqwest::Client::new(), settings, fast)
}

fn fast_poll() -> PollPolicy {
    PollPolicy { interval: Duration::from_millis(2), max_interval: Duration::from_millis(10), max_polls: 5_000 }
}

/// (API calls used, calls of `kind`) so far.
async fn spent(sandbox: &TestSandbox, kind: &str) -> (u64, u64) {
    let counters = sandbox.control(Method::GET, "/counters", None).await;
    (counters["api_usage"]["used"].as_u64().unwrap_or(0), counters["calls"][kind].as_u64().unwrap_or(0))
}

async fn fault(sandbox: &TestSandbox, kind: &str) {
    sandbox.control(Method::POST, "/faults/queue", Some(json!({ "kind": kind }))).await;
}

async fn count(client: &Client, soql: &str) -> u64 {
    let mut pager = client.query_stream(soql, false);
    pager.next_page().await.expect("count");
    pager.total_size().expect("totalSize")
}

#[tokio::test]
async fn query_pager_follows_small_pages_and_query_all_sees_deleted_rows() {
    let sandbox = spawn_sandbox().await;
    let client = client(&sandbox);
    let contacts: Vec<Value> = (0..5).map(|i| json!({ "LastName": format!("C{i}") })).collect();
    let saved = client.create_records("Contact", &contacts, true).await.expect("create");
    let ids: Vec<String> = saved.into_iter().map(|r| r.expect("saved").id).collect();
    sandbox.control(Method::PATCH, "/settings", Some(json!({ "query_page_size": 2 }))).await;

    let before = spent(&sandbox, "query").await;
    let mut pager = client.query_stream("SELECT Id, LastName FROM Contact ORDER BY LastName", false);
    let mut sizes = Vec::new();
    let mut names = Vec::new();
    while let Some(page) = pager.next_page().await.expect("page") {
        sizes.push(page.len());
        names.extend(page.iter().map(|r| r["LastName"].as_str().unwrap_or_default().to_owned()));
    }
    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(names, ["C0", "C1", "C2", "C3", "C4"]);
    assert_eq!((pager.total_size(), pager.pages_read(), pager.is_done()), (Some(5), 3, true));
    assert_eq!(pager.next_page().await.expect("after the end"), None);
    let after = spent(&sandbox, "query").await;
    assert_eq!((after.0 - before.0, after.1 - before.1), (3, 3), "one call per page");

    let gone = client.delete_records(&[ids[0].as_str(), ids[1].as_str()], false).await.expect("delete");
    assert!(gone.iter().all(Result::is_ok), "{gone:?}");
    assert_eq!(client.query_all_pages("SELECT Id FROM Contact").await.expect("live").len(), 3);
    let all = client.query_stream("SELECT Id FROM Contact WHERE IsDeleted = true", true).collect_all().await;
    assert_eq!(all.expect("queryAll").len(), 2, "queryAll pages include the deleted rows");
}

#[tokio::test]
async fn collections_chunk_by_200_and_answer_per_record_in_order() {
    let sandbox = spawn_sandbox().await;
    let client = client(&sandbox);
    let accounts: Vec<Value> =
        (0..450).map(|i| json!({ KEY: format!("a-{i}"), "Name": format!("Account {i}") })).collect();
    let before = spent(&sandbox, "composite_sobjects").await;
    let saved = client.upsert_records("Account", KEY, &accounts, false).await.expect("upsert");
    let after = spent(&sandbox, "composite_sobjects").await;
    assert_eq!((after.0 - before.0, after.1 - before.1), (3, 3), "450 records in 3 calls");
    assert_eq!(saved.len(), 450);
    assert!(saved.iter().all(|r| r.as_ref().is_ok_and(|s| s.created)));
    let rows = client.query_all_pages("SELECT Id, ForceSync_Key__c FROM Account").await.expect("query");
    assert_eq!(rows.len(), 450);
    for i in [0, 199, 200, 449] {
        let id = saved[i].as_ref().map(|s| s.id.clone()).expect("id");
        let row = rows.iter().find(|r| r["Id"] == id.as_str()).expect("the row of that id");
        assert_eq!(row[KEY], format!("a-{i}"), "result {i} belongs to input {i}");
    }
    let slash = client.upsert_records("Account", KEY, &[json!({ KEY: "a/b", "Name": "Slash" })], false).await;
    assert!(slash.expect("upsert")[0].as_ref().is_ok_and(|s| s.created), "a key with / travels in the body");
    let again = client.upsert_records("Account", KEY, &accounts[..3], false).await.expect("again");
    assert!(again.iter().all(|r| r.as_ref().is_ok_and(|s| !s.created)), "existing keys are updated");

    let ids: Vec<String> = saved.iter().take(2).map(|r| r.as_ref().map(|s| s.id.clone()).expect("id")).collect();
    let renamed: Vec<Value> = ids.iter().map(|id| json!({ "Id": id, "Name": "Renamed" })).collect();
    let updated = client.update_records("Account", &renamed, true).await.expect("update");
    assert!(updated.iter().all(Result::is_ok), "{updated:?}");
    assert_eq!(count(&client, "SELECT COUNT() FROM Account WHERE Name = 'Renamed'").await, 2);
    assert_eq!(count(&client, "SELECT COUNT() FROM Account").await, 451);

    let mixed = [json!({ "LastName": "Ok1" }), json!({ "FirstName": "NoLastName" }), json!({ "LastName": "Ok2" })];
    let results = client.create_records("Contact", &mixed, false).await.expect("create");
    let error = results[1].as_ref().expect_err("the invalid record fails alone");
    assert_eq!(
        (error.code.as_str(), error.class, error.fields.as_slice()),
        ("REQUIRED_FIELD_MISSING", ErrorClass::Data, &["LastName".to_owned()][..])
    );
    assert!(results[0].is_ok() && results[2].is_ok());
    let results = client.create_records("Contact", &mixed, true).await.expect("all or none");
    let codes: Vec<&str> = results.iter().map(|r| r.as_ref().map_or_else(|e| e.code.as_str(), |_| "OK")).collect();
    assert_eq!(
        codes,
        ["ALL_OR_NONE_OPERATION_ROLLED_BACK", "REQUIRED_FIELD_MISSING", "ALL_OR_NONE_OPERATION_ROLLED_BACK"]
    );
    assert_eq!(count(&client, "SELECT COUNT() FROM Contact").await, 2, "only the first batch's two valid contacts");
}

#[tokio::test]
async fn a_lost_upsert_answer_is_retried_without_duplicates_but_a_create_is_not() {
    let sandbox = spawn_sandbox().await;
    let client = client(&sandbox);
    let accounts: Vec<Value> = (0..5).map(|i| json!({ KEY: format!("k-{i}"), "Name": format!("A{i}") })).collect();
    client.login().await.expect("login");
    fault(&sandbox, "timeout_after_commit").await;
    let saved = client.upsert_records("Account", KEY, &accounts, true).await.expect("upsert");
    assert!(saved.iter().all(Result::is_ok), "{saved:?}");
    assert_eq!(spent(&sandbox, "composite_sobjects").await, (2, 2), "the lost answer, then the repeat");
    assert_eq!(count(&client, "SELECT COUNT() FROM Account").await, 5, "no duplicates");

    fault(&sandbox, "timeout_after_commit").await;
    let contacts = [json!({ "LastName": "Once" })];
    let results = client.create_records("Contact", &contacts, false).await.expect("create");
    let error = results[0].as_ref().expect_err("the answer was lost");
    assert_eq!((error.code.as_str(), error.class), ("TRANSPORT", ErrorClass::Transient));
    assert_eq!(spent(&sandbox, "composite_sobjects").await.1, 3, "a create is not repeated");
    assert_eq!(count(&client, "SELECT COUNT() FROM Contact").await, 1, "it was committed once");
}

#[tokio::test]
async fn composite_requests_resolve_references_and_roll_back_together() {
    let sandbox = spawn_sandbox().await;
    let client = client(&sandbox);
    let mut request = CompositeRequest::new(true);
    request
        .add(Subrequest::upsert("acct", "Account", KEY, "acme 1 & ü?", json!({ "Name": "Acme" })))
        .and_then(|r| {
            r.add(Subrequest::create(
                "contact",
                "Contact",
                json!({ "LastName": "Doe", "AccountId": reference("acct") }),
            ))
        })
        .and_then(|r| r.add(Subrequest::read("check", "Contact", &reference("contact"), &["AccountId"])))
        .expect("valid request");
    assert!(!request.is_idempotent(), "it creates a contact");
    let results = client.composite(&request).await.expect("composite");
    assert!(results.iter().all(|r| r.is_success()), "{results:?}");
    assert!(results[0].created() && results[1].created());
    assert_eq!(results[2].body["AccountId"].as_str(), results[0].id());
    let stored = client.query_all_pages("SELECT ForceSync_Key__c FROM Account").await.expect("query");
    assert_eq!(stored[0][KEY], "acme 1 & ü?", "the external id survived URL encoding");

    let mut failing = CompositeRequest::new(true);
    failing
        .add(Subrequest::create("acct", "Account", json!({ "Name": "Doomed" })))
        .and_then(|r| r.add(Subrequest::create("contact", "Contact", json!({ "AccountId": reference("acct") }))))
        .expect("valid request");
    let results = client.composite(&failing).await.expect("composite");
    let codes: Vec<String> = results.iter().filter_map(|r| r.error()).map(|e| e.code).collect();
    assert_eq!(codes, ["PROCESSING_HALTED", "REQUIRED_FIELD_MISSING"]);
    assert_eq!(count(&client, "SELECT COUNT() FROM Account WHERE Name = 'Doomed'").await, 0);

    let mut bad = CompositeRequest::new(false);
    let error =
        bad.add(Subrequest::create("c", "Contact", json!({ "AccountId": reference("nobody") }))).expect_err("unknown");
    assert_eq!(error.class, ErrorClass::Data);
    assert!(bad.add(Subrequest::create("bad-id", "Contact", json!({}))).is_err(), "referenceId characters");
    for i in 0..25 {
        bad.add(Subrequest::query(&format!("q{i}"), "SELECT Id FROM Account")).map(drop).unwrap_or_default();
    }
    assert_eq!(bad.len(), 5, "at most 5 queries");
}

/// Standard price book and one entry to sell from.
async fn price_book_entry(client: &Client) -> (String, String) {
    let book = client.query_all_pages("SELECT Id FROM Pricebook2 WHERE IsStandard = true").await.expect("book");
    let book = book[0]["Id"].as_str().expect("standard price book").to_owned();
    let product = client.create_records("Product2", &[json!({ "Name": "Widget", "IsActive": true })], true).await;
    let product = product.expect("product").remove(0).expect("saved").id;
    let entry = json!({ "Pricebook2Id": book, "Product2Id": product, "UnitPrice": 10.0, "IsActive": true });
    let entry = client.create_records("PricebookEntry", &[entry], true).await.expect("entry").remove(0).expect("saved");
    (book, entry.id)
}

/// Account, contact, order and two lines of order `i`, all upserts by key.
fn order_bundle(i: usize, book: &str, entry: &str) -> Graph {
    let mut graph = Graph::new(&format!("order{i}")).expect("graph id");
    let last_name = if i == 7 { Value::Null } else { json!(format!("Buyer {i}")) };
    let order = json!({ "AccountId": reference("acct"), "BillToContactId": reference("contact"), "Pricebook2Id": book,
                        "EffectiveDate": "2024-05-01", "Status": "Draft" });
    let line =
        |n: u32| json!({ "OrderId": reference("order"), "PricebookEntryId": entry, "Quantity": n, "UnitPrice": 10.0 });
    graph
        .add(Subrequest::upsert("acct", "Account", KEY, &format!("acct-{i}"), json!({ "Name": format!("Shop {i}") })))
        .and_then(|g| {
            g.add(Subrequest::upsert(
                "contact",
                "Contact",
                KEY,
                &format!("con-{i}"),
                json!({ "LastName": last_name, "AccountId": reference("acct") }),
            ))
        })
        .and_then(|g| g.add(Subrequest::upsert("order", "Order", KEY, &format!("ord-{i}"), order)))
        .and_then(|g| g.add(Subrequest::upsert("line1", "OrderItem", KEY, &format!("line-{i}-1"), line(1))))
        .and_then(|g| g.add(Subrequest::upsert("line2", "OrderItem", KEY, &format!("line-{i}-2"), line(2))))
        .expect("bundle");
    graph
}

#[tokio::test]
async fn graphs_pack_into_few_requests_and_a_failing_graph_rolls_back_alone() {
    let sandbox = spawn_sandbox().await;
    let client = client(&sandbox);
    let (book, entry) = price_book_entry(&client).await;
    let mut builder = GraphBuilder::new();
    for i in 0..120 {
        builder.add(order_bundle(i, &book, &entry)).expect("add");
    }
    assert!(builder.add(order_bundle(3, &book, &entry)).is_err(), "graph ids are unique");
    let packed = builder.clone().pack();
    let shape: Vec<(usize, usize)> = packed.iter().map(|r| (r.graphs().len(), r.node_count())).collect();
    assert_eq!(shape, [(75, 375), (45, 225)], "75 graphs per request bind before 500 nodes");
    assert!(packed.iter().all(|r| r.is_idempotent()), "all nodes are upserts");

    let before = spent(&sandbox, "composite_graph").await;
    let results = client.run_graphs(builder).await;
    let after = spent(&sandbox, "composite_graph").await;
    assert_eq!((after.0 - before.0, after.1 - before.1), (2, 2), "120 bundles in 2 calls");
    assert_eq!(results.len(), 120);
    let failed: Vec<&str> = results.iter().filter(|r| !r.successful).map(|r| r.graph_id.as_str()).collect();
    assert_eq!(failed, ["order7"]);
    let errors = results[7].errors();
    assert_eq!(errors.len(), 1, "only the failing node's error, not the rolled-back ones: {errors:?}");
    assert_eq!((errors[0].code.as_str(), errors[0].class), ("REQUIRED_FIELD_MISSING", ErrorClass::Data));
    assert!(results[8].node("line2").is_some_and(|n| n.created() && n.id().is_some()));
    assert_eq!(count(&client, "SELECT COUNT() FROM Account").await, 119);
    assert_eq!(count(&client, "SELECT COUNT() FROM OrderItem").await, 238);
    assert_eq!(count(&client, "SELECT COUNT() FROM Account WHERE ForceSync_Key__c = 'acct-7'").await, 0);

    let mut small = GraphBuilder::new();
    for i in 0..3 {
        let mut graph = Graph::new(&format!("g{i}")).expect("id");
        for n in 0..200 {
            graph
                .add(Subrequest::upsert(&format!("n{n}"), "Account", KEY, &format!("g{i}-{n}"), json!({ "Name": "x" })))
                .expect("node");
        }
        small.add(graph).expect("add");
    }
    let sizes: Vec<usize> = small.pack().iter().map(|r| r.node_count()).collect();
    assert_eq!(sizes, [400, 200], "500 nodes per request bind first here");
}

#[tokio::test]
async fn bulk_ingest_of_thousands_reports_the_bad_row_and_survives_faults() {
    let sandbox = spawn_sandbox().await;
    let client = client(&sandbox);
    let mut csv = CsvWriter::new(&[KEY, "LastName", "Description"]).expect("header");
    for i in 0..3000 {
        let last = if i == 1234 { String::new() } else { format!("Row {i}") };
        csv.row([format!("c-{i}"), last, format!("note {i}, \"quoted\"\nsecond line")]).expect("row");
    }
    let csv = csv.finish().expect("csv");
    let upsert = BulkOperation::Upsert { external_id_field: KEY.into() };

    let job = client.bulk_create_ingest("Contact", &upsert).await.expect("job");
    fault(&sandbox, "expire_session").await;
    client.bulk_upload(&job.id, &csv).await.expect("upload after one re-login");
    assert_eq!(client.login_count(), 2);
    let closed = client.bulk_set_state(JobKind::Ingest, &job.id, "UploadComplete").await.expect("close");
    assert_ne!(closed.state, "Open");
    let done = client.bulk_wait(JobKind::Ingest, &job.id, &fast_poll()).await.expect("wait");
    assert_eq!((done.state.as_str(), done.records_processed, done.records_failed), ("JobComplete", 3000, 1));
    assert_eq!(done.job_error(), None);
    fault(&sandbox, "http_503").await;
    let result = client.bulk_ingest_results(done).await.expect("results, one read retried");
    assert_eq!((result.successful.len(), result.failed.len(), result.unprocessed.len()), (2999, 1, 0));
    assert!(result.successful.iter().all(|r| r.created && r.id.starts_with("003")));
    let bad = &result.failed[0];
    assert_eq!(bad.row.get(KEY), Some("c-1234"));
    assert_eq!(
        (bad.error.code.as_str(), bad.error.class, bad.error.fields.as_slice()),
        ("REQUIRED_FIELD_MISSING", ErrorClass::Data, &["LastName".to_owned()][..])
    );
    let row = result.successful.iter().find(|r| r.row.get(KEY) == Some("c-42")).expect("row 42");
    assert_eq!(row.row.get("Description"), Some("note 42, \"quoted\"\nsecond line"));
    assert_eq!(count(&client, "SELECT COUNT() FROM Contact").await, 2999);
    let stored = client.query_all_pages("SELECT Description FROM Contact WHERE ForceSync_Key__c = 'c-42'").await;
    assert_eq!(stored.expect("query")[0]["Description"], "note 42, \"quoted\"\nsecond line");

    let (used, bulk_calls) = spent(&sandbox, "bulk_ingest").await;
    assert!(bulk_calls >= 7, "create, upload, close, polls, 3 result reads (faulted calls are not run): {bulk_calls}");
    let again = client.bulk_ingest("Contact", &upsert, &csv, &fast_poll()).await.expect("second run");
    assert!(again.successful.iter().all(|r| !r.created), "an upsert run twice updates");
    assert_eq!(count(&client, "SELECT COUNT() FROM Contact").await, 2999, "no duplicates");
    let (used_after, calls_after) = spent(&sandbox, "bulk_ingest").await;
    assert_eq!(used_after - used, calls_after - bulk_calls + 1, "every bulk HTTP call is an API call (+1 COUNT query)");
}

#[tokio::test]
async fn bulk_query_jobs_page_by_locator() {
    let sandbox = spawn_sandbox().await;
    let client = client(&sandbox);
    let accounts: Vec<Value> =
        (0..25).map(|i| json!({ KEY: format!("q-{i:02}"), "Name": format!("Q {i:02}, Inc.") })).collect();
    client.upsert_records("Account", KEY, &accounts, true).await.expect("seed");

    let job =
        client.bulk_create_query("SELECT Name, ForceSync_Key__c FROM Account ORDER BY Name", false).await.expect("job");
    let job = client.bulk_wait(JobKind::Query, &job.id, &fast_poll()).await.expect("wait");
    assert_eq!((job.state.as_str(), job.records_processed), ("JobComplete", 25));
    let before = spent(&sandbox, "bulk_query").await.1;
    let mut pager = client.bulk_query_results(&job.id, Some(10));
    let mut sizes = Vec::new();
    let mut names = Vec::new();
    while let Some(page) = pager.next_page().await.expect("page") {
        sizes.push(page.len());
        names.extend(page.iter().filter_map(|r| r.get("Name").map(str::to_owned)));
    }
    assert_eq!(sizes, [10, 10, 5]);
    assert_eq!(spent(&sandbox, "bulk_query").await.1 - before, 3, "one call per page, none after the null locator");
    assert_eq!((names[0].as_str(), names[24].as_str()), ("Q 00, Inc.", "Q 24, Inc."));

    let ids: Vec<String> = client
        .query_all_pages("SELECT Id FROM Account LIMIT 4")
        .await
        .expect("ids")
        .iter()
        .filter_map(|r| r["Id"].as_str().map(str::to_owned))
        .collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    client.delete_records(&refs, true).await.expect("delete");
    let live = client.bulk_query("SELECT Id FROM Account", false, &fast_poll(), None).await.expect("query");
    let all = client.bulk_query("SELECT Id, IsDeleted FROM Account", true, &fast_poll(), Some(7)).await.expect("all");
    assert_eq!((live.len(), all.len()), (21, 25));
    assert_eq!(all.iter().filter(|r| r.get("IsDeleted") == Some("true")).count(), 4);
}
