//! A large backlog retried again and again keeps the engine's memory flat:
//! 5,000 customers are queued, the sandbox answers every REST call 500
//! UNKNOWN_EXCEPTION (a failure of each request, retried entity by entity; a
//! 503 would pause the whole store instead, see `sync_outage.rs`), and a stepped engine goes through several full claim cycles over the whole
//! backlog (the test clock moved past every backoff between cycles). Every
//! claim takes at most one batch, every cycle takes each entity exactly once,
//! and what the engine keeps between steps ([`Engine::retained_sizes`]) is the
//! same after the last cycle as after the second. The process's anonymous
//! memory (RssAnon) is sampled too and may grow by less than 64 MB: a guard
//! on behaviour, not a benchmark (`bench backlog` measures memory). The
//! scenario runs in a process of its own (this test binary, re-run for that
//! one test) without the tests' log capture, so neither other tests'
//! allocations nor captured log lines count.

use std::time::Duration;

use forcesync::engine::{Engine, EngineConfig, RetainedSizes, TestClock};
use forcesync::pb::{self, sync_event::Event};
use forcesync::salesforce::retry::RetryPolicy;
use reqwest::Method;
use serde_json::json;

use crate::helpers::stepped_engine;
use crate::helpers::sync::{SyncSetup, connected_store_retrying};

/// Entities queued (customers: no dependencies, so none waits on another).
const ENTITIES: usize = 5_000;
const BATCH: i64 = 500;
const CYCLES: usize = 6;
const RETRY_MAX: Duration = Duration::from_secs(10);
/// Growth of RssAnon allowed from the second cycle to the last.
const RSS_GROWTH_KB: u64 = 64 * 1024;
/// Set in the process that runs the scenario.
const ALONE: &str = "FORCESYNC_TEST_MEMORY_ALONE";
const SCENARIO: &str = "sync_memory::claim_cycles_scenario";

fn config(clock: &TestClock) -> EngineConfig {
    EngineConfig {
        batch_size: BATCH,
        retry_base: Duration::from_secs(1),
        retry_max: RETRY_MAX,
        // Nothing parks during the test: every cycle goes over the whole backlog.
        max_attempts: 1_000,
        ..stepped_engine(clock)
    }
}

async fn queue_customers(setup: &SyncSetup) {
    let events: Vec<pb::SyncEvent> = (0..ENTITIES)
        .map(|i| {
            let customer = pb::Customer {
                customer_id: format!("{i}"),
                email: format!("buyer{i}@example.com"),
                first_name: "Buyer".into(),
                last_name: format!("Number {i}"),
                ..Default::default()
            };
            let upsert =
                pb::UpsertCustomerRequest { event_id: format!("c{i}"), customer: Some(customer), occur_time: None };
            pb::SyncEvent { event: Some(Event::Customer(upsert)) }
        })
        .collect();
    for chunk in events.chunks(1_000) {
        let request = pb::SubmitEventsRequest { events: chunk.to_vec() };
        let acks = setup.sync().submit_events(request).await.expect("submit").into_inner().acks;
        assert_eq!(acks.len(), chunk.len());
    }
}

/// One claim cycle: steps until a step finds nothing due; returns how many entities it claimed.
async fn claim_cycle(engine: &Engine) -> usize {
    let mut claimed = 0;
    loop {
        let step = engine.step().await;
        assert!(step.claimed <= usize::try_from(BATCH).expect("batch"), "a claim takes one batch at most: {step:?}");
        assert_eq!(step.claimed, step.retried, "Salesforce is down: everything claimed is retried: {step:?}");
        if step.claimed == 0 {
            return claimed;
        }
        claimed += step.claimed;
        assert!(claimed <= ENTITIES, "an entity was claimed twice in one cycle");
    }
}

/// The process's anonymous resident memory (its heap), in kB.
fn rss_anon_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status.lines().find_map(|line| line.strip_prefix("RssAnon:")).expect("RssAnon");
    line.trim().trim_end_matches("kB").trim().parse().expect("kB")
}

#[tokio::test]
async fn claim_cycles_over_a_large_backlog_keep_engine_state_and_memory_flat() {
    let exe = std::env::current_exe().expect("test binary");
    let output = std::process::Command::new(exe)
        .args([SCENARIO, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(ALONE, "1")
        .output()
        .expect("run the scenario");
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the scenario failed:\n{text}");
    assert!(text.contains("1 passed"), "the scenario ran:\n{text}");
}

#[tokio::test]
#[ignore = "run by claim_cycles_over_a_large_backlog_keep_engine_state_and_memory_flat, in a process of its own"]
async fn claim_cycles_scenario() {
    assert!(std::env::var_os(ALONE).is_some(), "run through its parent test, alone in its process");
    // No log capture: the tests' capturing subscriber keeps every line in memory, which would grow
    // with every retried entity (production writes them out). Installed first, this one stays.
    let quiet = tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new("off"));
    quiet.with_writer(std::io::sink).try_init().expect("the process's first subscriber");
    let clock = TestClock::ahead_of_wall_clock();
    let no_retries_in_call = RetryPolicy { max_attempts: 1, ..RetryPolicy::default() };
    let setup = connected_store_retrying(config(&clock), no_retries_in_call).await;
    let engine = setup.app.server.engine().expect("engine");
    queue_customers(&setup).await;
    setup.sandbox.control(Method::PATCH, "/faults", Some(json!({ "http_500": 1.0 }))).await;

    let mut after_second: Option<(RetainedSizes, u64)> = None;
    for cycle in 1..=CYCLES {
        let claimed = claim_cycle(&engine).await;
        assert_eq!(claimed, ENTITIES, "cycle {cycle} claims every entity once");
        let sizes = engine.retained_sizes().await;
        assert_eq!(sizes.connections, 1, "one store, one connection: {sizes:?}");
        let rss = rss_anon_kb();
        eprintln!("cycle {cycle}: {claimed} claimed, {sizes:?}, RssAnon {rss} kB");
        match after_second {
            None if cycle == 2 => after_second = Some((sizes, rss)),
            None => {}
            Some((second, second_rss)) => {
                assert_eq!(sizes, second, "cycle {cycle}: the engine keeps what it kept after cycle 2");
                let growth = rss.saturating_sub(second_rss);
                assert!(growth < RSS_GROWTH_KB, "cycle {cycle}: RssAnon grew {growth} kB since cycle 2");
            }
        }
        // Every backoff (at most RETRY_MAX) runs out.
        clock.advance(RETRY_MAX);
    }
    let counts = setup.app.server.storage.entity_counts(store_id(&setup).await).await.expect("counts");
    assert_eq!(counts, [("pending".to_owned(), i64::try_from(ENTITIES).expect("n"))], "all still queued");
}

async fn store_id(setup: &SyncSetup) -> i64 {
    setup.app.server.storage.store_id("main").await.expect("store id")
}
