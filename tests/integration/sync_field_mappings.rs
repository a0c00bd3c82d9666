//! A store's own field mappings end to end (issue 12): a custom attribute
//! mapped to a custom field the sandbox schema adds, a constant, a value map,
//! truncation, a value too long for its field (reported), a mapping to a field
//! the org lacks (Test Connection FAIL with a remedy, nothing saved or synced
//! wrong) and PreviewPlan showing a mapping change before the next change of
//! the record writes it.

use forcesync::pb::{self, get_sync_status_request::Entity, sync_event::Event};
use forcesync::sandbox::{CustomSchema, SandboxConfig};
use prost_types::FieldMask;
use serde_json::{Value, json};

use crate::helpers::sandbox::{TestSandbox, spawn_sandbox_with_schema};
use crate::helpers::sync::{SyncSetup, by_order, connected_store_on, customer_save, field, order};
use crate::helpers::test_engine;
use crate::sync_store_data::{address, b2b, record};

/// The demo org with custom fields to map onto.
async fn org_with_custom_fields() -> TestSandbox {
    let mut schema: Value =
        serde_json::from_str(&CustomSchema::default_forcesync().to_json_pretty()).expect("schema JSON");
    let add = |schema: &mut Value, object: &str, field: Value| {
        let objects = schema["objects"].as_array_mut().expect("objects");
        let spec = objects.iter_mut().find(|o| o["name"] == object).expect("object");
        spec["fields"].as_array_mut().expect("fields").push(field);
    };
    add(&mut schema, "Account", json!({"name": "Loyalty_Tier__c", "type": "Text", "length": 20}));
    add(&mut schema, "Account", json!({"name": "Company_Code__c", "type": "Text", "length": 5}));
    add(&mut schema, "Account", json!({"name": "Segment__c", "type": "Text", "length": 10}));
    add(&mut schema, "Order", json!({"name": "Channel__c", "type": "Text", "length": 40}));
    let custom = CustomSchema::from_json(&schema.to_string()).expect("custom schema");
    spawn_sandbox_with_schema(SandboxConfig::demo(), custom).await
}

fn rule(object: &str, field: &str, source: &str, transforms: Vec<pb::FieldTransform>) -> pb::FieldMapping {
    pb::FieldMapping {
        object: object.into(),
        field: field.into(),
        value: Some(pb::field_mapping::Value::Source(source.into())),
        transforms,
    }
}

fn constant(object: &str, field: &str, text: &str) -> pb::FieldMapping {
    pb::FieldMapping { value: Some(pb::field_mapping::Value::Constant(text.into())), ..rule(object, field, "", vec![]) }
}

fn truncate(length: i32) -> pb::FieldTransform {
    pb::FieldTransform { kind: pb::TransformKind::Truncate as i32, length, ..Default::default() }
}

fn value_map(pairs: &[(&str, &str)]) -> pb::FieldTransform {
    let value_map = pairs.iter().map(|(a, b)| ((*a).to_owned(), (*b).to_owned())).collect();
    pb::FieldTransform { kind: pb::TransformKind::ValueMap as i32, value_map, ..Default::default() }
}

/// Customer `id` of Globex, loyalty tier `tier`, in customer group `group`.
fn globex(id: &str, tier: &str, group: &str) -> pb::Customer {
    let mut customer = b2b(
        id,
        address("1 Main St", "Springfield", "IL", "62701", "US"),
        address("1 Main St", "Springfield", "IL", "62701", "US"),
    );
    customer.company = "Globex Corporation".into();
    customer.customer_group = group.into();
    customer.attributes.insert(
        "loyalty_tier".into(),
        pb::AttributeValue { value: Some(pb::attribute_value::Value::Text(tier.into())) },
    );
    customer
}

async fn store_with(mappings: Vec<pb::FieldMapping>) -> SyncSetup {
    let settings = pb::StoreSettings {
        create_order: pb::CreateOrderMode::EveryOrder as i32,
        field_mappings: mappings,
        ..Default::default()
    };
    connected_store_on(org_with_custom_fields().await, test_engine(), settings, vec!["create_order", "field_mappings"])
        .await
}

/// Replaces the store's field mappings (UpdateStoreConfig with the current etag).
async fn set_mappings(setup: &SyncSetup, mappings: Vec<pb::FieldMapping>) {
    let mut config = setup.app.config(&setup.token);
    let etag = setup.etag().await;
    let request = pb::UpdateStoreConfigRequest {
        store_code: "main".into(),
        settings: Some(pb::StoreSettings { field_mappings: mappings, ..Default::default() }),
        update_mask: Some(FieldMask { paths: vec!["field_mappings".into()] }),
        etag,
    };
    config.update_store_config(request).await.expect("update mappings");
}

