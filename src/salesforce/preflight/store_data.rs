//! Test Connection's view of the store data the org takes (issue 12): the
//! State and Country/Territory picklist codes it accepts, listed so a store
//! address the org would refuse can be fixed on either side.

use crate::salesforce::describe::ObjectDescribe;

/// "countries: AU, CA, …; states: ACT, AB, …" from Account's code picklists.
pub fn valid_codes(account: &ObjectDescribe) -> String {
    let values = |field: &str| {
        account.field(field).map(|f| f.active_values().into_iter().map(str::to_owned).collect::<Vec<_>>())
    };
    let countries = values("BillingCountryCode").unwrap_or_default();
    let states = values("BillingStateCode").unwrap_or_default();
    format!(
        "the org's valid country codes ({}): {}; state codes ({}): {}",
        countries.len(),
        countries.join(", "),
        states.len(),
        states.join(", ")
    )
}
