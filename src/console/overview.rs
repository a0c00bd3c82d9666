//! The stores overview: each store with its health at a glance — connected
//! or not (the last Test Connection from any replica or caller, the last
//! API usage the engine saw, the engine's pause), how far behind (work not
//! yet in Salesforce, and how long the oldest has been due), the last
//! error, the API budget (as last saved by the engine, with its time) and
//! any pause with its reason. Connection and budget are read from the
//! database (`store_status`), so every replica shows the same, also after a
//! restart. Stores are listed 50 at a time by code; each row costs a few
//! indexed reads.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::storage::sync::HEALTH_COUNT_CAP;
use crate::storage::{StoreStatus, now_millis};

use super::auth::Signed;
use super::render::when_text;
use super::{Console, ConsoleError};

const PAGE: i64 = 50;

#[derive(Deserialize)]
pub(super) struct Params {
    #[serde(default)]
    after: String,
}

#[derive(Serialize)]
struct Budget {
    used: i64,
    max: i64,
    percent: i64,
    as_of: String,
}

#[derive(Serialize)]
struct Row {
    code: String,
    name: String,
    /// `ok`, `warn`, `fail` or `unknown`, and what it means.
    connection: &'static str,
    connection_text: String,
    behind: String,
    behind_count: i64,
    oldest_due: Option<String>,
    parked: String,
    parked_count: i64,
    last_error: Option<String>,
    budget: Option<Budget>,
    paused: Option<String>,
}

#[derive(Serialize)]
struct Page<'a> {
    title: &'static str,
    csrf: &'a str,
    signed_in: bool,
    stores: Vec<Row>,
    next_after: Option<String>,
}

/// Connected or not, and why: a pause says no; else the newer of the last
/// Test Connection and the engine's last answered call decides.
fn connection(pause: &Option<(i64, String)>, status: &StoreStatus) -> (&'static str, String) {
    let usage_at = status.usage.map(|u| u.at);
    match (pause, &status.test) {
        (Some((_, reason)), _) => ("fail", format!("not syncing: {reason}")),
        (None, Some(test)) if usage_at.is_none_or(|at| at <= test.at) => match test.passed {
            true => ("ok", format!("Test Connection passed · as of {}", when_text(test.at))),
            false => (
                "fail",
                format!(
                    "Test Connection failed ({} check(s)): {} · as of {}",
                    test.failed_checks,
                    test.first_failure.as_deref().unwrap_or("see Test Connection"),
                    when_text(test.at)
                ),
            ),
        },
        (None, _) => match usage_at {
            Some(at) => ("ok", format!("Salesforce answers the engine's calls · as of {}", when_text(at))),
            None => ("unknown", "not checked yet: run Test Connection".to_owned()),
        },
    }
}

/// `n` as text, `10,000+` at the cap.
fn capped(n: i64) -> String {
    if n > HEALTH_COUNT_CAP { format!("{HEALTH_COUNT_CAP}+") } else { n.to_string() }
}

pub(super) async fn page(
    State(console): State<Console>,
    signed: Signed,
    Query(params): Query<Params>,
) -> Result<Response, ConsoleError> {
    let storage = console.storage();
    let mut stores = storage.list_stores(&params.after, PAGE + 1).await?;
    let next_after = (stores.len() as i64 > PAGE).then(|| stores[PAGE as usize - 1].code.clone());
    stores.truncate(PAGE as usize);
    let now = now_millis();
    let mut rows = Vec::with_capacity(stores.len());
    for store in stores {
        let store_id = storage.store_id(&store.code).await?;
        let health = storage.store_health(store_id).await?;
        let last_error = storage.last_sync_error(store_id).await?;
        let status = storage.store_status(store_id).await?;
        let (connection, connection_text) = connection(&health.pause, &status);
        let behind_count = health.unfolded + health.pending;
        rows.push(Row {
            name: store.display_name,
            connection,
            connection_text,
            behind: capped(behind_count),
            behind_count,
            oldest_due: health.oldest_due_at.filter(|_| behind_count > 0).map(|at| super::render::age_text(now - at)),
            parked: capped(health.parked),
            parked_count: health.parked,
            last_error: last_error.map(|(at, entity, message)| format!("{} · {entity}: {message}", when_text(at))),
            budget: status.usage.map(|u| Budget {
                used: u.used,
                max: u.max,
                percent: u.used.saturating_mul(100).checked_div(u.max).map_or(100, |p| p.clamp(0, 100)),
                as_of: when_text(u.at),
            }),
            paused: health.pause.map(|(until, reason)| format!("paused until {}: {reason}", when_text(until))),
            code: store.code,
        });
    }
    console
        .page("overview.html", Page { title: "Stores", csrf: signed.csrf(), signed_in: true, stores: rows, next_after })
}
