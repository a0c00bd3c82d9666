//! Turning an entity's planned record writes into composite subrequests ([`ReadyWrite`]): the write planner
//! ([`crate::domain::write_plan::entity_writes`]) decides each record's write
//! against what is known; this makes the composite subrequests, and reads a
//! refused create-only field as "the record already exists".

use std::collections::HashMap;

use crate::domain::lifecycle::PlannedWrite;
use crate::domain::write_plan::entity_writes::{self, Action, Known, KnownRecords, Unresolved};
use crate::salesforce::composite::Subrequest;
use crate::salesforce::{Error, ErrorClass};
use crate::storage::sync::WrittenRecord;

pub(super) use crate::domain::write_plan::entity_writes::{entry_key, hash};

/// Records written or found, by (object, external key).
pub(super) type Records = HashMap<(String, String), WrittenRecord>;

/// What the write planner needs of `records`.
pub(super) fn known(records: &Records) -> KnownRecords {
    records.iter().map(|(at, record)| (at.clone(), record.known())).collect()
}

/// One record write ready to send: its subrequest, and what to remember on success.
#[derive(Debug, Clone)]
pub(super) struct ReadyWrite {
    pub object: String,
    pub key: String,
    pub request: Subrequest,
    /// Hash of what is written, remembered on success.
    pub hash: Vec<u8>,
}

/// The requests for an entity's `operations`, as the write planner decides
/// them; skipped writes are left out.
pub(super) fn build(operations: &[PlannedWrite], known: &Known<'_>) -> Result<Vec<ReadyWrite>, Unresolved> {
    let writes = entity_writes::decide_all(operations, known)?;
    let mut nodes = Vec::with_capacity(writes.len());
    for (index, write) in writes.into_iter().enumerate() {
        let (reference_id, object, key_field, key) = (format!("n{index}"), &write.object, &write.key_field, &write.key);
        let request = match write.action {
            Action::Skip(reason) => {
                tracing::trace!(object = %object, key = %key, reason, "not sent");
                continue;
            }
            Action::Update { id } => Subrequest::update(&reference_id, object, &id, write.body),
            Action::Upsert => Subrequest::upsert(&reference_id, object, key_field, key, write.body),
            Action::UpsertOnce => Subrequest::upsert(&reference_id, object, key_field, key, write.body).once(),
        };
        nodes.push(ReadyWrite { object: write.object, key: write.key, request, hash: write.hash });
    }
    Ok(nodes)
}

/// Whether `error`, answering a write of `object`, says the record already
/// exists: Salesforce refused fields it takes only on create, so the upsert
/// found a record an earlier, unrecorded attempt made. The entity is retried
/// (and, being uncertain, looks its records up first) instead of parked.
pub(super) fn found_existing(object: &str, error: &Error) -> bool {
    entity_writes::refused_create_only(object, &error.code, &error.fields)
}

/// `error` (see [`found_existing`]) as the transient error it is.
pub(super) fn as_existing(object: &str, error: Error) -> Error {
    let message = format!(
        "the {object} already exists in Salesforce (an earlier attempt made it without its answer arriving): \
         it is looked up and updated on the next attempt; Salesforce said: {}",
        error.message
    );
    Error { message, ..error }.with_class(ErrorClass::Transient)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_create_only_field_means_the_record_exists() {
        let refused = |fields: &[&str]| {
            Error::new("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: X.", Some(400))
                .with_fields(fields.iter().map(|f| (*f).to_owned()).collect())
        };
        assert!(found_existing("OpportunityContactRole", &refused(&["OpportunityId"])));
        assert!(found_existing("OrderItem", &refused(&["OrderId", "PricebookEntryId"])));
        assert!(!found_existing("Order", &refused(&["OpportunityId"])), "updatable on Order: a real problem");
        assert!(!found_existing("OrderItem", &refused(&["OrderId", "Secret__c"])), "another field is refused too");
        assert!(!found_existing("OrderItem", &refused(&[])));
        let existing = as_existing("OrderItem", refused(&["OrderId"]));
        assert_eq!(
            (existing.code.as_str(), existing.class),
            ("INVALID_FIELD_FOR_INSERT_UPDATE", ErrorClass::Transient)
        );
    }
}
