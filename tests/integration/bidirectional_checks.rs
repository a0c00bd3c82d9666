//! Test Connection in BIDIRECTIONAL mode (issue 14) against the in-process
//! sandbox: every watched object and field readable, the order download
//! filter run once and a bad one reported with Salesforce's own error text,
//! the Order key field for the write-back; none of it in store-to-Salesforce mode.

use forcesync::pb::{self, ChangeCaptureSettings, CheckStatus, OrderDownloadSettings, WatchedObject};
use forcesync::sandbox::{CustomSchema, SandboxConfig};
use prost_types::FieldMask;
use serde_json::json;

use crate::helpers::sandbox::{PASSWORD, TOKEN, TestSandbox, USER, spawn_sandbox, spawn_sandbox_with_schema};
use crate::helpers::spawn_app;

/// Test Connection of `sandbox` with `settings` (plus the sandbox connection)
/// applied through `paths`; with `apply` the settings are saved when all pass.
async fn test_connection(
    sandbox: &TestSandbox,
    mut settings: pb::StoreSettings,
    paths: &[&str],
    apply: bool,
) -> pb::TestConnectionResponse {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    settings.connection = Some(pb::ConnectionSettings {
        login_url: sandbox.server.url.clone(),
        username: USER.into(),
        ..Default::default()
    });
    let mut paths: Vec<String> = paths.iter().map(|p| (*p).to_owned()).collect();
    paths.extend(["connection.login_url".to_owned(), "connection.username".to_owned()]);
    let secret = |kind: pb::CredentialKind, value: &str| pb::CredentialValue { kind: kind as i32, value: value.into() };
    let request = pb::TestConnectionRequest {
        store_code: "main".into(),
        settings: Some(settings),
        update_mask: Some(FieldMask { paths }),
        credentials: vec![
            secret(pb::CredentialKind::Password, PASSWORD),
            secret(pb::CredentialKind::SecurityToken, TOKEN),
        ],
        apply,
        etag: "v1".into(),
    };
    app.config(&token).test_connection(request).await.expect("test connection").into_inner()
}

/// A bidirectional store downloading orders that match `filter`.
fn bidirectional(filter: &str) -> (pb::StoreSettings, Vec<&'static str>) {
    let settings = pb::StoreSettings {
        integration_mode: pb::IntegrationMode::Bidirectional as i32,
        order_download: Some(OrderDownloadSettings {
            enabled: true,
            soql_filter: filter.into(),
            start_date: String::new(),
        }),
        ..Default::default()
    };
    (settings, vec!["integration_mode", "order_download"])
}

fn check<'a>(response: &'a pb::TestConnectionResponse, name: &str) -> &'a pb::ConnectionCheck {
    response.checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no check {name}: {:#?}", response.checks))
}

fn failed(response: &pb::TestConnectionResponse) -> Vec<&str> {
    response.checks.iter().filter(|c| c.status() == CheckStatus::Fail).map(|c| c.name.as_str()).collect()
}

#[tokio::test]
async fn a_good_bidirectional_store_passes_every_check() {
    let sandbox = spawn_sandbox().await;
    let session = sandbox.session().await;
    let account = sandbox.create(&session, "Account", json!({"Name": "Acme"})).await;
    let order = json!({"AccountId": account, "EffectiveDate": "2025-03-01", "Status": "Draft"});
    sandbox.create(&session, "Order", order).await;
    let (settings, paths) = bidirectional("Status = 'Draft' AND EffectiveDate >= 2025-01-01");
    let response = test_connection(&sandbox, settings, &paths, true).await;
    assert_eq!(failed(&response), Vec::<&str>::new(), "{:#?}", response.checks);
    assert!(response.passed && response.applied, "{response:?}");
    for name in [
        "change_capture:Account",
        "change_capture:Contact",
        "change_capture:Opportunity",
        "change_capture:Order",
        "order_download:soql_filter",
        "order_download:key_field",
    ] {
        assert_eq!(check(&response, name).status(), CheckStatus::Pass, "{:?}", check(&response, name));
    }
    assert!(check(&response, "change_capture:Account").message.contains("7 watched field(s)"));
    assert!(check(&response, "order_download:key_field").message.contains("Order.ForceSync_Key__c"));
    let filter = check(&response, "order_download:soql_filter");
    assert!(filter.message.contains("at least one Order matches"), "the filter ran: {filter:?}");

    let (settings, paths) = bidirectional("Status = 'Draft' AND EffectiveDate >= 2026-01-01");
    let response = test_connection(&sandbox, settings, &paths, false).await;
    let filter = check(&response, "order_download:soql_filter");
    assert!(filter.message.contains("no Order matches it yet"), "{filter:?}");
}

