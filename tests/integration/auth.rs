//! Missing, wrong and misplaced tokens are refused before anything is read.

use forcesync::pb::{GetStoreConfigRequest, GetStoreRequest, ListStoresRequest};
use tonic::Code;

use crate::helpers::{Bearer, error_reason, spawn_app};

#[tokio::test]
async fn admin_api_needs_the_admin_token() {
    let app = spawn_app().await;
    let (_, store_token) = app.create_store("main").await;
    let list = || ListStoresRequest::default();

    let status = app.admin_with(Bearer::none()).list_stores(list()).await.expect_err("no token");
    assert_eq!((status.code(), error_reason(&status).as_str()), (Code::Unauthenticated, "MISSING_TOKEN"));
    for wrong in ["not-the-admin-token-at-all-000", store_token.as_str(), ""] {
        let status = app.admin_with(Bearer::new(wrong)).list_stores(list()).await.expect_err("wrong token");
        assert_eq!(status.code(), Code::Unauthenticated, "{wrong:?}");
    }
    let status = app.admin_with(Bearer::none()).get_store(GetStoreRequest { code: "main".into() }).await;
    assert_eq!(status.expect_err("no token").code(), Code::Unauthenticated);
}

#[tokio::test]
async fn config_api_needs_a_store_token() {
    let app = spawn_app().await;
    app.create_store("main").await;
    let get = || GetStoreConfigRequest { store_code: "main".into() };

    let status = app.config_with(Bearer::none()).get_store_config(get()).await.expect_err("no token");
    assert_eq!(status.code(), Code::Unauthenticated);
    let forged = format!("fs_{}", "A".repeat(43));
    for wrong in [forged.as_str(), crate::helpers::ADMIN_TOKEN, "fs_"] {
        let status = app.config(wrong).get_store_config(get()).await.expect_err("wrong token");
        assert_eq!((status.code(), error_reason(&status).as_str()), (Code::Unauthenticated, "INVALID_TOKEN"));
    }
}

#[tokio::test]
async fn a_store_token_cannot_reach_another_store() {
    let app = spawn_app().await;
    let (_, token_a) = app.create_store("store-a").await;
    app.create_store("store-b").await;

    for target in ["store-b", "does-not-exist", "INVALID CODE"] {
        let request = GetStoreConfigRequest { store_code: target.into() };
        let status = app.config(&token_a).get_store_config(request).await.expect_err("cross-store");
        assert_eq!(status.code(), Code::PermissionDenied, "{target}");
        assert_eq!(error_reason(&status), "WRONG_STORE");
        assert!(!status.message().contains("Prospecting"), "no settings leak: {}", status.message());
    }
}

/// Revocation takes effect at once, and a token stays bound to the store it
/// was issued for: after `RotateStoreToken` and `DeleteStore` the old token
/// reads and writes nothing, even of a new store with the same code.
#[tokio::test]
async fn revoked_and_deleted_tokens_stop_at_once_and_never_reach_a_new_store() {
    use forcesync::pb::{self, sync_service_client::SyncServiceClient};
    let app = spawn_app().await;
    let sync = |token: &str| SyncServiceClient::with_interceptor(app.channel.clone(), Bearer::new(token));
    let list = || pb::ListSyncEventsRequest::default();
    let customer = |event: &str| pb::UpsertCustomerRequest {
        event_id: event.into(),
        customer: Some(crate::helpers::sync::jane()),
        occur_time: None,
    };

    let (_, old) = app.create_store("main").await;
    sync(&old).upsert_customer(customer("e1")).await.expect("the token works");
    sync(&old).list_sync_events(list()).await.expect("and reads");
    let rotated = app.admin().rotate_store_token(pb::RotateStoreTokenRequest { code: "main".into() }).await;
    let new = rotated.expect("rotate").into_inner().store_token;
    let refused = sync(&old).list_sync_events(list()).await.expect_err("revoked at once");
    assert_eq!(refused.code(), Code::Unauthenticated);
    let refused = sync(&old).upsert_customer(customer("e2")).await.expect_err("revoked at once");
    assert_eq!(refused.code(), Code::Unauthenticated);
    sync(&new).list_sync_events(list()).await.expect("the new token works");

    app.admin().delete_store(pb::DeleteStoreRequest { code: "main".into() }).await.expect("delete");
    let refused = sync(&new).list_sync_events(list()).await.expect_err("deleted at once");
    assert_eq!(refused.code(), Code::Unauthenticated);

    let (_, again) = app.create_store("main").await;
    sync(&again).upsert_customer(customer("x1")).await.expect("the new store's token");
    for stale in [&old, &new] {
        let refused = sync(stale).list_sync_events(list()).await.expect_err("bound to the deleted store");
        assert_eq!(refused.code(), Code::Unauthenticated);
    }
}

