//! The sandbox's address fields, State and Country/Territory picklists (and
//! their control switch) and field lengths on every write path: REST sObject
//! create/update/upsert, composite, collections and Bulk API 2.0.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::sandbox::{TestSandbox, spawn_sandbox};

fn too_long(label: &str, value: &str, max: usize) -> String {
    format!("{label}: data value too large: {value} (max length={max})")
}

#[tokio::test]
async fn address_components_are_written_and_read_on_account_contact_and_order() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let account = sandbox
        .create(
            &session,
            "Account",
            json!({"Name": "Acme", "BillingStreet": "1 Main St\nFloor 3", "BillingCity": "Albany",
                   "BillingState": "NY", "BillingPostalCode": "12207", "BillingCountry": "US",
                   "ShippingCity": "Toronto", "ShippingCountry": "CA"}),
        )
        .await;
    let contact = sandbox
        .create(&session, "Contact", json!({"LastName": "Doe", "MailingCity": "Albany", "AccountId": account}))
        .await;
    let (status, rows) = sandbox
        .query(
            &session,
            &format!("SELECT BillingStreet, BillingCity, ShippingCity FROM Account WHERE Id = '{account}'"),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{rows}");
    assert_eq!(rows["records"][0]["BillingStreet"], "1 Main St\nFloor 3");
    assert_eq!(rows["records"][0]["ShippingCity"], "Toronto");
    let (_, _, record) = sandbox.rest(Method::GET, &format!("sobjects/Contact/{contact}"), &session, None).await;
    assert_eq!(record["MailingCity"], "Albany");
    let (_, _, order) = sandbox.rest(Method::GET, "sobjects/Order/describe", &session, None).await;
    let names: Vec<&str> =
        order["fields"].as_array().into_iter().flatten().filter_map(|f| f["name"].as_str()).collect();
    for field in ["BillingStreet", "BillingCity", "BillingPostalCode", "ShippingState", "ShippingCountry"] {
        assert!(names.contains(&field), "Order.{field}");
    }
    assert!(!names.contains(&"BillingCountryCode"), "no code fields while picklists are off");
}

