//! Parked items: entities that failed for a reason a person must fix, with
//! Salesforce's error, the fields it named and the remedy, 50 per page
//! (optionally only one error code). Retry queues one item again, or every
//! parked item with an error code (all of them without one), as RetryFailed does.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::auth::Signed;
use super::lookup_page::{path_segment, query_value};
use super::render::StoreFrame;
use super::{Console, ConsoleError, csrf};

const PAGE: i64 = 50;

#[derive(Deserialize)]
pub(super) struct Params {
    #[serde(default)]
    code: String,
    #[serde(default)]
    after: Option<i64>,
    #[serde(default)]
    retried: Option<u64>,
}

#[derive(Serialize)]
struct Item {
    id: i64,
    label: String,
    kind: &'static str,
    attempts: i64,
    updated_at: i64,
    code: String,
    class: String,
    message: String,
    fields: String,
    remedy: String,
}

#[derive(Serialize)]
struct Page<'a> {
    #[serde(flatten)]
    frame: StoreFrame<'a>,
    filter: String,
    items: Vec<Item>,
    next: Option<String>,
    notice: Option<String>,
}

pub(super) async fn page(
    State(console): State<Console>,
    signed: Signed,
    Path(code): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, ConsoleError> {
    let store_id = console.storage().store_id(&code).await?;
    let filter = params.code.trim().to_owned();
    let error_code = Some(filter.as_str()).filter(|c| !c.is_empty());
    let page = console.storage().parked_entities(store_id, error_code, params.after.unwrap_or(0), PAGE).await?;
    let items = page
        .entities
        .into_iter()
        .map(|e| {
            let error = e.error.unwrap_or_else(|| crate::domain::sync::RecordedError {
                code: String::new(),
                message: String::new(),
                fields: Vec::new(),
                remedy: None,
                class: String::new(),
            });
            Item {
                id: e.id,
                label: e.label,
                kind: e.kind.as_str(),
                attempts: e.attempts,
                updated_at: e.updated_at,
                code: error.code,
                class: error.class,
                message: error.message,
                fields: error.fields.join(", "),
                remedy: error.remedy.unwrap_or_default(),
            }
        })
        .collect();
    let next = page.next_after.map(|after| {
        format!("/console/stores/{}/parked?code={}&after={after}", path_segment(&code), query_value(&filter))
    });
    let page = Page {
        frame: StoreFrame::new(&signed, &code, "parked", "Parked items"),
        filter,
        items,
        next,
        notice: params.retried.map(|n| format!("{n} item(s) queued again.")),
    };
    console.page("parked.html", page)
}

#[derive(Deserialize)]
pub(super) struct RetryForm {
    #[serde(default)]
    csrf: String,
    /// One entity (the row's Retry button).
    #[serde(default)]
    entity_id: Option<i64>,
    /// Every parked item with this error code (all of them when empty).
    #[serde(default)]
    error_code: String,
}

pub(super) async fn retry(
    State(console): State<Console>,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<RetryForm>,
) -> Result<Response, ConsoleError> {
    csrf::check(&signed.session, &form.csrf)?;
    let storage = console.storage();
    let store_id = storage.store_id(&code).await?;
    let retried = match form.entity_id {
        Some(id) => u64::from(storage.retry_parked_entity(store_id, id).await?),
        None => {
            let error_code = Some(form.error_code.trim()).filter(|c| !c.is_empty());
            storage.retry_parked(store_id, None, error_code).await?
        }
    };
    tracing::info!(store = %code, retried, actor = "admin", "parked work queued again from the console");
    Ok(Redirect::to(&format!("/console/stores/{}/parked?retried={retried}", path_segment(&code))).into_response())
}
