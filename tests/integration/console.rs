//! The web console over plain HTTP: sign-in and sessions, CSRF on every
//! POST, settings edits validated like UpdateStoreConfig, and no secret on
//! any page. The same pages in a real browser: `console_browser.rs`.

use forcesync::pb;
use reqwest::StatusCode;

use crate::helpers::console::{ConsoleHttp, csrf, form_fields};
use crate::helpers::sandbox::{PASSWORD, TOKEN};
use crate::helpers::sync::{connected_store, jane};
use crate::helpers::{ADMIN_TOKEN, MASTER_KEY_B64, spawn_app};

/// The store's settings version now.
async fn version(app: &crate::helpers::TestApp) -> i64 {
    app.server.storage.get_settings("main").await.expect("settings").version
}

#[tokio::test]
async fn console_sign_in_refuses_a_wrong_token_and_sets_a_strict_session_cookie() {
    let app = spawn_app().await;
    app.create_store("main").await;
    let addr = app.server.http_addr.expect("http addr");
    let mut console = ConsoleHttp::new(addr);
    let page = console.get("/console/").await;
    assert_eq!((page.status, page.location.as_deref()), (StatusCode::SEE_OTHER, Some("/console/sign-in")));

    let refused = console.sign_in("not-the-admin-token-at-all-0000").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{refused:?}");
    assert!(refused.body.contains("That is not the admin token."), "{}", refused.body);
    assert_eq!(console.get("/console/").await.status, StatusCode::SEE_OTHER, "still not signed in");

    let anonymous = console.cookie.clone().expect("the sign-in form's cookie");
    let accepted = console.sign_in(ADMIN_TOKEN).await;
    assert_eq!((accepted.status, accepted.location.as_deref()), (StatusCode::SEE_OTHER, Some("/console/")));
    let cookie = accepted.set_cookie.expect("a session cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/console"));
    assert_ne!(console.cookie.as_deref(), Some(anonymous.as_str()), "sign-in issues a new session id");
    let overview = console.get("/console/").await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.body.contains("Store main"), "{}", overview.body);
    assert_eq!(overview.body.matches("id=\"store-main\"").count(), 1);

    let token = csrf(&overview.body);
    let session = console.cookie.clone();
    let out = console.post("/console/sign-out", &[("csrf", &token)]).await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out.set_cookie.is_some_and(|c| c.contains("Max-Age=0")), "the cookie is cleared");
    console.cookie = session;
    assert_eq!(console.get("/console/").await.status, StatusCode::SEE_OTHER, "the ended session is gone");
}

#[tokio::test]
async fn console_posts_without_the_sessions_csrf_token_are_refused() {
    let app = spawn_app().await;
    app.create_store("main").await;
    let addr = app.server.http_addr.expect("http addr");
    let mut anonymous = ConsoleHttp::new(addr);
    anonymous.get("/console/sign-in").await;
    let page = anonymous.post("/console/sign-in", &[("token", ADMIN_TOKEN)]).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "sign-in without the form's token: {page:?}");

    let mut console = ConsoleHttp::signed_in(addr, ADMIN_TOKEN).await;
    let settings = console.get("/console/stores/main/settings").await;
    let before = version(&app).await;
    let mut fields = form_fields(&settings.body, "/console/stores/main/settings");
    fields.retain(|(name, _)| name != "csrf");
    for (name, value) in &mut fields {
        if name == "sales_cycle_days" {
            *value = "45".into();
        }
    }
    let form: Vec<(&str, &str)> = fields.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    assert_eq!(console.post("/console/stores/main/settings", &form).await.status, StatusCode::FORBIDDEN);
    let mut wrong = form.clone();
    wrong.push(("csrf", "forged"));
    assert_eq!(console.post("/console/stores/main/settings", &wrong).await.status, StatusCode::FORBIDDEN);
    assert_eq!(version(&app).await, before, "nothing was saved");
    for path in ["/console/stores/main/parked/retry", "/console/stores/main/connection", "/console/sign-out"] {
        let page = console.post(path, &[("error_code", "")]).await;
        assert_eq!(page.status, StatusCode::FORBIDDEN, "{path}: {page:?}");
    }
    assert_eq!(console.get("/console/").await.status, StatusCode::OK, "sign-out without the token did nothing");
    let mut other = ConsoleHttp::signed_in(addr, ADMIN_TOKEN).await;
    let theirs = csrf(&other.get("/console/").await.body);
    let mut borrowed = form.clone();
    borrowed.push(("csrf", &theirs));
    let page = console.post("/console/stores/main/settings", &borrowed).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN, "another session's token does not do");

    let mine = csrf(&settings.body);
    let mut good = form.clone();
    good.push(("csrf", &mine));
    let saved = console.post("/console/stores/main/settings", &good).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    assert_eq!(version(&app).await, before + 1);
}

