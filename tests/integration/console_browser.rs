//! The web console in a real headless Chromium (through chromedriver and
//! the small WebDriver client in `helpers/webdriver.rs`): sign-in, a parked
//! item retried from the page and then synced in the sandbox, a settings
//! edit refused then accepted, a list setting edited line by line, Test
//! Connection run from the page. Skipped
//! (passing, with "skipped: chromedriver not found") when Chromium is not
//! installed; `.ci/run` installs it. Each page's screenshot is saved to
//! `$FORCESYNC_CONSOLE_SCREENSHOTS` when set (the README's come from
//! `FORCESYNC_CONSOLE_SCREENSHOTS=docs/console`), else to a temp dir.

use forcesync::engine::EngineConfig;
use forcesync::pb::{self, get_sync_status_request::Entity};
use reqwest::Method;
use serde_json::json;

use crate::helpers::sync::{SyncSetup, checkout, connected_store, connected_store_with, customer_save, jane};
use crate::helpers::webdriver::Browser;
use crate::helpers::{ADMIN_TOKEN, test_engine};

/// Saves the page's screenshot as `<name>.png`.
async fn screenshot(browser: &Browser, name: &str) {
    let png = browser.screenshot().await;
    let dir = match std::env::var_os("FORCESYNC_CONSOLE_SCREENSHOTS") {
        Some(dir) => std::path::PathBuf::from(dir),
        None => std::env::temp_dir().join("forcesync-console-screenshots"),
    };
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

fn console_url(setup: &SyncSetup, path: &str) -> String {
    format!("http://{}{path}", setup.app.server.http_addr.expect("http addr"))
}

/// Signs in through the form.
async fn sign_in(browser: &Browser, setup: &SyncSetup, token: &str) {
    browser.goto(&console_url(setup, "/console/sign-in")).await;
    let field = browser.find("#token").await;
    browser.type_text(&field, token).await;
    browser.click(&browser.find("form.card button[type=submit]").await).await;
}

#[tokio::test]
async fn browser_sign_in_refuses_a_wrong_token_then_accepts_the_admin_token() {
    let Some(browser) = Browser::start().await else { return };
    let setup = connected_store().await;
    setup.paid_sale().await;
    sign_in(&browser, &setup, "certainly-not-the-admin-token").await;
    let error = browser.wait_text("#sign-in-error", "not the admin token").await;
    assert_eq!(error, "That is not the admin token.");
    assert!(browser.url().await.ends_with("/console/sign-in"));
    screenshot(&browser, "sign-in").await;

    sign_in(&browser, &setup, ADMIN_TOKEN).await;
    let row = browser.wait_text("#store-main", "main").await;
    assert!(row.contains("up to date"), "{row}");
    assert_eq!(browser.title().await, "Stores · forcesync console");

    browser.click(&browser.find(".sign-out button").await).await;
    browser.find("#token").await;
    browser.goto(&console_url(&setup, "/console/")).await;
    browser.find("#token").await;
    assert!(browser.url().await.ends_with("/console/sign-in"), "signed out: the overview sends to sign-in");
    browser.quit().await;
}

#[tokio::test]
async fn browser_retries_a_parked_item_and_it_syncs_in_the_sandbox() {
    let Some(browser) = Browser::start().await else { return };
    let engine = EngineConfig { max_attempts: 3, ..test_engine() };
    let setup = connected_store_with(engine, pb::StoreSettings::default(), Vec::new()).await;
    let mut sync = setup.sync();
    sync.upsert_customer(customer_save("c1", jane())).await.expect("customer");
    setup.settled(Entity::CustomerId("42".into())).await;
    setup.sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "http_500", "count": 200}))).await;
    sync.start_checkout(checkout("e1", "77", jane(), 1)).await.expect("checkout");
    let parked = setup.caught_up(Entity::CartId("77".into())).await;
    assert_eq!(parked.state, pb::SyncState::Parked as i32, "{parked:?}");
    setup.sandbox.control(Method::DELETE, "/faults", None).await;
    assert_eq!(setup.records("Opportunity").await.len(), 0);

    sign_in(&browser, &setup, ADMIN_TOKEN).await;
    let row = browser.wait_text("#store-main", "parked").await;
    assert!(row.contains("1 parked"), "{row}");
    assert!(row.contains("UNKNOWN_EXCEPTION"), "the last error: {row}");
    screenshot(&browser, "stores").await;
    browser.goto(&console_url(&setup, "/console/stores/main/parked")).await;
    let item = browser.wait_text("table.parked tbody tr", "cart:77").await;
    assert!(item.contains("UNKNOWN_EXCEPTION"), "Salesforce's error: {item}");
    assert!(item.contains("RetryFailed"), "the remedy: {item}");
    screenshot(&browser, "parked").await;

    browser.click(&browser.find("table.parked button[aria-label='Retry cart:77']").await).await;
    browser.wait_text(".notice", "1 item(s) queued again.").await;
    let status = setup.settled(Entity::CartId("77".into())).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    assert_eq!(setup.records("Opportunity").await.len(), 1, "synced in the sandbox");
    browser.goto(&console_url(&setup, "/console/stores/main/parked")).await;
    browser.wait_text("main", "No parked items").await;

    browser.goto(&console_url(&setup, "/console/stores/main/lookup?q=cart+77")).await;
    browser.wait_text("#entity-state", "synced").await;
    let links = browser.find_all("table.records a").await;
    assert!(!links.is_empty(), "links to the records in the org");
    screenshot(&browser, "lookup").await;
    browser.goto(&console_url(&setup, "/console/stores/main/log?level=error")).await;
    browser.wait_text("table.log", "cart:77").await;
    screenshot(&browser, "log").await;
    browser.quit().await;
}

