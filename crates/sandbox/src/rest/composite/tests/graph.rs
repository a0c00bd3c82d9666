//! `POST /composite/graph`: per-graph all-or-nothing, limits, halting.

use serde_json::{Value, json};

use super::{Sandbox, error_code, json_body};
use crate::rest::Method;

const V: &str = "/services/data/v64.0";

/// An Account upsert and a Contact that references it.
fn order_graph(id: &str, last_name: Option<&str>) -> Value {
    json!({ "graphId": id, "compositeRequest": [
        { "method": "PATCH", "url": format!("{V}/sobjects/Account/ForceSync_Key__c/{id}"), "referenceId": "acct",
          "body": { "Name": format!("Account {id}") } },
        { "method": "POST", "url": format!("{V}/sobjects/Contact"), "referenceId": "contact",
          "body": { "LastName": last_name, "AccountId": "@{acct.id}" } },
    ]})
}

fn graph(sandbox: &mut Sandbox, graphs: Vec<Value>) -> Value {
    let response = sandbox.call(Method::Post, "composite/graph", Some(json!({ "graphs": graphs })));
    assert_eq!(response.status, 200, "{response:?}");
    json_body(&response)["graphs"].clone()
}

#[test]
fn graphs_commit_or_roll_back_independently() {
    let mut sandbox = Sandbox::new();
    let graphs = graph(
        &mut sandbox,
        vec![order_graph("g1", Some("Doe")), order_graph("g2", None), order_graph("g3", Some("Roe"))],
    );
    assert_eq!(graphs[0]["graphId"], "g1");
    let successful: Vec<bool> = graphs.as_array().expect("graphs").iter().map(|g| g["isSuccessful"] == true).collect();
    assert_eq!(successful, vec![true, false, true]);
    let good = &graphs[0]["graphResponse"]["compositeResponse"];
    assert_eq!((good[0]["httpStatusCode"].clone(), good[1]["httpStatusCode"].clone()), (json!(201), json!(201)));
    let contact = good[1]["body"]["id"].as_str().expect("contact id");
    assert_eq!(sandbox.field("Contact", contact, "AccountId"), good[0]["body"]["id"]);
    let bad = &graphs[1]["graphResponse"]["compositeResponse"];
    assert_eq!(error_code(&bad[0]["body"]), "PROCESSING_HALTED");
    assert_eq!(error_code(&bad[1]["body"]), "REQUIRED_FIELD_MISSING");
    assert!(sandbox.ids("SELECT Id FROM Account WHERE ForceSync_Key__c = 'g2'").is_empty(), "g2 rolled back");
    assert_eq!(sandbox.ids("SELECT Id FROM Account").len(), 2);
    assert_eq!(sandbox.ids("SELECT Id FROM Contact").len(), 2);
}

#[test]
fn unsupported_nodes_and_deep_chains_fail_their_graph() {
    let mut sandbox = Sandbox::new();
    let query = json!({ "graphId": "q", "compositeRequest": [
        { "method": "POST", "url": format!("{V}/sobjects/Account"), "referenceId": "a", "body": { "Name": "A" } },
        { "method": "GET", "url": format!("{V}/query?q=SELECT+Id+FROM+Account"), "referenceId": "q" } ]});
    let chain = |length: usize, id: &str| {
        let nodes: Vec<Value> = (0..length)
            .map(|i| {
                let parent = if i == 0 { Value::Null } else { json!(format!("@{{n{}.id}}", i - 1)) };
                json!({ "method": "POST", "url": format!("{V}/sobjects/Account"), "referenceId": format!("n{i}"),
                        "body": { "Name": format!("{id}-{i}"), "ParentId": parent } })
            })
            .collect();
        json!({ "graphId": id, "compositeRequest": nodes })
    };
    let graphs = graph(&mut sandbox, vec![query, chain(16, "deep"), chain(15, "ok")]);
    let items = &graphs[0]["graphResponse"]["compositeResponse"];
    assert_eq!(graphs[0]["isSuccessful"], false);
    assert_eq!(error_code(&items[0]["body"]), "PROCESSING_HALTED");
    assert_eq!(error_code(&items[1]["body"]), "INVALID_API_INPUT");
    assert_eq!(graphs[1]["isSuccessful"], false);
    assert_eq!(error_code(&graphs[1]["graphResponse"]["compositeResponse"][15]["body"]), "LIMIT_EXCEEDED");
    assert_eq!(graphs[2]["isSuccessful"], true, "a chain of 15 is allowed");
    assert_eq!(sandbox.ids("SELECT Id FROM Account").len(), 15, "only the valid graph ran");
}

