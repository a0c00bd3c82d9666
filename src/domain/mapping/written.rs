//! The fields the default mapping writes, per object, for Test Connection's
//! object checks (`domain::write_plan::plan`): an org missing one is told so
//! before anything is synced.

use super::addresses::address_field_names;
use crate::domain::settings::StoreSettings;
use crate::domain::write_plan::ObjectWrite;

/// The default mapping's fields of `object`.
pub fn default_fields(object: &str, picklists: bool) -> Vec<String> {
    let addresses = |prefixes: &[&str]| -> Vec<String> {
        prefixes.iter().flat_map(|prefix| address_field_names(prefix, picklists)).collect()
    };
    match object {
        "Account" => addresses(&["Billing", "Shipping"]),
        "Contact" => addresses(&["Mailing"]),
        "Order" => {
            let mut fields = vec!["OrderReferenceNumber".to_owned(), "Description".to_owned()];
            fields.extend(addresses(&["Billing", "Shipping"]));
            fields
        }
        "OrderItem" => vec!["Description".to_owned()],
        _ => Vec::new(),
    }
}

/// Adds the mapped fields to the objects forcesync writes.
pub fn add_written_fields(settings: &StoreSettings, writes: &mut [ObjectWrite]) {
    for write in writes.iter_mut() {
        for field in default_fields(&write.object, settings.state_country_picklists) {
            if !write.fields.contains(&field) {
                write.fields.push(field);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::write_plan::plan;

    #[test]
    fn test_connection_checks_the_mapped_fields() {
        let settings = StoreSettings { state_country_picklists: true, ..StoreSettings::default() };
        let writes = plan(&settings);
        let fields = |object: &str| writes.iter().find(|w| w.object == object).map(|w| w.fields.clone());
        let contact = fields("Contact").unwrap_or_default();
        assert!(contact.contains(&"MailingCountryCode".to_owned()) && !contact.contains(&"MailingCountry".to_owned()));
        let order = fields("Order").unwrap_or_default();
        assert!(order.contains(&"OrderReferenceNumber".to_owned()) && order.contains(&"ShippingStateCode".to_owned()));
        let account = fields("Account").unwrap_or_default();
        let mut unique = account.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), account.len(), "no field twice");
    }
}
