//! Sandbox REST over the wire: records, upserts, validation, describe,
//! deletes, change tracking.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::sandbox::spawn_sandbox;

#[tokio::test]
async fn record_lifecycle() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let (status, _, created) = sandbox
        .rest(Method::POST, "sobjects/account", &session, Some(json!({"name": "Acme", "BillingCity": "Paris"})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["success"], true);
    let id = created["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("001") && id.len() == 18);

    let (status, _, record) =
        sandbox.rest(Method::GET, &format!("sobjects/Account/{}", &id[..15]), &session, None).await;
    assert_eq!(status, StatusCode::OK, "15-character Ids are accepted");
    assert_eq!((record["Id"].as_str(), record["Name"].as_str()), (Some(id.as_str()), Some("Acme")));
    assert_eq!(record["attributes"]["type"], "Account");
    assert_eq!(record["Phone"], Value::Null, "unset fields are null");
    assert!(record["CreatedDate"].as_str().is_some_and(|d| d.ends_with(".000+0000")), "{}", record["CreatedDate"]);

    let (status, _, body) = sandbox
        .rest(
            Method::PATCH,
            &format!("sobjects/Account/{id}"),
            &session,
            Some(json!({"Phone": "123", "BillingCity": null})),
        )
        .await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::Null));
    let (_, _, record) =
        sandbox.rest(Method::GET, &format!("sobjects/Account/{id}?fields=Phone,BillingCity"), &session, None).await;
    assert_eq!((record["Phone"].as_str(), &record["BillingCity"]), (Some("123"), &Value::Null));
    assert!(record.get("Name").is_none(), "only the fields asked for");

    assert_eq!(
        sandbox.rest(Method::DELETE, &format!("sobjects/Account/{id}"), &session, None).await.0,
        StatusCode::NO_CONTENT
    );
    let (status, _, _) = sandbox.rest(Method::GET, &format!("sobjects/Account/{id}"), &session, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, body) = sandbox.rest(Method::DELETE, &format!("sobjects/Account/{id}"), &session, None).await;
    assert_eq!((status, body[0]["errorCode"].as_str()), (StatusCode::NOT_FOUND, Some("ENTITY_IS_DELETED")));
    let (_, all) = sandbox.query(&session, "SELECT Id FROM Account").await;
    assert_eq!(all["totalSize"], 0);
    let url = sandbox.url("/services/data/v64.0/queryAll");
    let response = sandbox
        .http
        .get(url)
        .query(&[("q", "SELECT Id, IsDeleted FROM Account")])
        .bearer_auth(&session)
        .send()
        .await
        .expect("queryAll");
    let all: Value = response.json().await.expect("json");
    assert_eq!((all["totalSize"].as_u64(), &all["records"][0]["IsDeleted"]), (Some(1), &json!(true)));
}

