//! Bulk writes go through the org's common write path, so parent roll-ups follow them.

use serde_json::{Map, Value, json};

use super::Harness;

fn create(h: &mut Harness, object: &str, body: Value) -> String {
    let body: Map<String, Value> = body.as_object().cloned().unwrap_or_default();
    h.state.org.create(object, &body, &h.writer).unwrap_or_else(|e| panic!("{object}: {e:?}"))
}

#[test]
fn order_total_follows_bulk_item_inserts_updates_and_deletes() {
    let mut h = Harness::new();
    let book = h.state.org.standard_pricebook_id().expect("standard book");
    let account = create(&mut h, "Account", json!({"Name": "Acme", "ForceSync_Key__c": "a1"}));
    let product = create(&mut h, "Product2", json!({"Name": "Widget", "IsActive": true}));
    let entry = json!({"Pricebook2Id": book, "Product2Id": product, "UnitPrice": 10, "IsActive": true});
    let entry = create(&mut h, "PricebookEntry", entry);
    let order = json!({"AccountId": account, "EffectiveDate": "2026-11-25", "Status": "Draft", "Pricebook2Id": book});
    let order = create(&mut h, "Order", order);
    let total = |h: &Harness| h.query("SELECT TotalAmount FROM Order", false)[0]["TotalAmount"].clone();

    let csv = format!("OrderId,PricebookEntryId,Quantity,UnitPrice\n{order},{entry},2,10\n{order},{entry},1,2.5\n");
    let (job, _) = h.ingest(json!({"object": "OrderItem", "operation": "insert"}), &csv);
    let items: Vec<String> = h.results(&job, "successfulResults").iter().skip(1).map(|r| r[0].clone()).collect();
    assert_eq!(total(&h), json!(22.5));
    let csv = format!("Id,Quantity\n{},4\n", items[0]);
    h.ingest(json!({"object": "OrderItem", "operation": "update"}), &csv);
    assert_eq!(total(&h), json!(42.5));
    h.ingest(json!({"object": "OrderItem", "operation": "delete"}), &format!("Id\n{}\n", items[1]));
    assert_eq!(total(&h), json!(40.0));
}
