//! The org's data: one table per object, record writes with Salesforce's
//! validation, system fields, derived values and roll-ups (`Order.TotalAmount`),
//! SOQL over the tables, and savepoints so a composite request can roll back as
//! a unit.

mod derived;
mod dml;
mod query;
mod rollup;
mod table;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::ids::{IdGenerator, SfId};
use crate::schema::Schema;
use crate::schema::validate::InputFormat;

pub use dml::{DmlError, Upserted};
pub use query::QueryError;
pub use table::{IndexedField, Record, Table};

/// Salesforce's dateTime output format, to the second: `2026-11-25T10:00:00.000+0000`.
pub fn format_datetime(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S.000+0000").to_string()
}

/// Who writes, when (stamped into the system fields), and in which input
/// format (it decides how type errors are reported).
#[derive(Debug, Clone)]
pub struct Writer {
    pub user_id: String,
    pub now: DateTime<Utc>,
    pub format: InputFormat,
}

impl Writer {
    pub fn new(user_id: impl Into<String>) -> Self {
        Self { user_id: user_id.into(), now: Utc::now(), format: InputFormat::Json }
    }
}

/// A position in the undo log to roll back to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Savepoint(usize);

/// A record purged from the recycle bin: gone from every query, still
/// listed by `/deleted` (Salesforce keeps tombstones longer than rows).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tombstone {
    pub object: String,
    pub id: String,
    pub deleted_date: String,
}

#[derive(Debug)]
pub struct Org {
    pub schema: Schema,
    pub org_id: String,
    ids: IdGenerator,
    tables: HashMap<String, Table>,
    /// Records purged from the recycle bin.
    pub tombstones: Vec<Tombstone>,
    /// (object, id, row before the change) for every write since the oldest open savepoint.
    undo: Vec<(String, String, Option<Record>)>,
    open_savepoints: usize,
    /// Last `OrderNumber` / `OrderItemNumber` given (auto-numbers).
    order_number: u64,
    order_item_number: u64,
    /// Fault injection: the next record write fails with UNABLE_TO_LOCK_ROW.
    pub lock_error_pending: bool,
}

impl Org {
    /// An empty org with the standard price book.
    pub fn new(schema: Schema, org_id: String, ids: IdGenerator, admin_user_id: &str) -> Result<Self, String> {
        let tables = schema
            .objects()
            .iter()
            .map(|object| {
                let indexed = object
                    .fields()
                    .iter()
                    .filter(|f| f.name != "Id" && (f.external_id || f.unique || f.id_lookup))
                    .map(|f| IndexedField { name: f.name.clone(), case_sensitive: f.case_sensitive })
                    .collect();
                (object.name.clone(), Table::new(indexed))
            })
            .collect();
        let mut org = Self {
            schema,
            org_id,
            ids,
            tables,
            tombstones: Vec::new(),
            undo: Vec::new(),
            open_savepoints: 0,
            order_number: 100,
            order_item_number: 0,
            lock_error_pending: false,
        };
        let writer = Writer::new(admin_user_id);
        let standard = json!({"Name": "Standard Price Book", "IsActive": true, "IsStandard": true});
        org.insert_system("Pricebook2", standard, &writer)?;
        Ok(org)
    }

    pub fn table(&self, object: &str) -> Option<&Table> {
        self.tables.get(object)
    }

    /// The live or deleted row with this Id, and its object.
    pub fn find_by_id(&self, id: &SfId) -> Option<(&str, &Record)> {
        let object = self.schema.object_for_id(id)?;
        let record = self.tables.get(&object.name)?.get(id.as_str())?;
        Some((object.name.as_str(), record))
    }

    /// Moves a record's SystemModstamp `by` into the past, as a transaction
    /// that committed late leaves it: stamped before rows a poll already read.
    pub fn backdate(&mut self, id: &SfId, by: chrono::Duration) -> Result<String, String> {
        let object = self.schema.object_for_id(id).map(|o| o.name.clone()).ok_or("no such record")?;
        let table = self.tables.get_mut(&object).ok_or("no such object")?;
        let mut record = table.get(id.as_str()).cloned().ok_or("no such record")?;
        let stamp = record.get("SystemModstamp").and_then(Value::as_str).ok_or("no SystemModstamp")?;
        let at = DateTime::parse_from_str(stamp, "%Y-%m-%dT%H:%M:%S%.f%z").map_err(|e| e.to_string())?;
        let moved = format_datetime(at.with_timezone(&Utc) - by);
        record.insert("SystemModstamp".into(), Value::String(moved.clone()));
        table.put(id.as_str(), record);
        Ok(moved)
    }

