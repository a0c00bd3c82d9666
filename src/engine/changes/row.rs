//! What one polled row of a synced record becomes: a deletion, an edit of
//! watched fields (settled against the store's pending change by the
//! policy), or nothing but a new known state — forcesync's own write read
//! back, or a touch that changed no watched field. Pure.

use serde_json::{Map, Value, json};

use crate::domain::changes::{
    ChangeKind, ChangePayload, Conflict, StorePending, StoreRef, changed_fields, diff::watched_values, resolve,
};
use crate::domain::settings::ConflictPolicy;
use crate::domain::write_plan::entity_writes;
use crate::storage::changes::{CaptureRecord, NewChange, RecordUpdate};

/// A row's outcome.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct RowOutcome {
    pub change: Option<NewChange>,
    pub update: RecordUpdate,
    pub conflicts: Vec<Conflict>,
}

/// The change payload's reference to the store's own data: the customer an
/// Account or Contact key names (a sale writes its customer's too), else the
/// entity's most telling alias.
fn store_ref(record: &CaptureRecord) -> Option<StoreRef> {
    let customer = matches!(record.object.as_str(), "Account" | "Contact");
    customer
        .then(|| StoreRef::customer_of_key(&record.key))
        .flatten()
        .or_else(|| StoreRef::from_aliases(record.aliases.iter().map(String::as_str)))
}

fn new_change(kind: ChangeKind, record: &CaptureRecord, modstamp: i64, payload: &ChangePayload) -> NewChange {
    NewChange {
        kind: kind.as_str(),
        object: record.object.clone(),
        sf_id: record.sf_id.clone(),
        modstamp,
        payload: serde_json::to_string(payload).unwrap_or_else(|_| "{}".into()),
        download: false,
    }
}