#[tokio::test]
async fn a_watched_field_the_org_lacks_is_named_with_its_fix() {
    let sandbox = spawn_sandbox().await;
    let (mut settings, mut paths) = bidirectional("");
    let watched = |object: &str, fields: &[&str]| WatchedObject {
        object: object.into(),
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
    };
    settings.change_capture = Some(ChangeCaptureSettings {
        watched: vec![watched("Account", &["Phone"]), watched("Order", &["Status", "Gift_Message__c"])],
        ..Default::default()
    });
    paths.push("change_capture.watched");
    let response = test_connection(&sandbox, settings, &paths, true).await;
    assert_eq!(failed(&response), ["change_capture:Order"], "{:#?}", response.checks);
    let order = check(&response, "change_capture:Order");
    assert!(order.message.contains("Order.Gift_Message__c (change_capture.watched[1].fields[1])"), "{order:?}");
    assert!(!order.message.contains("Order.Status"), "only the missing field is named: {order:?}");
    assert!(order.remedy.contains("Object Manager > Order > Fields"), "{order:?}");
    assert!(order.remedy.contains("remove it from change_capture.watched[1].fields"), "{order:?}");
    assert_eq!(check(&response, "change_capture:Account").status(), CheckStatus::Pass);
    assert!(response.checks.iter().all(|c| c.name != "change_capture:Contact"), "Contact is not watched");
    assert!(!response.applied, "nothing saved when a check fails");
    // Without a filter, the probe still runs and passes.
    assert_eq!(check(&response, "order_download:soql_filter").status(), CheckStatus::Pass);
}

#[tokio::test]
async fn a_bad_filter_fails_with_salesforces_error_text() {
    let sandbox = spawn_sandbox().await;
    let (settings, paths) = bidirectional("Statuz = 'Draft'");
    let response = test_connection(&sandbox, settings, &paths, false).await;
    let filter = check(&response, "order_download:soql_filter");
    assert_eq!(filter.status(), CheckStatus::Fail, "{filter:?}");
    assert!(filter.message.contains("INVALID_FIELD"), "{filter:?}");
    assert!(filter.message.contains("No such column 'Statuz' on entity 'Order'"), "{filter:?}");
    assert!(filter.message.contains("WHERE (Statuz = 'Draft') LIMIT 1"), "the query is echoed: {filter:?}");
    assert!(filter.remedy.contains("order_download.soql_filter"), "{filter:?}");

    let (settings, paths) = bidirectional("Status = 'Draft' AND OR Name = 'x'");
    let response = test_connection(&sandbox, settings, &paths, false).await;
    let filter = check(&response, "order_download:soql_filter");
    assert_eq!(filter.status(), CheckStatus::Fail, "{filter:?}");
    assert!(filter.message.contains("MALFORMED_QUERY") && filter.message.contains("ERROR at Row:1"), "{filter:?}");
}

#[tokio::test]
async fn a_missing_order_key_field_fails_the_write_back_check() {
    let sandbox = spawn_sandbox_with_schema(SandboxConfig::demo(), CustomSchema::default()).await;
    let (settings, paths) = bidirectional("Status = 'Draft'");
    let response = test_connection(&sandbox, settings, &paths, false).await;
    let key = check(&response, "order_download:key_field");
    assert_eq!(key.status(), CheckStatus::Fail, "{key:?}");
    assert!(key.message.contains("Order.ForceSync_Key__c (external_id_fields[Order]) is missing"), "{key:?}");
    assert!(key.remedy.contains("External ID"), "{key:?}");
}

#[tokio::test]
async fn none_of_it_runs_in_store_to_salesforce_mode() {
    let sandbox = spawn_sandbox().await;
    let settings = pb::StoreSettings {
        change_capture: Some(ChangeCaptureSettings {
            watched: vec![WatchedObject { object: "Order".into(), fields: vec!["No_Such_Field__c".into()] }],
            ..Default::default()
        }),
        ..Default::default()
    };
    let response = test_connection(&sandbox, settings, &["change_capture.watched"], false).await;
    assert!(response.passed, "{:#?}", response.checks);
    let names: Vec<&str> = response.checks.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"login") && names.contains(&"api_budget"), "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with("change_capture:") && !n.starts_with("order_download:")), "{names:?}");
}
