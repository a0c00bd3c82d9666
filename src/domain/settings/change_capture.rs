//! Change capture (issue 14): which Salesforce objects and fields come back to
//! the store in BIDIRECTIONAL mode, how often each object is polled, and who
//! wins when both sides changed the same field. The settings are accepted in
//! either integration mode; they only act in BIDIRECTIONAL.
//!
//! The default Account and Contact address fields are the text fields
//! (`BillingState`, `MailingCountry`, …) even when `state_country_picklists`
//! is on: Salesforce keeps the text fields in step with the `*Code` fields, so
//! watching the text fields catches an edit to either. A store may watch the
//! `*Code` fields instead; both are valid API names.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::values::ApiName;

/// Default seconds between two polls of one object.
pub const DEFAULT_POLL_INTERVAL_SECS: u32 = 60;
/// Shortest and longest poll interval accepted, in seconds.
pub const POLL_INTERVAL_SECS: std::ops::RangeInclusive<u32> = 5..=86_400;
/// Most fields watched per object.
pub const MAX_WATCHED_FIELDS: usize = 50;
/// Fields forcesync always reads to capture changes; watching them is refused.
pub const ALWAYS_READ_FIELDS: [&str; 4] = ["Id", "SystemModstamp", "LastModifiedById", "IsDeleted"];

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeCapture {
    /// The Salesforce objects and fields whose changes come back to the store.
    pub watched: Vec<WatchedObject>,
    /// Seconds between polls of one object (default 60, allowed 5..=86400).
    pub poll_interval_secs: u32,
    /// Who wins when both sides changed the same field since the last sync.
    pub conflict_policy: ConflictPolicy,
}

/// One watched object and the fields of it whose changes are delivered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WatchedObject {
    pub object: WatchedSObject,
    pub fields: Vec<ApiName>,
}

/// The objects whose changes can come back to the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WatchedSObject {
    Account,
    Contact,
    Opportunity,
    Order,
}

impl WatchedSObject {
    pub const ALL: [WatchedSObject; 4] = [Self::Account, Self::Contact, Self::Opportunity, Self::Order];

    pub fn api_name(&self) -> &'static str {
        match self {
            Self::Account => "Account",
            Self::Contact => "Contact",
            Self::Opportunity => "Opportunity",
            Self::Order => "Order",
        }
    }

    /// The object by its API name, exactly as Salesforce spells it.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|o| o.api_name() == raw).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(WatchedSObject::api_name).collect();
            format!("{raw:?} is not an object whose changes forcesync captures (one of {})", names.join(", "))
        })
    }
}

/// Who wins a conflict: both sides changed the same field since the last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ConflictPolicy {
    /// The later change wins (the default).
    LatestWins,
    /// The store's value is written back to Salesforce.
    StoreWins,
    /// Salesforce's value is delivered to the store.
    SalesforceWins,
}

impl Default for ChangeCapture {
    fn default() -> Self {
        let watch = |object, fields: &[&'static str]| WatchedObject {
            object,
            fields: fields
                .iter()
                .map(|f| ApiName::parse(f).unwrap_or_else(|reason| unreachable!("default {f:?}: {reason}")))
                .collect(),
        };
        Self {
            watched: vec![
                watch(
                    WatchedSObject::Account,
                    &[
                        "Name",
                        "Phone",
                        "BillingStreet",
                        "BillingCity",
                        "BillingPostalCode",
                        "BillingState",
                        "BillingCountry",
                    ],
                ),
                watch(
                    WatchedSObject::Contact,
                    &[
                        "FirstName",
                        "LastName",
                        "Email",
                        "Phone",
                        "MailingStreet",
                        "MailingCity",
                        "MailingPostalCode",
                        "MailingState",
                        "MailingCountry",
                    ],
                ),
                watch(WatchedSObject::Opportunity, &["StageName"]),
                watch(WatchedSObject::Order, &["Status"]),
            ],
            poll_interval_secs: DEFAULT_POLL_INTERVAL_SECS,
            conflict_policy: ConflictPolicy::LatestWins,
        }
    }
}

impl ChangeCapture {
    /// The watched fields of `object`; empty when it is not watched.
    pub fn fields_of(&self, object: WatchedSObject) -> &[ApiName] {
        self.watched.iter().find(|w| w.object == object).map_or(&[], |w| w.fields.as_slice())
    }
}

/// A poll interval in seconds, checked against [`POLL_INTERVAL_SECS`].
pub fn parse_poll_interval(secs: i64) -> Result<u32, String> {
    match u32::try_from(secs) {
        Ok(s) if POLL_INTERVAL_SECS.contains(&s) => Ok(s),
        _ => Err(format!(
            "must be between {} and {} seconds, got {secs}",
            POLL_INTERVAL_SECS.start(),
            POLL_INTERVAL_SECS.end()
        )),
    }
}

