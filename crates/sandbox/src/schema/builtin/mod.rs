//! The standard objects the sandbox knows, with their real key prefixes, fields, lengths and
//! picklists; plus the pieces they share (system fields, owner, address groups).

mod accounts;
mod commerce;
mod sales;

pub use accounts::PERSON_ACCOUNT_RECORD_TYPE_ID;
pub use sales::{OPPORTUNITY_STAGES, StageInfo, opportunity_stage};

use serde_json::Value;

use super::field::{FieldSchema, FieldType, PicklistValue};
use super::geo;
use super::object::{AddressGroup, ObjectSchema};
use super::{OrgFeatures, SchemaError};

/// The default Lead Source / Account Source values.
pub(crate) const LEAD_SOURCES: &[&str] = &["Web", "Phone Inquiry", "Partner Referral", "Purchased List", "Other"];

/// Every built-in object, in a stable order, shaped by the org features.
pub fn builtin_objects(features: &OrgFeatures) -> Result<Vec<ObjectSchema>, SchemaError> {
    let mut objects = vec![
        accounts::account(features)?,
        accounts::contact(features)?,
        accounts::lead(features)?,
        accounts::user()?,
        sales::opportunity()?,
        sales::opportunity_line_item()?,
        sales::opportunity_contact_role()?,
        commerce::product2()?,
        commerce::pricebook2()?,
        commerce::pricebook_entry()?,
        commerce::order(features)?,
        commerce::order_item()?,
    ];
    if features.multi_currency {
        for object in objects.iter_mut().filter(|o| CURRENCY_OBJECTS.contains(&o.name.as_str())) {
            let field = FieldSchema::new("CurrencyIsoCode", "Currency ISO Code", FieldType::picklist(CURRENCIES, true))
                .with_default(text_value(CURRENCIES[0]));
            object.add_field(field)?;
        }
    }
    Ok(objects)
}

/// The active currencies of a multi-currency sandbox org; the first is the corporate currency.
pub const CURRENCIES: &[&str] = &["USD", "EUR", "GBP", "CAD", "AUD"];
/// The objects that carry `CurrencyIsoCode` in a multi-currency org.
const CURRENCY_OBJECTS: &[&str] = &["Account", "Contact", "Opportunity", "Order", "OrderItem", "PricebookEntry"];

/// A new object whose first field is `Id`; the other system fields come last (see [`finish`]).
pub(crate) fn start(name: &str, label: &str, plural: &str, prefix: &str) -> Result<ObjectSchema, SchemaError> {
    let mut object = ObjectSchema::new(name, label, plural, prefix);
    let id = FieldSchema::new("Id", &format!("{label} ID"), FieldType::Id).required().read_only().id_lookup();
    object.add_field(id)?;
    Ok(object)
}

/// Appends the audit fields every object carries; none of them is createable or updateable.
pub(crate) fn finish(mut object: ObjectSchema) -> Result<ObjectSchema, SchemaError> {
    let user = |name: &str, label: &str, rel: &str| {
        FieldSchema::new(name, label, FieldType::lookup("User", rel, None)).required().read_only()
    };
    let stamp = |name: &str, label: &str| FieldSchema::new(name, label, FieldType::DateTime).required().read_only();
    object.add_fields([
        FieldSchema::new("IsDeleted", "Deleted", FieldType::Boolean).read_only(),
        stamp("CreatedDate", "Created Date"),
        user("CreatedById", "Created By ID", "CreatedBy"),
        stamp("LastModifiedDate", "Last Modified Date"),
        user("LastModifiedById", "Last Modified By ID", "LastModifiedBy"),
        stamp("SystemModstamp", "System Modstamp"),
    ])?;
    Ok(object)
}

/// `OwnerId`: required but defaulted to the running user.
pub(crate) fn owner() -> FieldSchema {
    FieldSchema::new("OwnerId", "Owner ID", FieldType::lookup("User", "Owner", None)).required().defaulted()
}