#[tokio::test]
async fn attributes_constants_value_maps_and_truncation_land_in_custom_fields() {
    let setup = store_with(vec![
        rule("Account", "Loyalty_Tier__c", "customer.attributes.loyalty_tier", vec![value_map(&[("gold", "Gold")])]),
        constant("Order", "Channel__c", "Web Store"),
        rule("Account", "Company_Code__c", "customer.company", vec![truncate(5)]),
    ])
    .await;
    let mut sync = setup.sync();
    sync.upsert_customer(customer_save("c601", globex("601", "gold", ""))).await.expect("customer");
    let mut placed = order("o-601", "100000601", "", globex("601", "gold", ""), 2);
    placed.increment_id = "000000601".into();
    sync.place_order(placed).await.expect("order");
    let status = setup.caught_up(by_order("100000601")).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    let account = record(&setup, "Account", "main:customer:601").await;
    assert_eq!(field(&account, "Loyalty_Tier__c"), "Gold", "attribute through the value map");
    assert_eq!(field(&account, "Company_Code__c"), "Globe", "truncated to 5");
    assert_eq!(field(&account, "Name"), "Globex Corporation", "the default mapping still applies");
    let order = record(&setup, "Order", "main:order:100000601").await;
    assert_eq!(field(&order, "Channel__c"), "Web Store", "a constant");
    assert_eq!(field(&order, "OrderReferenceNumber"), "000000601");
}

#[tokio::test]
async fn a_value_longer_than_its_field_is_reported_until_the_mapping_truncates_it() {
    let setup = store_with(vec![rule("Account", "Segment__c", "customer.group", vec![])]).await;
    let mut sync = setup.sync();
    sync.upsert_customer(customer_save("c602", globex("602", "gold", "Wholesale Partners"))).await.expect("customer");
    let status = setup.caught_up(Entity::CustomerId("602".into())).await;
    assert_eq!(status.state, pb::SyncState::Parked as i32, "{status:?}");
    let error = status.last_error.expect("error");
    assert_eq!(error.code, "STRING_TOO_LONG");
    assert!(error.message.contains("(max length=10)"), "{}", error.message);
    assert!(error.message.contains("Account.Segment__c = \"Wholesale Partners\""), "{}", error.message);
    assert!(error.remedy.contains("truncate"), "{}", error.remedy);
    assert!(setup.records("Account").await.is_empty(), "nothing written");

    set_mappings(&setup, vec![rule("Account", "Segment__c", "customer.group", vec![truncate(10)])]).await;
    let retried = sync.retry_failed(pb::RetryFailedRequest::default()).await.expect("retry").into_inner();
    assert_eq!(retried.requeued, 1);
    let status = setup.reaches(Entity::CustomerId("602".into()), pb::SyncState::Synced).await;
    assert_eq!(status.attempts, 0, "{status:?}");
    let account = record(&setup, "Account", "main:customer:602").await;
    assert_eq!(field(&account, "Segment__c"), "Wholesale ");
}

#[tokio::test]
async fn a_mapping_to_a_missing_or_mistyped_field_fails_test_connection_with_a_remedy() {
    let setup = store_with(Vec::new()).await;
    let mut config = setup.app.config(&setup.token);
    let etag = setup.etag().await;
    let pending = vec![
        rule("Account", "Nope__c", "customer.company", vec![]),
        rule("Order", "Ship_Date__c", "order.payment_method", vec![]),
        rule("Account", "Loyalty_Tier__c", "customer.attributes.loyalty_tier", vec![truncate(50)]),
        constant("Order", "Channel__c", "Web Store"),
    ];
    let response = config
        .test_connection(pb::TestConnectionRequest {
            store_code: "main".into(),
            settings: Some(pb::StoreSettings { field_mappings: pending, ..Default::default() }),
            update_mask: Some(FieldMask { paths: vec!["field_mappings".into()] }),
            credentials: Vec::new(),
            apply: true,
            etag: etag.clone(),
        })
        .await
        .expect("test connection")
        .into_inner();
    assert!(!response.passed && !response.applied, "{response:?}");
    let check = |name: &str| {
        response.checks.iter().find(|c| c.name == name).cloned().unwrap_or_else(|| panic!("no check {name}"))
    };
    let missing = check("field_mappings[0]");
    assert_eq!(missing.status, pb::CheckStatus::Fail as i32);
    assert!(missing.message.contains("Account.Nope__c does not exist"), "{}", missing.message);
    assert!(missing.remedy.contains("Create the field Account.Nope__c"), "{}", missing.remedy);
    let mistyped = check("field_mappings[1]");
    assert_eq!(mistyped.status, pb::CheckStatus::Fail as i32);
    assert!(mistyped.message.contains("is a date field; order.payment_method gives text"), "{}", mistyped.message);
    let too_long = check("field_mappings[2]");
    assert!(too_long.remedy.contains("length to 20 or less"), "{}", too_long.remedy);
    assert_eq!(check("field_mappings[3]").status, pb::CheckStatus::Pass as i32);

    // Nothing was saved: a customer syncs with the default mapping only.
    let after = config.get_store_config(pb::GetStoreConfigRequest { store_code: "main".into() }).await;
    let after = after.expect("config").into_inner();
    assert_eq!(after.etag, etag);
    assert!(after.settings.expect("settings").field_mappings.is_empty());
    setup.sync().upsert_customer(customer_save("c603", globex("603", "gold", ""))).await.expect("customer");
    let status = setup.caught_up(Entity::CustomerId("603".into())).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    let account = record(&setup, "Account", "main:customer:603").await;
    assert!(account.get("Nope__c").is_none() && account["Loyalty_Tier__c"].is_null(), "{account}");
}