    /// Empties a deleted record out of the recycle bin: no query sees it any
    /// more, `/deleted` still lists it.
    pub fn purge(&mut self, id: &SfId) -> Result<(), String> {
        let object = self.schema.object_for_id(id).map(|o| o.name.clone()).ok_or("no such record")?;
        let table = self.tables.get_mut(&object).ok_or("no such object")?;
        let record = table.get(id.as_str()).ok_or("no such record")?;
        if record.get("IsDeleted") != Some(&Value::Bool(true)) {
            return Err("only a deleted record can be purged".into());
        }
        let deleted_date = record.get("SystemModstamp").and_then(Value::as_str).unwrap_or_default().to_owned();
        table.remove(id.as_str());
        self.tombstones.push(Tombstone { object, id: id.as_str().to_owned(), deleted_date });
        Ok(())
    }

    /// Total rows per object (deleted included), for the control endpoint.
    pub fn row_counts(&self) -> Vec<(String, usize)> {
        let mut counts: Vec<_> = self.tables.iter().map(|(name, t)| (name.clone(), t.len())).collect();
        counts.sort();
        counts
    }

    /// Every row of every object, for the control endpoint's dump.
    pub fn dump(&self) -> Value {
        let objects: serde_json::Map<String, Value> = self
            .tables
            .iter()
            .filter(|(_, table)| !table.is_empty())
            .map(|(name, table)| (name.clone(), Value::Array(table.rows().cloned().map(Value::Object).collect())))
            .collect();
        Value::Object(objects)
    }

    /// Starts a unit of work that `rollback` can undo.
    pub fn savepoint(&mut self) -> Savepoint {
        self.open_savepoints += 1;
        Savepoint(self.undo.len())
    }

    /// Keeps the work since `savepoint`.
    pub fn release(&mut self, _savepoint: Savepoint) {
        self.open_savepoints = self.open_savepoints.saturating_sub(1);
        if self.open_savepoints == 0 {
            self.undo.clear();
        }
    }

    /// Undoes every write since `savepoint`.
    pub fn rollback(&mut self, savepoint: Savepoint) {
        while self.undo.len() > savepoint.0 {
            let Some((object, id, previous)) = self.undo.pop() else { break };
            if let Some(table) = self.tables.get_mut(&object) {
                match previous {
                    Some(row) => {
                        table.put(&id, row);
                    }
                    None => {
                        table.remove(&id);
                    }
                }
            }
        }
        self.release(savepoint);
    }

    /// Writes a row, remembering what it replaced while a savepoint is open.
    fn write_row(&mut self, object: &str, id: &str, record: Record) {
        let Some(table) = self.tables.get_mut(object) else { return };
        let previous = table.put(id, record);
        if self.open_savepoints > 0 {
            self.undo.push((object.to_owned(), id.to_owned(), previous));
        }
    }

    /// A new Id with `key_prefix` (records, and e.g. Bulk jobs `750`).
    pub fn new_id(&mut self, key_prefix: &str) -> Result<SfId, String> {
        self.ids.next_id(key_prefix).map_err(|e| e.to_string())
    }

    /// Inserts a row the platform owns (no validation), e.g. the standard price book.
    fn insert_system(&mut self, object: &str, fields: Value, writer: &Writer) -> Result<SfId, String> {
        let prefix = self.schema.object(object).map(|o| o.key_prefix.clone()).ok_or("unknown object")?;
        let id = self.new_id(&prefix)?;
        let mut record = fields.as_object().cloned().unwrap_or_default();
        dml::stamp_new(&mut record, &id, writer);
        self.write_row(object, id.as_str(), record);
        Ok(id)
    }
}

#[cfg(test)]
#[path = "derived_tests.rs"]
mod derived_tests;
