//! PreviewPlan shows what the engine then writes: a sale previewed event by
//! event, then synced, leaves in the sandbox exactly the previewed values
//! (parents named by key end up as the parents' Ids), and the records the
//! preview skipped are not touched. A Contact adopted by email (the engine's
//! lookup, which a preview does not make) then previews as it is written.

use forcesync::pb::{self, get_sync_status_request::Entity, sync_event::Event};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::sync::{
    SyncClient, SyncSetup, by_order, connected_store, customer_save, field, jane, order, payment,
};

const ORDER: &str = "100000123";
const KEY_FIELD: &str = "ForceSync_Key__c";

async fn preview(sync: &mut SyncClient, event: Event) -> Vec<pb::PlannedWrite> {
    let request = pb::PreviewPlanRequest { event: Some(pb::SyncEvent { event: Some(event) }) };
    sync.preview_plan(request).await.expect("preview").into_inner().writes
}

/// The sandbox's record of `object` under forcesync key `key`.
fn record<'a>(dump: &'a Value, object: &str, key: &str) -> Option<&'a Value> {
    dump.get(object)?.as_array()?.iter().find(|r| r[KEY_FIELD] == json!(key))
}

fn same(expected: &Value, held: &Value) -> bool {
    match (expected.as_f64(), held.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-9,
        _ => expected == held,
    }
}

/// Every previewed value is in the sandbox's record; a parent named by its
/// key (`"Account": {"ForceSync_Key__c": …}`) is the parent's Id (`AccountId`).
fn assert_holds(dump: &Value, write: &pb::PlannedWrite) {
    let held = record(dump, &write.object, &write.external_key)
        .unwrap_or_else(|| panic!("no {} {} in the sandbox", write.object, write.external_key));
    let body: Value = serde_json::from_str(&write.body_json).expect("JSON body");
    for (name, value) in body.as_object().expect("a body is an object") {
        match value.get(KEY_FIELD).and_then(Value::as_str) {
            Some(parent_key) => {
                let parent = record(dump, name, parent_key).unwrap_or_else(|| panic!("no {name} {parent_key}"));
                assert_eq!(held[format!("{name}Id")], parent["Id"], "{} {}: {name}", write.object, write.external_key);
            }
            None => assert!(
                same(value, &held[name]),
                "{} {}: {name} {value} vs {}",
                write.object,
                write.external_key,
                held[name]
            ),
        }
    }
}

fn split(writes: &[pb::PlannedWrite]) -> (Vec<&pb::PlannedWrite>, Vec<&pb::PlannedWrite>) {
    writes.iter().partition(|w| w.skipped_reason.is_empty())
}

fn objects(writes: &[&pb::PlannedWrite]) -> Vec<String> {
    writes.iter().map(|w| w.object.clone()).collect()
}

/// Previews `event`, submits it, waits for the sale; checks the sandbox against the preview.
async fn previewed_then_synced(setup: &SyncSetup, event: Event) -> (Vec<String>, Vec<String>) {
    let mut sync = setup.sync();
    let writes = preview(&mut sync, event.clone()).await;
    let before = setup.sandbox.control(Method::GET, "/dump", None).await;
    let batch = pb::SubmitEventsRequest { events: vec![pb::SyncEvent { event: Some(event) }] };
    sync.submit_events(batch).await.expect("submit");
    setup.caught_up(by_order(ORDER)).await;
    let after = setup.sandbox.control(Method::GET, "/dump", None).await;
    let (sent, skipped) = split(&writes);
    for write in &sent {
        assert_holds(&after, write);
    }
    for write in &skipped {
        let (was, is) =
            (record(&before, &write.object, &write.external_key), record(&after, &write.object, &write.external_key));
        let stamp = |r: Option<&Value>| r.map(|r| r["SystemModstamp"].clone());
        assert_eq!(stamp(was), stamp(is), "{} {} was skipped: not written", write.object, write.external_key);
    }
    (objects(&sent), objects(&skipped))
}

#[tokio::test]
async fn preview_shows_what_the_engine_then_writes_through_a_sale() {
    let setup = connected_store().await;
    // A placed order for a new customer: every record is new.
    let (sent, skipped) = previewed_then_synced(&setup, Event::Order(order("e1", ORDER, "77", jane(), 1))).await;
    assert_eq!(sent, ["Account", "Contact", "Opportunity", "OpportunityContactRole"]);
    assert!(skipped.is_empty(), "{skipped:?}");
    let counts = setup.sale_records().await;
    assert_eq!(counts, [1, 1, 1, 1, 0, 0], "exactly the previewed records");

    // The payment: the customer and the role are unchanged (skipped), the Opportunity closes, the Order appears.
    let (sent, skipped) = previewed_then_synced(&setup, Event::Payment(payment("e2", ORDER, "2025-03-04", 2))).await;
    assert_eq!(skipped, ["Account", "Contact", "OpportunityContactRole"]);
    assert_eq!(&sent[..2], ["Opportunity", "Order"]);
    assert!(sent[2..].iter().all(|object| object == "OrderItem") && sent.len() > 2, "{sent:?}");
    assert_eq!(setup.records("OrderItem").await.len(), sent.len() - 2);
    assert_eq!(field(&setup.records("Opportunity").await[0], "StageName"), "Closed Won");

    // Nothing changed since: the preview skips everything, and so does the engine.
    let writes = preview(&mut setup.sync(), Event::Payment(payment("e2", ORDER, "2025-03-04", 2))).await;
    assert!(writes.iter().all(|w| w.skipped_reason == "already written with these values"), "{writes:?}");
}

#[tokio::test]
async fn preview_shows_an_adopted_contact_as_the_engine_writes_it() {
    let setup = connected_store().await;
    let session = setup.sandbox.session().await;
    let create = async |object: &str, body: Value| {
        let (status, _, created) =
            setup.sandbox.rest(Method::POST, &format!("sobjects/{object}"), &session, Some(body)).await;
        assert!(status.is_success(), "{created}");
        created["id"].as_str().expect("id").to_owned()
    };
    let account_id = create("Account", json!({"Name": "Doe Household"})).await;
    let contact = json!({"FirstName": "Jane", "LastName": "Doe", "Email": "jane@example.com", "AccountId": account_id});
    let contact_id = create("Contact", contact).await;
    let mut sync = setup.sync();
    sync.upsert_customer(customer_save("c1", jane())).await.expect("customer");
    setup.settled(Entity::CustomerId("42".into())).await;

    let mut changed = jane();
    changed.first_name = "Janet".into();
    let writes = preview(&mut sync, Event::Customer(customer_save("c2", changed.clone()))).await;
    let (sent, skipped) = split(&writes);
    assert_eq!((objects(&sent), objects(&skipped)), (vec!["Contact".to_owned()], vec!["Account".to_owned()]));
    assert!(skipped[0].skipped_reason.contains("never renames"), "{skipped:?}");
    let body: Value = serde_json::from_str(&sent[0].body_json).expect("JSON body");
    assert_eq!(body["AccountId"], json!(account_id), "the adopted Account, by Id: {body}");
    assert!(body.get("Account").is_none(), "{body}");

    sync.upsert_customer(customer_save("c2", changed)).await.expect("changed customer");
    setup.caught_up(Entity::CustomerId("42".into())).await;
    let dump = setup.sandbox.control(Method::GET, "/dump", None).await;
    assert_holds(&dump, sent[0]);
    let contacts = setup.records("Contact").await;
    assert_eq!((contacts.len(), field(&contacts[0], "Id")), (1, contact_id.as_str()));
    assert_eq!(field(&setup.records("Account").await[0], "Name"), "Doe Household");
}
