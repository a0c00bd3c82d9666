//! Before a store's writes are sent, what the way back decided: a field
//! Salesforce won in a conflict keeps Salesforce's value in the store's
//! pending write (for the entity version that was pending then), and a sale
//! whose Order was downloaded from Salesforce writes only that Order's
//! header — its status and shipment fields, by Id — never a second Order,
//! its items, an Opportunity or the store's customer over the Order's Account.

use serde_json::Value;

use crate::domain::lifecycle::PlannedWrite;

use super::super::store_batch::Work;
use super::super::subrequests::Records;

/// Order fields a downloaded order does not take from the store: Salesforce made them.
const DOWNLOADED_KEEPS: [&str; 2] = ["EffectiveDate", "Pricebook2Id"];

fn pinned(records: &Records, operation: &PlannedWrite, version: i64) -> Vec<(String, Value)> {
    let Some(pins) = records.get(&(operation.object.clone(), operation.key.clone())).and_then(|r| r.pins.as_deref())
    else {
        return Vec::new();
    };
    let Ok(pins) = serde_json::from_str::<Value>(pins) else { return Vec::new() };
    if pins.get("version").and_then(Value::as_i64) != Some(version) {
        return Vec::new();
    }
    let fields = pins.get("fields").and_then(Value::as_object).cloned().unwrap_or_default();
    fields.into_iter().collect()
}

/// The batch's work with both rules applied.
pub(in crate::engine) fn adjust(mut work: Vec<Work>, records: &Records) -> Vec<Work> {
    for w in &mut work {
        let downloaded = w.operations.iter().find(|op| {
            op.object == "Order" && records.get(&("Order".to_owned(), op.key.clone())).is_some_and(|r| r.downloaded)
        });
        if let Some(order) = downloaded.cloned() {
            let mut order = order;
            order.parents.clear();
            order.fields.retain(|field, _| !DOWNLOADED_KEEPS.contains(&field.as_str()));
            w.operations = vec![order];
        }
        let version = w.entity.version;
        for operation in &mut w.operations {
            for (field, value) in pinned(records, operation, version) {
                if operation.fields.contains_key(&field) {
                    operation.fields.insert(field, value);
                }
            }
        }
    }
    work
}
