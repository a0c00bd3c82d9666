//! StoreConfigService: reading defaults, partial updates with a field mask,
//! optimistic concurrency, and validation that names every bad field.

use forcesync::pb::{
    self, ConnectionSettings, GetStoreConfigRequest, LoggingSettings, OrderStatusMapping, StoreSettings,
    UpdateStoreConfigRequest,
};
use prost_types::FieldMask;
use tonic::Code;

use crate::helpers::{ConfigClient, error_reason, spawn_app, violated_fields};

async fn read(client: &mut ConfigClient, code: &str) -> pb::GetStoreConfigResponse {
    client.get_store_config(GetStoreConfigRequest { store_code: code.into() }).await.expect("get config").into_inner()
}

fn update(etag: &str, settings: StoreSettings, paths: &[&str]) -> UpdateStoreConfigRequest {
    UpdateStoreConfigRequest {
        store_code: "main".into(),
        settings: Some(settings),
        update_mask: Some(FieldMask { paths: paths.iter().map(|p| (*p).to_owned()).collect() }),
        etag: etag.into(),
    }
}

#[tokio::test]
async fn new_store_starts_with_the_documented_defaults() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let config = read(&mut app.config(&token), "main").await;
    let s = config.settings.expect("settings");
    assert_eq!(config.etag, "v1");
    assert_eq!(s.integration_mode(), pb::IntegrationMode::StoreToSalesforce);
    assert_eq!(s.create_order(), pb::CreateOrderMode::PaidOnly);
    assert_eq!(s.create_opportunity(), pb::CreateOpportunityMode::EveryOrder);
    assert_eq!(s.sales_cycle_days, 30);
    assert_eq!((s.abandoned_cart_stage.as_str(), s.draft_stage.as_str()), ("Prospecting", "Needs Analysis"));
    assert_eq!(s.contact_roles.expect("roles").role, "Decision Maker");
    assert_eq!(s.convert_opportunity.expect("convert").converted_stage, "Closed Won");
    let connection = s.connection.expect("connection");
    assert_eq!(
        (connection.login_url.as_str(), connection.api_version.as_str()),
        ("https://login.salesforce.com", "64.0")
    );
    assert_eq!(s.order_status_map[0].opportunity_stage, "Closed Lost");
    assert!(config.credentials.iter().all(|c| !c.is_set));
}

#[tokio::test]
async fn masked_update_changes_only_the_named_fields() {
    let app = spawn_app().await;
    let (store, token) = app.create_store("main").await;
    let mut client = app.config(&token);
    let before = read(&mut client, "main").await;

    let changes = StoreSettings {
        sales_cycle_days: 45,
        draft_stage: "this is not in the mask".into(),
        connection: Some(ConnectionSettings { login_url: "https://test.salesforce.com/".into(), ..Default::default() }),
        ..Default::default()
    };
    let paths = ["sales_cycle_days", "connection.login_url"];
    let updated = client.update_store_config(update(&before.etag, changes, &paths)).await.expect("update");
    let updated = updated.into_inner();
    assert_eq!(updated.etag, "v2");

    let after = read(&mut client, "main").await;
    assert_eq!(after.etag, "v2");
    let (mut expected, actual) = (before.settings.expect("before"), after.settings.expect("after"));
    expected.sales_cycle_days = 45;
    expected.connection.as_mut().expect("connection").login_url = "https://test.salesforce.com".into();
    assert_eq!(actual, expected, "only the masked fields changed");

    let audit = app.server.storage.list_audit("main", 10).await.expect("audit");
    assert_eq!(audit[0].action, "update_settings");
    assert_eq!(audit[0].actor, format!("store-token:{}", store.token_id));
    assert_eq!(audit[0].fields, paths);
}

#[tokio::test]
async fn stale_etag_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut client = app.config(&token);
    let first = StoreSettings { sales_cycle_days: 10, ..Default::default() };
    client.update_store_config(update("v1", first, &["sales_cycle_days"])).await.expect("first update");

    let late = StoreSettings { sales_cycle_days: 99, ..Default::default() };
    let status = client.update_store_config(update("v1", late, &["sales_cycle_days"])).await.expect_err("stale");
    assert_eq!((status.code(), error_reason(&status).as_str()), (Code::Aborted, "ETAG_MISMATCH"));
    let now = read(&mut client, "main").await;
    assert_eq!((now.etag.as_str(), now.settings.expect("settings").sales_cycle_days), ("v2", 10));

    let missing = update("", StoreSettings::default(), &["sales_cycle_days"]);
    assert_eq!(violated_fields(&client.update_store_config(missing).await.expect_err("no etag")), ["etag"]);
}

