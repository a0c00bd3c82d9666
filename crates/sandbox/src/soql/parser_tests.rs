//! Statement-level grammar and syntax errors; helpers shared with `where_tests`.

use super::*;

fn ok(soql: &str) -> Query {
    match parse(soql) {
        Ok(q) => q,
        Err(e) => panic!("{soql}: {e}"),
    }
}

pub(super) fn err(soql: &str) -> SoqlError {
    match parse(soql) {
        Ok(q) => panic!("{soql} parsed: {q:?}"),
        Err(e) => e,
    }
}

pub(super) fn filter(clause: &str) -> Condition {
    let q = ok(&format!("SELECT Id FROM Account WHERE {clause}"));
    q.filter.unwrap_or(Condition::And(Vec::new()))
}

pub(super) fn path(dotted: &str, pos: usize) -> FieldPath {
    FieldPath { segments: dotted.split('.').map(str::to_owned).collect(), pos }
}

pub(super) fn compared(clause: &str) -> LiteralValue {
    match filter(clause) {
        Condition::Compare { value, .. } => value.value,
        other => panic!("not a comparison: {other:?}"),
    }
}

#[test]
fn select_list_with_relationship_paths() {
    let q = ok("select Id, Account.Name, Opportunity.Account.Name from Contact");
    let expected = vec![path("Id", 7), path("Account.Name", 11), path("Opportunity.Account.Name", 25)];
    assert_eq!(q.select, Select::Fields(expected));
    assert_eq!(q.from, Name { text: "Contact".into(), pos: 55 });
    assert_eq!((q.filter, q.order_by, q.limit, q.offset), (None, vec![], None, None));
}

#[test]
fn count_is_a_select_list_of_its_own() {
    assert_eq!(ok("SELECT count() FROM Account").select, Select::Count);
    assert!(err("SELECT COUNT(), Id FROM Account").message.ends_with("unexpected token: ','"));
}

#[test]
fn mixing_and_or_without_parentheses_is_malformed() {
    let e = err("SELECT Id FROM A WHERE X = 1 AND Y = 2 OR Z = 3");
    assert_eq!(e.code, "MALFORMED_QUERY");
    assert!(e.message.ends_with("ERROR at Row:1:Column:40\nunexpected token: 'OR'"), "{}", e.message);
    assert!(err("SELECT Id FROM A WHERE X = 1 OR Y = 2 AND Z = 3").message.ends_with("'AND'"));
}

#[test]
fn order_by_limit_and_offset() {
    let q = ok(
        "SELECT Id FROM A ORDER BY Name, Amount desc, Account.Name ASC NULLS LAST, B nulls first LIMIT 10 OFFSET 20",
    );
    let keys: Vec<_> = q.order_by.iter().map(|o| (o.field.dotted(), o.descending, o.nulls, o.nulls_last())).collect();
    assert_eq!(
        keys,
        vec![
            ("Name".to_owned(), false, None, false),
            ("Amount".to_owned(), true, None, true),
            ("Account.Name".to_owned(), false, Some(Nulls::Last), true),
            ("B".to_owned(), false, Some(Nulls::First), false),
        ]
    );
    assert_eq!(q.limit, Some(Number { value: 10, pos: 94 }));
    assert_eq!(q.offset.map(|o| o.value), Some(20));
}

#[test]
fn syntax_errors_name_the_unexpected_token() {
    let e = err("SELECT FROM Account");
    assert_eq!(e.message, "\nSELECT FROM Account\n       ^\nERROR at Row:1:Column:8\nunexpected token: 'FROM'");
    assert!(err("SELECT Id FROM Account WHERE").message.ends_with("Column:29\nunexpected token: '<EOF>'"));
    assert!(err("SELECT Id FROM Account LIMIT 5 junk").message.ends_with("unexpected token: 'junk'"));
    assert!(err("SELECT Id FROM Account LIMIT -5").message.ends_with("unexpected token: '-5'"));
    assert!(err("SELECT Id FROM Account LIMIT 1.5").message.ends_with("unexpected token: '1.5'"));
    assert!(err("SELECT Id, FROM Account").message.ends_with("unexpected token: 'FROM'"));
    assert!(err("SELECT Id FROM Account WHERE (A = 1").message.ends_with("'<EOF>'"));
    assert!(err("SELECT Id FROM Account WHERE A NOT = 1").message.ends_with("unexpected token: '='"));
    assert!(err("SELECT Id FROM Account ORDER Name").message.ends_with("unexpected token: 'Name'"));
    assert!(err("UPDATE Account").message.ends_with("unexpected token: 'UPDATE'"));
}

#[test]
fn nesting_is_bounded() {
    let deep = format!("SELECT Id FROM A WHERE {}X = 1{}", "(".repeat(100), ")".repeat(100));
    assert_eq!(err(&deep).code, "MALFORMED_QUERY");
    let nots = format!("SELECT Id FROM A WHERE {}X = 1", "NOT ".repeat(100));
    assert_eq!(err(&nots).code, "MALFORMED_QUERY");
    let fine = format!("SELECT Id FROM A WHERE {}X = 1{}", "(".repeat(10), ")".repeat(10));
    assert!(parse(&fine).is_ok());
}

#[test]
fn keywords_that_name_objects_parse_where_a_name_is_expected() {
    let q = ok("SELECT Id FROM Order");
    assert_eq!(q.from, Name { text: "Order".into(), pos: 15 });
    let q = ok("SELECT Id FROM Order ORDER BY OrderNumber");
    assert_eq!(
        (q.from.text.as_str(), q.order_by.first().map(|o| o.field.dotted())),
        ("Order", Some("OrderNumber".into()))
    );
    let q = ok("SELECT Id FROM Order WHERE Status = 'Draft' ORDER BY Id LIMIT 5");
    assert_eq!((q.from.text.as_str(), q.order_by.len(), q.limit.map(|n| n.value)), ("Order", 1, Some(5)));
    assert!(q.filter.is_some());
    let q = ok("SELECT Id, Order.OrderNumber FROM OrderItem WHERE Order.Status = 'Draft' ORDER BY Order.OrderNumber");
    assert_eq!(q.select, Select::Fields(vec![path("Id", 7), path("Order.OrderNumber", 11)]));
    assert_eq!(q.order_by.first().map(|o| o.field.dotted()), Some("Order.OrderNumber".into()));
    assert_eq!(ok("select id from group where name = 'x'").from.text, "group");
}

#[test]
fn keywords_stay_keywords_where_a_keyword_is_expected() {
    assert!(err("SELECT Id FROM Account ORDER Name").message.ends_with("unexpected token: 'Name'"));
    assert!(err("SELECT Id FROM ORDER BY Name").message.ends_with("unexpected token: 'ORDER'"));
    assert!(err("SELECT Id FROM WHERE").message.ends_with("unexpected token: 'WHERE'"));
    assert!(err("SELECT FROM Order").message.ends_with("unexpected token: 'FROM'"));
    assert!(err("SELECT Id FROM Account WHERE Order = 1 OR").message.ends_with("unexpected token: '<EOF>'"));
}
