//! Person Accounts: with the store's `person_accounts` setting on and an org
//! that has them, a customer without a company (B2C) is one Account of the
//! person record type instead of an Account and a Contact. Its Name is
//! Salesforce's to derive (FirstName/LastName), its email and mailing address
//! go to the `Person*` fields, and neither its Contact nor a contact role is
//! written (the person's contact is maintained through the Account). A
//! customer is not moved between the two kinds once written.

use serde_json::Value;

use super::{OrgFacts, Sources};
use crate::domain::lifecycle::PlannedWrite;
use crate::domain::settings::StoreSettings;

/// Rewrites a B2C customer's Account as a Person Account, and drops its Contact and contact role.
pub fn apply(settings: &StoreSettings, org: &OrgFacts, sources: &Sources<'_>, writes: &mut Vec<PlannedWrite>) {
    let (true, Some(record_type), Some(customer)) =
        (settings.person_accounts, org.person_account_record_type.as_deref(), sources.customer)
    else {
        return;
    };
    if !customer.profile.company.trim().is_empty() {
        return;
    }
    let contact = writes.iter().find(|w| w.object == "Contact").cloned();
    let Some(contact) = contact else { return };
    for account in writes.iter_mut().filter(|w| w.object == "Account" && w.key == contact.key) {
        account.fields.remove("Name");
        account.fields.insert("RecordTypeId".into(), Value::String(record_type.to_owned()));
        for (from, to) in [("FirstName", "FirstName"), ("LastName", "LastName"), ("Email", "PersonEmail")] {
            if let Some(value) = contact.fields.get(from) {
                account.fields.insert(to.to_owned(), value.clone());
            }
        }
        for (name, value) in contact.fields.iter().filter(|(name, _)| name.starts_with("Mailing")) {
            account.fields.insert(format!("Person{name}"), value.clone());
        }
    }
    writes.retain(|w| !(w.object == "Contact" && w.key == contact.key));
    writes.retain(|w| !(w.object == "OpportunityContactRole" && w.parents.iter().any(|p| p.key == contact.key)));
}
