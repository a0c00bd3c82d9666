//! One scrape: the in-process instruments, then the gauges read from the
//! database now, in the Prometheus text format (OpenMetrics flavour).

use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::{encode_eof, encode_registry};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use crate::storage::sync::StoreGauges;
use crate::storage::{Storage, StorageError};

use super::{StoreLabel, global, pause_reason};

/// The content type of [`render`]'s text.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    store: StoreLabel,
    state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StoreOnly {
    store: StoreLabel,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PausedLabels {
    store: StoreLabel,
    reason: &'static str,
}

/// Every metric, with the database's figures as of `now_millis`.
pub async fn render(storage: &Storage, now_millis: i64) -> Result<String, StorageError> {
    let stores = storage.store_gauges().await?;
    let mut text = String::with_capacity(16 * 1024);
    // Writing to a String cannot fail.
    let _ = encode_registry(&mut text, global().registry());
    let _ = encode_registry(&mut text, &database_registry(&stores, now_millis));
    let _ = encode_eof(&mut text);
    Ok(text)
}

fn database_registry(stores: &[StoreGauges], now_millis: i64) -> Registry {
    let mut registry = Registry::default();
    let entities = Family::<StateLabels, Gauge>::default();
    let oldest = Family::<StoreOnly, Gauge<f64, std::sync::atomic::AtomicU64>>::default();
    let unfolded = Family::<StoreOnly, Gauge>::default();
    let paused = Family::<PausedLabels, Gauge>::default();
    for gauges in stores {
        let store: StoreLabel = Arc::from(gauges.code.as_str());
        for (state, count) in [("pending", gauges.pending), ("waiting", gauges.waiting), ("parked", gauges.parked)] {
            entities.get_or_create(&StateLabels { store: store.clone(), state }).set(count);
        }
        let since = [gauges.oldest_pending_since, gauges.oldest_unfolded_at].into_iter().flatten().min();
        let age_ms = since.map_or(0, |since| now_millis.saturating_sub(since).max(0));
        oldest.get_or_create(&StoreOnly { store: store.clone() }).set(age_ms as f64 / 1000.0);
        unfolded.get_or_create(&StoreOnly { store: store.clone() }).set(gauges.unfolded);
        if let Some(reason) = &gauges.pause_reason {
            paused.get_or_create(&PausedLabels { store, reason: pause_reason(reason) }).set(1);
        }
    }
    registry.register(
        "forcesync_entities",
        "Entities (customers, carts, orders, ...) by store and state: pending (to sync), waiting (on another), parked (failed, needs a fix)",
        entities,
    );
    registry.register_with_unit(
        "forcesync_oldest_pending_age",
        "Age of the store's oldest change not yet in Salesforce (pending entity or unfolded event); 0 when none",
        Unit::Seconds,
        oldest,
    );
    registry.register(
        "forcesync_unfolded_events",
        "Received events not yet folded into entities (the fold lag), by store",
        unfolded,
    );
    registry.register("forcesync_store_paused", "1 while the store's sync is paused, by store and reason", paused);
    registry
}
