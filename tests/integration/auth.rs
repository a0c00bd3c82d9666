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
