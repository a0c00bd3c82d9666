//! A field both sides changed since the last sync: the store has a change
//! of it not yet written to Salesforce, and Salesforce has another value.
//! The store's policy names the winner; every conflict is kept with both
//! values. Fields only one side changed are no conflict.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::diff::{FieldChange, same_value};
use crate::domain::settings::ConflictPolicy;

/// Which side's value stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Winner {
    Store,
    Salesforce,
}

/// One field both sides changed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Conflict {
    pub field: String,
    pub store_value: Value,
    pub salesforce_value: Value,
    pub winner: Winner,
}

/// The store's change of a record not yet written to Salesforce.
#[derive(Debug, Clone, PartialEq)]
pub struct StorePending {
    /// The values the store's pending change would write.
    pub fields: Map<String, Value>,
    /// When the store's latest event of it was received (Unix ms).
    pub at: i64,
}

/// What becomes of a polled record's changes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resolution {
    /// Delivered to the store (Salesforce's value stands).
    pub deliver: Vec<FieldChange>,
    pub conflicts: Vec<Conflict>,
}

impl Resolution {
    /// The conflicts Salesforce won: the store's pending write must not overwrite them.
    pub fn salesforce_won(&self) -> impl Iterator<Item = &Conflict> {
        self.conflicts.iter().filter(|c| c.winner == Winner::Salesforce)
    }
}

/// Settles Salesforce's `changes` of a record (changed at `salesforce_at`)
/// against the store's `pending` change of it, given what forcesync last
/// `written` there.
pub fn resolve(
    policy: ConflictPolicy,
    changes: Vec<FieldChange>,
    written: &Map<String, Value>,
    pending: Option<&StorePending>,
    salesforce_at: i64,
) -> Resolution {
    let mut resolution = Resolution::default();
    for change in changes {
        let store_value = pending.and_then(|p| p.fields.get(&change.field)).filter(|value| {
            let store_changed = written.get(&change.field).is_none_or(|was| !same_value(was, value));
            store_changed && !same_value(value, &change.new)
        });
        let (Some(store_value), Some(pending)) = (store_value, pending) else {
            resolution.deliver.push(change);
            continue;
        };
        let winner = match policy {
            ConflictPolicy::StoreWins => Winner::Store,
            ConflictPolicy::SalesforceWins => Winner::Salesforce,
            // On a tie the store's change, which has not reached Salesforce yet, stands.
            ConflictPolicy::LatestWins if salesforce_at > pending.at => Winner::Salesforce,
            ConflictPolicy::LatestWins => Winner::Store,
        };
        resolution.conflicts.push(Conflict {
            field: change.field.clone(),
            store_value: store_value.clone(),
            salesforce_value: change.new.clone(),
            winner,
        });
        if winner == Winner::Salesforce {
            resolution.deliver.push(change);
        }
    }
    resolution
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn phone_edit() -> Vec<FieldChange> {
        vec![
            FieldChange { field: "Phone".into(), old: json!("100"), new: json!("200") },
            FieldChange { field: "Name".into(), old: json!("Acme"), new: json!("Acme Ltd") },
        ]
    }

    fn store_phone(at: i64) -> StorePending {
        StorePending { fields: map(json!({"Phone": "300", "Name": "Acme"})), at }
    }

    fn winners(resolution: &Resolution) -> Vec<(&str, Winner)> {
        resolution.conflicts.iter().map(|c| (c.field.as_str(), c.winner)).collect()
    }

    fn delivered(resolution: &Resolution) -> Vec<&str> {
        resolution.deliver.iter().map(|c| c.field.as_str()).collect()
    }

    #[test]
    fn without_a_pending_store_change_everything_is_delivered() {
        let written = map(json!({"Phone": "100", "Name": "Acme"}));
        let resolution = resolve(ConflictPolicy::StoreWins, phone_edit(), &written, None, 10);
        assert_eq!(delivered(&resolution), ["Phone", "Name"]);
        assert!(resolution.conflicts.is_empty());
    }

    #[test]
    fn each_policy_names_its_winner_and_keeps_both_values() {
        let written = map(json!({"Phone": "100", "Name": "Acme"}));
        let store = store_phone(50);
        let cases = [
            (ConflictPolicy::StoreWins, 90, Winner::Store),
            (ConflictPolicy::SalesforceWins, 10, Winner::Salesforce),
            (ConflictPolicy::LatestWins, 90, Winner::Salesforce),
            (ConflictPolicy::LatestWins, 10, Winner::Store),
            (ConflictPolicy::LatestWins, 50, Winner::Store),
        ];
        for (policy, salesforce_at, winner) in cases {
            let resolution = resolve(policy, phone_edit(), &written, Some(&store), salesforce_at);
            assert_eq!(winners(&resolution), [("Phone", winner)], "{policy:?} at {salesforce_at}");
            let conflict = &resolution.conflicts[0];
            assert_eq!((&conflict.store_value, &conflict.salesforce_value), (&json!("300"), &json!("200")));
            // Name changed on one side only: always delivered.
            let expected: &[&str] = if winner == Winner::Salesforce { &["Phone", "Name"] } else { &["Name"] };
            assert_eq!(delivered(&resolution), expected, "{policy:?}");
        }
    }

    #[test]
    fn the_same_value_on_both_sides_is_no_conflict() {
        let written = map(json!({"Phone": "100"}));
        let store = StorePending { fields: map(json!({"Phone": "200"})), at: 5 };
        let change = vec![FieldChange { field: "Phone".into(), old: json!("100"), new: json!("200") }];
        let resolution = resolve(ConflictPolicy::StoreWins, change, &written, Some(&store), 1);
        assert_eq!(delivered(&resolution), ["Phone"]);
        assert!(resolution.conflicts.is_empty());
    }
}
