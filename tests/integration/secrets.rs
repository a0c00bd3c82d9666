//! Secrets are write-only: sealed at rest, never returned, never logged, never
//! echoed in errors.

use forcesync::pb::{self, CredentialKind, CredentialValue, GetStoreConfigRequest, SetCredentialsRequest};
use forcesync::storage::{CredentialKind as StoredKind, MasterKey, Sealer};
use prost::Message as _;

use crate::helpers::{ADMIN_TOKEN, MASTER_KEY_B64, logs, spawn_app, violated_fields};

const PASSWORD: &str = "p<a&s\"s'w>ord-7f3a9c1e";
const SECURITY_TOKEN: &str = "SECTOK-4b8e2d6a0c";

fn credential(kind: CredentialKind, value: &str) -> CredentialValue {
    CredentialValue { kind: kind as i32, value: value.into() }
}

fn set(values: Vec<CredentialValue>) -> SetCredentialsRequest {
    SetCredentialsRequest { store_code: "main".into(), credentials: values }
}

#[tokio::test]
async fn credentials_are_sealed_and_only_their_status_is_returned() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut client = app.config(&token);
    let values =
        vec![credential(CredentialKind::Password, PASSWORD), credential(CredentialKind::SecurityToken, SECURITY_TOKEN)];
    let response = client.set_credentials(set(values)).await.expect("set").into_inner();
    let is_set = |statuses: &[pb::CredentialStatus], kind: CredentialKind| {
        statuses.iter().find(|s| s.kind == kind as i32).map(|s| (s.is_set, s.update_time.is_some()))
    };
    assert_eq!(is_set(&response.credentials, CredentialKind::Password), Some((true, true)));
    assert_eq!(is_set(&response.credentials, CredentialKind::ClientSecret), Some((false, false)));

    let config = client.get_store_config(GetStoreConfigRequest { store_code: "main".into() }).await.expect("get");
    let config = config.into_inner();
    assert_eq!(is_set(&config.credentials, CredentialKind::SecurityToken), Some((true, true)));
    let wire = String::from_utf8_lossy(&config.encode_to_vec()).into_owned();
    assert!(!wire.contains(PASSWORD) && !wire.contains(SECURITY_TOKEN), "no secret in the response");

    // At rest: sealed, bound to the store and kind, and opens to the original.
    let sealed = app.server.storage.sealed_credentials("main").await.expect("sealed");
    let sealer = Sealer::new(&MasterKey::from_base64(MASTER_KEY_B64).expect("key"));
    let (kind, bytes, _) = &sealed[0];
    assert_eq!(*kind, StoredKind::Password);
    assert!(!String::from_utf8_lossy(bytes).contains(PASSWORD));
    let opened = sealer.open(bytes, &StoredKind::Password.seal_context("main")).expect("opens");
    assert_eq!(opened, PASSWORD.as_bytes());
    assert!(sealer.open(bytes, &StoredKind::Password.seal_context("other")).is_err());

    // An empty value clears a secret.
    let cleared = client.set_credentials(set(vec![credential(CredentialKind::Password, "")])).await.expect("clear");
    assert_eq!(is_set(&cleared.into_inner().credentials, CredentialKind::Password), Some((false, false)));
    let audit = app.server.storage.list_audit("main", 10).await.expect("audit");
    assert_eq!(audit[0].fields, ["password"]);
    assert_eq!(audit[1].fields, ["password", "security_token"]);
}

#[tokio::test]
async fn invalid_credentials_are_refused_without_echoing_them() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let values = vec![
        credential(CredentialKind::Unspecified, PASSWORD),
        credential(CredentialKind::Password, PASSWORD),
        credential(CredentialKind::Password, PASSWORD),
        CredentialValue { kind: 42, value: PASSWORD.into() },
    ];
    let status = app.config(&token).set_credentials(set(values)).await.expect_err("invalid");
    assert_eq!(violated_fields(&status), ["credentials[0].kind", "credentials[2].kind", "credentials[3].kind"]);
    assert!(!format!("{status:?}").contains(PASSWORD));
    let empty = app.config(&token).set_credentials(set(vec![])).await.expect_err("empty");
    assert_eq!(violated_fields(&empty), ["credentials"]);
}

