//! The write planner's rules: skip-unchanged by hash, create-only fields left
//! out for records that exist, adopted Contacts and Accounts, price book Ids.

use serde_json::{Value, json};

use super::*;
use crate::domain::lifecycle::ParentRef;
use crate::domain::sync::EntityKind;

const KEY_FIELD: &str = "ForceSync_Key__c";

fn parent(relationship: &str, object: &str, key: &str) -> ParentRef {
    ParentRef { relationship: relationship.into(), object: object.into(), key_field: KEY_FIELD.into(), key: key.into() }
}

fn op(object: &str, key: &str, fields: Value, parents: Vec<ParentRef>) -> PlannedWrite {
    let Value::Object(fields) = fields else { panic!("fields are an object") };
    PlannedWrite {
        object: object.into(),
        key_field: KEY_FIELD.into(),
        key: key.into(),
        fields: fields.into_iter().collect(),
        parents,
    }
}

fn contact() -> PlannedWrite {
    let fields = json!({"FirstName": "Jane", "LastName": "Doe", "Email": "Jane@Example.com "});
    op("Contact", "main:customer:42", fields, vec![parent("Account", "Account", "main:customer:42")])
}

fn account() -> PlannedWrite {
    op("Account", "main:customer:42", json!({"Name": "Jane Doe"}), Vec::new())
}

fn contact_role() -> PlannedWrite {
    let parents =
        vec![parent("Opportunity", "Opportunity", "main:cart:77"), parent("Contact", "Contact", "main:customer:42")];
    op("OpportunityContactRole", "main:cart:77:role", json!({"Role": "Decision Maker"}), parents)
}

fn order_item() -> PlannedWrite {
    let parents = vec![parent("Order", "Order", "main:order:1"), parent("Product2", "Product2", "main:product:WB-1")];
    op("OrderItem", "main:orderitem:1:1", json!({"Quantity": 2.0, "UnitPrice": 12.5}), parents)
}

fn known(entries: &[(&str, &str, &str, Vec<u8>, bool)]) -> KnownRecords {
    entries
        .iter()
        .map(|(object, key, id, hash, matched)| {
            let record =
                KnownRecord { id: (*id).into(), body_hash: hash.clone(), matched: *matched, kept_by_customer: false };
            (((*object).to_owned(), (*key).to_owned()), record)
        })
        .collect()
}

fn decide_with(operation: &PlannedWrite, records: &KnownRecords, book: Option<&str>) -> RecordWrite {
    decide(operation, &Known { records, pricebook_id: book, writer: EntityKind::Sale }).expect("decided")
}

#[test]
fn a_record_written_with_the_same_values_is_skipped_and_a_changed_one_is_upserted() {
    let account = account();
    let written = hash("Account", account.key(), &account.body());
    let records = known(&[("Account", "main:customer:42", "001A", written, false)]);
    let same = decide_with(&account, &records, None);
    assert_eq!(same.action, Action::Skip("already written with these values"));
    assert_eq!(same.body, account.body(), "a skipped write shows the planned values");

    let mut renamed = account.clone();
    renamed.fields.insert("Name".into(), json!("Jane Roe"));
    let changed = decide_with(&renamed, &records, None);
    assert_eq!(changed.action, Action::Upsert);
    assert_eq!(changed.body, json!({"Name": "Jane Roe"}));
    assert_eq!(changed.hash, hash("Account", renamed.key(), &renamed.body()), "the planned values' hash");
}

#[test]
fn create_only_fields_are_left_out_when_the_record_may_already_exist() {
    let role = contact_role();
    let fresh = decide_with(&role, &KnownRecords::new(), None);
    assert_eq!(fresh.action, Action::UpsertOnce, "a new record's create-only upsert is never repeated blindly");
    assert!(fresh.body.get("Opportunity").is_some(), "created with its Opportunity: {}", fresh.body);

    // Known (written earlier, or found by an uncertain retry's lookup, with no remembered values).
    let records = known(&[("OpportunityContactRole", "main:cart:77:role", "00KA", Vec::new(), false)]);
    let existing = decide_with(&role, &records, None);
    assert_eq!(existing.action, Action::Upsert);
    assert_eq!(
        existing.body,
        json!({"Role": "Decision Maker", "Contact": {KEY_FIELD: "main:customer:42"}}),
        "no Opportunity: Salesforce takes it on create only"
    );
}

#[test]
fn an_order_item_names_its_price_book_entry_and_an_order_its_book() {
    let item = order_item();
    let entry = entry_key("main:product:WB-1", "01sB");
    let records = known(&[("PricebookEntry", &entry, "01uE", Vec::new(), false)]);
    let sent = decide_with(&item, &records, Some("01sB"));
    assert_eq!(sent.action, Action::UpsertOnce);
    assert_eq!(sent.body["PricebookEntryId"], json!("01uE"));
    assert!(sent.body.get("Product2").is_none(), "{}", sent.body);
    let missing =
        decide(&item, &Known { records: &KnownRecords::new(), pricebook_id: Some("01sB"), writer: EntityKind::Sale });
    assert!(matches!(missing, Err(Unresolved(reason)) if reason.contains("main:product:WB-1")));
    let unknown_book = decide_with(&item, &KnownRecords::new(), None);
    assert_eq!(unknown_book.body["Product2"], json!({KEY_FIELD: "main:product:WB-1"}), "filled in when sent");

    let order = op("Order", "main:order:1", json!({"Status": "Draft"}), Vec::new());
    assert_eq!(decide_with(&order, &KnownRecords::new(), Some("01sB")).body["Pricebook2Id"], json!("01sB"));
}