#[tokio::test]
async fn picklists_switch_on_and_off_through_the_control_endpoint() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let (status, _, errors) = sandbox
        .rest(Method::POST, "sobjects/Account", &session, Some(json!({"Name": "A", "BillingCountryCode": "US"})))
        .await;
    assert_eq!((status, errors[0]["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_FIELD")));

    sandbox.control(Method::PATCH, "/settings", Some(json!({"state_country_picklists": true}))).await;
    let id = sandbox
        .create(&session, "Account", json!({"Name": "A", "BillingStateCode": "NSW", "BillingCountryCode": "AU"}))
        .await;
    let (_, _, record) = sandbox.rest(Method::GET, &format!("sobjects/Account/{id}"), &session, None).await;
    assert_eq!(
        (record["BillingState"].as_str(), record["BillingCountry"].as_str()),
        (Some("New South Wales"), Some("Australia")),
        "the names follow the codes"
    );
    let (status, _, errors) = sandbox
        .rest(
            Method::POST,
            "sobjects/Contact",
            &session,
            Some(json!({"LastName": "B", "MailingStateCode": "PR", "MailingCountryCode": "US"})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{errors}");
    assert_eq!(errors[0]["errorCode"], "FIELD_INTEGRITY_EXCEPTION");
    assert_eq!(errors[0]["fields"], json!(["MailingState"]));
    let (_, _, describe) = sandbox.rest(Method::GET, "sobjects/Order/describe", &session, None).await;
    let country = describe["fields"].as_array().into_iter().flatten().find(|f| f["name"] == "ShippingCountryCode");
    let values = country.and_then(|f| f["picklistValues"].as_array()).map(Vec::len).unwrap_or_default();
    assert!(values >= 30, "Order.ShippingCountryCode lists the org's countries, got {values}");

    sandbox.control(Method::PATCH, "/settings", Some(json!({"state_country_picklists": false}))).await;
    let (status, _, errors) = sandbox
        .rest(Method::PATCH, &format!("sobjects/Account/{id}"), &session, Some(json!({"BillingCountryCode": "US"})))
        .await;
    assert_eq!((status, errors[0]["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_FIELD")));
    let (_, _, record) = sandbox.rest(Method::GET, &format!("sobjects/Account/{id}"), &session, None).await;
    assert_eq!(record["BillingState"], "New South Wales", "the data stays");
}

#[tokio::test]
async fn string_lengths_are_enforced_on_every_write_path() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let city = "C".repeat(41);
    let want = too_long("Billing City", &city, 40);
    let check = |what: &str, errors: &Value| {
        assert_eq!(
            errors["errorCode"].as_str().or(errors["statusCode"].as_str()),
            Some("STRING_TOO_LONG"),
            "{what}: {errors}"
        );
        assert_eq!(errors["message"], want.as_str(), "{what}");
        assert_eq!(errors["fields"], json!(["BillingCity"]), "{what}");
    };

    // REST create, update and upsert by external id.
    let (status, _, errors) =
        sandbox.rest(Method::POST, "sobjects/Account", &session, Some(json!({"Name": "A", "BillingCity": city}))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    check("create", &errors[0]);
    let id = sandbox.create(&session, "Account", json!({"Name": "A"})).await;
    let (status, _, errors) = sandbox
        .rest(Method::PATCH, &format!("sobjects/Account/{id}"), &session, Some(json!({"BillingCity": city})))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    check("update", &errors[0]);
    let (status, _, errors) = sandbox
        .rest(
            Method::PATCH,
            "sobjects/Account/ForceSync_Key__c/main:customer:1",
            &session,
            Some(json!({"Name": "A", "BillingCity": city})),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    check("upsert", &errors[0]);

    // Composite.
    let composite = json!({"allOrNone": false, "compositeRequest": [{
        "method": "POST", "url": "/services/data/v64.0/sobjects/Account", "referenceId": "a",
        "body": {"Name": "A", "BillingCity": city}}]});
    let (status, _, body) = sandbox.rest(Method::POST, "composite", &session, Some(composite)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["compositeResponse"][0]["httpStatusCode"], 400);
    check("composite", &body["compositeResponse"][0]["body"][0]);

    // Collections.
    let records = json!({"allOrNone": false, "records": [
        {"attributes": {"type": "Account"}, "Name": "ok"},
        {"attributes": {"type": "Account"}, "Name": "B", "BillingCity": city}]});
    let (status, _, body) = sandbox.rest(Method::POST, "composite/sobjects", &session, Some(records)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["success"], true);
    assert_eq!(body[1]["success"], false);
    check("collections", &body[1]["errors"][0]);

    // Bulk API 2.0.
    let failed = bulk_insert(&sandbox, &session, &format!("Name,BillingCity\nok,Albany\nB,{city}\n")).await;
    assert!(failed.contains(&format!("STRING_TOO_LONG:{want}")), "{failed}");
    let (_, rows) = sandbox.query(&session, "SELECT Name FROM Account WHERE BillingCity = 'Albany'").await;
    assert_eq!(rows["totalSize"], 1, "the valid row is written");
}

/// Runs a Bulk API 2.0 insert of Accounts; returns the failed results CSV.
async fn bulk_insert(sandbox: &TestSandbox, session: &str, csv: &str) -> String {
    let (status, _, job) = sandbox
        .rest(
            Method::POST,
            "jobs/ingest",
            session,
            Some(json!({"object": "Account", "operation": "insert", "lineEnding": "LF"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{job}");
    let id = job["id"].as_str().expect("job id").to_owned();
    let upload = sandbox
        .http
        .put(sandbox.url(&format!("/services/data/v64.0/jobs/ingest/{id}/batches")))
        .bearer_auth(session)
        .header("Content-Type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .expect("upload");
    assert_eq!(upload.status(), StatusCode::CREATED);
    let (status, _, _) = sandbox
        .rest(Method::PATCH, &format!("jobs/ingest/{id}"), session, Some(json!({"state": "UploadComplete"})))
        .await;
    assert_eq!(status, StatusCode::OK);
    for _ in 0..50 {
        let (_, _, info) = sandbox.rest(Method::GET, &format!("jobs/ingest/{id}"), session, None).await;
        if info["state"] == "JobComplete" {
            let failed = sandbox
                .http
                .get(sandbox.url(&format!("/services/data/v64.0/jobs/ingest/{id}/failedResults")))
                .bearer_auth(session)
                .send()
                .await
                .expect("failed results");
            return failed.text().await.expect("csv");
        }
        assert_ne!(info["state"], "Failed", "{info}");
    }
    panic!("the bulk job did not complete");
}

#[tokio::test]
async fn a_multi_currency_org_has_currency_iso_code_as_a_restricted_picklist() {
    use forcesync::sandbox::SandboxConfig;
    let sandbox =
        crate::helpers::sandbox::spawn_sandbox_with(SandboxConfig { multi_currency: true, ..SandboxConfig::demo() })
            .await;
    let session = sandbox.session().await;
    let id = sandbox.create(&session, "Account", json!({"Name": "A"})).await;
    let (_, _, record) = sandbox.rest(Method::GET, &format!("sobjects/Account/{id}"), &session, None).await;
    assert_eq!(record["CurrencyIsoCode"], "USD", "the corporate currency by default");
    let body = json!({"Name": "O", "StageName": "Prospecting", "CloseDate": "2026-12-31", "CurrencyIsoCode": "JPY"});
    let (status, _, errors) = sandbox.rest(Method::POST, "sobjects/Opportunity", &session, Some(body)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(errors[0]["errorCode"], "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
    assert_eq!(errors[0]["fields"], json!(["CurrencyIsoCode"]));
    let single = spawn_sandbox().await;
    let session = single.session().await;
    let (status, _, errors) = single
        .rest(Method::POST, "sobjects/Account", &session, Some(json!({"Name": "A", "CurrencyIsoCode": "USD"})))
        .await;
    assert_eq!((status, errors[0]["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_FIELD")));
}
