//! Values the sandbox derives like Salesforce does, over the wire: the Order total
//! roll-up (kept through REST and sObject Collections writes) and compound Contact names.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::sandbox::spawn_sandbox;

#[tokio::test]
async fn order_total_rolls_up_its_items_and_contact_name_is_derived() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let (_, books) = sandbox.query(&session, "SELECT Id FROM Pricebook2 WHERE IsStandard = true").await;
    let book = books["records"][0]["Id"].as_str().expect("standard book").to_owned();
    let account = sandbox.create(&session, "Account", json!({"Name": "Acme"})).await;
    let product = sandbox.create(&session, "Product2", json!({"Name": "Widget", "IsActive": true})).await;
    let entry = json!({"Pricebook2Id": book, "Product2Id": product, "UnitPrice": 10, "IsActive": true});
    let entry = sandbox.create(&session, "PricebookEntry", entry).await;
    let order = json!({"AccountId": account, "EffectiveDate": "2026-11-25", "Status": "Draft", "Pricebook2Id": book});
    let order = sandbox.create(&session, "Order", order).await;
    let total = |soql: &'static str| {
        let (sandbox, session) = (&sandbox, &session);
        async move {
            let (status, result) = sandbox.query(session, soql).await;
            assert_eq!(status, StatusCode::OK, "{result}");
            result["records"][0]["TotalAmount"].clone()
        }
    };
    assert_eq!(total("SELECT Id, TotalAmount FROM Order").await, json!(0.0));

    let item = |quantity: f64, price: f64| {
        json!({"attributes": {"type": "OrderItem"}, "OrderId": order, "PricebookEntryId": entry,
               "Quantity": quantity, "UnitPrice": price})
    };
    let body = json!({"allOrNone": true, "records": [item(2.0, 10.0), item(1.0, 4.5)]});
    let (status, _, results) = sandbox.rest(Method::POST, "composite/sobjects", &session, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{results}");
    let items: Vec<String> =
        results.as_array().expect("results").iter().map(|r| r["id"].as_str().expect("id").to_owned()).collect();
    let soql = "SELECT Id, TotalAmount FROM Order WHERE Status = 'Draft' ORDER BY OrderNumber LIMIT 5";
    assert_eq!(total(soql).await, json!(24.5));

    let update = json!({"records": [{"attributes": {"type": "OrderItem"}, "Id": items[0], "Quantity": 3}]});
    let (status, _, results) = sandbox.rest(Method::PATCH, "composite/sobjects", &session, Some(update)).await;
    assert_eq!((status, &results[0]["success"]), (StatusCode::OK, &json!(true)), "{results}");
    assert_eq!(total(soql).await, json!(34.5));
    let (status, _, _) =
        sandbox.rest(Method::DELETE, &format!("sobjects/OrderItem/{}", items[1]), &session, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(total("SELECT TotalAmount FROM Order ORDER BY OrderNumber").await, json!(30.0));

    let (status, _, error) = sandbox
        .rest(Method::PATCH, &format!("sobjects/Order/{order}"), &session, Some(json!({"TotalAmount": 1})))
        .await;
    assert_eq!(
        (status, error[0]["errorCode"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_FIELD_FOR_INSERT_UPDATE"))
    );

    sandbox.create(&session, "Contact", json!({"FirstName": "Ada", "LastName": "Lovelace"})).await;
    sandbox.create(&session, "Contact", json!({"LastName": "Turing"})).await;
    let (_, contacts) = sandbox
        .query(&session, "SELECT Name FROM Contact WHERE Name LIKE 'ada%' OR Name = 'TURING' ORDER BY Name")
        .await;
    let names: Vec<&str> =
        contacts["records"].as_array().expect("rows").iter().filter_map(|r| r["Name"].as_str()).collect();
    assert_eq!(names, ["Ada Lovelace", "Turing"]);
    let (status, _, error) =
        sandbox.rest(Method::POST, "sobjects/Contact", &session, Some(json!({"LastName": "X", "Name": "Y"}))).await;
    assert_eq!(
        (status, error[0]["errorCode"].as_str()),
        (StatusCode::BAD_REQUEST, Some("INVALID_FIELD_FOR_INSERT_UPDATE"))
    );
}
