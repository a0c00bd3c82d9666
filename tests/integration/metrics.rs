//! `/metrics` after a real sale synced to the sandbox: the counters and the
//! database gauges reflect it, and no secret appears. The store has a code of
//! its own, so other tests in this process (the counters are process-wide)
//! do not touch its series.

use forcesync::pb;

use crate::helpers::sandbox::{PASSWORD, TOKEN, spawn_sandbox};
use crate::helpers::sync::{connected_store_named, sale_events};
use crate::helpers::{ADMIN_TOKEN, test_engine};
use crate::http_listener::get;

const STORE: &str = "metrics-shop";

/// The value of the series `name{labels}` (labels as rendered, in order), if present.
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.split(' ').next()?.parse().ok())
}

fn must(text: &str, series: &str) -> f64 {
    value(text, series).unwrap_or_else(|| panic!("no series {series} in:\n{text}"))
}

#[tokio::test]
async fn metrics_reflect_a_synced_sale_and_hold_no_secret() {
    let setup = connected_store_named(STORE, spawn_sandbox().await, test_engine(), Default::default(), vec![]).await;
    let refused = setup
        .sync()
        .place_order(pb::PlaceOrderRequest { event_id: "bad-1".into(), ..Default::default() })
        .await
        .expect_err("an order without content is refused");
    assert_eq!(refused.code(), tonic::Code::InvalidArgument);
    setup.paid_sale().await;
    // The same events again: acknowledged as duplicates.
    setup.sync().submit_events(pb::SubmitEventsRequest { events: sale_events() }).await.expect("resubmit");

    let addr = setup.app.server.http_addr.expect("http addr");
    let (status, text) = get(addr, "/metrics").await;
    assert_eq!(status, 200, "{text}");
    assert!(text.ends_with("# EOF\n"), "a complete exposition: {text}");

    let events = |kind: &str, outcome: &str| {
        must(&text, &format!(r#"forcesync_events_received_total{{store="{STORE}",kind="{kind}",outcome="{outcome}"}}"#))
    };
    for kind in ["checkout", "order_placed", "payment"] {
        assert_eq!(events(kind, "accepted"), 1.0, "{kind}");
        assert_eq!(events(kind, "duplicate"), 1.0, "{kind}");
    }
    assert_eq!(events("order_placed", "invalid"), 1.0);
    assert!(must(&text, r#"forcesync_ack_duration_seconds_count{rpc="SubmitEvents"}"#) >= 2.0);

    let requests = |kind: &str| {
        value(&text, &format!(r#"forcesync_salesforce_requests_total{{store="{STORE}",kind="{kind}",result="ok"}}"#))
    };
    assert!(requests("login").unwrap_or_default() >= 1.0, "{text}");
    let writes = requests("composite_graph").unwrap_or_default() + requests("collections").unwrap_or_default();
    assert!(writes >= 1.0, "the sale was written in at least one request: {text}");
    let written = |object: &str| {
        value(&text, &format!(r#"forcesync_salesforce_records_written_total{{store="{STORE}",object="{object}"}}"#))
    };
    for object in ["Account", "Opportunity", "Order"] {
        assert!(written(object).unwrap_or_default() >= 1.0, "{object} written: {text}");
    }
    assert!(must(&text, &format!(r#"forcesync_salesforce_api_requests_max{{store="{STORE}"}}"#)) > 0.0);
    assert!(must(&text, &format!(r#"forcesync_salesforce_api_requests_used{{store="{STORE}"}}"#)) > 0.0);
    assert!(must(&text, &format!(r#"forcesync_sync_latency_seconds_count{{store="{STORE}"}}"#)) >= 1.0);

    for state in ["pending", "waiting", "parked"] {
        assert_eq!(must(&text, &format!(r#"forcesync_entities{{store="{STORE}",state="{state}"}}"#)), 0.0, "{state}");
    }
    assert_eq!(must(&text, &format!(r#"forcesync_oldest_pending_age_seconds{{store="{STORE}"}}"#)), 0.0);
    assert_eq!(must(&text, &format!(r#"forcesync_unfolded_events{{store="{STORE}"}}"#)), 0.0);
    assert!(value(&text, &format!(r#"forcesync_store_paused{{store="{STORE}""#)).is_none(), "not paused");

    for secret in [ADMIN_TOKEN, setup.token.as_str(), PASSWORD, TOKEN] {
        assert!(!text.contains(secret), "a secret in /metrics: {secret}");
    }
    // Sandbox session ids read `00D…!…`; no metric, label or help text holds a '!'.
    assert!(!text.contains('!'), "no session id in /metrics");
}

#[tokio::test]
async fn the_fold_lag_and_the_oldest_change_show_until_the_engine_catches_up() {
    // A stepped engine: received events wait unfolded until the test steps it.
    let clock = forcesync::engine::TestClock::at(chrono::Utc::now().timestamp_millis());
    let store = "metrics-backlog";
    let engine = crate::helpers::stepped_engine(&clock);
    let setup = connected_store_named(store, spawn_sandbox().await, engine, Default::default(), vec![]).await;
    setup.sync().submit_events(pb::SubmitEventsRequest { events: sale_events() }).await.expect("submit");
    let addr = setup.app.server.http_addr.expect("http addr");
    let (_, before) = get(addr, "/metrics").await;
    assert_eq!(must(&before, &format!(r#"forcesync_unfolded_events{{store="{store}"}}"#)), 3.0, "{before}");
    assert!(value(&before, &format!(r#"forcesync_oldest_pending_age_seconds{{store="{store}"}}"#)).is_some());

    let engine = setup.app.server.engine().expect("stepped engine");
    crate::helpers::settle(&engine, &clock, std::time::Duration::from_millis(200)).await;
    let (_, after) = get(addr, "/metrics").await;
    for state in ["pending", "parked"] {
        assert_eq!(must(&after, &format!(r#"forcesync_entities{{store="{store}",state="{state}"}}"#)), 0.0, "{after}");
    }
    assert_eq!(must(&after, &format!(r#"forcesync_oldest_pending_age_seconds{{store="{store}"}}"#)), 0.0);
}
