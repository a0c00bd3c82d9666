//! The customers flow: a customer's Account and Contact are planned by the
//! domain and sent by the core as plain upserts. What is its own here: a
//! Contact forcesync has never written may already exist in the org (made by
//! hand, or by another integration); it is matched by email and adopted
//! instead of creating a duplicate. Sales write Contacts too, so this runs
//! for every batch.

use crate::domain::lifecycle::PlannedWrite;
use crate::domain::write_plan::entity_writes;
use crate::salesforce::soql::{Literal, Soql};
use crate::salesforce::{Client, Error};
use crate::storage::sync::WrittenRecord;

use super::super::connections::StoreConnection;
use super::super::lookups::known_record;
use super::super::store_batch::Work;
use super::super::subrequests::Records;

/// Values per `IN (...)` list: 500 emails stay far below SOQL's 100,000-character statement.
const PER_QUERY: usize = 500;

/// Adopts the existing Contacts (and their Accounts) the batch's Contact
/// writes match by email: adds them to `records` and returns them, to be
/// remembered before anything is sent.
pub(super) async fn adopt_by_email(
    connection: &StoreConnection,
    work: &[Work],
    records: &mut Records,
) -> Result<Vec<WrittenRecord>, Error> {
    let key_field = connection.settings.external_id_fields.field_for("Contact");
    let operations = work.iter().flat_map(|w| w.operations.iter());
    let adopted = match_by_email(&connection.client, operations, records, key_field).await?;
    records.extend(adopted.iter().map(|r| ((r.object.clone(), r.key.clone()), r.clone())));
    Ok(adopted)
}

/// Contacts forcesync has never written, matched by email to Contacts the org
/// already has without a forcesync key (the oldest wins, see
/// [`entity_writes::adoptions`]). Returns the matched Contacts and their
/// Accounts as `matched` records.
async fn match_by_email<'a>(
    client: &Client,
    operations: impl IntoIterator<Item = &'a PlannedWrite>,
    records: &Records,
    contact_key_field: &str,
) -> Result<Vec<WrittenRecord>, Error> {
    let is_known = |object: &str, key: &str| records.contains_key(&(object.to_owned(), key.to_owned()));
    let wanted = entity_writes::contacts_to_adopt(operations, is_known);
    let emails: Vec<&String> = wanted.keys().collect();
    let mut found = Vec::new();
    for chunk in emails.chunks(PER_QUERY) {
        let values: Vec<Literal> = chunk.iter().map(|email| Literal::str(email.as_str())).collect();
        let soql = Soql::select(&["Id", "AccountId", "Email"], "Contact")
            .and_then(|q| q.where_in("Email", &values))
            .and_then(|q| q.where_eq(contact_key_field, Literal::Null))
            .and_then(|q| q.order_by("CreatedDate", false))?;
        found.extend(client.query_all_pages(&soql.build()).await?);
    }
    let adopted = entity_writes::adoptions(&wanted, &found);
    Ok(adopted.into_iter().map(|a| known_record(a.object, &a.key, &a.id, true)).collect())
}
