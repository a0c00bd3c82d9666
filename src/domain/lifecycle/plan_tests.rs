//! Operations are the difference between targets, parents first.

use super::fixtures::*;
use super::*;
use crate::domain::settings::{CreateOrder, StoreSettings};
use crate::domain::write_plan;
use serde_json::json;

fn every_order() -> StoreSettings {
    StoreSettings { create_order: CreateOrder::EveryOrder, ..StoreSettings::default() }
}

/// `Object:key` for each operation.
fn summary(operations: &[PlannedWrite]) -> Vec<String> {
    operations.iter().map(|operation| format!("{}:{}", operation.object(), operation.key())).collect()
}

fn upsert_of<'a>(operations: &'a [PlannedWrite], wanted: &str) -> &'a PlannedWrite {
    let found = operations.iter().find(|op| matches!(op, PlannedWrite { object, .. } if object == wanted));
    found.expect("an upsert of that object")
}

#[test]
fn a_first_plan_writes_parents_before_children() {
    let operations = plan(&Target::default(), &target_of(&every_order(), &[checkout(at(1, 9)), placed(at(2, 10))]));
    assert_eq!(
        summary(&operations),
        [
            "Account:main:customer:42",
            "Contact:main:customer:42",
            "Opportunity:main:cart:77",
            "OpportunityContactRole:main:cart:77:role",
            "Order:main:order:100000123",
            "OrderItem:main:orderitem:100000123:1",
            "OrderItem:main:orderitem:100000123:2",
        ]
    );
}

#[test]
fn replanning_the_same_facts_writes_nothing() {
    let settings = every_order();
    let written = target_of(&settings, &whole_sale());
    assert!(plan(&written, &written).is_empty());
    let mut repeated = whole_sale();
    repeated.extend(whole_sale().into_iter().rev());
    assert!(plan(&written, &target_of(&settings, &repeated)).is_empty());
}

#[test]
fn only_changed_records_are_written() {
    let settings = StoreSettings::default();
    let placed_target = target_of(&settings, &[checkout(at(1, 9)), placed(at(2, 10))]);
    let paid_target = target_of(&settings, &[checkout(at(1, 9)), placed(at(2, 10)), paid(at(3, 9), date(3, 3))]);
    let operations = plan(&placed_target, &paid_target);
    assert_eq!(
        summary(&operations),
        [
            "Opportunity:main:cart:77",
            "Order:main:order:100000123",
            "OrderItem:main:orderitem:100000123:1",
            "OrderItem:main:orderitem:100000123:2",
        ],
        "PAID_ONLY: the payment creates the order"
    );
    let canceled = target_of(&settings, &whole_sale());
    let operations = plan(&paid_target, &canceled);
    assert_eq!(summary(&operations), ["Opportunity:main:cart:77", "Order:main:order:100000123"]);
    let PlannedWrite { fields, .. } = upsert_of(&operations, "Order");
    assert_eq!(fields["Status"], json!("Cancelled"));
}

#[test]
fn upserts_name_parents_by_external_id() {
    let operations = plan(&Target::default(), &target_of(&every_order(), &whole_sale()));
    let opportunity = upsert_of(&operations, "Opportunity");
    assert_eq!(
        opportunity.body(),
        json!({
            "Name": "Jane Doe – Order 100000123",
            "StageName": "Closed Lost",
            "CloseDate": "2025-03-31",
            "Amount": 45.49,
            "Account": {"ForceSync_Key__c": "main:customer:42"},
        })
    );
    let PlannedWrite { key_field, .. } = opportunity;
    assert_eq!(key_field, write_plan::DEFAULT_EXTERNAL_ID_FIELD);
    assert_eq!(
        upsert_of(&operations, "Order").body(),
        json!({
            "EffectiveDate": "2025-03-02",
            "Status": "Cancelled",
            "Account": {"ForceSync_Key__c": "main:customer:42"},
            "Opportunity": {"ForceSync_Key__c": "main:cart:77"},
        })
    );
    assert_eq!(
        upsert_of(&operations, "OrderItem").body(),
        json!({
            "Quantity": 1.0,
            "UnitPrice": 19.99,
            "Order": {"ForceSync_Key__c": "main:order:100000123"},
            "Product2": {"ForceSync_Key__c": "main:product:WB-01"},
        })
    );
    assert_eq!(
        upsert_of(&operations, "OpportunityContactRole").body(),
        json!({
            "Role": "Decision Maker",
            "Opportunity": {"ForceSync_Key__c": "main:cart:77"},
            "Contact": {"ForceSync_Key__c": "main:customer:42"},
        })
    );
    assert_eq!(upsert_of(&operations, "OpportunityContactRole").key(), "main:cart:77:role");
}

#[test]
fn fields_match_the_write_plan() {
    let settings = every_order();
    let writes = write_plan::plan(&settings);
    for operation in plan(&Target::default(), &target_of(&settings, &whole_sale())) {
        let PlannedWrite { object, fields, parents, .. } = operation;
        let write = writes.iter().find(|w| w.object == object).expect("object in the write plan");
        let lookups = parents.iter().map(|p| format!("{}Id", p.relationship));
        for field in fields.keys().cloned().chain(lookups) {
            // OrderItem's product is resolved by the engine (PricebookEntryId, or Product2Id).
            let resolved = object == "OrderItem" && field == "Product2Id";
            assert!(resolved || write.fields.contains(&field), "{object}.{field} is not in the write plan");
        }
    }
}

#[test]
fn customers_become_an_account_and_a_contact() {
    let operations = plan_customer(&store(), &jane());
    assert_eq!(summary(&operations), ["Account:main:customer:42", "Contact:main:customer:42"]);
    assert_eq!(operations[0].body(), json!({"Name": "Jane Doe", "Phone": "+1 555 0100"}));
    let guest = Customer {
        key: Customer::key_for(None, "Guest@Example.com"),
        email: "guest@example.com".into(),
        first_name: String::new(),
        last_name: String::new(),
        phone: None,
        profile: Default::default(),
    };
    let operations = plan_customer(&store(), &guest);
    assert_eq!(summary(&operations)[1], "Contact:main:customer:guest:guest@example.com");
    assert_eq!(operations[0].body(), json!({"Name": "guest@example.com"}));
    assert_eq!(
        operations[1].body(),
        json!({
            "FirstName": "",
            "LastName": "guest@example.com",
            "Email": "guest@example.com",
            "Account": {"ForceSync_Key__c": "main:customer:guest:guest@example.com"},
        })
    );
}
