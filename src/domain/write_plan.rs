//! What forcesync writes in Salesforce for a store's settings: which objects,
//! which fields, and the external-id field that makes each write an upsert.
//! Test Connection checks the org against it; the sync engine follows it.
//! [`entity_writes`] decides, record by record, what one entity's writes send.

pub mod entity_writes;

use super::settings::{CreateOpportunity, CreateOrder, StoreSettings};

/// The external-id field forcesync owns on the objects it upserts.
pub const DEFAULT_EXTERNAL_ID_FIELD: &str = "ForceSync_Key__c";

/// One object forcesync writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectWrite {
    pub object: String,
    /// Why: the setting or feature that needs it.
    pub reason: &'static str,
    /// Fields forcesync sets on create and update.
    pub fields: Vec<String>,
    /// The external-id field it upserts by, if any.
    pub external_id: Option<String>,
    /// Whether forcesync creates records (else it only updates existing ones).
    pub creates: bool,
}

fn write(object: &str, reason: &'static str, fields: &[&str], keyed: bool) -> ObjectWrite {
    ObjectWrite {
        object: object.into(),
        reason,
        fields: fields.iter().map(|f| (*f).to_owned()).collect(),
        external_id: keyed.then(|| DEFAULT_EXTERNAL_ID_FIELD.to_owned()),
        creates: true,
    }
}

/// The objects and fields the settings make forcesync write.
pub fn plan(settings: &StoreSettings) -> Vec<ObjectWrite> {
    let address: &[&str] = if settings.state_country_picklists {
        &["BillingStreet", "BillingCity", "BillingPostalCode", "BillingStateCode", "BillingCountryCode"]
    } else {
        &["BillingStreet", "BillingCity", "BillingPostalCode", "BillingState", "BillingCountry"]
    };
    let mut account = write("Account", "customers", &["Name", "Phone"], true);
    account.fields.extend(address.iter().map(|f| (*f).to_owned()));
    let mut writes = vec![
        account,
        write("Contact", "customers", &["FirstName", "LastName", "Email", "Phone", "AccountId"], true),
        write("Product2", "products", &["Name", "ProductCode", "IsActive"], true),
        write("PricebookEntry", "products", &["Pricebook2Id", "Product2Id", "UnitPrice", "IsActive"], false),
    ];
    let opportunities = settings.create_opportunity != CreateOpportunity::Never;
    if opportunities {
        writes.push(write(
            "Opportunity",
            "create opportunity",
            &["Name", "StageName", "CloseDate", "Amount", "AccountId", "Pricebook2Id"],
            true,
        ));
        if settings.contact_roles.enabled {
            writes.push(write(
                "OpportunityContactRole",
                "contact roles",
                &["OpportunityId", "ContactId", "Role"],
                true,
            ));
        }
    }
    if settings.create_order != CreateOrder::Never {
        let mut order = write("Order", "create order", &["AccountId", "EffectiveDate", "Status", "Pricebook2Id"], true);
        if opportunities {
            order.fields.push("OpportunityId".into());
        }
        let shipment = &settings.shipment;
        let tracking = [&shipment.tracking_number_field, &shipment.carrier_field, &shipment.ship_date_field];
        order.fields.extend(tracking.into_iter().flatten().map(ToString::to_string));
        writes.push(order);
        writes.push(write(
            "OrderItem",
            "create order",
            &["OrderId", "PricebookEntryId", "Quantity", "UnitPrice"],
            true,
        ));
    }
    if settings.inventory.enabled {
        let inventory = &settings.inventory;
        let fields = [inventory.quantity_field.to_string(), inventory.match_field.to_string()];
        match writes.iter_mut().find(|w| w.object == inventory.object.as_str()) {
            Some(existing) => {
                for field in fields {
                    if !existing.fields.contains(&field) {
                        existing.fields.push(field);
                    }
                }
            }
            None => writes.push(ObjectWrite {
                object: inventory.object.to_string(),
                reason: "inventory sync",
                fields: fields.to_vec(),
                external_id: None,
                creates: inventory.create_missing,
            }),
        }
    }
    // The store data's fields (default mapping and the store's own, issue 12).
    super::mapping::add_written_fields(settings, &mut writes);
    for write in &mut writes {
        if let Some(field) = &mut write.external_id {
            *field = settings.external_id_fields.field_for(&write.object).to_owned();
        }
    }
    writes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settings::ApiName;

    fn objects(writes: &[ObjectWrite]) -> Vec<&str> {
        writes.iter().map(|w| w.object.as_str()).collect()
    }

    #[test]
    fn defaults_write_the_whole_bundle() {
        let writes = plan(&StoreSettings::default());
        assert_eq!(
            objects(&writes),
            [
                "Account",
                "Contact",
                "Product2",
                "PricebookEntry",
                "Opportunity",
                "OpportunityContactRole",
                "Order",
                "OrderItem"
            ]
        );
        assert_eq!(writes[0].external_id.as_deref(), Some("ForceSync_Key__c"));
        assert!(writes[0].fields.contains(&"BillingState".to_owned()));
    }

    #[test]
    fn settings_shape_the_plan() {
        let mut s = StoreSettings {
            create_opportunity: CreateOpportunity::Never,
            create_order: CreateOrder::Never,
            state_country_picklists: true,
            ..StoreSettings::default()
        };
        s.inventory.enabled = true;
        let writes = plan(&s);
        assert_eq!(objects(&writes), ["Account", "Contact", "Product2", "PricebookEntry"]);
        assert!(writes[0].fields.contains(&"BillingCountryCode".to_owned()));
        assert!(writes[2].fields.contains(&"Stock_Quantity__c".to_owned()), "inventory fields join Product2");

        let mut s = StoreSettings::default();
        let entry = crate::domain::settings::ExternalIdFields::parse_entry("Order", "Magento_Order__c");
        s.external_id_fields = crate::domain::settings::ExternalIdFields::from_entries(entry);
        let keyed = plan(&s);
        let key_of = |object: &str| keyed.iter().find(|w| w.object == object).and_then(|w| w.external_id.clone());
        assert_eq!(key_of("Order").as_deref(), Some("Magento_Order__c"), "a configured key field");
        assert_eq!(key_of("OrderItem").as_deref(), Some("ForceSync_Key__c"));
        s.shipment.carrier_field = ApiName::parse("Carrier__c").ok();
        s.contact_roles.enabled = false;
        let writes = plan(&s);
        assert!(!objects(&writes).contains(&"OpportunityContactRole"));
        let order = writes.iter().find(|w| w.object == "Order").expect("order");
        assert!(order.fields.contains(&"Carrier__c".to_owned()) && order.fields.contains(&"OpportunityId".to_owned()));
    }
}
