//! The console's settings lists (one entry per line) and its write-only
//! credentials form over HTTP: each list refused with its message on the
//! line it is about, then accepted and read back through GetStoreConfig.

use forcesync::pb;
use reqwest::StatusCode;

use crate::helpers::console::{ConsoleHttp, Page, csrf, form_fields};
use crate::helpers::{ADMIN_TOKEN, TestApp, spawn_app};

const SETTINGS: &str = "/console/stores/main/settings";

/// Loads the settings form, sets `path` to `text` and submits it.
async fn edit(console: &mut ConsoleHttp, path: &str, text: &str) -> Page {
    let page = console.get(SETTINGS).await;
    assert_eq!(page.status, StatusCode::OK, "{page:?}");
    let mut fields = form_fields(&page.body, SETTINGS);
    assert!(fields.iter().any(|(name, _)| name == path), "{path} is on the form");
    fields.retain(|(name, _)| name != path);
    fields.push((path.to_owned(), text.to_owned()));
    let form: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    console.post(SETTINGS, &form).await
}

async fn settings(app: &TestApp, token: &str) -> pb::StoreSettings {
    let config = app.config(token).get_store_config(pb::GetStoreConfigRequest { store_code: "main".into() }).await;
    config.expect("config").into_inner().settings.expect("settings")
}

/// The message shown beside the field `id` (HTML as rendered).
fn field_error(body: &str, id: &str) -> String {
    let start = body.find(&format!("id=\"{id}-error\">")).unwrap_or_else(|| panic!("no message for {id}: {body}"));
    body[start..].split_once('>').map(|(_, rest)| rest.split('<').next().unwrap_or_default().to_owned()).expect("text")
}

async fn signed_in_app() -> (TestApp, String, ConsoleHttp) {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let console = ConsoleHttp::signed_in(app.server.http_addr.expect("http addr"), ADMIN_TOKEN).await;
    (app, token, console)
}

#[tokio::test]
async fn console_edits_the_order_status_map() {
    let (app, token, mut console) = signed_in_app().await;
    let refused = edit(&mut console, "order_status_map", "canceled | Cancelled | Closed Lost\r\n\r\nrefunded |").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let message = field_error(&refused.body, "order_status_map");
    assert!(message.starts_with("line 3: order_status:") && message.contains("set order_status"), "{message}");
    assert!(refused.body.contains("refunded |</textarea>"), "the typed text stays for correction");

    let saved =
        edit(&mut console, "order_status_map", "canceled | Cancelled | Closed Lost\r\nrefunded | | Closed Lost").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let rules = settings(&app, &token).await.order_status_map;
    let read: Vec<_> = rules.iter().map(|r| (&*r.store_status, &*r.order_status, &*r.opportunity_stage)).collect();
    assert_eq!(read, [("canceled", "Cancelled", "Closed Lost"), ("refunded", "", "Closed Lost")]);
    let page = console.get(SETTINGS).await;
    assert!(page.body.contains("refunded | | Closed Lost</textarea>"), "{}", page.body);
}

#[tokio::test]
async fn console_edits_the_external_id_fields() {
    let (app, token, mut console) = signed_in_app().await;
    let refused = edit(&mut console, "external_id_fields", "Account | Shop_Id__c\nWidget | Key__c").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let message = field_error(&refused.body, "external_id_fields");
    assert!(message.starts_with("Widget:") && message.contains("not an object forcesync upserts"), "{message}");
    let unreadable = edit(&mut console, "external_id_fields", "Account | Shop_Id__c\nAccount | Other__c").await;
    assert_eq!(unreadable.status, StatusCode::BAD_REQUEST);
    assert!(field_error(&unreadable.body, "external_id_fields").contains("line 2: Account is listed twice"));

    let saved = edit(&mut console, "external_id_fields", "Account | Shop_Id__c\nContact | Shop_Contact__c").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let fields = settings(&app, &token).await.external_id_fields;
    assert_eq!(fields.get("Account").map(String::as_str), Some("Shop_Id__c"));
    assert_eq!(fields.get("Contact").map(String::as_str), Some("Shop_Contact__c"));
    assert_eq!(fields.len(), 2);
}

