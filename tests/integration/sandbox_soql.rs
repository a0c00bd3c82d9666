//! Sandbox SOQL over the wire: page sizes from `Sforce-Query-Options`, semi-joins
//! and child relationship subqueries.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::sandbox::{TestSandbox, VERSION, spawn_sandbox};

/// Creates `count` Accounts through sObject Collections (200 per call).
async fn create_accounts(sandbox: &TestSandbox, session: &str, count: usize) {
    let records: Vec<Value> =
        (0..count).map(|i| json!({"attributes": {"type": "Account"}, "Name": format!("Account {i:04}")})).collect();
    for chunk in records.chunks(200) {
        let body = json!({"allOrNone": true, "records": chunk});
        let (status, _, results) = sandbox.rest(Method::POST, "composite/sobjects", session, Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{results}");
    }
}

/// A `/query` (or `/queryAll`) call with an optional `Sforce-Query-Options` header.
async fn query_with_options(sandbox: &TestSandbox, session: &str, resource: &str, options: Option<&str>) -> Value {
    let url = sandbox.url(&format!("/services/data/v{VERSION}/{resource}"));
    let mut request = sandbox.http.get(url).query(&[("q", "SELECT Id FROM Account")]).bearer_auth(session);
    if let Some(options) = options {
        request = request.header("Sforce-Query-Options", options);
    }
    let response = request.send().await.expect("query");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

/// The sizes of every page, following `nextRecordsUrl` without the header.
async fn page_sizes(sandbox: &TestSandbox, session: &str, mut page: Value) -> Vec<usize> {
    let mut sizes = Vec::new();
    loop {
        assert_eq!(page["totalSize"], 450);
        sizes.push(page["records"].as_array().map_or(0, Vec::len));
        let Some(next) = page["nextRecordsUrl"].as_str() else { return sizes };
        page = sandbox.rest(Method::GET, next, session, None).await.2;
    }
}

#[tokio::test]
async fn batch_size_header_sets_the_page_size_for_every_page() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    create_accounts(&sandbox, &session, 450).await;
    sandbox.control(Method::PATCH, "/settings", Some(json!({"query_page_size": 100}))).await;

    let first = query_with_options(&sandbox, &session, "query", Some("batchSize=200")).await;
    assert_eq!(page_sizes(&sandbox, &session, first).await, [200, 200, 50], "continuations keep the size");
    let first = query_with_options(&sandbox, &session, "queryAll", Some("batchSize=300")).await;
    assert_eq!(page_sizes(&sandbox, &session, first).await, [300, 150]);
    let first = query_with_options(&sandbox, &session, "query", None).await;
    assert_eq!(
        page_sizes(&sandbox, &session, first).await,
        [100, 100, 100, 100, 50],
        "without the header the org's page size"
    );
    let first = query_with_options(&sandbox, &session, "query", Some("batchSize=5")).await;
    assert_eq!(page_sizes(&sandbox, &session, first).await, [200, 200, 50], "below 200 clamps to 200");
    let first = query_with_options(&sandbox, &session, "query", Some("batchSize=5000")).await;
    assert_eq!(page_sizes(&sandbox, &session, first).await, [450], "above 2000 clamps to 2000");
}

#[tokio::test]
async fn child_subqueries_and_semi_joins_over_the_wire() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let (_, books) = sandbox.query(&session, "SELECT Id FROM Pricebook2 WHERE IsStandard = true").await;
    let book = books["records"][0]["Id"].as_str().expect("standard book").to_owned();
    let acme = sandbox.create(&session, "Account", json!({"Name": "Acme"})).await;
    sandbox.create(&session, "Account", json!({"Name": "Globex"})).await;
    sandbox.create(&session, "Contact", json!({"LastName": "Smith", "AccountId": acme})).await;
    let product = sandbox.create(&session, "Product2", json!({"Name": "Widget", "IsActive": true})).await;
    let entry = json!({"Pricebook2Id": book, "Product2Id": product, "UnitPrice": 10, "IsActive": true});
    let entry = sandbox.create(&session, "PricebookEntry", entry).await;
    let order = json!({"AccountId": acme, "EffectiveDate": "2026-11-25", "Status": "Draft", "Pricebook2Id": book});
    let full = sandbox.create(&session, "Order", order.clone()).await;
    let empty = sandbox.create(&session, "Order", order).await;
    for quantity in [1.0, 3.0, 2.0] {
        let item = json!({"OrderId": full, "PricebookEntryId": entry, "Quantity": quantity, "UnitPrice": 10});
        sandbox.create(&session, "OrderItem", item).await;
    }

    let soql = "SELECT Id, (SELECT Quantity, UnitPrice FROM orderitems ORDER BY Quantity DESC LIMIT 2) FROM Order ORDER BY OrderNumber";
    let (status, result) = sandbox.query(&session, soql).await;
    assert_eq!(status, StatusCode::OK, "{result}");
    let rows = result["records"].as_array().expect("rows");
    assert_eq!((rows[0]["Id"].as_str(), rows[1]["Id"].as_str()), (Some(full.as_str()), Some(empty.as_str())));
    let items = &rows[0]["OrderItems"];
    assert_eq!((&items["totalSize"], &items["done"]), (&json!(2), &json!(true)), "{items}");
    let quantities: Vec<&Value> = items["records"].as_array().expect("items").iter().map(|r| &r["Quantity"]).collect();
    assert_eq!(quantities, [&json!(3.0), &json!(2.0)]);
    assert_eq!(items["records"][0]["attributes"]["type"], "OrderItem");
    assert_eq!(items["records"][0]["UnitPrice"], json!(10.0));
    assert_eq!(rows[1]["OrderItems"], Value::Null, "an order without items");

    let (status, error) = sandbox.query(&session, "SELECT Id, (SELECT Id FROM Items) FROM Order").await;
    assert_eq!((status, error[0]["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_TYPE")));
    assert!(
        error[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Didn't understand relationship 'Items' in FROM part of query call."))
    );

    let (_, accounts) = sandbox
        .query(
            &session,
            "SELECT Name, (SELECT LastName FROM Contacts), (SELECT Id FROM Opportunities) FROM Account ORDER BY Name",
        )
        .await;
    assert_eq!(accounts["records"][0]["Contacts"]["records"][0]["LastName"], "Smith");
    assert_eq!(
        (&accounts["records"][0]["Opportunities"], &accounts["records"][1]["Contacts"]),
        (&Value::Null, &Value::Null)
    );
    let (status, _) =
        sandbox.query(&session, "SELECT Id, (SELECT Id FROM OpportunityLineItems), (SELECT Id FROM OpportunityContactRoles) FROM Opportunity").await;
    assert_eq!(status, StatusCode::OK);

    let names = |result: &Value| -> Vec<String> {
        result["records"]
            .as_array()
            .expect("rows")
            .iter()
            .filter_map(|r| r["Name"].as_str().map(str::to_owned))
            .collect()
    };
    let (_, with_orders) = sandbox
        .query(&session, "SELECT Name FROM Account WHERE Id IN (SELECT AccountId FROM Order WHERE Status = 'Draft')")
        .await;
    assert_eq!(names(&with_orders), ["Acme"]);
    let (_, without) =
        sandbox.query(&session, "SELECT Name FROM Account WHERE Id NOT IN (SELECT AccountId FROM Contact)").await;
    assert_eq!(names(&without), ["Globex"]);
    let (status, error) =
        sandbox.query(&session, "SELECT Name FROM Account WHERE Id IN (SELECT LastName FROM Contact)").await;
    assert_eq!((status, error[0]["errorCode"].as_str()), (StatusCode::BAD_REQUEST, Some("INVALID_FIELD")));
}