#[test]
fn after_fourteen_failures_the_rest_are_halted() {
    let mut sandbox = Sandbox::new();
    let mut graphs: Vec<Value> = (0..14).map(|i| order_graph(&format!("bad{i}"), None)).collect();
    graphs.push(order_graph("late", Some("Doe")));
    let answers = graph(&mut sandbox, graphs);
    assert_eq!(answers[14]["graphId"], "late");
    assert_eq!(answers[14]["isSuccessful"], false);
    let items = &answers[14]["graphResponse"]["compositeResponse"];
    assert_eq!(
        (error_code(&items[0]["body"]), error_code(&items[1]["body"])),
        ("PROCESSING_HALTED", "PROCESSING_HALTED")
    );
    assert!(sandbox.ids("SELECT Id FROM Account").is_empty(), "the late graph was not run");
    let mut graphs: Vec<Value> = (0..13).map(|i| order_graph(&format!("bad{i}"), None)).collect();
    graphs.push(order_graph("late", Some("Doe")));
    let answers = graph(&mut sandbox, graphs);
    assert_eq!(answers[13]["isSuccessful"], true, "13 failures do not halt");
}

#[test]
fn request_limits() {
    let mut sandbox = Sandbox::new();
    let node = |i: usize| json!({ "method": "POST", "url": format!("{V}/sobjects/Account"), "referenceId": format!("n{i}"), "body": { "Name": "N" } });
    let big = |id: &str, n: usize| json!({ "graphId": id, "compositeRequest": (0..n).map(node).collect::<Vec<_>>() });
    let objects = [
        "Account",
        "Contact",
        "Lead",
        "Opportunity",
        "Order",
        "OrderItem",
        "Product2",
        "Pricebook2",
        "PricebookEntry",
        "Task",
        "Event",
        "Case",
        "Campaign",
        "User",
        "Asset",
        "Contract",
    ];
    let kinds: Vec<Value> = objects.iter().enumerate()
        .map(|(i, o)| json!({ "method": "GET", "url": format!("{V}/sobjects/{o}/x{i}/y"), "referenceId": format!("k{i}") }))
        .collect();
    let cases = [
        ((0..76).map(|i| big(&format!("g{i}"), 1)).collect::<Vec<_>>(), "LIMIT_EXCEEDED"),
        (vec![big("one", 501)], "LIMIT_EXCEEDED"),
        (vec![big("a", 300), big("b", 201)], "LIMIT_EXCEEDED"),
        (vec![json!({ "graphId": "kinds", "compositeRequest": kinds })], "LIMIT_EXCEEDED"),
        (vec![big("_x", 1)], "INVALID_API_INPUT"),
        (vec![big("a.b", 1)], "INVALID_API_INPUT"),
        (vec![big(&"x".repeat(40), 1)], "INVALID_API_INPUT"),
        (vec![big("same", 1), big("same", 1)], "INVALID_API_INPUT"),
        (vec![json!({ "graphId": "empty", "compositeRequest": [] })], "JSON_PARSER_ERROR"),
    ];
    for (graphs, code) in cases {
        let response = sandbox.call(Method::Post, "composite/graph", Some(json!({ "graphs": graphs })));
        assert_eq!(response.status, 400);
        assert_eq!(error_code(&json_body(&response)), code);
    }
    assert!(sandbox.ids("SELECT Id FROM Account").is_empty());
    let answers = graph(&mut sandbox, vec![big("a", 250), big(&"y".repeat(39), 250)]);
    assert_eq!((answers[0]["isSuccessful"].clone(), answers[1]["isSuccessful"].clone()), (json!(true), json!(true)));
    assert_eq!(sandbox.ids("SELECT Id FROM Account").len(), 500);
}

#[test]
fn many_order_graphs_stay_fast() {
    let mut sandbox = Sandbox::new();
    let started = std::time::Instant::now();
    for batch in 0..40 {
        let graphs: Vec<Value> = (0..50)
            .map(|i| {
                let id = format!("o{batch}x{i}");
                let mut graph = order_graph(&id, Some("Doe"));
                if let Some(nodes) = graph["compositeRequest"].as_array_mut() {
                    for extra in 0..8 {
                        nodes.push(json!({ "method": "PATCH", "url": format!("{V}/sobjects/Contact/@{{contact.id}}"),
                                           "referenceId": format!("u{extra}"), "body": { "Title": format!("T{extra}") } }));
                    }
                }
                graph
            })
            .collect();
        let answers = graph(&mut sandbox, graphs);
        assert!(answers.as_array().expect("graphs").iter().all(|g| g["isSuccessful"] == true));
    }
    assert_eq!(sandbox.ids("SELECT Id FROM Contact").len(), 2000);
    assert!(started.elapsed().as_secs() < 60, "2,000 graphs of 10 nodes took {:?}", started.elapsed());
}
