//! One object's rows, with hash indexes on its lookup keys (external ids,
//! unique and idLookup fields) so upserts stay O(1) at bulk sizes.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

pub type Record = Map<String, Value>;

/// An indexed field and whether its matches are case-sensitive.
#[derive(Debug, Clone)]
pub struct IndexedField {
    pub name: String,
    pub case_sensitive: bool,
}

#[derive(Debug, Default, Clone)]
pub struct Table {
    /// Rows by 18-character Id, deleted ones included (`IsDeleted = true`).
    rows: BTreeMap<String, Record>,
    indexed: Vec<IndexedField>,
    /// Field → normalised value → Ids of live (not deleted) rows.
    index: HashMap<String, HashMap<String, BTreeSet<String>>>,
}

/// The index key of a stored value: strings (lower-cased unless
/// case-sensitive) and numbers; other values are not indexed.
pub fn index_key(value: &Value, case_sensitive: bool) -> Option<String> {
    match value {
        Value::String(s) if case_sensitive => Some(s.clone()),
        Value::String(s) => Some(s.to_lowercase()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn is_deleted(record: &Record) -> bool {
    record.get("IsDeleted").and_then(Value::as_bool).unwrap_or(false)
}

impl Table {
    pub fn new(indexed: Vec<IndexedField>) -> Self {
        let index = indexed.iter().map(|f| (f.name.clone(), HashMap::new())).collect();
        Self { rows: BTreeMap::new(), indexed, index }
    }

    pub fn get(&self, id: &str) -> Option<&Record> {
        self.rows.get(id)
    }

    /// All rows in Id (creation) order, deleted ones included.
    pub fn rows(&self) -> impl Iterator<Item = &Record> {
        self.rows.values()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Ids of live rows whose `field` matches `value`; `None` if `field` is not indexed.
    pub fn find(&self, field: &str, value: &Value) -> Option<Vec<String>> {
        let spec = self.indexed.iter().find(|f| f.name == field)?;
        let key = index_key(value, spec.case_sensitive)?;
        Some(self.index.get(field)?.get(&key).map(|ids| ids.iter().cloned().collect()).unwrap_or_default())
    }

    /// Writes `record` under `id` (replacing any row); returns the previous row.
    pub fn put(&mut self, id: &str, record: Record) -> Option<Record> {
        let previous = self.remove(id);
        if !is_deleted(&record) {
            for spec in &self.indexed {
                if let Some(key) = record.get(&spec.name).and_then(|v| index_key(v, spec.case_sensitive)) {
                    let by_value = self.index.entry(spec.name.clone()).or_default();
                    by_value.entry(key).or_default().insert(id.to_owned());
                }
            }
        }
        self.rows.insert(id.to_owned(), record);
        previous
    }

    /// Removes the row entirely (no recycle bin); returns it.
    pub fn remove(&mut self, id: &str) -> Option<Record> {
        let previous = self.rows.remove(id)?;
        for spec in &self.indexed {
            if let Some(key) = previous.get(&spec.name).and_then(|v| index_key(v, spec.case_sensitive))
                && let Some(ids) = self.index.get_mut(&spec.name).and_then(|m| m.get_mut(&key))
            {
                ids.remove(id);
                if ids.is_empty()
                    && let Some(by_value) = self.index.get_mut(&spec.name)
                {
                    by_value.remove(&key);
                }
            }
        }
        Some(previous)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn record(value: Value) -> Record {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn index_follows_writes_and_deletes() {
        let mut table = Table::new(vec![IndexedField { name: "Key__c".into(), case_sensitive: false }]);
        table.put("a", record(json!({"Key__c": "K1", "IsDeleted": false})));
        table.put("b", record(json!({"Key__c": "k1", "IsDeleted": false})));
        assert_eq!(table.find("Key__c", &json!("k1")), Some(vec!["a".to_owned(), "b".to_owned()]));
        table.put("a", record(json!({"Key__c": "K2", "IsDeleted": false})));
        assert_eq!(table.find("Key__c", &json!("K1")), Some(vec!["b".to_owned()]));
        table.put("b", record(json!({"Key__c": "k1", "IsDeleted": true})));
        assert_eq!(table.find("Key__c", &json!("K1")), Some(vec![]), "deleted rows do not match");
        assert_eq!(table.len(), 2);
        assert_eq!(table.find("Other", &json!("x")), None);
        assert!(table.remove("a").is_some() && table.find("Key__c", &json!("k2")) == Some(vec![]));
    }
}