#[tokio::test]
async fn upsert_status_matrix() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let path = "sobjects/Account/ForceSync_Key__c/main:customer:7";
    let (status, _, body) = sandbox.rest(Method::PATCH, path, &session, Some(json!({"Name": "First"}))).await;
    assert_eq!((status, body["created"].as_bool()), (StatusCode::CREATED, Some(true)));
    let id = body["id"].clone();
    let (status, _, body) = sandbox.rest(Method::PATCH, path, &session, Some(json!({"Name": "Second"}))).await;
    assert_eq!((status, body["created"].as_bool(), &body["id"]), (StatusCode::OK, Some(false), &id));
    let legacy = "/services/data/v45.0/sobjects/Account/ForceSync_Key__c/main:customer:7";
    assert_eq!(
        sandbox.rest(Method::PATCH, legacy, &session, Some(json!({"Name": "Third"}))).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, result) = sandbox.query(&session, "SELECT Name FROM Account").await;
    assert_eq!((result["totalSize"].as_u64(), result["records"][0]["Name"].as_str()), (Some(1), Some("Third")));

    let (status, _, body) =
        sandbox.rest(Method::PATCH, "sobjects/Account/Phone/123", &session, Some(json!({"Name": "x"}))).await;
    assert_eq!((status, body[0]["errorCode"].as_str()), (StatusCode::NOT_FOUND, Some("NOT_FOUND")));

    // Contact.Email is an idLookup field, not unique: two matches → 300, nothing written.
    for last in ["A", "B"] {
        let body = json!({"LastName": last, "Email": "same@example.com"});
        assert_eq!(sandbox.rest(Method::POST, "sobjects/Contact", &session, Some(body)).await.0, StatusCode::CREATED);
    }
    let (status, _, body) = sandbox
        .rest(Method::PATCH, "sobjects/Contact/Email/same@example.com", &session, Some(json!({"LastName": "C"})))
        .await;
    assert_eq!(status, StatusCode::MULTIPLE_CHOICES, "{body}");
    assert_eq!(body.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn validation_errors_use_salesforce_codes() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let cases = [
        ("sobjects/Contact", json!({"FirstName": "No last name"}), "REQUIRED_FIELD_MISSING"),
        ("sobjects/Account", json!({"Name": "x", "Bogus__c": 1}), "INVALID_FIELD"),
        (
            "sobjects/Opportunity",
            json!({"Name": "o", "StageName": "Nope", "CloseDate": "2026-12-01"}),
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        ),
        ("sobjects/Account", json!({"Name": "x".repeat(256)}), "STRING_TOO_LONG"),
        ("sobjects/Contact", json!({"LastName": "x", "AccountId": "001000000000000"}), "INVALID_CROSS_REFERENCE_KEY"),
        ("sobjects/Contact", json!({"LastName": "x", "AccountId": "garbage"}), "MALFORMED_ID"),
        (
            "sobjects/Opportunity",
            json!({"Name": "o", "StageName": "Prospecting", "CloseDate": "2026-12-01", "IsWon": true}),
            "INVALID_FIELD_FOR_INSERT_UPDATE",
        ),
    ];
    for (path, body, code) in cases {
        let (status, _, errors) = sandbox.rest(Method::POST, path, &session, Some(body)).await;
        assert_eq!((status, errors[0]["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some(code)), "{errors}");
    }
    let body = json!({"Name": "A", "ForceSync_Key__c": "dup"});
    assert_eq!(
        sandbox.rest(Method::POST, "sobjects/Account", &session, Some(body.clone())).await.0,
        StatusCode::CREATED
    );
    let (_, _, errors) = sandbox.rest(Method::POST, "sobjects/Account", &session, Some(body)).await;
    assert_eq!(errors[0]["errorCode"], "DUPLICATE_VALUE");
    let response = sandbox
        .http
        .post(sandbox.url("/services/data/v64.0/sobjects/Account"))
        .bearer_auth(&session)
        .body("{not json")
        .send()
        .await
        .expect("post");
    let errors: Value = response.json().await.expect("json");
    assert_eq!(errors[0]["errorCode"], "JSON_PARSER_ERROR");
    let (status, _, _) = sandbox.rest(Method::POST, "sobjects/NoSuchObject__c", &session, Some(json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn describe_and_opportunity_semantics() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let (_, _, global) = sandbox.rest(Method::GET, "sobjects", &session, None).await;
    let names: Vec<&str> =
        global["sobjects"].as_array().expect("list").iter().filter_map(|o| o["name"].as_str()).collect();
    for object in [
        "Account",
        "Contact",
        "Opportunity",
        "OpportunityContactRole",
        "Order",
        "OrderItem",
        "Product2",
        "PricebookEntry",
    ] {
        assert!(names.contains(&object), "{object}");
    }
    let (_, _, describe) = sandbox.rest(Method::GET, "sobjects/Opportunity/describe", &session, None).await;
    let stage =
        describe["fields"].as_array().expect("fields").iter().find(|f| f["name"] == "StageName").expect("StageName");
    assert_eq!((stage["type"].as_str(), stage["restrictedPicklist"].as_bool()), (Some("picklist"), Some(true)));
    let key =
        describe["fields"].as_array().expect("fields").iter().find(|f| f["name"] == "ForceSync_Key__c").expect("key");
    assert_eq!((key["externalId"].as_bool(), key["unique"].as_bool()), (Some(true), Some(true)));

    let body = json!({"Name": "Won", "StageName": "Closed Won", "CloseDate": "2026-12-01"});
    let (_, _, created) = sandbox.rest(Method::POST, "sobjects/Opportunity", &session, Some(body)).await;
    let (_, _, record) = sandbox
        .rest(Method::GET, &format!("sobjects/Opportunity/{}", created["id"].as_str().expect("id")), &session, None)
        .await;
    assert_eq!(
        (record["IsClosed"].as_bool(), record["IsWon"].as_bool(), record["Probability"].as_f64()),
        (Some(true), Some(true), Some(100.0))
    );
}

#[tokio::test]
async fn updated_and_deleted_windows() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let (_, _, a) = sandbox.rest(Method::POST, "sobjects/Account", &session, Some(json!({"Name": "A"}))).await;
    let (_, _, b) = sandbox.rest(Method::POST, "sobjects/Account", &session, Some(json!({"Name": "B"}))).await;
    let b_id = b["id"].as_str().expect("id");
    sandbox.rest(Method::DELETE, &format!("sobjects/Account/{b_id}"), &session, None).await;
    let now = chrono::Utc::now();
    let window = [
        ("start", (now - chrono::Duration::hours(1)).to_rfc3339()),
        ("end", (now + chrono::Duration::hours(1)).to_rfc3339()),
    ];
    let get = |kind: &'static str| {
        let url = sandbox.url(&format!("/services/data/v64.0/sobjects/Account/{kind}"));
        sandbox.http.get(url).query(&window).bearer_auth(&session).send()
    };
    let updated: Value = get("updated").await.expect("updated").json().await.expect("json");
    assert_eq!(updated["ids"], json!([a["id"]]));
    assert!(updated["latestDateCovered"].as_str().is_some_and(|d| d.ends_with(":00.000+0000")), "minute precision");
    let deleted: Value = get("deleted").await.expect("deleted").json().await.expect("json");
    assert_eq!(deleted["deletedRecords"][0]["id"], b["id"]);
    assert!(deleted["earliestDateAvailable"].is_string());
}

#[tokio::test]
async fn a_new_stage_brings_its_probability_unless_one_is_sent() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let body = json!({"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2025-03-31"});
    let (status, _, created) = sandbox.rest(Method::POST, "sobjects/Opportunity", &session, Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let path = format!("sobjects/Opportunity/{}", created["id"].as_str().expect("id"));
    let probability = |record: &Value| record["Probability"].as_f64();
    let read = || sandbox.rest(Method::GET, &path, &session, None);
    assert_eq!(probability(&read().await.2), Some(10.0));
    sandbox.rest(Method::PATCH, &path, &session, Some(json!({"StageName": "Closed Won"}))).await;
    let won = read().await.2;
    assert_eq!((probability(&won), won["ForecastCategoryName"].as_str()), (Some(100.0), Some("Closed")));
    sandbox
        .rest(Method::PATCH, &path, &session, Some(json!({"StageName": "Negotiation/Review", "Probability": 55})))
        .await;
    assert_eq!(probability(&read().await.2), Some(55.0), "an explicit probability wins");
    sandbox.rest(Method::PATCH, &path, &session, Some(json!({"Name": "Renamed"}))).await;
    assert_eq!(probability(&read().await.2), Some(55.0), "the same stage keeps it");
}