#[tokio::test]
async fn preview_plan_shows_a_mapping_change_that_the_next_change_of_the_record_writes() {
    let setup = store_with(Vec::new()).await;
    let mut sync = setup.sync();
    sync.upsert_customer(customer_save("c604-1", globex("604", "gold", ""))).await.expect("customer");
    let status = setup.caught_up(Entity::CustomerId("604".into())).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    let calls = setup.api_calls().await;

    set_mappings(&setup, vec![rule("Account", "Loyalty_Tier__c", "customer.attributes.loyalty_tier", vec![])]).await;
    let next = customer_save("c604-2", globex("604", "gold", ""));
    let preview = sync
        .preview_plan(pb::PreviewPlanRequest {
            event: Some(pb::SyncEvent { event: Some(Event::Customer(next.clone())) }),
        })
        .await
        .expect("preview")
        .into_inner()
        .writes;
    let account = preview.iter().find(|w| w.object == "Account").expect("Account write");
    assert_eq!(account.skipped_reason, "", "the mapping changes the Account");
    let body: Value = serde_json::from_str(&account.body_json).expect("body");
    assert_eq!(body["Loyalty_Tier__c"], "gold");
    let contact = preview.iter().find(|w| w.object == "Contact").expect("Contact write");
    assert_eq!(contact.skipped_reason, "already written with these values");
    assert_eq!(setup.api_calls().await, calls, "a preview sends nothing");
    let held = record(&setup, "Account", "main:customer:604").await;
    assert!(held["Loyalty_Tier__c"].is_null(), "the mapping change alone rewrote nothing");

    sync.upsert_customer(next).await.expect("the next change");
    let status = setup.caught_up(Entity::CustomerId("604".into())).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    let account = record(&setup, "Account", "main:customer:604").await;
    assert_eq!(field(&account, "Loyalty_Tier__c"), "gold", "written with the record's next change");
    assert_eq!(field(&account, "Name"), "Globex Corporation");
}

#[tokio::test]
async fn bad_rules_are_refused_by_path_and_nothing_is_saved() {
    let setup = store_with(Vec::new()).await;
    let mut config = setup.app.config(&setup.token);
    let etag = setup.etag().await;
    let bad = vec![
        rule("Account", "Tier__c", "customer.attributes.loyalty_tier", vec![]),
        rule("Account", "Total__c", "order.total", vec![]),
        rule("Account", "tier__c", "customer.company", vec![truncate(0)]),
    ];
    let request = pb::UpdateStoreConfigRequest {
        store_code: "main".into(),
        settings: Some(pb::StoreSettings { field_mappings: bad, ..Default::default() }),
        update_mask: Some(FieldMask { paths: vec!["field_mappings".into()] }),
        etag: etag.clone(),
    };
    let refused = config.update_store_config(request).await.expect_err("refused");
    assert_eq!(
        crate::helpers::violated_fields(&refused),
        ["settings.field_mappings[1].source", "settings.field_mappings[2].transforms[0].length"]
    );
    let after = config.get_store_config(pb::GetStoreConfigRequest { store_code: "main".into() }).await;
    assert_eq!(after.expect("config").into_inner().etag, etag, "nothing saved");
}