#[tokio::test]
async fn no_secret_or_token_ever_reaches_the_logs() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut client = app.config(&token);
    let values =
        vec![credential(CredentialKind::Password, PASSWORD), credential(CredentialKind::SecurityToken, SECURITY_TOKEN)];
    client.set_credentials(set(values)).await.expect("set");
    client.get_store_config(GetStoreConfigRequest { store_code: "main".into() }).await.expect("get");
    let wrong_store = GetStoreConfigRequest { store_code: "other".into() };
    client.get_store_config(wrong_store).await.expect_err("cross-store is logged as a warning");

    let logs = logs::captured();
    assert!(logs.contains("credentials changed"), "the capture works: {logs}");
    for secret in [PASSWORD, SECURITY_TOKEN, token.as_str(), ADMIN_TOKEN, MASTER_KEY_B64] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}

#[tokio::test]
async fn test_connection_never_leaks_credentials() {
    use crate::helpers::sandbox::{PASSWORD as SF_PASSWORD, TOKEN as SF_TOKEN, USER, spawn_sandbox};
    let sandbox = spawn_sandbox().await;
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let connection =
        pb::ConnectionSettings { login_url: sandbox.server.url.clone(), username: USER.into(), ..Default::default() };
    let request = |password: &str| pb::TestConnectionRequest {
        store_code: "main".into(),
        settings: Some(pb::StoreSettings { connection: Some(connection.clone()), ..Default::default() }),
        update_mask: Some(prost_types::FieldMask {
            paths: vec!["connection.login_url".into(), "connection.username".into()],
        }),
        credentials: vec![
            credential(CredentialKind::Password, password),
            credential(CredentialKind::SecurityToken, SF_TOKEN),
        ],
        apply: true,
        etag: "v1".into(),
    };
    let wrong = "wrong-<&>-password";
    let refused = app.config(&token).test_connection(request(wrong)).await.expect("runs").into_inner();
    let applied = app.config(&token).test_connection(request(SF_PASSWORD)).await.expect("runs").into_inner();
    assert!(!refused.passed && applied.applied, "{refused:?} {applied:?}");
    let responses = format!("{refused:?}{applied:?}");
    let logs = logs::captured();
    assert!(logs.contains("test connection"), "the capture works");
    for secret in [wrong, SF_PASSWORD, SF_TOKEN, token.as_str()] {
        assert!(!logs.contains(secret), "a secret reached the logs");
        assert!(!responses.contains(secret), "a secret reached a response");
    }
}

#[tokio::test]
async fn syncing_never_logs_credentials_or_session_ids() {
    use crate::helpers::sandbox::{PASSWORD as SF_PASSWORD, TOKEN as SF_TOKEN};
    use crate::helpers::sync::{by_order, checkout, connected_store, jane, order, payment};
    let setup = connected_store().await;
    let mut sync = setup.sync();
    sync.start_checkout(checkout("s1", "501", jane(), 1)).await.expect("checkout");
    sync.place_order(order("s2", "900501", "501", jane(), 2)).await.expect("order");
    setup.settled(by_order("900501")).await;
    // Every session ends: the engine must log in again, and say so without the session id.
    setup.sandbox.control(reqwest::Method::DELETE, "/sessions", None).await;
    sync.record_payment(payment("s3", "900501", "2025-03-04", 3)).await.expect("payment");
    let status = setup.settled(by_order("900501")).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");

    let logs = logs::captured();
    assert!(logs.contains("logging in again"), "the capture works and saw the re-login");
    for secret in [SF_PASSWORD, SF_TOKEN, setup.token.as_str(), MASTER_KEY_B64] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
    // Session ids look like `<15-character org id>!<random>`.
    let token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '!' | '-' | '_');
    let org_id_then_bang = logs.split(|c: char| !token_char(c)).any(|word| {
        word.split_once('!').is_some_and(|(org, rest)| org.len() == 15 && org.starts_with("00D") && rest.len() > 20)
    });
    assert!(!org_id_then_bang, "a session id reached the logs");
}
