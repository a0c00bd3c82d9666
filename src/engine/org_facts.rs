//! What the engine learns of an org for the store data mapping (issue 12):
//! whether it has multiple currencies, and which (the `CurrencyIsoCode`
//! picklist on Opportunity). Asked once per store connection, and only when
//! a batch has a sale whose order names its currency, so nothing else pays
//! for it.

use crate::domain::mapping::{OrgFacts, needs_org_facts};
use crate::salesforce::Error;
use crate::storage::sync::ClaimedEntity;

use super::connections::StoreConnection;

/// Learns the org's facts if the batch needs them and they are not known yet.
pub(super) async fn ensure(connection: &StoreConnection, entities: &[ClaimedEntity]) -> Result<(), Error> {
    let settings = &connection.settings;
    if connection.org.get().is_some() || !entities.iter().any(|e| needs_org_facts(settings, &e.facts)) {
        return Ok(());
    }
    let describe = connection.client.describe("Opportunity").await?;
    let currencies = describe
        .as_ref()
        .and_then(|d| d.field("CurrencyIsoCode"))
        .map(|field| field.active_values().into_iter().map(str::to_owned).collect());
    let account = connection.client.describe("Account").await?;
    let person_account_record_type = account.as_ref().and_then(|d| d.person_account_record_type());
    tracing::info!(
        store = %connection.code,
        multi_currency = currencies.is_some(),
        person_accounts = person_account_record_type.is_some(),
        "learned the org's currencies and account kinds"
    );
    // A concurrent batch may have set it first: same answer.
    let _ = connection.org.set(OrgFacts { currencies, person_account_record_type });
    Ok(())
}

/// The facts known so far (none before [`ensure`] needed them).
pub(super) fn known(connection: &StoreConnection) -> OrgFacts {
    connection.org.get().cloned().unwrap_or_default()
}
