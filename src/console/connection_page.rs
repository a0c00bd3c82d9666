//! Test Connection from the console: runs the same checks as the
//! TestConnection RPC against the saved settings and secrets (nothing is
//! saved), and shows the checklist with each failure's remedy. The result
//! is kept in the database by Test Connection itself (for the overview, on
//! every replica); the page shows the last one when it has not just run.

use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::pb;
use crate::storage::Actor;

use super::auth::Signed;
use super::render::StoreFrame;
use super::{Console, ConsoleError, csrf};

#[derive(Serialize)]
struct CheckView {
    name: String,
    status: &'static str,
    message: String,
    remedy: String,
}

#[derive(Serialize)]
struct Page<'a> {
    #[serde(flatten)]
    frame: StoreFrame<'a>,
    ran: bool,
    passed: bool,
    checks: Vec<CheckView>,
    last: Option<LastTest>,
}

/// The last Test Connection, as the page shows it.
#[derive(Serialize)]
struct LastTest {
    at: i64,
    passed: bool,
    failed_checks: i64,
    first_failure: String,
}

async fn last_test(console: &Console, code: &str) -> Result<Option<LastTest>, ConsoleError> {
    let store_id = console.storage().store_id(code).await?;
    let status = console.storage().store_status(store_id).await?;
    Ok(status.test.map(|t| LastTest {
        at: t.at,
        passed: t.passed,
        failed_checks: t.failed_checks,
        first_failure: t.first_failure.unwrap_or_default(),
    }))
}

fn status(raw: i32) -> &'static str {
    match pb::CheckStatus::try_from(raw) {
        Ok(pb::CheckStatus::Pass) => "pass",
        Ok(pb::CheckStatus::Warn) => "warn",
        Ok(pb::CheckStatus::Fail) => "fail",
        Ok(pb::CheckStatus::Skipped) => "skipped",
        _ => "unknown",
    }
}

pub(super) async fn page(
    State(console): State<Console>,
    signed: Signed,
    Path(code): Path<String>,
) -> Result<Response, ConsoleError> {
    console.storage().get_store(&code).await?;
    let page = Page {
        frame: StoreFrame::new(&signed, &code, "connection", "Test Connection"),
        ran: false,
        passed: false,
        checks: Vec::new(),
        last: last_test(&console, &code).await?,
    };
    console.page("connection.html", page)
}

#[derive(Deserialize)]
pub(super) struct RunForm {
    #[serde(default)]
    csrf: String,
}

pub(super) async fn run(
    State(console): State<Console>,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<RunForm>,
) -> Result<Response, ConsoleError> {
    csrf::check(&signed.session, &form.csrf)?;
    console.storage().get_store(&code).await?;
    let request = pb::TestConnectionRequest { store_code: code.clone(), ..Default::default() };
    let response = console.inner.config_api.run_test_connection(request, Actor::Admin).await?;
    let checks: Vec<CheckView> = response
        .checks
        .into_iter()
        .map(|c| CheckView { name: c.name, status: status(c.status), message: c.message, remedy: c.remedy })
        .collect();
    let page = Page {
        frame: StoreFrame::new(&signed, &code, "connection", "Test Connection"),
        ran: true,
        passed: response.passed,
        checks,
        last: None,
    };
    console.page("connection.html", page)
}