/// Adds an address group: `<prefix>Street/City/State/PostalCode/Country`, the `*StateCode` and
/// `*CountryCode` picklists when the org has State and Country picklists, and the compound field.
pub(crate) fn add_address(object: &mut ObjectSchema, prefix: &str, features: &OrgFeatures) -> Result<(), SchemaError> {
    let label = |part: &str| format!("{prefix} {part}").trim().to_owned();
    let text = |part: &str, name: &str, length: u32| {
        FieldSchema::new(&format!("{prefix}{part}"), &label(name), FieldType::text(length))
    };
    object.add_fields([
        FieldSchema::new(&format!("{prefix}Street"), &label("Street"), FieldType::textarea(255)),
        text("City", "City", 40),
        text("State", "State/Province", 80),
        text("PostalCode", "Zip/Postal Code", 20),
        text("Country", "Country", 80),
    ])?;
    let picklists = features.state_country_picklists;
    if picklists {
        let country_code = format!("{prefix}CountryCode");
        let states = geo::states().iter().map(|s| PicklistValue::labelled(s.code, s.name));
        let countries = geo::countries().iter().map(|c| PicklistValue::labelled(c.code, c.name));
        let state_type =
            FieldType::Picklist { values: states.collect(), restricted: true, controller: Some(country_code.clone()) };
        let country_type = FieldType::Picklist { values: countries.collect(), restricted: true, controller: None };
        object.add_fields([
            FieldSchema::new(&format!("{prefix}StateCode"), &label("State/Province Code"), state_type),
            FieldSchema::new(&country_code, &label("Country Code"), country_type),
        ])?;
    }
    let compound = FieldSchema::new(&format!("{prefix}Address"), &label("Address"), FieldType::Address);
    object.add_field(compound.read_only())?;
    object.add_address_group(AddressGroup { prefix: prefix.to_owned(), picklists });
    Ok(())
}

/// A string value, for defaults.
pub(crate) fn text_value(value: &str) -> Value {
    Value::String(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(picklists: bool) -> Vec<ObjectSchema> {
        let features = OrgFeatures { state_country_picklists: picklists, ..OrgFeatures::default() };
        builtin_objects(&features).unwrap_or_default()
    }

    #[test]
    fn all_objects_build_with_real_prefixes() {
        let prefixes: Vec<(String, String)> = objects(false).into_iter().map(|o| (o.name, o.key_prefix)).collect();
        let expected = [
            ("Account", "001"),
            ("Contact", "003"),
            ("Lead", "00Q"),
            ("User", "005"),
            ("Opportunity", "006"),
            ("OpportunityLineItem", "00k"),
            ("OpportunityContactRole", "00K"),
            ("Product2", "01t"),
            ("Pricebook2", "01s"),
            ("PricebookEntry", "01u"),
            ("Order", "801"),
            ("OrderItem", "802"),
        ];
        let expected: Vec<(String, String)> =
            expected.iter().map(|(n, p)| ((*n).to_owned(), (*p).to_owned())).collect();
        assert_eq!(prefixes, expected);
        assert_eq!(objects(true).len(), 12);
    }

    #[test]
    fn every_object_has_read_only_system_fields() {
        for object in objects(false) {
            for name in [
                "Id",
                "IsDeleted",
                "CreatedDate",
                "CreatedById",
                "LastModifiedDate",
                "LastModifiedById",
                "SystemModstamp",
            ] {
                let field = object.field(name);
                assert!(field.is_some_and(|f| !f.createable && !f.updateable), "{}.{name}", object.name);
            }
        }
    }

    #[test]
    fn code_fields_exist_only_with_picklists() {
        let off = objects(false);
        let on = objects(true);
        for (object, field) in [
            ("Account", "BillingStateCode"),
            ("Account", "ShippingCountryCode"),
            ("Contact", "MailingCountryCode"),
            ("Lead", "StateCode"),
            ("Order", "BillingCountryCode"),
        ] {
            let find =
                |list: &[ObjectSchema]| list.iter().find(|o| o.name == object).and_then(|o| o.field(field)).is_some();
            assert!(!find(&off) && find(&on), "{object}.{field}");
        }
        let account = on.iter().find(|o| o.name == "Account");
        let state = account.and_then(|a| a.field("BillingState")).map(|f| f.label.clone());
        assert_eq!(state.as_deref(), Some("Billing State/Province"));
        let lead = on.iter().find(|o| o.name == "Lead").and_then(|l| l.field("Country"));
        assert_eq!(lead.map(|f| f.label.as_str()), Some("Country"));
    }
}