/// A token revoked by another process on the same database (the CLI's
/// `store rotate-token` beside a running server, another replica) stops
/// working once the server's resolved copy is older than `TOKEN_CACHE_TTL`.
#[tokio::test]
async fn a_token_revoked_by_another_process_stops_working_soon_after() {
    use forcesync::pb::{self, sync_service_client::SyncServiceClient};
    let app = spawn_app().await;
    let (_, old) = app.create_store("main").await;
    let mut sync = SyncServiceClient::with_interceptor(app.channel.clone(), Bearer::new(&old));
    sync.list_sync_events(pb::ListSyncEventsRequest::default()).await.expect("the token works");

    let cli = forcesync::storage::Storage::connect(&app.database_url).await.expect("a second process's storage");
    cli.rotate_store_token("main", &forcesync::storage::Actor::Cli).await.expect("rotate from the CLI");
    let rotated = tokio::time::Instant::now();
    let deadline = rotated + crate::sync_faults::PATIENCE;
    loop {
        match sync.list_sync_events(pb::ListSyncEventsRequest::default()).await {
            Err(refused) => {
                assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");
                break;
            }
            Ok(_) => {
                let waited = rotated.elapsed();
                assert!(tokio::time::Instant::now() < deadline, "still accepted after {waited:?}");
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        }
    }
    cli.close().await;
}

/// Internal store ids are never reused, so nothing keyed by a deleted
/// store's id (a cached token, a lease, a log row) can ever name a new one.
#[tokio::test]
async fn store_ids_are_never_reused() {
    let postgres = crate::helpers::postgres::fresh_database().await;
    for database in [None].into_iter().chain(postgres.map(Some)) {
        let app = crate::helpers::spawn_app_on(database).await;
        let storage = &app.server.storage;
        let mut seen = Vec::new();
        for round in 0..3 {
            let (_, token) = app.create_store("main").await;
            let hash = forcesync::domain::token::Token::from_secret(&token).hash();
            let id = storage.find_store_token(&hash).await.expect("lookup").expect("store").store_id;
            assert!(!seen.contains(&id), "round {round}: id {id} reused ({seen:?})");
            seen.push(id);
            app.admin().delete_store(forcesync::pb::DeleteStoreRequest { code: "main".into() }).await.expect("delete");
        }
    }
}

/// The store token layer makes the one token lookup of a call and hands the
/// handler the resolved caller in the request's extensions; a bad token never
/// reaches the handler, and the admin service's calls pass untouched.
#[tokio::test]
async fn the_token_layer_resolves_the_caller_once_for_the_handler() {
    use std::sync::{Arc, Mutex};
    use tower::{Layer as _, Service as _, ServiceExt as _};

    use forcesync::api::{Caller, StoreTokenLayer, TokenStores};

    let app = spawn_app().await;
    let (store, token) = app.create_store("main").await;
    let storage = app.server.storage.clone();
    let seen: Arc<Mutex<Vec<Option<Caller>>>> = Arc::default();
    let handler_saw = seen.clone();
    let handler = tower::service_fn(move |request: http::Request<()>| {
        handler_saw.lock().expect("lock").push(request.extensions().get::<Caller>().cloned());
        async { Ok::<_, std::convert::Infallible>(http::Response::new(tonic::body::Body::empty())) }
    });
    let mut check = StoreTokenLayer::new(TokenStores::new(storage.clone())).layer(handler);
    let call = |path: &str, token: &str| {
        let request = http::Request::builder().uri(path).header("authorization", format!("Bearer {token}"));
        request.body(()).expect("request")
    };

    let response = check.ready().await.expect("ready").call(call("/forcesync.v1.SyncService/ListSyncEvents", &token));
    assert!(response.await.expect("answered").headers().get("grpc-status").is_none(), "passed on");
    let expected = Caller {
        store_id: storage.store_id("main").await.expect("store id"),
        store_code: "main".into(),
        token_id: store.token_id.clone(),
    };
    assert_eq!(seen.lock().expect("lock").as_slice(), [Some(expected.clone())]);

    let forged = format!("fs_{}", "A".repeat(43));
    let refused =
        check.ready().await.expect("ready").call(call("/forcesync.v1.StoreConfigService/GetStoreConfig", &forged));
    let refused = refused.await.expect("answered");
    assert_eq!(refused.headers().get("grpc-status").map(|v| v.as_bytes()), Some(&b"16"[..]), "UNAUTHENTICATED");
    assert_eq!(seen.lock().expect("lock").len(), 1, "a bad token never reaches the handler");

    let admin = check.ready().await.expect("ready").call(call("/forcesync.v1.StoreAdminService/ListStores", "x"));
    admin.await.expect("answered");
    assert_eq!(seen.lock().expect("lock").as_slice(), [Some(expected), None], "admin calls pass, no caller");
}
