//! StoreAdminService: creating, reading, listing, deleting stores and
//! rotating their tokens.

use forcesync::pb::{
    CreateStoreRequest, DeleteStoreRequest, GetStoreConfigRequest, GetStoreRequest, ListStoresRequest,
    RotateStoreTokenRequest,
};
use tonic::Code;

use crate::helpers::{spawn_app, violated_fields};

#[tokio::test]
async fn created_store_gets_a_working_token_shown_once() {
    let app = spawn_app().await;
    let (store, token) = app.create_store("main").await;
    assert!(token.starts_with("fs_") && token.len() >= 3 + 43, "32 random bytes, base64");
    assert_eq!(store.code, "main");
    assert!(store.token_id.starts_with("tok_"));
    assert_eq!(store.settings_etag, "v1");

    let config = app.config(&token).get_store_config(GetStoreConfigRequest { store_code: "main".into() }).await;
    assert!(config.is_ok(), "{config:?}");

    let fetched = app.admin().get_store(GetStoreRequest { code: "main".into() }).await.expect("get").into_inner();
    let fetched = fetched.store.expect("store");
    assert_eq!((fetched.display_name.as_str(), fetched.token_id.as_str()), ("Store main", store.token_id.as_str()));
}

#[tokio::test]
async fn duplicate_and_invalid_stores_are_refused() {
    let app = spawn_app().await;
    app.create_store("main").await;
    let again = CreateStoreRequest { code: "main".into(), display_name: "Again".into() };
    let status = app.admin().create_store(again).await.expect_err("duplicate");
    assert_eq!(status.code(), Code::AlreadyExists);

    let bad = CreateStoreRequest { code: "Bad Code".into(), display_name: "  ".into() };
    let status = app.admin().create_store(bad).await.expect_err("invalid");
    assert_eq!(violated_fields(&status), ["code", "display_name"]);
}

#[tokio::test]
async fn stores_are_listed_in_pages() {
    let app = spawn_app().await;
    for code in ["e", "a", "d", "c", "b"] {
        app.create_store(code).await;
    }
    let mut seen = Vec::new();
    let mut page_token = String::new();
    let mut pages = 0;
    loop {
        let request = ListStoresRequest { page_size: 2, page_token: page_token.clone() };
        let page = app.admin().list_stores(request).await.expect("list").into_inner();
        pages += 1;
        assert!(page.stores.len() <= 2);
        seen.extend(page.stores.into_iter().map(|s| s.code));
        if page.next_page_token.is_empty() {
            break;
        }
        page_token = page.next_page_token;
    }
    assert_eq!(seen, ["a", "b", "c", "d", "e"]);
    assert_eq!(pages, 3);

    let bad = ListStoresRequest { page_size: -1, page_token: "garbage!".into() };
    let status = app.admin().list_stores(bad).await.expect_err("invalid paging");
    assert_eq!(violated_fields(&status), ["page_size"]);
    let bad = ListStoresRequest { page_size: 0, page_token: "garbage!".into() };
    let status = app.admin().list_stores(bad).await.expect_err("invalid token");
    assert_eq!(violated_fields(&status), ["page_token"]);
}

#[tokio::test]
async fn deleted_store_is_gone_with_its_token() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("gone").await;
    app.admin().delete_store(DeleteStoreRequest { code: "gone".into() }).await.expect("delete");

    let status = app.admin().get_store(GetStoreRequest { code: "gone".into() }).await.expect_err("deleted");
    assert_eq!(status.code(), Code::NotFound);
    let status = app.admin().delete_store(DeleteStoreRequest { code: "gone".into() }).await.expect_err("twice");
    assert_eq!(status.code(), Code::NotFound);
    let status =
        app.config(&token).get_store_config(GetStoreConfigRequest { store_code: "gone".into() }).await.expect_err("");
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn rotating_revokes_the_old_token() {
    let app = spawn_app().await;
    let (store, old_token) = app.create_store("main").await;
    let rotated =
        app.admin().rotate_store_token(RotateStoreTokenRequest { code: "main".into() }).await.expect("rotate");
    let rotated = rotated.into_inner();
    let new_store = rotated.store.expect("store");
    assert_ne!(new_store.token_id, store.token_id);
    assert_ne!(rotated.store_token, old_token);

    let get = || GetStoreConfigRequest { store_code: "main".into() };
    let status = app.config(&old_token).get_store_config(get()).await.expect_err("old token revoked");
    assert_eq!(status.code(), Code::Unauthenticated);
    assert!(app.config(&rotated.store_token).get_store_config(get()).await.is_ok());

    let status = app.admin().rotate_store_token(RotateStoreTokenRequest { code: "nope".into() }).await.expect_err("");
    assert_eq!(status.code(), Code::NotFound);
}
