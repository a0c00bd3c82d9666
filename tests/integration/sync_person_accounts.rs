//! Person Accounts (issue 12, item 4): with `person_accounts` on and an org
//! that has them, a customer without a company is one Person Account (no
//! Contact, no contact role); a company's buyer stays an Account and a
//! Contact; Test Connection fails the setting against an org without them.

use forcesync::pb::{self, get_sync_status_request::Entity};
use forcesync::sandbox::SandboxConfig;
use prost_types::FieldMask;

use crate::helpers::sandbox::{spawn_sandbox, spawn_sandbox_with};
use crate::helpers::sync::{by_order, connected_store_on, customer_save, field, order};
use crate::helpers::test_engine;
use crate::sync_store_data::{address, b2b, record};

#[tokio::test]
async fn customers_without_a_company_become_person_accounts() {
    let sandbox = spawn_sandbox_with(SandboxConfig { person_accounts: true, ..SandboxConfig::demo() }).await;
    let settings = pb::StoreSettings {
        person_accounts: true,
        create_order: pb::CreateOrderMode::EveryOrder as i32,
        ..Default::default()
    };
    let setup = connected_store_on(sandbox, test_engine(), settings, vec!["person_accounts", "create_order"]).await;
    let mut sync = setup.sync();
    let mut person = b2b(
        "701",
        address("1 Main St", "Albany", "NY", "12207", "US"),
        address("1 Main St", "Albany", "NY", "12207", "US"),
    );
    person.company = String::new();
    sync.upsert_customer(customer_save("c701", person.clone())).await.expect("customer");
    let status = setup.caught_up(Entity::CustomerId("701".into())).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    let account = record(&setup, "Account", "main:customer:701").await;
    assert_eq!(account["IsPersonAccount"], true);
    assert_eq!(field(&account, "Name"), "Ada Byron", "Salesforce derives the person's name");
    assert_eq!(field(&account, "PersonEmail"), "buyer701@acme.example");
    assert_eq!(field(&account, "PersonMailingCity"), "Albany");
    assert_eq!(field(&account, "BillingCity"), "Albany");
    assert!(setup.records("Contact").await.is_empty(), "no separate Contact");

    sync.place_order(order("o-701", "100000701", "", person, 2)).await.expect("order");
    let status = setup.caught_up(by_order("100000701")).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    assert!(setup.records("OpportunityContactRole").await.is_empty(), "no contact role without a Contact");
    let order_record = record(&setup, "Order", "main:order:100000701").await;
    assert_eq!(order_record["AccountId"], account["Id"]);

    let company = b2b(
        "702",
        address("2 Main St", "Albany", "NY", "12207", "US"),
        address("2 Main St", "Albany", "NY", "12207", "US"),
    );
    sync.upsert_customer(customer_save("c702", company)).await.expect("customer");
    let status = setup.caught_up(Entity::CustomerId("702".into())).await;
    assert_eq!(status.state, pb::SyncState::Synced as i32, "{status:?}");
    let account = record(&setup, "Account", "main:customer:702").await;
    assert_eq!((account["IsPersonAccount"].clone(), field(&account, "Name")), (false.into(), "Acme Ltd"));
    let contact = record(&setup, "Contact", "main:customer:702").await;
    assert_eq!(contact["AccountId"], account["Id"]);
}

#[tokio::test]
async fn person_accounts_against_an_org_without_them_fail_test_connection() {
    let settings = pb::StoreSettings::default();
    let setup = connected_store_on(spawn_sandbox().await, test_engine(), settings, vec![]).await;
    let mut config = setup.app.config(&setup.token);
    let etag = setup.etag().await;
    let response = config
        .test_connection(pb::TestConnectionRequest {
            store_code: "main".into(),
            settings: Some(pb::StoreSettings { person_accounts: true, ..Default::default() }),
            update_mask: Some(FieldMask { paths: vec!["person_accounts".into()] }),
            credentials: Vec::new(),
            apply: true,
            etag,
        })
        .await
        .expect("test connection")
        .into_inner();
    assert!(!response.applied, "{response:?}");
    let check = response.checks.iter().find(|c| c.name == "person_accounts").expect("person_accounts check");
    assert_eq!(check.status, pb::CheckStatus::Fail as i32);
    assert!(check.remedy.contains("Turn person_accounts off"), "{}", check.remedy);
}

#[tokio::test]
async fn the_sandbox_login_says_whether_the_org_has_person_accounts_and_currencies() {
    use crate::helpers::sandbox::{PASSWORD, TOKEN, USER, VERSION, xml_value};
    let config = SandboxConfig { person_accounts: true, multi_currency: true, ..SandboxConfig::demo() };
    let sandbox = spawn_sandbox_with(config).await;
    let (_, body) = sandbox.soap_login(VERSION, USER, &format!("{PASSWORD}{TOKEN}")).await;
    assert_eq!(xml_value(&body, "orgHasPersonAccounts").as_deref(), Some("true"));
    assert_eq!(xml_value(&body, "organizationMultiCurrency").as_deref(), Some("true"));
    let plain = spawn_sandbox().await;
    let (_, body) = plain.soap_login(VERSION, USER, &format!("{PASSWORD}{TOKEN}")).await;
    assert_eq!(xml_value(&body, "orgHasPersonAccounts").as_deref(), Some("false"));
}