/// Violations as (wire field path, reason), paths relative to `StoreSettings`
/// (`change_capture.watched[1].fields[0]`).
pub fn check_rules(c: &ChangeCapture) -> Vec<(String, String)> {
    let mut found = Vec::new();
    if let Err(reason) = parse_poll_interval(i64::from(c.poll_interval_secs)) {
        found.push(("change_capture.poll_interval_seconds".to_owned(), reason));
    }
    let mut objects: HashMap<WatchedSObject, usize> = HashMap::new();
    for (i, watched) in c.watched.iter().enumerate() {
        let object = watched.object.api_name();
        let path = format!("change_capture.watched[{i}]");
        match objects.get(&watched.object) {
            Some(first) => found.push((
                format!("{path}.object"),
                format!("{object} is already watched at change_capture.watched[{first}]: list each object once"),
            )),
            None => {
                objects.insert(watched.object, i);
            }
        }
        if watched.fields.is_empty() || watched.fields.len() > MAX_WATCHED_FIELDS {
            found.push((
                format!("{path}.fields"),
                format!(
                    "watch 1 to {MAX_WATCHED_FIELDS} fields of {object}, got {} (remove the entry to watch none)",
                    watched.fields.len()
                ),
            ));
        }
        let mut fields: HashMap<String, usize> = HashMap::new();
        for (j, field) in watched.fields.iter().enumerate() {
            let name = field.as_str();
            let field_path = format!("{path}.fields[{j}]");
            if ALWAYS_READ_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name)) {
                found.push((
                    field_path.clone(),
                    format!("{object}.{name} is always read to capture changes: it cannot be watched"),
                ));
            }
            match fields.get(&name.to_ascii_lowercase()) {
                Some(first) => {
                    found.push((field_path, format!("{object}.{name} is already watched at fields[{first}]")))
                }
                None => {
                    fields.insert(name.to_ascii_lowercase(), j);
                }
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(c: &ChangeCapture) -> Vec<String> {
        check_rules(c).into_iter().map(|(path, _)| path).collect()
    }

    fn names(fields: &[&str]) -> Vec<ApiName> {
        fields.iter().map(|f| ApiName::parse(f).expect("api name")).collect()
    }

    #[test]
    fn defaults_watch_the_customer_stage_and_status() {
        let c = ChangeCapture::default();
        assert!(check_rules(&c).is_empty(), "{:?}", check_rules(&c));
        assert_eq!(c.poll_interval_secs, 60);
        assert_eq!(c.conflict_policy, ConflictPolicy::LatestWins);
        let of = |object| c.fields_of(object).iter().map(ApiName::as_str).collect::<Vec<_>>();
        assert_eq!(of(WatchedSObject::Opportunity), ["StageName"]);
        assert_eq!(of(WatchedSObject::Order), ["Status"]);
        assert!(of(WatchedSObject::Account).contains(&"BillingPostalCode"));
        assert!(of(WatchedSObject::Contact).contains(&"Email"));
        let only_orders = ChangeCapture {
            watched: vec![WatchedObject { object: WatchedSObject::Order, fields: names(&["Status"]) }],
            ..ChangeCapture::default()
        };
        assert!(only_orders.fields_of(WatchedSObject::Account).is_empty(), "not watched");
    }

    #[test]
    fn objects_are_parsed_by_their_exact_api_name() {
        assert_eq!(WatchedSObject::parse("Opportunity"), Ok(WatchedSObject::Opportunity));
        assert_eq!(WatchedSObject::Order.api_name(), "Order");
        assert!(WatchedSObject::parse("Lead").is_err_and(|e| e.contains("Account, Contact, Opportunity, Order")));
        assert!(WatchedSObject::parse("account").is_err());
    }

    #[test]
    fn poll_interval_range() {
        assert_eq!(parse_poll_interval(5), Ok(5));
        assert_eq!(parse_poll_interval(86_400), Ok(86_400));
        assert!(parse_poll_interval(4).is_err_and(|e| e.contains("between 5 and 86400")));
        assert!(parse_poll_interval(86_401).is_err());
        assert!(parse_poll_interval(-60).is_err());
        let c = ChangeCapture { poll_interval_secs: 1, ..ChangeCapture::default() };
        assert_eq!(paths(&c), ["change_capture.poll_interval_seconds"]);
    }

    #[test]
    fn each_object_at_most_once() {
        let mut c = ChangeCapture::default();
        c.watched.push(WatchedObject { object: WatchedSObject::Account, fields: names(&["Website"]) });
        assert_eq!(paths(&c), ["change_capture.watched[4].object"]);
        assert!(check_rules(&c)[0].1.contains("watched[0]"));
    }

    #[test]
    fn one_to_fifty_unique_fields_never_the_always_read_ones() {
        let mut c = ChangeCapture::default();
        c.watched[2].fields.clear();
        c.watched[3].fields = (0..51).map(|i| ApiName::parse(&format!("F{i}__c")).expect("name")).collect();
        assert_eq!(paths(&c), ["change_capture.watched[2].fields", "change_capture.watched[3].fields"]);

        let mut c = ChangeCapture::default();
        c.watched[0].fields = names(&["Name", "SystemModstamp", "name", "isdeleted", "Id", "LastModifiedById"]);
        assert_eq!(
            paths(&c),
            [
                "change_capture.watched[0].fields[1]",
                "change_capture.watched[0].fields[2]",
                "change_capture.watched[0].fields[3]",
                "change_capture.watched[0].fields[4]",
                "change_capture.watched[0].fields[5]",
            ]
        );
        assert!(check_rules(&c)[0].1.contains("always read"));
        assert!(check_rules(&c)[1].1.contains("already watched at fields[0]"));
    }

    #[test]
    fn an_empty_watch_list_is_allowed() {
        let c = ChangeCapture { watched: Vec::new(), ..ChangeCapture::default() };
        assert!(check_rules(&c).is_empty());
    }
}
