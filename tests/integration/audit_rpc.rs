//! The configuration audit over gRPC: the admin reads any store's, a store
//! token only its own store's; paged newest first; never a value.

use forcesync::pb::{self, CredentialKind, CredentialValue, ListAuditEntriesRequest, ListConfigAuditRequest};

use crate::helpers::{Bearer, spawn_app};

const PASSWORD: &str = "audit-password-5e1f";

fn admin_list(code: &str, page_size: i32, page_token: &str) -> ListAuditEntriesRequest {
    ListAuditEntriesRequest { store_code: code.into(), page_size, page_token: page_token.into() }
}

#[tokio::test]
async fn the_audit_is_paged_newest_first_for_the_admin_and_the_store_itself() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut config = app.config(&token);
    for n in 0..4 {
        let value = CredentialValue { kind: CredentialKind::Password as i32, value: format!("{PASSWORD}-{n}") };
        let request = pb::SetCredentialsRequest { store_code: "main".into(), credentials: vec![value] };
        config.set_credentials(request).await.expect("set credentials");
    }

    // The admin pages through all five entries, two at a time.
    let mut admin = app.admin();
    let (mut entries, mut token_in) = (Vec::new(), String::new());
    let mut pages = 0;
    loop {
        let page = admin.list_audit_entries(admin_list("main", 2, &token_in)).await.expect("list").into_inner();
        pages += 1;
        assert!(page.entries.len() <= 2);
        entries.extend(page.entries);
        if page.next_page_token.is_empty() {
            break;
        }
        token_in = page.next_page_token;
    }
    assert_eq!(pages, 3);
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["set_credentials", "set_credentials", "set_credentials", "set_credentials", "create_store"]);
    assert_eq!(entries[0].fields, ["password"], "names what changed, not its value");
    assert!(entries[0].actor.starts_with("store-token:"), "{:?}", entries[0]);
    assert_eq!(entries[4].actor, "admin");
    let times: Vec<_> = entries.iter().map(|e| e.time.expect("time")).map(|t| (t.seconds, t.nanos)).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "newest first: {times:?}");
    assert!(!format!("{entries:?}").contains(PASSWORD), "no value in the audit");

    // The store reads its own audit with its token: the same entries.
    let own = config
        .list_config_audit(ListConfigAuditRequest {
            store_code: "main".into(),
            page_size: 10,
            page_token: String::new(),
        })
        .await
        .expect("own audit")
        .into_inner();
    assert_eq!(own.entries, entries);
    assert!(own.next_page_token.is_empty());
}

#[tokio::test]
async fn a_store_token_is_refused_on_another_stores_audit_and_bad_requests_are_named() {
    let app = spawn_app().await;
    let (_, main_token) = app.create_store("main").await;
    let (_, other_token) = app.create_store("other").await;
    let mut other = app.config(&other_token);
    let request = ListConfigAuditRequest { store_code: "main".into(), page_size: 0, page_token: String::new() };
    let refused = other.list_config_audit(request.clone()).await.expect_err("another store's audit");
    assert_eq!(refused.code(), tonic::Code::PermissionDenied, "{refused:?}");
    assert!(!refused.message().contains(&main_token) && !refused.message().contains(&other_token));

    let unauthenticated = app.admin_with(Bearer::none()).list_audit_entries(admin_list("main", 0, "")).await;
    assert_eq!(unauthenticated.expect_err("no admin token").code(), tonic::Code::Unauthenticated);
    let store_token_as_admin =
        app.admin_with(Bearer::new(&main_token)).list_audit_entries(admin_list("main", 0, "")).await;
    assert_eq!(
        store_token_as_admin.expect_err("a store token is not the admin token").code(),
        tonic::Code::Unauthenticated
    );

    let mut admin = app.admin();
    let bad_token = admin.list_audit_entries(admin_list("main", 0, "not-a-token")).await.expect_err("bad page token");
    assert_eq!(crate::helpers::violated_fields(&bad_token), ["page_token"]);
    let bad_size = admin.list_audit_entries(admin_list("main", 5000, "")).await.expect_err("page too large");
    assert_eq!(crate::helpers::violated_fields(&bad_size), ["page_size"]);
    let bad_code = admin.list_audit_entries(admin_list("Not A Code", 0, "")).await.expect_err("bad code");
    assert_eq!(crate::helpers::violated_fields(&bad_code), ["store_code"]);

    // A deleted store's audit stays readable by the admin, ending with its deletion.
    admin.delete_store(pb::DeleteStoreRequest { code: "other".into() }).await.expect("delete");
    let page = admin.list_audit_entries(admin_list("other", 0, "")).await.expect("deleted store's audit").into_inner();
    let actions: Vec<&str> = page.entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["delete_store", "create_store"]);
}
