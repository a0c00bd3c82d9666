use super::*;

fn level(sku: &str, quantity: &str, as_of: i64) -> Level {
    Level { sku: sku.into(), quantity: quantity.into(), as_of }
}

fn pending(quantity: &str, written: Option<&str>, id: Option<&str>, forced: bool) -> Pending {
    Pending {
        sku: "A".into(),
        quantity: quantity.into(),
        as_of: 1,
        forced,
        written: written.map(str::to_owned),
        record_id: id.map(str::to_owned),
    }
}

#[test]
fn quantities_are_canonical_so_equal_levels_compare_equal() {
    for (raw, canonical) in [
        ("12", "12"),
        ("012.50", "12.5"),
        ("+7", "7"),
        ("-3.000", "-3"),
        ("-0", "0"),
        ("0.000", "0"),
        (" 5 ", "5"),
        (".5", "0.5"),
        ("5.", "5"),
        ("123456789012345", "123456789012345"),
    ] {
        assert_eq!(parse_quantity(raw).as_deref(), Ok(canonical), "{raw:?}");
    }
    for bad in ["", "-", ".", "1e3", "1,5", "abc", "1.2.3", "1.1234567", "1234567890123456", "NaN"] {
        assert!(parse_quantity(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn the_latest_as_of_wins_and_a_tie_goes_to_the_later_level() {
    let out = coalesce(vec![level("B", "1", 10), level("A", "5", 20), level("A", "6", 10), level("B", "2", 10)]);
    assert_eq!(out, vec![level("A", "5", 20), level("B", "2", 10)]);
}

#[test]
fn only_a_later_as_of_replaces_a_held_level() {
    assert!(replaces(None, 5));
    assert!(replaces(Some(4), 5));
    assert!(!replaces(Some(5), 5), "an equal as-of is a repeat");
    assert!(!replaces(Some(6), 5), "a late older level changes nothing");
}

#[test]
fn a_level_equal_to_the_one_written_costs_nothing_unless_forced() {
    assert_eq!(action(&pending("5", Some("5"), Some("01t1"), false)), Action::Unchanged);
    assert_eq!(action(&pending("5", Some("5"), Some("01t1"), true)), Action::Write);
    assert_eq!(action(&pending("6", Some("5"), Some("01t1"), false)), Action::Write);
    assert_eq!(action(&pending("5", None, Some("01t1"), false)), Action::Write);
    assert_eq!(action(&pending("5", Some("5"), None, false)), Action::Lookup, "a forgotten record is found again");
}

#[test]
fn writes_take_the_method_with_fewer_calls() {
    assert_eq!(write_method(0), None);
    assert_eq!(write_method(1), Some(WriteMethod::Collections));
    assert_eq!(write_method(1_000), Some(WriteMethod::Collections));
    assert_eq!(write_method(1_001), Some(WriteMethod::Bulk));
    assert_eq!(write_method(100_000), Some(WriteMethod::Bulk));
    assert_eq!(collection_calls(1_000), 5);
}

#[test]
fn lookups_use_in_chunks_until_a_bulk_query_is_cheaper() {
    let skus = |n: usize| (0..n).map(|i| format!("SKU-{i:06}")).collect::<Vec<_>>();
    let small = lookup_plan(&skus(10), 60).expect("plan");
    assert_eq!(small.calls(), 1);
    let chunks = sku_chunks(&skus(5_000), 60);
    assert!(chunks.iter().all(|c| c.len() <= QUERY_PAGE_ROWS), "a chunk's matches fit one page");
    assert_eq!(chunks.iter().map(Vec::len).sum::<usize>(), 5_000);
    assert_eq!(lookup_plan(&skus(100_000), 60), Some(LookupPlan::BulkQuery));
    assert_eq!(lookup_plan(&[], 60), None);
}

#[test]
fn the_floor_of_a_first_full_push_and_of_a_delta() {
    let skus: Vec<String> = (0..100_000).map(|i| format!("SKU-{i:06}")).collect();
    assert_eq!(floor_calls(100_000, &skus, 60), BULK_QUERY_CALLS + BULK_INGEST_CALLS);
    assert_eq!(floor_calls(1_000, &[], 60), BULK_INGEST_CALLS, "a Bulk job done at its first poll");
    assert_eq!(floor_calls(600, &[], 60), 3);
}

#[test]
fn gone_records_are_named_by_their_codes() {
    for code in ["ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY", "NOT_FOUND"] {
        assert!(record_gone(code), "{code}");
    }
    assert!(!record_gone("NUMBER_OUTSIDE_VALID_RANGE"));
}
