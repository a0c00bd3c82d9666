//! TestConnection end to end: the real server, the in-process sandbox, and
//! each failure an admin meets, with its remedy; nothing saved when a check fails.

use forcesync::pb::{
    self, CheckStatus, ConnectionSettings, CredentialKind, CredentialValue, GetStoreConfigRequest, StoreSettings,
    TestConnectionRequest, TestConnectionResponse,
};
use forcesync::sandbox::SandboxConfig;
use prost_types::FieldMask;
use reqwest::Method;
use serde_json::json;

use crate::helpers::sandbox::{PASSWORD, TOKEN, TestSandbox, USER, spawn_sandbox};
use crate::helpers::{TestApp, spawn_app};

struct Setup {
    app: TestApp,
    sandbox: TestSandbox,
    token: String,
}

async fn setup(sandbox: TestSandbox) -> Setup {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    Setup { app, sandbox, token }
}

fn secret(kind: CredentialKind, value: &str) -> CredentialValue {
    CredentialValue { kind: kind as i32, value: value.into() }
}

impl Setup {
    /// Pending connection settings pointing at the sandbox, plus `changes`, tested with `credentials`.
    fn request(&self, username: &str, credentials: Vec<CredentialValue>, apply: bool) -> TestConnectionRequest {
        let connection = ConnectionSettings {
            login_url: self.sandbox.server.url.clone(),
            username: username.into(),
            ..Default::default()
        };
        TestConnectionRequest {
            store_code: "main".into(),
            settings: Some(StoreSettings { connection: Some(connection), ..Default::default() }),
            update_mask: Some(FieldMask { paths: vec!["connection.login_url".into(), "connection.username".into()] }),
            credentials,
            apply,
            etag: "v1".into(),
        }
    }

    fn good_credentials() -> Vec<CredentialValue> {
        vec![secret(CredentialKind::Password, PASSWORD), secret(CredentialKind::SecurityToken, TOKEN)]
    }

    async fn test(&self, request: TestConnectionRequest) -> TestConnectionResponse {
        self.app.config(&self.token).test_connection(request).await.expect("test connection").into_inner()
    }

    async fn etag(&self) -> String {
        let config =
            self.app.config(&self.token).get_store_config(GetStoreConfigRequest { store_code: "main".into() }).await;
        config.expect("get").into_inner().etag
    }
}

fn check<'a>(response: &'a TestConnectionResponse, name: &str) -> &'a pb::ConnectionCheck {
    response.checks.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no check {name}: {:#?}", response.checks))
}

fn failed(response: &TestConnectionResponse) -> Vec<&str> {
    response.checks.iter().filter(|c| c.status() == CheckStatus::Fail).map(|c| c.name.as_str()).collect()
}

#[tokio::test]
async fn apply_saves_the_pending_config_when_every_check_passes() {
    let s = setup(spawn_sandbox().await).await;
    let response = s.test(s.request(USER, Setup::good_credentials(), true)).await;
    assert_eq!(failed(&response), Vec::<&str>::new(), "{:#?}", response.checks);
    assert!(response.passed && response.applied, "{response:?}");
    assert_eq!(response.etag, "v2");
    for name in [
        "api_version",
        "login",
        "api_enabled",
        "object:Order",
        "external_id:Account",
        "picklist:draft_stage",
        "picklist:contact_roles.role",
        "pricebook",
        "api_budget",
        "state_country_picklists",
    ] {
        assert_eq!(check(&response, name).status(), CheckStatus::Pass, "{name}: {:?}", check(&response, name));
    }
    assert!(check(&response, "login").message.contains(&s.sandbox.server.url));

    let config = s
        .app
        .config(&s.token)
        .get_store_config(GetStoreConfigRequest { store_code: "main".into() })
        .await
        .expect("get")
        .into_inner();
    assert_eq!(config.settings.and_then(|c| c.connection).map(|c| c.username), Some(USER.to_owned()));
    assert!(config.credentials.iter().filter(|c| c.is_set).count() == 2, "password and token saved");
    let audit = s.app.server.storage.list_audit("main", 1).await.expect("audit");
    assert_eq!(audit[0].action, "test_connection_apply");
    assert_eq!(audit[0].fields, ["connection.login_url", "connection.username", "password", "security_token"]);
    // The saved configuration tests green again without pending input.
    let again = s.test(TestConnectionRequest { store_code: "main".into(), ..Default::default() }).await;
    assert!(again.passed && !again.applied);
}

