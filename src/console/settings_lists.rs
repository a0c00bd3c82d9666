//! The settings that are lists, edited in a textarea with one entry per line
//! (blank lines are ignored): the order status map, the external ID fields,
//! the watched objects of change capture and the field mappings (their line
//! format is in `settings_mapping_lines`). Only reading and writing the
//! text lives here; the parsed list goes through UpdateStoreConfig's own
//! validation, whose messages ([`locate`]) are put beside the textarea with
//! the line they are about.

use std::collections::{BTreeMap, HashMap};

use crate::pb;

use super::settings_mapping_lines::{mapping_from_line, mapping_to_line};

/// The list settings' mask paths.
pub const LISTS: &[&str] = &["order_status_map", "external_id_fields", "change_capture.watched", "field_mappings"];

/// Whether `path` is edited as a list.
pub fn is_list(path: &str) -> bool {
    LISTS.contains(&path)
}

/// The lines that hold entries, with their 1-based line numbers.
fn entries(raw: &str) -> impl Iterator<Item = (usize, &str)> {
    raw.lines().enumerate().map(|(n, line)| (n + 1, line.trim())).filter(|(_, line)| !line.is_empty())
}

/// The text without line-ending, indentation and blank-line differences:
/// an untouched textarea compares equal to the saved list.
pub fn normalize(raw: &str) -> String {
    entries(raw).map(|(_, line)| line).collect::<Vec<_>>().join("\n")
}

/// `a | b | c` split on `|`, each part trimmed.
fn parts(line: &str) -> Vec<&str> {
    line.split('|').map(str::trim).collect()
}

/// The list at `path` as textarea text.
pub fn get(values: &pb::StoreSettings, path: &str) -> String {
    let lines: Vec<String> = match path {
        "order_status_map" => values
            .order_status_map
            .iter()
            .map(|r| match r.opportunity_stage.as_str() {
                "" => format!("{} | {}", r.store_status, r.order_status).trim_end().to_owned(),
                stage => format!("{} | {} | {stage}", r.store_status, r.order_status).replace("|  |", "| |"),
            })
            .collect(),
        "external_id_fields" => values.external_id_fields.iter().map(|(o, f)| format!("{o} | {f}")).collect(),
        "change_capture.watched" => values
            .change_capture
            .iter()
            .flat_map(|c| c.watched.iter())
            .map(|w| format!("{} | {}", w.object, w.fields.join(", ")))
            .collect(),
        "field_mappings" => values.field_mappings.iter().map(mapping_to_line).collect(),
        _ => Vec::new(),
    };
    lines.join("\n")
}

/// Sets the list at `path` from textarea text, or says which line cannot be read.
pub fn set(values: &mut pb::StoreSettings, path: &str, raw: &str) -> Result<(), String> {
    let mut errors = Vec::new();
    let mut each = |format: &str, parse: &mut dyn FnMut(&str) -> Result<(), String>| {
        for (n, line) in entries(raw) {
            if let Err(error) = parse(line) {
                errors.push(format!("line {n}: {error} (expected {format})"));
            }
        }
    };
    match path {
        "order_status_map" => {
            let mut rules = Vec::new();
            each("store status | order status | opportunity stage", &mut |line| {
                let (store, order, stage) = match parts(line).as_slice() {
                    [store, order] => (*store, *order, ""),
                    [store, order, stage] => (*store, *order, *stage),
                    _ => return Err("not 2 or 3 parts".into()),
                };
                rules.push(pb::OrderStatusMapping {
                    store_status: store.to_owned(),
                    order_status: order.to_owned(),
                    opportunity_stage: stage.to_owned(),
                });
                Ok(())
            });
            values.order_status_map = rules;
        }
        "external_id_fields" => {
            let mut map = BTreeMap::new();
            each("Object | Field__c", &mut |line| match parts(line).as_slice() {
                [object, _] if map.contains_key(*object) => Err(format!("{object} is listed twice")),
                [object, field] => {
                    map.insert((*object).to_owned(), (*field).to_owned());
                    Ok(())
                }
                _ => Err("not 2 parts".into()),
            });
            values.external_id_fields = map;
        }
        "change_capture.watched" => {
            let mut watched = Vec::new();
            each("Object | Field, Field", &mut |line| match parts(line).as_slice() {
                [object, fields] => {
                    let fields = fields.split(',').map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned);
                    watched.push(pb::WatchedObject { object: (*object).to_owned(), fields: fields.collect() });
                    Ok(())
                }
                _ => Err("not 2 parts".into()),
            });
            values.change_capture.get_or_insert_with(Default::default).watched = watched;
        }
        "field_mappings" => {
            let mut rules = Vec::new();
            each("Object.Field = source | transform, see the help", &mut |line| {
                mapping_from_line(line).map(|rule| rules.push(rule))
            });
            values.field_mappings = rules;
        }
        _ => {}
    }
    if errors.is_empty() { Ok(()) } else { Err(errors.join("; ")) }
}