#[tokio::test]
async fn console_settings_edits_are_validated_like_the_rpc_and_guarded_by_the_etag() {
    let app = spawn_app().await;
    let (_, store_token) = app.create_store("main").await;
    let addr = app.server.http_addr.expect("http addr");
    let mut console = ConsoleHttp::signed_in(addr, ADMIN_TOKEN).await;
    let page = console.get("/console/stores/main/settings").await;
    let fields = form_fields(&page.body, "/console/stores/main/settings");
    let with = |changes: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut all = fields.clone();
        for (name, value) in changes {
            all.retain(|(n, _)| n != name);
            all.push(((*name).to_owned(), (*value).to_owned()));
        }
        all
    };
    let post = async |console: &mut ConsoleHttp, form: Vec<(String, String)>| {
        let form: Vec<(&str, &str)> = form.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        console.post("/console/stores/main/settings", &form).await
    };

    let refused = post(&mut console, with(&[("sales_cycle_days", "0"), ("connection.login_url", "ftp://nope")])).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("id=\"sales_cycle_days-error\""), "{}", refused.body);
    assert!(refused.body.contains("id=\"connection-login_url-error\""), "{}", refused.body);
    let unreadable = post(&mut console, with(&[("sales_cycle_days", "soon")])).await;
    assert_eq!(unreadable.status, StatusCode::BAD_REQUEST);
    assert!(unreadable.body.contains("must be a whole number"), "{}", unreadable.body);

    let saved =
        post(&mut console, with(&[("sales_cycle_days", "45"), ("create_order", "CREATE_ORDER_MODE_EVERY_ORDER")]))
            .await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    let mut config = app.config(&store_token);
    let current = config.get_store_config(pb::GetStoreConfigRequest { store_code: "main".into() }).await;
    let settings = current.expect("config").into_inner().settings.expect("settings");
    assert_eq!((settings.sales_cycle_days, settings.create_order), (45, pb::CreateOrderMode::EveryOrder as i32));

    let stale = post(&mut console, with(&[("sales_cycle_days", "60")])).await;
    assert_eq!(stale.status, StatusCode::CONFLICT, "the form's etag is stale now: {}", stale.body);
    assert!(stale.body.contains("changed elsewhere"), "{}", stale.body);

    let audit = console.get("/console/stores/main/audit").await.body;
    assert!(audit.contains("update_settings") && audit.contains("sales_cycle_days, create_order"), "{audit}");
    assert!(audit.contains("<td>admin</td>"), "{audit}");
}

