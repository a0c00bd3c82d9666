//! The demo's org and store: a sandbox whose Account has a short custom field
//! (`Segment__c`, 10 characters), and store `demo` connected to it through
//! Test Connection & Apply, with orders, shipments and stock levels synced and
//! one deliberate misconfiguration: `customer.group` mapped to `Segment__c`
//! without truncation, so a long group name parks its customer.

use anyhow::{Context as _, bail};
use prost_types::FieldMask;
use tonic::transport::Channel;

use crate::bench::harness::Bearer;
use crate::pb::store_admin_service_client::StoreAdminServiceClient;
use crate::pb::store_config_service_client::StoreConfigServiceClient;
use crate::pb::{self, CredentialKind, CredentialValue};
use crate::sandbox::schema::{CustomFieldSpec, CustomSchema};
use crate::sandbox::{SandboxConfig, SandboxServer};

/// The demo store's code.
pub const STORE: &str = "demo";
/// The short Account field the misconfigured mapping writes.
pub const SEGMENT_FIELD: &str = "Segment__c";

/// forcesync's usual custom fields, plus `Account.Segment__c` (Text, 10).
pub fn schema() -> CustomSchema {
    let mut schema = CustomSchema::default_forcesync();
    let mut segment = CustomFieldSpec::new(SEGMENT_FIELD, "Text");
    segment.length = Some(10);
    if let Some(account) = schema.objects.iter_mut().find(|object| object.name == "Account") {
        account.fields.push(segment);
    }
    schema
}

/// Starts the sandbox org on `listen`; returns it with its demo user's
/// username, password and security token.
pub async fn start_sandbox(listen: std::net::SocketAddr) -> anyhow::Result<(SandboxServer, [String; 3])> {
    let config = SandboxConfig::demo();
    let user = config.users.first().context("the demo org has no user")?;
    let login = [user.username.clone(), user.password.clone(), user.security_token.clone()];
    let sandbox = SandboxServer::start(config, Some(schema()), listen).await.map_err(anyhow::Error::msg)?;
    Ok((sandbox, login))
}

/// The demo store's settings: every order becomes a Salesforce Order,
/// shipments fill the Order's tracking fields, stock levels go to
/// `Product2.Stock_Quantity__c`, and the misconfigured mapping.
fn settings(sandbox_url: &str, username: &str) -> (pb::StoreSettings, Vec<String>) {
    let settings = pb::StoreSettings {
        connection: Some(pb::ConnectionSettings {
            login_url: sandbox_url.into(),
            username: username.into(),
            ..Default::default()
        }),
        create_order: pb::CreateOrderMode::EveryOrder as i32,
        shipment: Some(pb::ShipmentSettings {
            tracking_number_field: "Tracking_Number__c".into(),
            carrier_field: "Carrier__c".into(),
            ship_date_field: "Ship_Date__c".into(),
            ..Default::default()
        }),
        inventory: Some(pb::InventorySettings {
            enabled: true,
            object: "Product2".into(),
            quantity_field: "Stock_Quantity__c".into(),
            match_field: "ProductCode".into(),
            create_missing: false,
        }),
        field_mappings: vec![pb::FieldMapping {
            object: "Account".into(),
            field: SEGMENT_FIELD.into(),
            value: Some(pb::field_mapping::Value::Source("customer.group".into())),
            transforms: Vec::new(),
        }],
        ..Default::default()
    };
    let paths = [
        "connection.login_url",
        "connection.username",
        "create_order",
        "shipment.tracking_number_field",
        "shipment.carrier_field",
        "shipment.ship_date_field",
        "inventory.enabled",
        "inventory.object",
        "inventory.quantity_field",
        "inventory.match_field",
        "field_mappings",
    ];
    (settings, paths.into_iter().map(str::to_owned).collect())
}

/// Creates store `demo` with the admin token and connects it to the sandbox
/// (Test Connection & Apply); returns the store token and Test Connection's
/// checks as `name: STATUS` lines.
pub async fn create_store(
    channel: &Channel,
    admin_token: &str,
    sandbox_url: &str,
    [username, password, security_token]: &[String; 3],
) -> anyhow::Result<(String, Vec<String>)> {
    let mut admin = StoreAdminServiceClient::with_interceptor(channel.clone(), Bearer::new(admin_token)?);
    let request = pb::CreateStoreRequest { code: STORE.into(), display_name: "Demo shop".into() };
    let created = admin.create_store(request).await.context("CreateStore")?.into_inner();
    let store_token = created.store_token;
    let etag = created.store.map(|store| store.settings_etag).unwrap_or_default();
    let mut config = StoreConfigServiceClient::with_interceptor(channel.clone(), Bearer::new(&store_token)?);
    let (settings, paths) = settings(sandbox_url, username);
    let secret = |kind: CredentialKind, value: &str| CredentialValue { kind: kind as i32, value: value.into() };
    let request = pb::TestConnectionRequest {
        store_code: STORE.into(),
        settings: Some(settings),
        update_mask: Some(FieldMask { paths }),
        credentials: vec![
            secret(CredentialKind::Password, password),
            secret(CredentialKind::SecurityToken, security_token),
        ],
        apply: true,
        etag,
    };
    let response = config.test_connection(request).await.context("TestConnection")?.into_inner();
    let checks = response
        .checks
        .iter()
        .map(|check| {
            let status = pb::CheckStatus::try_from(check.status).map_or("?", |status| status.as_str_name());
            format!("{}: {}", check.name, status.trim_start_matches("CHECK_STATUS_"))
        })
        .collect();
    if !response.applied {
        bail!("Test Connection did not pass, so nothing was applied: {:?}", response.checks);
    }
    Ok((store_token, checks))
}
