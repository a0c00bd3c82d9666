//! Shipments, a part of the sales flow. A shipment event routes to its sale
//! (alias `order:<order_id>`); the domain adds the accumulated tracking
//! numbers, carriers, latest ship date and, once everything shipped, the
//! shipped status to the sale's planned Order write
//! (`domain::lifecycle::shipment_target`), so a shipment rides in the same
//! batched graphs as any other work: for a synced order it is one Order
//! update in the next graph. A sale known only from its shipments waits
//! (`WAITING_FOR_ORDER`) until the order is placed.
//!
//! What is its own here, before the batch is sent: the Order's describe
//! (cached per connection, so one call per connection) to refuse a value
//! longer than its field — the sale is parked with `STRING_TOO_LONG` naming
//! the field and its length; nothing is ever cut — and to write the ship date
//! to a datetime field as midnight UTC.

use crate::domain::lifecycle::{PlannedWrite, shipment_target};
use crate::domain::settings::Shipment as ShipmentSettings;
use crate::domain::sync::EntityFacts;
use crate::salesforce::describe::ObjectDescribe;
use crate::salesforce::{Error, ErrorClass};
use crate::storage::sync::Outcome;

use super::super::Shared;
use super::super::connections::StoreConnection;
use super::super::failures::pauses_store;
use super::super::store_batch::{Finished, Work};

/// Field types whose values have a length limit (`length` in describe).
const TEXT_TYPES: [&str; 7] = ["string", "textarea", "url", "phone", "email", "combobox", "encryptedstring"];

/// Checks (and adjusts) the shipment fields of every Order write in `work`
/// against the org's Order describe; entities with a value that does not fit
/// are moved to `finished` as failed. Returns the rest.
pub(in super::super) async fn check(
    shared: &Shared,
    connection: &StoreConnection,
    work: Vec<Work>,
    finished: &mut Vec<Finished>,
) -> Vec<Work> {
    let settings = &connection.settings.shipment;
    let carries = |w: &Work| w.operations.iter().any(|op| !shipment_fields(op, settings).is_empty());
    if !work.iter().any(carries) {
        return work;
    }
    let keys = &connection.settings.external_id_fields;
    let describe = match connection.client.describe("Order").await {
        Ok(Some(describe)) => describe,
        // Salesforce itself refuses the write then, with its own error.
        Ok(None) => return work,
        // The batch's own calls meet the spent allocation too, and pause the store.
        Err(error) if pauses_store(&error) => return work,
        Err(error) => {
            let (failed, rest): (Vec<Work>, Vec<Work>) = work.into_iter().partition(carries);
            finished.extend(failed.iter().map(|w| Finished::failed(&w.entity, &error, shared, keys)));
            return rest;
        }
    };
    let (mut ready, misfits) = fit_all(work, settings, &describe);
    if misfits.is_empty() {
        return ready;
    }
    // The cached describe may predate a field made longer since: ask the org once more.
    let fresh = match connection.client.describe_again("Order").await {
        Ok(Some(fresh)) => fresh,
        Ok(None) => describe,
        Err(error) => {
            finished.extend(misfits.iter().map(|(w, _)| Finished::failed(&w.entity, &error, shared, keys)));
            return ready;
        }
    };
    let (fit, misfits) = fit_all(misfits.into_iter().map(|(w, _)| w).collect(), settings, &fresh);
    ready.extend(fit);
    for (w, error) in misfits {
        tracing::warn!(store = %connection.code, entity = %w.entity.label, code = %error.code,
            fields = ?error.fields, "a shipment value does not fit its Order field");
        finished.push(Finished::failed(&w.entity, &error, shared, keys));
    }
    ready
}

/// The work whose Order writes fit `describe` (adjusted), and the rest with the reason.
fn fit_all(work: Vec<Work>, settings: &ShipmentSettings, describe: &ObjectDescribe) -> (Vec<Work>, Vec<(Work, Error)>) {
    let (mut fit, mut misfits) = (Vec::with_capacity(work.len()), Vec::new());
    for mut w in work {
        match w.operations.iter_mut().try_for_each(|op| fit_order_write(op, settings, describe)) {
            Ok(()) => fit.push(w),
            Err(error) => misfits.push((w, error)),
        }
    }
    (fit, misfits)
}

/// Leaves waiting (with the reason) each synced sale whose shipments still
/// wait for their Salesforce Order (`PAID_ONLY`, not paid yet); the next
/// event (the payment) makes it pending again.
pub(in super::super) fn hold_back(connection: &StoreConnection, finished: &mut [Finished]) {
    for done in finished.iter_mut().filter(|f| f.outcome == Outcome::Synced) {
        let EntityFacts::Sale(facts) = &done.entity.facts else { continue };
        if let Some(reason) = shipment_target::waiting_after_write(&connection.settings, facts) {
            done.outcome = Outcome::Waiting(reason.to_owned());
            if let Some(line) = done.log.first_mut() {
                line.message = format!("{}; {reason}", line.message);
            }
        }
    }
}