#[tokio::test]
async fn wrong_password_fails_login_and_saves_nothing() {
    let s = setup(spawn_sandbox().await).await;
    let response = s
        .test(s.request(
            USER,
            vec![secret(CredentialKind::Password, "wrong"), secret(CredentialKind::SecurityToken, TOKEN)],
            true,
        ))
        .await;
    let login = check(&response, "login");
    assert_eq!(login.status(), CheckStatus::Fail);
    assert!(login.message.contains("INVALID_LOGIN"), "{login:?}");
    assert!(login.remedy.contains("security token"), "{login:?}");
    assert_eq!(check(&response, "pricebook").status(), CheckStatus::Skipped);
    assert!(!response.applied && response.not_applied_reason.contains("failed"));
    assert_eq!(s.etag().await, "v1", "nothing was saved");
}

#[tokio::test]
async fn missing_token_from_an_untrusted_ip() {
    let s = setup(spawn_sandbox().await).await;
    let response = s.test(s.request(USER, vec![secret(CredentialKind::Password, PASSWORD)], false)).await;
    let login = check(&response, "login");
    assert!(login.message.contains("LOGIN_MUST_USE_SECURITY_TOKEN"), "{login:?}");
    assert!(login.remedy.contains("trusted IP ranges"), "{login:?}");
}

#[tokio::test]
async fn password_with_xml_special_characters() {
    let s = setup(spawn_sandbox().await).await;
    let password = "p<a&s\"s'w>ord";
    let user = json!({"username": "xml@forcesync.test", "password": password, "security_token": "T0K"});
    s.sandbox.control(Method::POST, "/users", Some(user)).await;
    let credentials = vec![secret(CredentialKind::Password, password), secret(CredentialKind::SecurityToken, "T0K")];
    let response = s.test(s.request("xml@forcesync.test", credentials, false)).await;
    assert_eq!(check(&response, "login").status(), CheckStatus::Pass, "{:?}", check(&response, "login"));
}

#[tokio::test]
async fn missing_external_id_field_is_named_with_its_fix() {
    let sandbox = crate::helpers::sandbox::spawn_sandbox_with_schema(
        SandboxConfig::demo(),
        forcesync::sandbox::CustomSchema::default(),
    )
    .await;
    let s = setup(sandbox).await;
    let response = s.test(s.request(USER, Setup::good_credentials(), true)).await;
    let key = check(&response, "external_id:Order");
    assert_eq!(key.status(), CheckStatus::Fail);
    assert!(key.remedy.contains("Order.ForceSync_Key__c") && key.remedy.contains("External ID"), "{key:?}");
    assert!(!response.applied);
    assert_eq!(s.etag().await, "v1");
}

#[tokio::test]
async fn stage_not_in_the_picklist_lists_the_allowed_values() {
    let s = setup(spawn_sandbox().await).await;
    let mut request = s.request(USER, Setup::good_credentials(), true);
    if let Some(settings) = request.settings.as_mut() {
        settings.draft_stage = "Awaiting Payment".into();
    }
    if let Some(mask) = request.update_mask.as_mut() {
        mask.paths.push("draft_stage".into());
    }
    let response = s.test(request).await;
    let stage = check(&response, "picklist:draft_stage");
    assert_eq!(stage.status(), CheckStatus::Fail);
    assert!(stage.message.contains("\"Awaiting Payment\"") && stage.message.contains("Needs Analysis"), "{stage:?}");
    assert!(!response.applied);
    assert_eq!(s.etag().await, "v1", "the pending stage was not saved");
}

#[tokio::test]
async fn api_limit_spent() {
    let s = setup(spawn_sandbox().await).await;
    s.sandbox.control(Method::PATCH, "/settings", Some(json!({"daily_api_limit": 1000, "api_used": 1000}))).await;
    let response = s.test(s.request(USER, Setup::good_credentials(), false)).await;
    assert_eq!(check(&response, "login").status(), CheckStatus::Pass, "logins do not count");
    let enabled = check(&response, "api_enabled");
    assert!(enabled.message.contains("REQUEST_LIMIT_EXCEEDED") && enabled.remedy.contains("allocation"), "{enabled:?}");
    assert_eq!(check(&response, "api_budget").status(), CheckStatus::Fail);
}

#[tokio::test]
async fn pricebook_name_with_a_quote_is_escaped() {
    let s = setup(spawn_sandbox().await).await;
    let session = s.sandbox.session().await;
    let (status, _, _) = s
        .sandbox
        .rest(Method::POST, "sobjects/Pricebook2", &session, Some(json!({"Name": "O'Brien Prices", "IsActive": true})))
        .await;
    assert_eq!(status, reqwest::StatusCode::CREATED);
    let mut request = s.request(USER, Setup::good_credentials(), false);
    if let Some(settings) = request.settings.as_mut() {
        settings.pricebook = "O'Brien Prices".into();
    }
    if let Some(mask) = request.update_mask.as_mut() {
        mask.paths.push("pricebook".into());
    }
    let response = s.test(request).await;
    let book = check(&response, "pricebook");
    assert_eq!(book.status(), CheckStatus::Pass, "{book:?}");
}