#[tokio::test]
async fn every_invalid_field_is_named_in_one_response() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut client = app.config(&token);
    let mapping = |status: &str| OrderStatusMapping {
        store_status: status.into(),
        order_status: String::new(),
        opportunity_stage: "Closed Lost".into(),
    };
    let bad = StoreSettings {
        integration_mode: 99,
        sales_cycle_days: 0,
        draft_stage: String::new(),
        abandoned_cart_stage: "x".repeat(256),
        connection: Some(ConnectionSettings {
            auth_method: pb::AuthMethod::Password as i32,
            login_url: "login.salesforce.com".into(),
            api_version: "30.0".into(),
            username: "not an email".into(),
            client_id: String::new(),
        }),
        logging: Some(LoggingSettings { enabled: true, database_logging: true, database_log_limit: -1 }),
        order_status_map: vec![mapping("canceled"), mapping("on hold")],
        ..Default::default()
    };
    let paths = [
        "integration_mode",
        "sales_cycle_days",
        "draft_stage",
        "abandoned_cart_stage",
        "connection",
        "logging",
        "order_status_map",
    ];
    let status = client.update_store_config(update("v1", bad, &paths)).await.expect_err("invalid");
    let mut fields = violated_fields(&status);
    fields.sort();
    assert_eq!(
        fields,
        [
            "settings.abandoned_cart_stage",
            "settings.connection.api_version",
            "settings.connection.login_url",
            "settings.connection.username",
            "settings.draft_stage",
            "settings.integration_mode",
            "settings.logging.database_log_limit",
            "settings.order_status_map[1].store_status",
            "settings.sales_cycle_days",
        ]
    );
    assert_eq!(read(&mut client, "main").await.etag, "v1", "nothing was written");
}

#[tokio::test]
async fn cross_field_rules_and_unknown_paths_are_refused() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut client = app.config(&token);

    let duplicate = StoreSettings {
        order_status_map: vec![
            OrderStatusMapping {
                store_status: "canceled".into(),
                order_status: "Cancelled".into(),
                ..Default::default()
            },
            OrderStatusMapping {
                store_status: "Canceled".into(),
                order_status: "Cancelled".into(),
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    let status = client.update_store_config(update("v1", duplicate, &["order_status_map"])).await.expect_err("dup");
    assert_eq!(violated_fields(&status), ["settings.order_status_map[1].store_status"]);

    let soap_on_65 = StoreSettings {
        connection: Some(ConnectionSettings { api_version: "65.0".into(), ..Default::default() }),
        ..Default::default()
    };
    let status = client.update_store_config(update("v1", soap_on_65, &["connection.api_version"])).await.expect_err("");
    assert_eq!(violated_fields(&status), ["settings.connection.api_version"]);
    assert!(status.message().contains("SOAP login() does not exist"), "{}", status.message());

    let status = client
        .update_store_config(update("v1", StoreSettings::default(), &["draft_stage", "connection.password"]))
        .await
        .expect_err("unknown path");
    assert_eq!(violated_fields(&status), ["update_mask"]);
}

#[tokio::test]
async fn a_missing_store_code_is_reported_as_a_required_field() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut client = app.config(&token);
    let required = |status: tonic::Status| {
        assert_eq!(violated_fields(&status), ["store_code"], "{status:?}");
        assert!(status.message().contains("store_code: is required"), "{}", status.message());
    };
    required(client.get_store_config(GetStoreConfigRequest::default()).await.expect_err("get"));
    let mut no_code = update("v1", StoreSettings::default(), &["sales_cycle_days"]);
    no_code.store_code = String::new();
    required(client.update_store_config(no_code).await.expect_err("update"));
    required(client.set_credentials(pb::SetCredentialsRequest::default()).await.expect_err("set credentials"));
    required(client.test_connection(pb::TestConnectionRequest::default()).await.expect_err("test connection"));
    required(client.import_wsdl(pb::ImportWsdlRequest::default()).await.expect_err("import wsdl"));
}