#[tokio::test]
async fn console_pages_never_show_a_secret() {
    let setup = connected_store().await;
    setup.paid_sale().await;
    setup.sync().upsert_customer(crate::helpers::sync::customer_save("c9", jane())).await.expect("customer");
    let addr = setup.app.server.http_addr.expect("http addr");
    let mut console = ConsoleHttp::signed_in(addr, ADMIN_TOKEN).await;
    let session = console.cookie.clone().expect("cookie").split('=').nth(1).unwrap_or_default().to_owned();
    let mut pages = Vec::new();
    for path in [
        "/console/",
        "/console/stores/main/settings",
        "/console/stores/main/connection",
        "/console/stores/main/parked",
        "/console/stores/main/log",
        "/console/stores/main/log?level=info",
        "/console/stores/main/audit",
        "/console/stores/main/lookup?q=order+100000123",
        "/console/stores/main/lookup?q=customer+42",
    ] {
        let page = console.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {page:?}");
        pages.push((path.to_owned(), page.body));
    }
    let token = csrf(&pages[0].1);
    let ran = console.post("/console/stores/main/connection", &[("csrf", &token)]).await;
    assert!(ran.body.contains("All checks passed."), "{}", ran.body);
    pages.push(("test connection".into(), ran.body));
    pages.push(("sign-in".into(), ConsoleHttp::new(addr).get("/console/sign-in").await.body));

    let overview = console.get("/console/").await.body;
    assert!(overview.contains("Test Connection passed"), "the run is remembered: {overview}");
    assert!(overview.contains("API calls used by main"), "the engine's API budget is shown: {overview}");
    pages.push(("overview after the test".into(), overview));
    let lookup = &pages[7].1;
    let instance = setup.sandbox.server.url.trim_end_matches('/').replace('/', "&#x2f;");
    assert!(lookup.contains(&format!("href=\"{instance}&#x2f;001")), "records link to the org: {lookup}");
    assert!(lookup.contains("synced"), "{lookup}");
    assert!(pages[4].1.contains("order:100000123"), "the sync log lists the order: {}", pages[4].1);
    for (path, body) in &pages {
        for (what, secret) in [
            ("the admin token", ADMIN_TOKEN),
            ("the store token", setup.token.as_str()),
            ("the password", PASSWORD),
            ("the security token", TOKEN),
            ("the master key", MASTER_KEY_B64),
            ("the session id", session.as_str()),
        ] {
            assert!(!body.contains(secret), "{path} shows {what}");
        }
    }
}

