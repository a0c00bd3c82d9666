//! The sync log (what the engine did, newest first, filtered by level and
//! entity, 100 lines per page) and the configuration audit trail (who
//! changed which settings or secrets — names only, never values — and when).

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::storage::sync::{LogEntry, LogFilter};

use super::auth::Signed;
use super::lookup_page::{path_segment, query_value};
use super::render::StoreFrame;
use super::{Console, ConsoleError};

const LOG_PAGE: i64 = 100;
const AUDIT_PAGE: i64 = 50;
const LEVELS: &[&str] = &["info", "warn", "error"];

#[derive(Deserialize)]
pub(super) struct LogParams {
    #[serde(default)]
    level: String,
    #[serde(default)]
    entity: String,
    #[serde(default)]
    before: Option<i64>,
}

#[derive(Serialize)]
struct LogPage<'a> {
    #[serde(flatten)]
    frame: StoreFrame<'a>,
    level: String,
    levels: &'static [&'static str],
    entity: String,
    lines: Vec<LogEntry>,
    next: Option<String>,
}

pub(super) async fn sync_log(
    State(console): State<Console>,
    signed: Signed,
    Path(code): Path<String>,
    Query(params): Query<LogParams>,
) -> Result<Response, ConsoleError> {
    let store_id = console.storage().store_id(&code).await?;
    let level = params.level.trim().to_owned();
    if !level.is_empty() && !LEVELS.contains(&level.as_str()) {
        return Err(ConsoleError::BadRequest(format!("level must be one of {}", LEVELS.join(", "))));
    }
    let entity = params.entity.trim().to_owned();
    let filter = LogFilter {
        level: Some(level.clone()).filter(|l| !l.is_empty()),
        entity: Some(entity.clone()).filter(|e| !e.is_empty()),
        before_id: params.before,
    };
    let mut lines = console.storage().sync_log_page(store_id, &filter, LOG_PAGE + 1).await?;
    let more = lines.len() as i64 > LOG_PAGE;
    lines.truncate(LOG_PAGE as usize);
    let next = lines.last().filter(|_| more).map(|last| {
        format!(
            "/console/stores/{}/log?level={}&entity={}&before={}",
            path_segment(&code),
            query_value(&level),
            query_value(&entity),
            last.id
        )
    });
    let page = LogPage {
        frame: StoreFrame::new(&signed, &code, "log", "Sync log"),
        level,
        levels: LEVELS,
        entity,
        lines,
        next,
    };
    console.page("log.html", page)
}

#[derive(Deserialize)]
pub(super) struct AuditParams {
    #[serde(default)]
    before: Option<i64>,
}

#[derive(Serialize)]
struct AuditRow {
    at: i64,
    actor: String,
    action: String,
    fields: String,
}

#[derive(Serialize)]
struct AuditPage<'a> {
    #[serde(flatten)]
    frame: StoreFrame<'a>,
    rows: Vec<AuditRow>,
    next: Option<String>,
}

pub(super) async fn audit(
    State(console): State<Console>,
    signed: Signed,
    Path(code): Path<String>,
    Query(params): Query<AuditParams>,
) -> Result<Response, ConsoleError> {
    console.storage().get_store(&code).await?;
    let mut entries = console.storage().audit_page(&code, params.before, AUDIT_PAGE + 1).await?;
    let more = entries.len() as i64 > AUDIT_PAGE;
    entries.truncate(AUDIT_PAGE as usize);
    let next = entries
        .last()
        .filter(|_| more)
        .map(|(id, _)| format!("/console/stores/{}/audit?before={id}", path_segment(&code)));
    let rows = entries
        .into_iter()
        .map(|(_, e)| AuditRow { at: e.at_millis, actor: e.actor, action: e.action, fields: e.fields.join(", ") })
        .collect();
    let page = AuditPage { frame: StoreFrame::new(&signed, &code, "audit", "Audit trail"), rows, next };
    console.page("audit.html", page)
}