/// The outcome of `row` (changed at `modstamp`) for `record`, or `None` when
/// it is older than what was seen or a deletion already reported.
/// SystemModstamp has whole seconds, so two edits may share one: a row as new
/// as the last seen is compared by value.
pub(super) fn decide(
    watched: &[&str],
    policy: ConflictPolicy,
    record: &CaptureRecord,
    row: &Map<String, Value>,
    modstamp: i64,
    pending: Option<(&StorePending, i64)>,
) -> Option<RowOutcome> {
    let deleted = row.get("IsDeleted").and_then(Value::as_bool) == Some(true);
    let reported = record.sf_values.as_ref().and_then(|seen| seen.get("IsDeleted")) == Some(&Value::Bool(true));
    if record.sf_modstamp.is_some_and(|seen| seen > modstamp) || (deleted && reported) {
        return None;
    }
    let changed_by = row.get("LastModifiedById").and_then(Value::as_str).map(str::to_owned);
    let mut seen = watched_values(watched.iter().copied(), row);
    if deleted {
        // Never a watched field: marks the deletion as reported.
        seen.insert("IsDeleted".into(), Value::Bool(true));
    }
    let mut update = RecordUpdate {
        object: record.object.clone(),
        key: record.key.clone(),
        sf_values: Value::Object(seen).to_string(),
        sf_modstamp: modstamp,
        body: None,
        pins: None,
    };
    if deleted {
        let payload = ChangePayload { store_ref: store_ref(record), changed_by, ..ChangePayload::default() };
        let change = new_change(ChangeKind::RecordDeleted, record, modstamp, &payload);
        return Some(RowOutcome { change: Some(change), update, conflicts: Vec::new() });
    }
    let changes = changed_fields(watched.iter().copied(), &record.known(), row);
    if changes.is_empty() {
        return Some(RowOutcome { change: None, update, conflicts: Vec::new() });
    }
    let written = record.body.clone().unwrap_or_default();
    let resolution = resolve(policy, changes, &written, pending.map(|(p, _)| p), modstamp);
    if let Some((_, version)) = pending {
        let won: Map<String, Value> =
            resolution.salesforce_won().map(|c| (c.field.clone(), c.salesforce_value.clone())).collect();
        if !won.is_empty() {
            update.pins = Some(json!({ "version": version, "fields": won }).to_string());
        }
    }
    // What the store is told becomes what forcesync wrote: its echo costs nothing.
    let mut body = written;
    let mut moved = false;
    for change in &resolution.deliver {
        if let Some(value) = body.get_mut(&change.field) {
            *value = change.new.clone();
            moved = true;
        }
    }
    if moved {
        let body = Value::Object(body);
        update.body = Some((body.to_string(), entity_writes::hash(&record.object, &record.key, &body)));
    }
    let change = (!resolution.deliver.is_empty()).then(|| {
        let kind = ChangeKind::edit_of(&record.object).unwrap_or(ChangeKind::CustomerChanged);
        let payload = ChangePayload {
            store_ref: store_ref(record),
            fields: resolution.deliver.clone(),
            changed_by,
            conflicts: resolution.conflicts.clone(),
            order: None,
        };
        new_change(kind, record, modstamp, &payload)
    });
    Some(RowOutcome { change, update, conflicts: resolution.conflicts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::changes::Winner;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    fn account() -> CaptureRecord {
        CaptureRecord {
            object: "Account".into(),
            key: "main:customer:42".into(),
            sf_id: "001A".into(),
            body: Some(map(json!({"Name": "Acme", "Phone": "100"}))),
            sf_values: None,
            sf_modstamp: Some(1_000),
            pins: None,
            downloaded: false,
            entity_id: Some(7),
            aliases: vec!["customer:42".into()],
            pending: None,
            entity_updated_at: Some(500),
        }
    }

    #[test]
    fn a_state_seen_before_is_skipped_and_an_own_write_changes_nothing() {
        let row = map(json!({"Id": "001A", "Name": "Acme", "Phone": "100"}));
        assert_eq!(decide(&["Phone"], ConflictPolicy::LatestWins, &account(), &row, 999, None), None);
        let same_second = decide(&["Phone"], ConflictPolicy::LatestWins, &account(), &row, 1_000, None);
        assert_eq!(same_second.and_then(|o| o.change), None, "compared by value");
        let outcome = decide(&["Phone", "Name"], ConflictPolicy::LatestWins, &account(), &row, 2_000, None);
        let outcome = outcome.expect("a new state");
        assert_eq!((outcome.change, outcome.update.sf_modstamp), (None, 2_000));
    }

    #[test]
    fn an_edit_is_delivered_and_becomes_what_forcesync_wrote() {
        let row = map(json!({"Id": "001A", "Name": "Acme", "Phone": "200", "LastModifiedById": "005H"}));
        let outcome = decide(&["Phone"], ConflictPolicy::LatestWins, &account(), &row, 2_000, None).expect("new");
        let change = outcome.change.expect("delivered");
        assert_eq!(change.kind, "customer_changed");
        let payload: ChangePayload = serde_json::from_str(&change.payload).expect("payload");
        assert_eq!(payload.store_ref.map(|r| r.id).as_deref(), Some("42"));
        assert_eq!(payload.changed_by.as_deref(), Some("005H"));
        let (body, hash) = outcome.update.body.expect("body moves");
        let echoed = json!({"Name": "Acme", "Phone": "200"});
        assert_eq!(serde_json::from_str::<Value>(&body).ok(), Some(echoed.clone()));
        assert_eq!(hash, entity_writes::hash("Account", "main:customer:42", &echoed));
    }

    #[test]
    fn a_conflict_salesforce_wins_pins_the_field_for_the_pending_version() {
        let row = map(json!({"Id": "001A", "Name": "Acme", "Phone": "200"}));
        let store = StorePending { fields: map(json!({"Name": "Acme", "Phone": "300"})), at: 1_500 };
        let outcome = decide(&["Phone"], ConflictPolicy::SalesforceWins, &account(), &row, 2_000, Some((&store, 9)))
            .expect("new");
        assert_eq!(outcome.conflicts.iter().map(|c| c.winner).collect::<Vec<_>>(), [Winner::Salesforce]);
        let pins: Value = serde_json::from_str(&outcome.update.pins.expect("pinned")).expect("json");
        assert_eq!(pins, json!({"version": 9, "fields": {"Phone": "200"}}));
        let store_wins =
            decide(&["Phone"], ConflictPolicy::StoreWins, &account(), &row, 2_000, Some((&store, 9))).expect("new");
        assert_eq!((store_wins.change, store_wins.update.pins, store_wins.update.body), (None, None, None));
    }

    #[test]
    fn a_deleted_row_is_a_deletion() {
        let row = map(json!({"Id": "001A", "IsDeleted": true}));
        let outcome = decide(&["Phone"], ConflictPolicy::LatestWins, &account(), &row, 1_000, None).expect("new");
        assert_eq!(outcome.change.map(|c| c.kind), Some("record_deleted"), "even in the second it was last seen");
        let reported = CaptureRecord { sf_values: serde_json::from_str(&outcome.update.sf_values).ok(), ..account() };
        assert_eq!(decide(&["Phone"], ConflictPolicy::LatestWins, &reported, &row, 1_000, None), None, "once");
    }
}