/// Every console query (health counts, the kept connection and API budget,
/// parked pages by code, the filtered log, the audit page, lookups, single
/// and filtered retries) on SQLite and,
/// when `FORCESYNC_TEST_PG` is set, on PostgreSQL.
#[tokio::test]
async fn console_reads_and_retries_on_each_database() {
    use crate::helpers::postgres;
    use crate::helpers::sync::{SyncSetup, checkout, customer_save};
    use forcesync::pb::get_sync_status_request::Entity;
    use reqwest::Method;
    use serde_json::json;

    let mut databases = vec![None];
    databases.extend(postgres::fresh_database().await.map(Some));
    for database in databases {
        let engine = forcesync::engine::EngineConfig { max_attempts: 2, ..crate::helpers::test_engine() };
        let app = crate::helpers::spawn_app_with(database.clone(), engine).await;
        let (_, token) = app.create_store("main").await;
        let setup = SyncSetup { app, sandbox: crate::helpers::sandbox::spawn_sandbox().await, token };
        setup.connect(pb::StoreSettings::default(), Vec::new()).await;
        let mut sync = setup.sync();
        sync.upsert_customer(customer_save("c1", jane())).await.expect("customer");
        setup.settled(Entity::CustomerId("42".into())).await;
        setup.sandbox.control(Method::POST, "/faults/queue", Some(json!({"kind": "http_500", "count": 400}))).await;
        for cart in ["77", "78"] {
            sync.start_checkout(checkout(&format!("e{cart}"), cart, jane(), 1)).await.expect("checkout");
        }
        for cart in ["77", "78"] {
            let parked = setup.caught_up(Entity::CartId(cart.into())).await;
            assert_eq!(parked.state, pb::SyncState::Parked as i32, "{database:?}: {parked:?}");
        }
        setup.sandbox.control(Method::DELETE, "/faults", None).await;

        let addr = setup.app.server.http_addr.expect("http addr");
        let mut console = ConsoleHttp::signed_in(addr, ADMIN_TOKEN).await;
        let overview = console.get("/console/").await.body;
        assert!(overview.contains("<strong>2</strong> parked"), "{database:?}: {overview}");
        assert!(overview.contains("aria-label=\"API calls used by main\""), "{database:?}: budget kept: {overview}");
        assert!(overview.contains("<span class=\"badge ok\">yes</span>"), "{database:?}: connected: {overview}");
        let parked = console.get("/console/stores/main/parked?code=UNKNOWN_EXCEPTION").await.body;
        assert!(parked.contains("cart:77") && parked.contains("cart:78"), "{database:?}: {parked}");
        let none = console.get("/console/stores/main/parked?code=INVALID_FIELD").await.body;
        assert!(none.contains("No parked items with error code INVALID_FIELD"), "{database:?}: {none}");
        let errors = console.get("/console/stores/main/log?level=error&entity=cart%3A78").await.body;
        assert!(errors.contains("cart:78") && !errors.contains(">cart:77<"), "{database:?}: {errors}");
        let audit = console.get("/console/stores/main/audit").await.body;
        assert!(audit.contains("test_connection_apply"), "{database:?}: {audit}");

        let id = parked.split("name=\"entity_id\" value=\"").nth(1).and_then(|rest| rest.split('"').next());
        let id = id.expect("a Retry button").to_owned();
        let token = csrf(&parked);
        let retried = console.post("/console/stores/main/parked/retry", &[("csrf", &token), ("entity_id", &id)]).await;
        assert_eq!(retried.location.as_deref(), Some("/console/stores/main/parked?retried=1"), "{database:?}");
        let retried = console
            .post("/console/stores/main/parked/retry", &[("csrf", &token), ("error_code", "UNKNOWN_EXCEPTION")])
            .await;
        assert_eq!(retried.location.as_deref(), Some("/console/stores/main/parked?retried=1"), "{database:?}");
        for cart in ["77", "78"] {
            let status = setup.settled(Entity::CartId(cart.into())).await;
            assert_eq!(status.state, pb::SyncState::Synced as i32, "{database:?}: {status:?}");
        }
        let lookup = console.get("/console/stores/main/lookup?q=cart+78").await.body;
        assert!(lookup.contains(">synced<") && lookup.contains("Opportunity"), "{database:?}: {lookup}");
        let overview = console.get("/console/").await.body;
        assert!(overview.contains("up to date") && overview.contains(">none<"), "{database:?}: {overview}");
        setup.app.server.shutdown().await.expect("shutdown");
    }
}

/// The overview counts work not yet written (received events, then pending
/// entities) with the oldest's wait, and shows a pause with its reason.
#[tokio::test]
async fn console_overview_shows_the_backlog_and_a_pause_with_its_reason() {
    use crate::helpers::sync::{checkout, customer_save};
    use crate::helpers::{Bearer, spawn_app_with, stepped_engine};
    use forcesync::pb::sync_service_client::SyncServiceClient;

    let clock = forcesync::engine::TestClock::ahead_of_wall_clock();
    let app = spawn_app_with(None, stepped_engine(&clock)).await;
    let (_, token) = app.create_store("main").await;
    let mut sync = SyncServiceClient::with_interceptor(app.channel.clone(), Bearer::new(&token));
    sync.upsert_customer(customer_save("c1", jane())).await.expect("customer");
    sync.start_checkout(checkout("e1", "77", jane(), 1)).await.expect("checkout");
    sync.start_checkout(checkout("e2", "78", jane(), 1)).await.expect("checkout");
    let addr = app.server.http_addr.expect("http addr");
    let mut console = ConsoleHttp::signed_in(addr, ADMIN_TOKEN).await;
    let overview = console.get("/console/").await.body;
    assert!(overview.contains("<strong>3</strong> to write"), "three events not yet folded: {overview}");
    assert!(overview.contains("oldest due for"), "{overview}");

    let engine = app.server.engine().expect("engine");
    engine.drain().await;
    let overview = console.get("/console/").await.body;
    assert!(overview.contains("to write"), "the entities still wait: {overview}");
    assert!(overview.contains("not syncing: the store is not configured"), "{overview}");
    assert!(overview.contains("paused until"), "{overview}");
}
