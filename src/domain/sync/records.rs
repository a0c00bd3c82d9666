//! The Salesforce writes an entity's facts call for, now: every record of the
//! entity as an upsert by external id (the engine skips those already written
//! with the same values). A sale waits until it knows its buyer: an
//! Opportunity or Order without an Account would be orphaned, and its key
//! could still change from the order's to the cart's.

use serde_json::Value;
use std::collections::BTreeMap;

use super::entity::EntityFacts;
use super::event::ProductSave;
use crate::domain::lifecycle::{self, ClosedStages, PlannedWrite, Target, keys};
use crate::domain::mapping::OrgFacts;
use crate::domain::settings::StoreSettings;
use crate::domain::store::StoreCode;
use crate::domain::write_plan::DEFAULT_EXTERNAL_ID_FIELD;

/// What an entity needs written.
#[derive(Debug, Clone, PartialEq)]
pub enum EntityPlan {
    /// These upserts, parents first.
    Write(Vec<PlannedWrite>),
    /// Nothing can be written yet, for this reason.
    Waiting(&'static str),
}

/// Why a sale waits: no checkout or placed order has named its buyer.
pub const WAITING_FOR_BUYER: &str = "waiting for the checkout or placed order that names the buyer";

/// The writes `facts` call for under `settings`, each by its object's external-id field.
pub fn planned(settings: &StoreSettings, store: &StoreCode, facts: &EntityFacts, closed: &ClosedStages) -> EntityPlan {
    planned_for_org(settings, store, facts, closed, &OrgFacts::default())
}

/// [`planned`], with what the engine learned of the org (its currencies).
pub fn planned_for_org(
    settings: &StoreSettings,
    store: &StoreCode,
    facts: &EntityFacts,
    closed: &ClosedStages,
    org: &OrgFacts,
) -> EntityPlan {
    match planned_by_default_keys(settings, store, facts, closed) {
        EntityPlan::Write(mut operations) => EntityPlan::Write({
            // The store's data, by the default mapping and the store's own (issue 12).
            crate::domain::mapping::apply(settings, facts, &mut operations);
            crate::domain::mapping::apply_org(settings, org, facts, &mut operations);
            operations
                .into_iter()
                .map(|op| op.with_key_fields(|object| settings.external_id_fields.field_for(object)))
                .collect()
        }),
        waiting => waiting,
    }
}

fn planned_by_default_keys(
    settings: &StoreSettings,
    store: &StoreCode,
    facts: &EntityFacts,
    closed: &ClosedStages,
) -> EntityPlan {
    match facts {
        EntityFacts::Customer(save) => EntityPlan::Write(lifecycle::plan_customer(store, &save.customer)),
        EntityFacts::Product(product) => EntityPlan::Write(vec![product_operation(store, product)]),
        EntityFacts::Sale(facts) if facts.customer().is_none() => {
            EntityPlan::Waiting(lifecycle::shipment_target::waiting_reason(facts, WAITING_FOR_BUYER))
        }
        EntityFacts::Sale(facts) => {
            let target = lifecycle::target(settings, store, facts, closed);
            EntityPlan::Write(lifecycle::plan(&Target::default(), &target))
        }
    }
}

/// The Product2 of a store product (its PricebookEntry has no external id:
/// the engine finds or creates it by price book and product).
pub fn product_operation(store: &StoreCode, product: &ProductSave) -> PlannedWrite {
    let fields: BTreeMap<String, Value> = [
        ("Name", Value::String(product.name.clone())),
        ("ProductCode", Value::String(product.sku.clone())),
        ("IsActive", Value::Bool(product.active)),
    ]
    .into_iter()
    .map(|(name, value)| (name.to_owned(), value))
    .collect();
    PlannedWrite {
        object: "Product2".to_owned(),
        key_field: DEFAULT_EXTERNAL_ID_FIELD.to_owned(),
        key: keys::product_key(store, &product.sku),
        fields,
        parents: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::lifecycle::{Customer, LifecycleEvent, LifecycleFacts, Money, Payment};
    use crate::domain::sync::event::CustomerSave;
    use chrono::{NaiveDate, TimeZone, Utc};
    use serde_json::json;

    fn store() -> StoreCode {
        StoreCode::parse("main").expect("valid")
    }

    fn closed(settings: &StoreSettings) -> ClosedStages {
        ClosedStages::defaults(settings)
    }

    fn jane() -> Customer {
        Customer {
            key: "42".into(),
            email: "jane@example.com".into(),
            first_name: "Jane".into(),
            last_name: "Doe".into(),
            phone: None,
            profile: Default::default(),
        }
    }

    #[test]
    fn a_sale_without_a_buyer_waits() {
        let settings = StoreSettings::default();
        let at = Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).single().expect("time");
        let payment = Payment {
            invoice_id: "inv-1".into(),
            paid_on: NaiveDate::from_ymd_opt(2025, 3, 3).expect("date"),
            amount: Money { minor: 100, exponent: 2 },
        };
        let facts = LifecycleFacts::from_event(&LifecycleEvent::OrderPaid { order_id: "1".into(), payment, at });
        assert_eq!(
            planned(&settings, &store(), &EntityFacts::Sale(Box::new(facts)), &closed(&settings)),
            EntityPlan::Waiting(WAITING_FOR_BUYER)
        );
    }

    #[test]
    fn customers_and_products_write_their_records() {
        let settings = StoreSettings::default();
        let at = Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).single().expect("time");
        let customer = EntityFacts::Customer(CustomerSave { customer: jane(), at });
        let EntityPlan::Write(ops) = planned(&settings, &store(), &customer, &closed(&settings)) else {
            panic!("writes")
        };
        assert_eq!(ops.iter().map(PlannedWrite::object).collect::<Vec<_>>(), ["Account", "Contact"]);
        let product = ProductSave {
            sku: "WB-01".into(),
            name: "Water bottle".into(),
            price: Money { minor: 1999, exponent: 2 },
            active: true,
            at,
        };
        let op = product_operation(&store(), &product);
        assert_eq!((op.object(), op.key()), ("Product2", "main:product:WB-01"));
        assert_eq!(op.body(), json!({"Name": "Water bottle", "ProductCode": "WB-01", "IsActive": true}));
    }

    #[test]
    fn writes_use_each_objects_configured_key_field() {
        use crate::domain::settings::ExternalIdFields;
        let mut settings = StoreSettings::default();
        let entry = ExternalIdFields::parse_entry("Account", "Magento_Id__c").expect("valid");
        settings.external_id_fields = ExternalIdFields::from_entries([entry]);
        let at = Utc.with_ymd_and_hms(2025, 3, 3, 9, 0, 0).single().expect("time");
        let customer = EntityFacts::Customer(CustomerSave { customer: jane(), at });
        let EntityPlan::Write(ops) = planned(&settings, &store(), &customer, &closed(&settings)) else {
            panic!("writes")
        };
        assert_eq!((ops[0].object(), ops[0].key_field.as_str()), ("Account", "Magento_Id__c"));
        assert_eq!((ops[1].object(), ops[1].key_field.as_str()), ("Contact", "ForceSync_Key__c"));
        assert_eq!(ops[1].body()["Account"], json!({"Magento_Id__c": "main:customer:42"}), "the parent by its own key");
    }
}
