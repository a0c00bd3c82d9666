//! A store address as Salesforce address fields (`Billing*`, `Shipping*`,
//! `Mailing*`). With State and Country/Territory picklists on, the ISO codes
//! go to `<prefix>StateCode`/`<prefix>CountryCode` (a region given only by
//! name goes to `<prefix>State`, which the org resolves against its
//! picklist); with them off, the free-text `<prefix>State` (the region's
//! name, else its code) and `<prefix>Country` (the ISO code). Empty parts are
//! left out: forcesync never clears a field the store did not send.

use serde_json::Value;

use crate::domain::lifecycle::Address;

/// The fields of `address` under `prefix` (`Billing`).
pub fn address_fields(prefix: &str, address: &Address, picklists: bool) -> Vec<(String, Value)> {
    let mut fields = Vec::new();
    let mut put = |part: &str, value: &str| {
        if !value.trim().is_empty() {
            fields.push((format!("{prefix}{part}"), Value::String(value.trim().to_owned())));
        }
    };
    put("Street", &address.street_text());
    put("City", &address.city);
    put("PostalCode", &address.postcode);
    if picklists {
        if address.region_code.is_empty() {
            put("State", &address.region);
        } else {
            put("StateCode", &address.region_code);
        }
        put("CountryCode", &address.country_code);
    } else {
        let region = if address.region.trim().is_empty() { &address.region_code } else { &address.region };
        put("State", region);
        put("Country", &address.country_code);
    }
    fields
}

/// The address field names `address_fields` may write under `prefix`.
pub fn address_field_names(prefix: &str, picklists: bool) -> Vec<String> {
    let parts: &[&str] = if picklists {
        &["Street", "City", "PostalCode", "State", "StateCode", "CountryCode"]
    } else {
        &["Street", "City", "PostalCode", "State", "Country"]
    };
    parts.iter().map(|part| format!("{prefix}{part}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ny() -> Address {
        Address {
            street: vec!["1 Main St".into(), "Floor 3".into()],
            city: "New York".into(),
            region_code: "NY".into(),
            region: "New York".into(),
            postcode: "10001".into(),
            country_code: "US".into(),
        }
    }

    fn object(fields: Vec<(String, Value)>) -> Value {
        Value::Object(fields.into_iter().collect())
    }

    #[test]
    fn picklists_send_codes_and_free_text_sends_names() {
        assert_eq!(
            object(address_fields("Billing", &ny(), true)),
            json!({"BillingStreet": "1 Main St\nFloor 3", "BillingCity": "New York", "BillingPostalCode": "10001",
                   "BillingStateCode": "NY", "BillingCountryCode": "US"})
        );
        assert_eq!(
            object(address_fields("Mailing", &ny(), false)),
            json!({"MailingStreet": "1 Main St\nFloor 3", "MailingCity": "New York", "MailingPostalCode": "10001",
                   "MailingState": "New York", "MailingCountry": "US"})
        );
    }

    #[test]
    fn empty_parts_are_left_out() {
        let bare = Address { country_code: "DE".into(), region: "Berlin".into(), ..Address::default() };
        assert_eq!(
            object(address_fields("Shipping", &bare, true)),
            json!({"ShippingState": "Berlin", "ShippingCountryCode": "DE"})
        );
        let code_only = Address { country_code: "CA".into(), region_code: "QC".into(), ..Address::default() };
        assert_eq!(
            object(address_fields("Billing", &code_only, false)),
            json!({"BillingState": "QC", "BillingCountry": "CA"})
        );
        assert!(address_field_names("Billing", true).contains(&"BillingCountryCode".to_owned()));
    }
}
