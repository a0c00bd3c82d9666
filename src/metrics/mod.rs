//! Prometheus metrics (`/metrics` on the HTTP listener). Counters and
//! histograms live in one process-wide registry ([`global`]) and are bumped
//! with atomics on the hot path; gauges whose truth is the database (entities
//! by state, oldest pending, fold lag, pauses) are read at scrape time
//! (`scrape.rs`). Every name carries the `forcesync_` prefix; labels are
//! static strings except the store code, shared as an `Arc<str>`.

mod labels;
pub mod scrape;

use std::sync::{Arc, LazyLock};
use std::time::Duration;

use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use labels::{EventLabels, ObjectLabels, PauseLabels, RequestLabels, RpcLabels, StoreLabels};
pub use labels::{object_label, pause_reason, request_kind};

/// A store's code as a label value: cloned by reference count, not copied.
pub type StoreLabel = Arc<str>;

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Every in-process instrument.
pub struct Metrics {
    registry: Registry,
    events_received: Family<EventLabels, Counter>,
    ack_seconds: HistogramFamily<RpcLabels>,
    sync_latency_seconds: HistogramFamily<StoreLabels>,
    salesforce_requests: Family<RequestLabels, Counter>,
    records_written: Family<ObjectLabels, Counter>,
    api_used: Family<StoreLabels, Gauge>,
    api_max: Family<StoreLabels, Gauge>,
    pauses: Family<PauseLabels, Counter>,
    relogins: Family<StoreLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// Acks take from under a millisecond (a durable commit) to seconds (a slow disk).
fn ack_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// An event reaches Salesforce within a linger and a request, or after retries and pauses.
fn sync_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.05, 2.0, 18))
}

impl Metrics {
    fn new() -> Self {
        let mut registry = Registry::default();
        let events_received = Family::<EventLabels, Counter>::default();
        registry.register(
            "forcesync_events_received",
            "Store events received, by store, event kind and outcome (accepted, duplicate, invalid, refused)",
            events_received.clone(),
        );
        let ack_seconds = HistogramFamily::<RpcLabels>::new_with_constructor(ack_histogram);
        registry.register_with_unit(
            "forcesync_ack_duration",
            "Time from receiving a write RPC to its durable acknowledgement, by RPC",
            Unit::Seconds,
            ack_seconds.clone(),
        );
        let sync_latency_seconds = HistogramFamily::<StoreLabels>::new_with_constructor(sync_histogram);
        registry.register_with_unit(
            "forcesync_sync_latency",
            "Time from an entity's first unsynced event being received to Salesforce holding it, by store",
            Unit::Seconds,
            sync_latency_seconds.clone(),
        );
        let salesforce_requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "forcesync_salesforce_requests",
            "Salesforce API requests sent, by store, request kind and result (ok or the error class)",
            salesforce_requests.clone(),
        );
        let records_written = Family::<ObjectLabels, Counter>::default();
        registry.register(
            "forcesync_salesforce_records_written",
            "Salesforce records created or updated by the sync, by store and object",
            records_written.clone(),
        );
        let api_used = Family::<StoreLabels, Gauge>::default();
        registry.register(
            "forcesync_salesforce_api_requests_used",
            "The org's daily API requests used, as Salesforce last reported (Sforce-Limit-Info), by store",
            api_used.clone(),
        );
        let api_max = Family::<StoreLabels, Gauge>::default();
        registry.register(
            "forcesync_salesforce_api_requests_max",
            "The org's daily API request allocation, as Salesforce last reported, by store",
            api_max.clone(),
        );
        let pauses = Family::<PauseLabels, Counter>::default();
        registry.register(
            "forcesync_sync_pauses",
            "Store sync pauses begun, by reason (api_budget, cannot_connect, not_configured, other)",
            pauses.clone(),
        );
        let relogins = Family::<StoreLabels, Counter>::default();
        registry.register(
            "forcesync_salesforce_relogins",
            "Logins again after Salesforce refused a session (INVALID_SESSION_ID), by store",
            relogins.clone(),
        );
        Self {
            registry,
            events_received,
            ack_seconds,
            sync_latency_seconds,
            salesforce_requests,
            records_written,
            api_used,
            api_max,
            pauses,
            relogins,
        }
    }

    /// Counts one received event of `kind` for `store` (`outcome`: accepted,
    /// duplicate, invalid or refused).
    pub fn event_received(&self, store: &StoreLabel, kind: &'static str, outcome: &'static str) {
        self.events_received.get_or_create(&EventLabels { store: store.clone(), kind, outcome }).inc();
    }

    /// Records how long a write RPC took to its durable ack.
    pub fn acked(&self, rpc: &'static str, elapsed: Duration) {
        self.ack_seconds.get_or_create(&RpcLabels { rpc }).observe(elapsed.as_secs_f64());
    }

    /// Records an entity synced `elapsed` after its first unsynced event.
    pub fn synced(&self, store: &StoreLabel, elapsed: Duration) {
        self.sync_latency_seconds.get_or_create(&StoreLabels { store: store.clone() }).observe(elapsed.as_secs_f64());
    }

    /// Counts one Salesforce request (`result`: `ok` or the error class).
    pub fn salesforce_request(&self, store: &StoreLabel, kind: &'static str, result: &'static str) {
        self.salesforce_requests.get_or_create(&RequestLabels { store: store.clone(), kind, result }).inc();
    }

    /// Counts `count` records of `object` written for `store`.
    pub fn records_written(&self, store: &StoreLabel, object: &str, count: u64) {
        let labels = ObjectLabels { store: store.clone(), object: object_label(object) };
        self.records_written.get_or_create(&labels).inc_by(count);
    }

    /// The org's API usage as Salesforce last reported it.
    pub fn api_usage(&self, store: &StoreLabel, used: u64, max: u64) {
        let labels = StoreLabels { store: store.clone() };
        self.api_used.get_or_create(&labels).set(i64::try_from(used).unwrap_or(i64::MAX));
        self.api_max.get_or_create(&labels).set(i64::try_from(max).unwrap_or(i64::MAX));
    }

    /// Counts a store pause begun for `reason` (free text, classified).
    pub fn paused(&self, reason: &str) {
        self.pauses.get_or_create(&PauseLabels { reason: pause_reason(reason) }).inc();
    }

    /// Counts a login again after an expired session.
    pub fn relogin(&self, store: &StoreLabel) {
        self.relogins.get_or_create(&StoreLabels { store: store.clone() }).inc();
    }

    /// The registry, for encoding.
    pub(crate) fn registry(&self) -> &Registry {
        &self.registry
    }
}

static GLOBAL: LazyLock<Metrics> = LazyLock::new(Metrics::new);

/// The process's instruments.
pub fn global() -> &'static Metrics {
    &GLOBAL
}
