//! The sale lifecycle end to end: events through the Sync API, the engine
//! writing to the in-process sandbox, and what the sandbox then holds.

use forcesync::pb;
use serde_json::Value;

use forcesync::sandbox::schema::custom::CustomFieldSpec;
use forcesync::sandbox::{CustomSchema, SandboxConfig};

use crate::helpers::sandbox::spawn_sandbox_with_schema;
use crate::helpers::sync::{by_order, checkout, connected_store, connected_store_on, jane, order, payment};
use crate::helpers::test_engine;

fn field<'a>(record: &'a Value, name: &str) -> &'a str {
    record.get(name).and_then(Value::as_str).unwrap_or_default()
}

#[tokio::test]
async fn cart_order_and_payment_leave_exactly_one_of_each_record() {
    let setup = connected_store().await;
    let mut sync = setup.sync();
    sync.start_checkout(checkout("e1", "77", jane(), 1)).await.expect("checkout");
    sync.place_order(order("e2", "100000123", "77", jane(), 2)).await.expect("order");
    sync.record_payment(payment("e3", "100000123", "2025-03-04", 3)).await.expect("payment");

    let status = setup.settled(by_order("100000123")).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");

    let accounts = setup.records("Account").await;
    let contacts = setup.records("Contact").await;
    let opportunities = setup.records("Opportunity").await;
    let roles = setup.records("OpportunityContactRole").await;
    let orders = setup.records("Order").await;
    let items = setup.records("OrderItem").await;
    assert_eq!((accounts.len(), contacts.len(), opportunities.len(), roles.len()), (1, 1, 1, 1));
    assert_eq!((orders.len(), items.len()), (1, 3));

    let (account, contact, opportunity, order) = (&accounts[0], &contacts[0], &opportunities[0], &orders[0]);
    assert_eq!(field(account, "Name"), "Jane Doe");
    assert_eq!(field(contact, "Email"), "jane@example.com");
    assert_eq!(field(contact, "AccountId"), field(account, "Id"));
    assert_eq!(field(opportunity, "StageName"), "Closed Won");
    assert_eq!(field(opportunity, "CloseDate"), "2025-03-31", "opened 2025-03-01 plus the 30-day sales cycle");
    assert_eq!(field(opportunity, "AccountId"), field(account, "Id"));
    assert_eq!(field(&roles[0], "Role"), "Decision Maker");
    assert_eq!(field(&roles[0], "ContactId"), field(contact, "Id"));
    assert_eq!(field(&roles[0], "OpportunityId"), field(opportunity, "Id"));
    assert_eq!(field(order, "OpportunityId"), field(opportunity, "Id"));
    assert_eq!(field(order, "AccountId"), field(account, "Id"));
    assert!(items.iter().all(|item| field(item, "OrderId") == field(order, "Id")));
    let ids: Vec<&str> = status.records.iter().map(|r| r.object.as_str()).collect();
    assert!(ids.contains(&"Opportunity") && ids.contains(&"Order"), "{ids:?}");
}

#[tokio::test]
async fn each_object_is_upserted_by_the_key_field_the_store_names() {
    // An org that keys Accounts by its own Magento_Id__c (External ID + Unique), and nothing else changed.
    let mut schema = CustomSchema::default_forcesync();
    let account = schema.objects.iter_mut().find(|o| o.name == "Account").expect("Account");
    let mut key = CustomFieldSpec::new("Magento_Id__c", "Text");
    (key.length, key.external_id, key.unique) = (Some(255), true, true);
    account.fields.push(key);
    let sandbox = spawn_sandbox_with_schema(SandboxConfig::demo(), schema).await;
    let settings = pb::StoreSettings {
        external_id_fields: [("Account".to_owned(), "Magento_Id__c".to_owned())].into(),
        ..Default::default()
    };
    let setup = connected_store_on(sandbox, test_engine(), settings, vec!["external_id_fields"]).await;
    let mut sync = setup.sync();
    sync.start_checkout(checkout("k1", "88", jane(), 1)).await.expect("checkout");
    sync.place_order(order("k2", "100000888", "88", jane(), 2)).await.expect("order");
    sync.record_payment(payment("k3", "100000888", "2025-03-04", 3)).await.expect("payment");
    let status = setup.settled(by_order("100000888")).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");

    let accounts = setup.records("Account").await;
    assert_eq!(accounts.len(), 1);
    assert_eq!(field(&accounts[0], "Magento_Id__c"), "main:customer:42");
    assert_eq!(field(&accounts[0], "ForceSync_Key__c"), "", "the default key is not used for Account");
    let contacts = setup.records("Contact").await;
    assert_eq!(field(&contacts[0], "ForceSync_Key__c"), "main:customer:42", "other objects keep the default");
    assert_eq!(field(&contacts[0], "AccountId"), field(&accounts[0], "Id"), "the parent found by its own key");
    let opportunities = setup.records("Opportunity").await;
    assert_eq!(field(&opportunities[0], "AccountId"), field(&accounts[0], "Id"));
}