/// The configured shipment fields `op` sets (none unless it writes an Order).
fn shipment_fields(op: &PlannedWrite, settings: &ShipmentSettings) -> Vec<String> {
    if op.object != "Order" {
        return Vec::new();
    }
    [&settings.tracking_number_field, &settings.carrier_field, &settings.ship_date_field]
        .into_iter()
        .flatten()
        .map(|field| field.as_str().to_owned())
        .filter(|field| op.fields.contains_key(field))
        .collect()
}

/// Refuses a shipment value longer than its Order field, and writes the ship
/// date to a datetime field as midnight UTC. Fields the org lacks are left
/// for Salesforce to refuse (Test Connection reports them first).
fn fit_order_write(op: &mut PlannedWrite, settings: &ShipmentSettings, describe: &ObjectDescribe) -> Result<(), Error> {
    let ship_date = settings.ship_date_field.as_ref().map(|f| f.as_str());
    for name in shipment_fields(op, settings) {
        let Some(field) = describe.field(&name) else { continue };
        let Some(value) = op.fields.get_mut(&name) else { continue };
        let Some(text) = value.as_str() else { continue };
        if Some(name.as_str()) == ship_date && field.field_type == "datetime" && text.len() == "YYYY-MM-DD".len() {
            *value = serde_json::Value::String(format!("{text}T00:00:00Z"));
            continue;
        }
        let length = text.chars().count();
        let max = usize::try_from(field.length).unwrap_or(usize::MAX);
        if TEXT_TYPES.contains(&field.field_type.as_str()) && max > 0 && length > max {
            return Err(too_long(&field.name, max, text));
        }
    }
    Ok(())
}

fn too_long(field: &str, max: usize, value: &str) -> Error {
    let preview: String = value.chars().take(60).collect();
    let more = if value.chars().count() > 60 { "…" } else { "" };
    let message = format!(
        "Order.{field} holds at most {max} characters, but the shipments make it {} characters \
         (\"{preview}{more}\"); forcesync does not cut values",
        value.chars().count()
    );
    Error::new("STRING_TOO_LONG", message, None).with_class(ErrorClass::Data).with_fields(vec![field.to_owned()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::settings::ApiName;
    use serde_json::{Value, json};

    fn settings() -> ShipmentSettings {
        let name = |raw| ApiName::parse(raw).ok();
        ShipmentSettings {
            tracking_number_field: name("Tracking__c"),
            carrier_field: name("Carrier__c"),
            ship_date_field: name("Shipped_At__c"),
            shipped_status: None,
        }
    }

    fn describe(tracking_length: usize, date_type: &str) -> ObjectDescribe {
        serde_json::from_value(json!({"name": "Order", "fields": [
            {"name": "Tracking__c", "type": "string", "length": tracking_length},
            {"name": "Carrier__c", "type": "string", "length": 80},
            {"name": "Shipped_At__c", "type": date_type}]}))
        .expect("describe")
    }

    fn order(tracking: &str) -> PlannedWrite {
        let fields =
            [("Status", "Draft"), ("Tracking__c", tracking), ("Carrier__c", "UPS"), ("Shipped_At__c", "2025-03-05")];
        PlannedWrite {
            object: "Order".into(),
            key_field: "ForceSync_Key__c".into(),
            key: "main:order:1".into(),
            fields: fields.into_iter().map(|(k, v)| (k.to_owned(), Value::String(v.to_owned()))).collect(),
            parents: Vec::new(),
        }
    }

    #[test]
    fn a_value_that_fits_is_sent_as_planned() {
        let mut op = order("1Z1, 1Z2");
        let before = op.clone();
        assert_eq!(fit_order_write(&mut op, &settings(), &describe(8, "date")), Ok(()));
        assert_eq!(op, before, "exactly the field's length fits; a date field takes the date");
    }

    #[test]
    fn a_value_longer_than_its_field_is_refused_not_cut() {
        let mut op = order("1Z1, 1Z2");
        let error = fit_order_write(&mut op, &settings(), &describe(7, "date")).expect_err("too long");
        assert_eq!(
            (error.code.as_str(), error.class, error.fields.as_slice()),
            ("STRING_TOO_LONG", ErrorClass::Data, &["Tracking__c".to_owned()][..])
        );
        assert!(
            error.message.contains("Order.Tracking__c holds at most 7 characters")
                && error.message.contains("8 characters"),
            "{}",
            error.message
        );
        assert_eq!(op.fields["Tracking__c"], json!("1Z1, 1Z2"), "never cut");
    }

    #[test]
    fn a_datetime_ship_date_field_gets_midnight_utc() {
        let mut op = order("1Z1");
        assert_eq!(fit_order_write(&mut op, &settings(), &describe(80, "datetime")), Ok(()));
        assert_eq!(op.fields["Shipped_At__c"], json!("2025-03-05T00:00:00Z"));
    }

    #[test]
    fn other_objects_and_missing_fields_are_left_alone() {
        let mut account = PlannedWrite { object: "Account".into(), ..order(&"x".repeat(500)) };
        assert_eq!(fit_order_write(&mut account, &settings(), &describe(7, "date")), Ok(()));
        let mut op = order(&"x".repeat(500));
        let no_fields: ObjectDescribe = serde_json::from_value(json!({"name": "Order"})).expect("describe");
        assert_eq!(fit_order_write(&mut op, &settings(), &no_fields), Ok(()), "Salesforce reports a missing field");
    }
}
