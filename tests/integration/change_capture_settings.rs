//! The change_capture settings (issue 14) through StoreConfigService: the
//! defaults a new store reads, a masked update of each path, and bad values
//! refused naming their field path with nothing written.

use forcesync::pb::{
    self, ChangeCaptureSettings, ConflictPolicy, GetStoreConfigRequest, StoreSettings, UpdateStoreConfigRequest,
    WatchedObject,
};
use prost_types::FieldMask;

use crate::helpers::{ConfigClient, spawn_app, violated_fields};

async fn read(client: &mut ConfigClient) -> (String, ChangeCaptureSettings) {
    let config =
        client.get_store_config(GetStoreConfigRequest { store_code: "main".into() }).await.expect("get").into_inner();
    (config.etag, config.settings.and_then(|s| s.change_capture).expect("change_capture"))
}

async fn update(
    client: &mut ConfigClient,
    etag: &str,
    change_capture: ChangeCaptureSettings,
    paths: &[&str],
) -> Result<String, tonic::Status> {
    let request = UpdateStoreConfigRequest {
        store_code: "main".into(),
        settings: Some(StoreSettings { change_capture: Some(change_capture), ..Default::default() }),
        update_mask: Some(FieldMask { paths: paths.iter().map(|p| (*p).to_owned()).collect() }),
        etag: etag.into(),
    };
    client.update_store_config(request).await.map(|r| r.into_inner().etag)
}

fn watch(object: &str, fields: &[&str]) -> WatchedObject {
    WatchedObject { object: object.into(), fields: fields.iter().map(|f| (*f).to_owned()).collect() }
}

#[tokio::test]
async fn a_new_store_reads_the_default_watched_fields() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let (_, c) = read(&mut app.config(&token)).await;
    assert_eq!(c.poll_interval_seconds, 60);
    assert_eq!(c.conflict_policy(), ConflictPolicy::LatestWins);
    let objects: Vec<&str> = c.watched.iter().map(|w| w.object.as_str()).collect();
    assert_eq!(objects, ["Account", "Contact", "Opportunity", "Order"]);
    assert_eq!(
        c.watched[0].fields,
        ["Name", "Phone", "BillingStreet", "BillingCity", "BillingPostalCode", "BillingState", "BillingCountry"]
    );
    assert!(c.watched[1].fields.iter().any(|f| f == "Email"));
    assert_eq!(c.watched[2].fields, ["StageName"]);
    assert_eq!(c.watched[3].fields, ["Status"]);
}

#[tokio::test]
async fn each_path_updates_only_its_field() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut client = app.config(&token);
    let (etag, defaults) = read(&mut client).await;

    let interval = ChangeCaptureSettings { poll_interval_seconds: 300, ..Default::default() };
    let etag = update(&mut client, &etag, interval, &["change_capture.poll_interval_seconds"]).await.expect("interval");
    let (_, now) = read(&mut client).await;
    assert_eq!(now, ChangeCaptureSettings { poll_interval_seconds: 300, ..defaults.clone() });

    let policy = ChangeCaptureSettings { conflict_policy: ConflictPolicy::StoreWins as i32, ..Default::default() };
    let etag = update(&mut client, &etag, policy, &["change_capture.conflict_policy"]).await.expect("policy");
    assert_eq!(read(&mut client).await.1.conflict_policy(), ConflictPolicy::StoreWins);

    let list = vec![watch("Order", &["Status", "Tracking__c"]), watch("Account", &["Phone"])];
    let watched = ChangeCaptureSettings { watched: list.clone(), ..Default::default() };
    let etag = update(&mut client, &etag, watched, &["change_capture.watched"]).await.expect("watched");
    let (_, now) = read(&mut client).await;
    assert_eq!(now.watched, list, "the list is replaced");
    assert_eq!((now.poll_interval_seconds, now.conflict_policy()), (300, ConflictPolicy::StoreWins), "siblings kept");

    // UNSPECIFIED takes the default, as with the other enums.
    let etag = update(&mut client, &etag, ChangeCaptureSettings::default(), &["change_capture.conflict_policy"])
        .await
        .expect("unspecified");
    assert_eq!(read(&mut client).await.1.conflict_policy(), ConflictPolicy::LatestWins);

    let whole = ChangeCaptureSettings {
        watched: vec![watch("Opportunity", &["StageName", "Amount"])],
        poll_interval_seconds: 5,
        conflict_policy: ConflictPolicy::SalesforceWins as i32,
    };
    let etag = update(&mut client, &etag, whole.clone(), &["change_capture"]).await.expect("whole");
    assert_eq!(read(&mut client).await.1, whole);

    let none = ChangeCaptureSettings { watched: Vec::new(), ..Default::default() };
    update(&mut client, &etag, none, &["change_capture.watched"]).await.expect("watch nothing");
    assert!(read(&mut client).await.1.watched.is_empty());

    let audit = app.server.storage.list_audit("main", 1).await.expect("audit");
    assert_eq!(audit[0].fields, ["change_capture.watched"]);
}