/// Which list a validation message is about, and how to say where in it:
/// `field_mappings[2].source` becomes (`field_mappings`, `line 4: source: `)
/// when the third entry of the submitted text is on line 4.
pub fn locate(violation: &str, form: &HashMap<String, String>) -> Option<(&'static str, String)> {
    let list = LISTS.iter().copied().find(|list| violation.starts_with(list))?;
    let rest = &violation[list.len()..];
    if rest.is_empty() {
        return Some((list, String::new()));
    }
    let (inner, after) = rest.strip_prefix('[')?.split_once(']')?;
    let after = after.trim_start_matches('.');
    let after = if after.is_empty() { String::new() } else { format!("{after}: ") };
    if list == "external_id_fields" {
        return Some((list, format!("{inner}: {after}")));
    }
    let raw = form.get(list).map(String::as_str).unwrap_or_default();
    let line = inner.parse::<usize>().ok().and_then(|i| entries(raw).nth(i)).map(|(n, _)| n);
    Some((list, line.map_or(format!("entry {inner}: {after}"), |n| format!("line {n}: {after}"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(path: &str, text: &str) -> String {
        let mut values = pb::StoreSettings::default();
        set(&mut values, path, text).expect("readable");
        get(&values, path)
    }

    #[test]
    fn each_list_reads_back_as_it_was_written() {
        let status = "canceled | Cancelled | Closed Lost\nrefunded | | Closed Lost\nshipped | Shipped";
        assert_eq!(roundtrip("order_status_map", status), status);
        let ids = "Account | Shop_Id__c\nContact | Shop_Contact__c";
        assert_eq!(roundtrip("external_id_fields", ids), ids);
        let watched = "Account | Name, Phone\nOrder | Status";
        assert_eq!(roundtrip("change_capture.watched", watched), watched);
        assert_eq!(roundtrip("change_capture.watched", ""), "", "an empty list is a list");
    }

    #[test]
    fn blank_lines_and_spacing_do_not_count_as_changes() {
        let saved = "canceled | Cancelled | Closed Lost";
        assert_eq!(normalize("\r\n  canceled | Cancelled | Closed Lost  \r\n\r\n"), normalize(saved));
    }

    #[test]
    fn unreadable_lines_are_named() {
        let mut values = pb::StoreSettings::default();
        let error = set(&mut values, "external_id_fields", "Account | A__c\n\nAccount | B__c\nOrder").expect_err("bad");
        assert!(error.contains("line 3: Account is listed twice"), "{error}");
        assert!(error.contains("line 4: not 2 parts"), "{error}");
    }

    #[test]
    fn messages_are_placed_on_their_line() {
        let form = HashMap::from([("field_mappings".to_owned(), "\nA.B = x\n\nA.C = y".to_owned())]);
        assert_eq!(locate("field_mappings[1].source", &form), Some(("field_mappings", "line 4: source: ".to_owned())));
        assert_eq!(locate("external_id_fields[Account]", &form), Some(("external_id_fields", "Account: ".to_owned())));
        assert_eq!(locate("change_capture.watched", &form), Some(("change_capture.watched", String::new())));
        assert_eq!(locate("sales_cycle_days", &form), None);
    }
}
