//! Values the platform derives on save: the Order total roll-up and compound names.

use chrono::Utc;
use serde_json::{Map, Value, json};

use crate::errors::ErrorCode;
use crate::ids::IdGenerator;
use crate::org::{DmlError, Org, Writer};
use crate::schema::{OrgFeatures, Schema};

const ADMIN: &str = "005000000000001AAA";

fn org() -> Org {
    let schema = Schema::standard(OrgFeatures::default()).expect("schema");
    let ids = IdGenerator::new("5s").expect("ids");
    Org::new(schema, "00D000000000001AAA".into(), ids, ADMIN).expect("org")
}

fn body(value: Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

fn create(org: &mut Org, object: &str, value: Value) -> String {
    match org.create(object, &body(value), &Writer::new(ADMIN)) {
        Ok(id) => id,
        Err(e) => panic!("create {object}: {e:?}"),
    }
}

fn field(org: &Org, object: &str, id: &str, name: &str) -> Value {
    org.retrieve(object, id).map(|(_, r)| r.get(name).cloned().unwrap_or(Value::Null)).unwrap_or(Value::Null)
}

/// An Order on the standard price book and a price book entry to add items with.
fn order_with_entry(org: &mut Org) -> (String, String) {
    let book = org.standard_pricebook_id().expect("standard book");
    let account = create(org, "Account", json!({"Name": "Acme"}));
    let product = create(org, "Product2", json!({"Name": "Widget", "IsActive": true}));
    let entry = create(
        org,
        "PricebookEntry",
        json!({"Pricebook2Id": book, "Product2Id": product, "UnitPrice": 10, "IsActive": true}),
    );
    let order = create(
        org,
        "Order",
        json!({"AccountId": account, "EffectiveDate": "2026-11-25", "Status": "Draft", "Pricebook2Id": book}),
    );
    (order, entry)
}

fn item(order: &str, entry: &str, quantity: f64, price: f64) -> Value {
    json!({"OrderId": order, "PricebookEntryId": entry, "Quantity": quantity, "UnitPrice": price})
}

#[test]
fn order_total_is_the_sum_of_its_items_through_insert_update_and_delete() {
    let mut org = org();
    let (order, entry) = order_with_entry(&mut org);
    assert_eq!(field(&org, "Order", &order, "TotalAmount"), json!(0.0), "an order without items totals 0");
    let first = create(&mut org, "OrderItem", item(&order, &entry, 2.0, 10.0));
    let second = create(&mut org, "OrderItem", item(&order, &entry, 3.0, 0.1));
    assert_eq!(field(&org, "Order", &order, "TotalAmount"), json!(20.3));
    let writer = Writer::new(ADMIN);
    org.update("OrderItem", &first, &body(json!({"Quantity": 5})), &writer).expect("update");
    assert_eq!(field(&org, "Order", &order, "TotalAmount"), json!(50.3));
    org.delete("OrderItem", &second, &writer).expect("delete");
    assert_eq!(field(&org, "Order", &order, "TotalAmount"), json!(50.0));

    let savepoint = org.savepoint();
    create(&mut org, "OrderItem", item(&order, &entry, 1.0, 7.0));
    assert_eq!(field(&org, "Order", &order, "TotalAmount"), json!(57.0));
    org.rollback(savepoint);
    assert_eq!(field(&org, "Order", &order, "TotalAmount"), json!(50.0), "a rollback undoes the roll-up");
}

#[test]
fn order_total_is_read_only() {
    let mut org = org();
    let (order, _) = order_with_entry(&mut org);
    let writer = Writer::new(ADMIN);
    let Err(DmlError::Invalid(errors)) = org.update("Order", &order, &body(json!({"TotalAmount": 5})), &writer) else {
        panic!("TotalAmount was writable");
    };
    assert_eq!(
        errors.first().map(|e| (e.code, e.fields.clone())),
        Some((ErrorCode::InvalidFieldForInsertUpdate, vec!["TotalAmount".to_owned()]))
    );
}

#[test]
fn contact_and_lead_names_are_compound_and_read_only() {
    let mut org = org();
    let ada = create(&mut org, "Contact", json!({"FirstName": "Ada", "LastName": "Lovelace", "Salutation": "Ms."}));
    let solo = create(&mut org, "Contact", json!({"LastName": "Turing"}));
    assert_eq!(field(&org, "Contact", &ada, "Name"), json!("Ada Lovelace"));
    assert_eq!(field(&org, "Contact", &solo, "Name"), json!("Turing"));
    let writer = Writer::new(ADMIN);
    org.update("Contact", &ada, &body(json!({"FirstName": "Augusta Ada"})), &writer).expect("update");
    assert_eq!(field(&org, "Contact", &ada, "Name"), json!("Augusta Ada Lovelace"));
    org.update("Contact", &ada, &body(json!({"FirstName": null})), &writer).expect("clear first name");
    assert_eq!(field(&org, "Contact", &ada, "Name"), json!("Lovelace"));
    assert!(org.update("Contact", &solo, &body(json!({"Name": "X"})), &writer).is_err(), "Name is read-only");

    let lead = create(&mut org, "Lead", json!({"FirstName": "Grace", "LastName": "Hopper", "Company": "Navy"}));
    assert_eq!(field(&org, "Lead", &lead, "Name"), json!("Grace Hopper"));

    let today = Utc::now().date_naive();
    let out = org.query("SELECT Name FROM Contact WHERE Name = 'turing' ORDER BY Name", false, "62.0", today);
    let names: Vec<Value> = out.map(|o| o.records.iter().map(|r| r["Name"].clone()).collect()).unwrap_or_default();
    assert_eq!(names, vec![json!("Turing")]);
}

#[test]
fn person_accounts_are_people_and_business_accounts_need_a_name() {
    use crate::schema::builtin::PERSON_ACCOUNT_RECORD_TYPE_ID;
    let features = OrgFeatures { person_accounts: true, ..OrgFeatures::default() };
    let schema = Schema::standard(features).expect("schema");
    let mut org =
        Org::new(schema, "00D000000000001AAA".into(), IdGenerator::new("5s").expect("ids"), ADMIN).expect("org");
    let person = json!({"RecordTypeId": PERSON_ACCOUNT_RECORD_TYPE_ID, "FirstName": "Ada", "LastName": "Byron"});
    let id = create(&mut org, "Account", person);
    assert_eq!(field(&org, "Account", &id, "IsPersonAccount"), json!(true));
    assert_eq!(field(&org, "Account", &id, "Name"), json!("Ada Byron"));
    let business = create(&mut org, "Account", json!({"Name": "Acme"}));
    assert_eq!(field(&org, "Account", &business, "IsPersonAccount"), json!(false));
    let mut refused = |value: Value| match org.create("Account", &body(value), &Writer::new(ADMIN)) {
        Err(DmlError::Invalid(errors)) => errors.into_iter().map(|e| (e.code, e.fields)).collect::<Vec<_>>(),
        other => panic!("refused: {other:?}"),
    };
    let no_last_name = json!({"RecordTypeId": PERSON_ACCOUNT_RECORD_TYPE_ID, "FirstName": "Ada"});
    assert_eq!(refused(no_last_name), [(ErrorCode::RequiredFieldMissing, vec!["LastName".to_owned()])]);
    let named = json!({"RecordTypeId": PERSON_ACCOUNT_RECORD_TYPE_ID, "LastName": "B", "Name": "X"});
    assert_eq!(refused(named), [(ErrorCode::InvalidFieldForInsertUpdate, vec!["Name".to_owned()])]);
    assert_eq!(refused(json!({"Phone": "1"})), [(ErrorCode::RequiredFieldMissing, vec!["Name".to_owned()])]);
}