#[tokio::test]
async fn console_edits_the_field_mappings() {
    let (app, token, mut console) = signed_in_app().await;
    let bad = "Account.Tier__c = customer.attributes.loyalty_tier | upper\nAccount.Total__c = order.total\n\
               Account.Code__c = customer.company | truncate 0";
    let refused = edit(&mut console, "field_mappings", bad).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let message = field_error(&refused.body, "field_mappings");
    assert!(message.contains("line 2: source:") && message.contains("line 3: transforms[0].length:"), "{message}");
    let unreadable = edit(&mut console, "field_mappings", "Account.Tier__c = x | shout").await;
    assert!(field_error(&unreadable.body, "field_mappings").contains("line 1: unknown transform"));

    let good = "Account.Tier__c = customer.attributes.loyalty_tier | map gold => Gold; silver => Silver | upper\n\
                Order.Channel__c = \"Web shop\"";
    let saved = edit(&mut console, "field_mappings", good).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let rules = settings(&app, &token).await.field_mappings;
    assert_eq!(rules.len(), 2);
    assert_eq!((rules[0].object.as_str(), rules[0].field.as_str()), ("Account", "Tier__c"));
    let kinds: Vec<i32> = rules[0].transforms.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, [pb::TransformKind::ValueMap as i32, pb::TransformKind::Upper as i32]);
    assert_eq!(rules[0].transforms[0].value_map.get("gold").map(String::as_str), Some("Gold"));
    assert_eq!(rules[1].value, Some(pb::field_mapping::Value::Constant("Web shop".into())));
}

#[tokio::test]
async fn console_edits_the_watched_objects_of_change_capture() {
    let (app, token, mut console) = signed_in_app().await;
    let refused = edit(&mut console, "change_capture.watched", "Account | Name, Phone\nLead | Company").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    let message = field_error(&refused.body, "change_capture-watched");
    assert!(message.starts_with("line 2: object:"), "{message}");

    let saved = edit(&mut console, "change_capture.watched", "Account | Name, Phone\nOrder | Status").await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let watched = settings(&app, &token).await.change_capture.expect("change capture").watched;
    let read: Vec<_> = watched.iter().map(|w| (w.object.as_str(), w.fields.join(","))).collect();
    assert_eq!(read, [("Account", "Name,Phone".to_owned()), ("Order", "Status".to_owned())]);
}

#[tokio::test]
async fn console_replaces_credentials_write_only() {
    let (app, token, mut console) = signed_in_app().await;
    let page = console.get(SETTINGS).await;
    let form_csrf = csrf(&page.body);
    let action = "/console/stores/main/credentials";
    let secret = "s3cret-Pa55word-never-shown";

    let both =
        console.post(action, &[("csrf", &form_csrf), ("credential.password", secret), ("clear.password", "on")]).await;
    assert_eq!(both.status, StatusCode::BAD_REQUEST, "{}", both.body);
    assert!(field_error(&both.body, "credential-password").contains("not both"));
    assert!(!both.body.contains(secret), "a refused secret is not shown back");

    let saved = console.post(action, &[("csrf", &form_csrf), ("credential.password", secret)]).await;
    assert_eq!(
        (saved.status, saved.location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/console/stores/main/settings?credentials=1"))
    );
    let config = app.config(&token).get_store_config(pb::GetStoreConfigRequest { store_code: "main".into() }).await;
    let credentials = config.expect("config").into_inner().credentials;
    let set: Vec<i32> = credentials.iter().filter(|c| c.is_set).map(|c| c.kind).collect();
    assert_eq!(set, [pb::CredentialKind::Password as i32]);
    let sealed = app.server.storage.sealed_credentials("main").await.expect("sealed");
    assert_eq!(sealed.len(), 1);
    assert!(!sealed[0].1.windows(secret.len()).any(|w| w == secret.as_bytes()), "stored sealed");

    let page = console.get("/console/stores/main/settings?credentials=1").await;
    assert!(page.body.contains("Credentials replaced.") && page.body.contains("password (set "), "{}", page.body);
    assert!(!page.body.contains(secret), "the secret is never rendered");
    assert!(page.body.contains("name=\"credential.password\" value=\"\""), "inputs are never pre-filled");

    let no_csrf = console.post(action, &[("credential.password", "other")]).await;
    assert_eq!(no_csrf.status, StatusCode::FORBIDDEN);
    let cleared = console.post(action, &[("csrf", &form_csrf), ("clear.password", "on")]).await;
    assert_eq!(cleared.status, StatusCode::SEE_OTHER, "{}", cleared.body);
    assert!(app.server.storage.sealed_credentials("main").await.expect("sealed").is_empty());
    assert!(!crate::helpers::logs::captured().contains(secret), "the secret is never logged");
}