#[tokio::test]
async fn accepted_in_store_to_salesforce_mode() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut client = app.config(&token);
    let c = ChangeCaptureSettings { poll_interval_seconds: 120, ..Default::default() };
    update(&mut client, "v1", c, &["change_capture.poll_interval_seconds"]).await.expect("accepted");
    let config =
        client.get_store_config(GetStoreConfigRequest { store_code: "main".into() }).await.expect("get").into_inner();
    let settings = config.settings.expect("settings");
    assert_eq!(settings.integration_mode(), pb::IntegrationMode::StoreToSalesforce);
    assert_eq!(settings.change_capture.expect("change_capture").poll_interval_seconds, 120);
}

#[tokio::test]
async fn bad_values_are_refused_by_path_and_nothing_is_written() {
    let app = spawn_app().await;
    let (_, token) = app.create_store("main").await;
    let mut client = app.config(&token);
    let refused = |status: tonic::Status| {
        let mut fields = violated_fields(&status);
        fields.sort();
        fields
    };

    let bad = ChangeCaptureSettings {
        watched: vec![watch("Lead", &["Email"]), watch("Account", &["Bad Name", ""]), watch("Contact", &[])],
        poll_interval_seconds: 4,
        conflict_policy: 9,
    };
    let status = update(&mut client, "v1", bad, &["change_capture"]).await.expect_err("refused");
    assert_eq!(
        refused(status),
        [
            "settings.change_capture.conflict_policy",
            "settings.change_capture.poll_interval_seconds",
            "settings.change_capture.watched[0].object",
            "settings.change_capture.watched[1].fields[0]",
            "settings.change_capture.watched[1].fields[1]",
        ]
    );

    let rules = ChangeCaptureSettings {
        watched: vec![
            watch("Account", &["Phone", "phone", "SystemModstamp"]),
            watch("Contact", &[]),
            watch("Account", &["Name"]),
        ],
        ..Default::default()
    };
    let status = update(&mut client, "v1", rules, &["change_capture.watched"]).await.expect_err("refused");
    let message = status.message().to_owned();
    assert_eq!(
        refused(status),
        [
            "settings.change_capture.watched[0].fields[1]",
            "settings.change_capture.watched[0].fields[2]",
            "settings.change_capture.watched[1].fields",
            "settings.change_capture.watched[2].object",
        ]
    );
    assert!(message.contains("always read") && message.contains("already watched"), "{message}");

    let slow = ChangeCaptureSettings { poll_interval_seconds: 86_401, ..Default::default() };
    let status = update(&mut client, "v1", slow, &["change_capture.poll_interval_seconds"]).await.expect_err("slow");
    assert!(status.message().contains("between 5 and 86400"), "{}", status.message());
    assert_eq!(refused(status), ["settings.change_capture.poll_interval_seconds"]);

    let many: Vec<String> = (0..51).map(|i| format!("F{i}__c")).collect();
    let wide = ChangeCaptureSettings {
        watched: vec![WatchedObject { object: "Order".into(), fields: many }],
        ..Default::default()
    };
    let status = update(&mut client, "v1", wide, &["change_capture.watched"]).await.expect_err("wide");
    assert_eq!(refused(status), ["settings.change_capture.watched[0].fields"]);

    let (etag, c) = read(&mut client).await;
    assert_eq!((etag.as_str(), c.poll_interval_seconds), ("v1", 60), "nothing was written");
}
