//! Roll-ups the platform keeps on parent records after a child is written:
//! `Order.TotalAmount` is the sum of its live OrderItems' `TotalPrice`. Every record
//! write (REST, composite, collections, graph, tree, Bulk) passes through `Org`'s
//! create/update/delete, which call `after_write`.

use serde_json::{Value, json};

use super::{Org, Record, Writer, format_datetime};

/// What a record adds to its parent's total: an OrderItem's TotalPrice while it is live.
fn contribution(record: Option<&Record>) -> f64 {
    let Some(record) = record else { return 0.0 };
    if record.get("IsDeleted").and_then(Value::as_bool).unwrap_or(false) {
        return 0.0;
    }
    record.get("TotalPrice").and_then(Value::as_f64).unwrap_or(0.0)
}

/// Currency is kept to two decimals, so repeated additions do not drift.
fn cents(amount: f64) -> f64 {
    (amount * 100.0).round() / 100.0
}

impl Org {
    /// Brings parent roll-ups up to date for a write of `object` from `before` (none on
    /// insert) to `after` (the row as stored; deleted rows carry `IsDeleted = true`).
    pub(super) fn after_write(&mut self, object: &str, before: Option<&Record>, after: &Record, writer: &Writer) {
        if object != "OrderItem" {
            return;
        }
        let delta = contribution(Some(after)) - contribution(before);
        // OrderId is create-only, so both versions name the same order.
        let order_id = after.get("OrderId").and_then(Value::as_str);
        let Some(mut order) = order_id.and_then(|id| self.table("Order")?.get(id)).cloned() else { return };
        if delta == 0.0 {
            return;
        }
        let total = order.get("TotalAmount").and_then(Value::as_f64).unwrap_or(0.0);
        order.insert("TotalAmount".into(), json!(cents(total + delta)));
        // A system update: only SystemModstamp moves (§11 item 19).
        // [unconfirmed] whether Salesforce also moves the order's LastModifiedDate.
        order.insert("SystemModstamp".into(), Value::String(format_datetime(writer.now)));
        if let Some(id) = order_id.map(str::to_owned) {
            self.write_row("Order", &id, order);
        }
    }
}