#[tokio::test]
async fn browser_settings_edit_is_refused_with_its_message_then_accepted() {
    let Some(browser) = Browser::start().await else { return };
    let setup = connected_store().await;
    sign_in(&browser, &setup, ADMIN_TOKEN).await;
    browser.find("#store-main").await;
    browser.goto(&console_url(&setup, "/console/stores/main/settings")).await;
    let days = browser.find("#sales_cycle_days").await;
    browser.clear(&days).await;
    browser.type_text(&days, "0").await;
    browser.click(&browser.find("form.settings button[type=submit]").await).await;
    let message = browser.wait_text("#sales_cycle_days-error", "").await;
    assert!(!message.is_empty(), "the field's message is shown beside it");
    let summary = browser.wait_text(".errors", "Nothing was saved").await;
    assert!(summary.contains("sales_cycle_days"), "{summary}");
    let field = browser.find("#sales_cycle_days").await;
    assert_eq!(browser.property(&field, "value").await, json!("0"), "the refused value stays for correction");
    assert_eq!(browser.property(&field, "ariaInvalid").await, json!("true"));
    browser.click(&field).await; // scrolls the refused field into view for the screenshot
    screenshot(&browser, "settings-refused").await;

    browser.clear(&field).await;
    browser.type_text(&field, "45").await;
    browser.click(&browser.find("form.settings button[type=submit]").await).await;
    browser.wait_text(".notice", "Saved.").await;
    let field = browser.find("#sales_cycle_days").await;
    assert_eq!(browser.property(&field, "value").await, json!("45"));
    let config = setup.app.config(&setup.token);
    let saved = config.clone().get_store_config(pb::GetStoreConfigRequest { store_code: "main".into() }).await;
    assert_eq!(saved.expect("config").into_inner().settings.expect("settings").sales_cycle_days, 45);
    screenshot(&browser, "settings").await;

    browser.goto(&console_url(&setup, "/console/stores/main/audit")).await;
    browser.wait_text("table.audit", "sales_cycle_days").await;
    screenshot(&browser, "audit").await;
    browser.quit().await;
}

#[tokio::test]
async fn browser_edits_a_list_setting_line_by_line() {
    let Some(browser) = Browser::start().await else { return };
    let setup = connected_store().await;
    sign_in(&browser, &setup, ADMIN_TOKEN).await;
    browser.find("#store-main").await;
    browser.goto(&console_url(&setup, "/console/stores/main/settings")).await;
    let map = browser.find("#order_status_map").await;
    browser.clear(&map).await;
    browser.type_text(&map, "canceled | Cancelled | Closed Lost\nrefunded |").await;
    browser.click(&browser.find("form.settings button[type=submit]").await).await;
    let message = browser.wait_text("#order_status_map-error", "line 2").await;
    assert!(message.contains("order_status"), "{message}");
    let map = browser.find("#order_status_map").await;
    assert_eq!(browser.property(&map, "ariaInvalid").await, json!("true"));
    browser.click(&map).await;
    screenshot(&browser, "settings-list-refused").await;

    browser.type_text(&map, " | Closed Lost").await;
    browser.click(&browser.find("form.settings button[type=submit]").await).await;
    browser.wait_text(".notice", "Saved.").await;
    let map = browser.find("#order_status_map").await;
    assert_eq!(
        browser.property(&map, "value").await,
        json!("canceled | Cancelled | Closed Lost\nrefunded | | Closed Lost")
    );
    let config = setup.app.config(&setup.token);
    let saved = config.clone().get_store_config(pb::GetStoreConfigRequest { store_code: "main".into() }).await;
    let rules = saved.expect("config").into_inner().settings.expect("settings").order_status_map;
    let read: Vec<_> = rules.iter().map(|r| (&*r.store_status, &*r.order_status, &*r.opportunity_stage)).collect();
    assert_eq!(read, [("canceled", "Cancelled", "Closed Lost"), ("refunded", "", "Closed Lost")]);
    browser.quit().await;
}

#[tokio::test]
async fn browser_runs_test_connection_and_shows_its_checklist() {
    let Some(browser) = Browser::start().await else { return };
    let setup = connected_store().await;
    sign_in(&browser, &setup, ADMIN_TOKEN).await;
    browser.find("#store-main").await;
    browser.goto(&console_url(&setup, "/console/stores/main/connection")).await;
    browser.click(&browser.find("#run-test").await).await;
    browser.wait_text("#test-result", "All checks passed.").await;
    let checks = browser.find_all("table.checks tbody tr").await;
    assert!(checks.len() >= 3, "a checklist, not one line: {}", checks.len());
    let table = browser.text(&browser.find("table.checks").await).await;
    assert!(table.contains("pass"), "{table}");
    screenshot(&browser, "test-connection").await;

    // A broken setting: the checklist names the failure and its remedy.
    let mut config = setup.app.config(&setup.token);
    let etag = setup.etag().await;
    let settings = pb::StoreSettings { abandoned_cart_stage: "No Such Stage".into(), ..Default::default() };
    let update = pb::UpdateStoreConfigRequest {
        store_code: "main".into(),
        settings: Some(settings),
        update_mask: Some(prost_types::FieldMask { paths: vec!["abandoned_cart_stage".into()] }),
        etag,
    };
    config.update_store_config(update).await.expect("update");
    browser.goto(&console_url(&setup, "/console/stores/main/connection")).await;
    browser.click(&browser.find("#run-test").await).await;
    browser.wait_text("#test-result", "Some checks failed").await;
    let failed = browser.text(&browser.find("table.checks tr.check-fail").await).await;
    assert!(failed.contains("No Such Stage"), "{failed}");
    browser.goto(&console_url(&setup, "/console/")).await;
    browser.wait_text("#store-main", "Test Connection failed").await;
    browser.quit().await;
}
