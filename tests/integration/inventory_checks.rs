//! Test Connection's inventory checks, end to end: with inventory enabled,
//! the object must be updateable, the match field filterable, the quantity
//! field a numeric field the user can update, and with create_missing a
//! record must be creatable from what the store sends; each failure has its remedy.

use forcesync::pb::{self, CheckStatus, CredentialKind, CredentialValue};
use forcesync::sandbox::schema::custom::CustomFieldSpec;
use forcesync::sandbox::{CustomSchema, SandboxConfig};
use prost_types::FieldMask;

use crate::helpers::sandbox::{PASSWORD, TOKEN, TestSandbox, USER, spawn_sandbox_with_schema};
use crate::helpers::{TestApp, spawn_app};

/// The inventory checks of a Test Connection (not applied) with these settings.
async fn inventory_checks(
    app: &TestApp,
    token: &str,
    sandbox: &TestSandbox,
    inventory: pb::InventorySettings,
) -> Vec<pb::ConnectionCheck> {
    let settings = pb::StoreSettings {
        connection: Some(pb::ConnectionSettings {
            login_url: sandbox.server.url.clone(),
            username: USER.into(),
            ..Default::default()
        }),
        inventory: Some(inventory),
        ..Default::default()
    };
    let paths = ["connection.login_url", "connection.username", "inventory"].map(str::to_owned).to_vec();
    let secret = |kind: CredentialKind, value: &str| CredentialValue { kind: kind as i32, value: value.into() };
    let request = pb::TestConnectionRequest {
        store_code: "main".into(),
        settings: Some(settings),
        update_mask: Some(FieldMask { paths }),
        credentials: vec![secret(CredentialKind::Password, PASSWORD), secret(CredentialKind::SecurityToken, TOKEN)],
        apply: false,
        etag: String::new(),
    };
    let response = app.config(token).test_connection(request).await.expect("test connection").into_inner();
    response.checks.into_iter().filter(|c| c.name.starts_with("inventory:")).collect()
}

fn summary(checks: &[pb::ConnectionCheck]) -> Vec<(&str, i32)> {
    checks.iter().map(|c| (c.name.as_str(), c.status)).collect()
}

#[tokio::test]
async fn inventory_settings_are_checked_against_the_org_with_remedies() {
    let mut schema = CustomSchema::default_forcesync();
    let mut brand = CustomFieldSpec::new("Brand__c", "Text");
    (brand.length, brand.required) = (Some(80), true);
    if let Some(product) = schema.objects.iter_mut().find(|o| o.name == "Product2") {
        product.fields.push(brand);
    }
    let sandbox = spawn_sandbox_with_schema(SandboxConfig::demo(), schema).await;
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let settings = |object: &str, quantity: &str, matched: &str, create_missing: bool| pb::InventorySettings {
        enabled: true,
        object: object.into(),
        quantity_field: quantity.into(),
        match_field: matched.into(),
        create_missing,
    };
    let (pass, fail) = (CheckStatus::Pass as i32, CheckStatus::Fail as i32);

    let good =
        inventory_checks(&app, &token, &sandbox, settings("Product2", "Stock_Quantity__c", "ProductCode", false)).await;
    assert_eq!(
        summary(&good),
        [("inventory:object", pass), ("inventory:match_field", pass), ("inventory:quantity_field", pass)]
    );

    let bad = inventory_checks(&app, &token, &sandbox, settings("Product2", "Name", "Description", true)).await;
    assert_eq!(
        summary(&bad),
        [
            ("inventory:object", pass),
            ("inventory:match_field", fail),
            ("inventory:quantity_field", fail),
            ("inventory:create_missing", fail)
        ]
    );
    assert!(bad[1].message.contains("cannot be filtered"), "{:?}", bad[1]);
    assert!(bad[2].message.contains("string field") && bad[2].remedy.contains("Number"), "{:?}", bad[2]);
    assert!(bad[3].message.contains("Brand__c") && bad[3].remedy.contains("create_missing"), "{:?}", bad[3]);
    assert!(bad.iter().filter(|c| c.status == fail).all(|c| !c.remedy.is_empty()));

    let missing = inventory_checks(&app, &token, &sandbox, settings("Warehouse__c", "Qty__c", "Sku__c", false)).await;
    assert_eq!(summary(&missing), [("inventory:object", fail)]);
    assert!(missing[0].remedy.contains("inventory.object"), "{:?}", missing[0]);

    let off = pb::InventorySettings { enabled: false, ..settings("Warehouse__c", "Qty__c", "Sku__c", false) };
    assert!(inventory_checks(&app, &token, &sandbox, off).await.is_empty(), "no inventory checks when it is off");
}