#[test]
fn an_adopted_contact_is_updated_by_id_and_its_account_is_never_renamed() {
    let records = known(&[
        ("Contact", "main:customer:42", "003C", Vec::new(), true),
        ("Account", "main:customer:42", "001H", Vec::new(), true),
    ]);
    let both =
        decide_all(&[account(), contact()], &Known { records: &records, pricebook_id: None, writer: EntityKind::Sale })
            .expect("decided");
    assert_eq!(both.iter().map(|w| w.object.as_str()).collect::<Vec<_>>(), ["Account", "Contact"], "in order");
    let account = decide_with(&account(), &records, None);
    assert!(matches!(account.action, Action::Skip(reason) if reason.contains("never renames")));
    let contact = decide_with(&contact(), &records, None);
    assert_eq!(contact.action, Action::Update { id: "003C".into() });
    assert_eq!(contact.body["AccountId"], json!("001H"), "the adopted Account, by Id");
    assert_eq!(contact.body[KEY_FIELD], json!("main:customer:42"), "the Contact gets forcesync's key");
    assert!(contact.body.get("Account").is_none());
}

#[test]
fn contacts_never_written_are_looked_for_by_email_and_the_oldest_is_adopted() {
    let operations = [account(), contact()];
    let wanted = contacts_to_adopt(&operations, |_, _| false);
    assert_eq!(wanted, BTreeMap::from([("jane@example.com".to_owned(), vec!["main:customer:42".to_owned()])]));
    assert!(contacts_to_adopt(&operations, |object, _| object == "Contact").is_empty(), "a known Contact");

    let found = [
        json!({"Id": "003Old", "Email": "JANE@example.com", "AccountId": "001H"}),
        json!({"Id": "003New", "Email": "jane@example.com", "AccountId": "001X"}),
    ];
    let adopted = adoptions(&wanted, &found);
    let ids: Vec<(&str, &str)> = adopted.iter().map(|a| (a.object, a.id.as_str())).collect();
    assert_eq!(ids, [("Contact", "003Old"), ("Account", "001H")]);
}

#[test]
fn an_uncertain_entity_looks_up_its_unknown_records_with_create_only_fields() {
    let operations = [account(), contact(), contact_role(), order_item()];
    let lookups = uncertain_lookups(&operations, |_, _| false);
    assert_eq!(
        lookups,
        [
            ("OrderItem", vec!["main:orderitem:1:1".to_owned()]),
            ("OpportunityContactRole", vec!["main:cart:77:role".to_owned()])
        ]
    );
    assert_eq!(uncertain_lookups(&operations, |object, _| object == "OrderItem").len(), 1);
}

#[test]
fn only_refused_create_only_fields_mean_the_record_exists() {
    let refused = |object: &str, fields: &[&str]| {
        let fields: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
        refused_create_only(object, "INVALID_FIELD_FOR_INSERT_UPDATE", &fields)
    };
    assert!(refused("OpportunityContactRole", &["OpportunityId"]));
    assert!(refused("OrderItem", &["orderid", "PricebookEntryId"]));
    assert!(!refused("Order", &["OpportunityId"]), "updatable on Order");
    assert!(!refused("OrderItem", &["OrderId", "Secret__c"]));
    assert!(!refused("OrderItem", &[]));
    assert!(!refused_create_only("OrderItem", "INVALID_FIELD", &["OrderId".to_owned()]));
}

fn action_of(writer: EntityKind, op: &PlannedWrite, records: &KnownRecords) -> Action {
    decide(op, &Known { records, pricebook_id: None, writer }).expect("decided").action
}

#[test]
fn a_customers_own_records_are_left_to_it_by_a_sale_and_written_by_the_customer() {
    let customer_records = |kept_by_customer: bool| {
        let mut records = known(&[
            ("Account", "main:customer:42", "001A", b"older".to_vec(), false),
            ("Contact", "main:customer:42", "003A", b"older".to_vec(), false),
        ]);
        records.values_mut().for_each(|record| record.kept_by_customer = kept_by_customer);
        records
    };
    let kept = customer_records(true);
    for op in [account(), contact()] {
        let by_sale = action_of(EntityKind::Sale, &op, &kept);
        assert!(matches!(by_sale, Action::Skip(reason) if reason.contains("customer's own")), "{by_sale:?}");
        assert_eq!(action_of(EntityKind::Customer, &op, &kept), Action::Upsert, "the customer writes its changes");
    }
    // The role names the Contact: the sale still writes its own records.
    assert_eq!(action_of(EntityKind::Sale, &contact_role(), &kept), Action::UpsertOnce);
    // Written by the sale itself (a guest's, or before the customer's first save): the sale keeps it current.
    assert_eq!(action_of(EntityKind::Sale, &contact(), &customer_records(false)), Action::Upsert);
    // Nothing written yet: the sale writes it.
    assert_eq!(action_of(EntityKind::Sale, &account(), &KnownRecords::new()), Action::Upsert);
}
