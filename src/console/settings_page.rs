//! A store's settings: the form (with the saved values, the etag they were
//! read at, and which secrets are set — never their values), and saving it
//! through UpdateStoreConfig's own merge and validation. A refused save shows
//! each field's message beside it; a save over someone else's newer change
//! is refused (the etag moved) and shows the settings as they are now.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use crate::api::{ApiError, etag, settings_convert};
use crate::pb;
use crate::storage::Actor;

use super::auth::Signed;
use super::render::StoreFrame;
use super::settings_form::{self, SectionView};
use super::{Console, ConsoleError, csrf};

#[derive(Serialize)]
struct Mapping {
    from: String,
    to: String,
}

#[derive(Serialize)]
struct Page<'a> {
    #[serde(flatten)]
    frame: StoreFrame<'a>,
    etag: String,
    sections: Vec<SectionView>,
    /// Every message, for the summary at the top (field: message).
    errors: Vec<String>,
    notice: Option<String>,
    secrets: Vec<String>,
    status_map: Vec<Mapping>,
    external_ids: Vec<Mapping>,
    field_mappings: usize,
}

#[derive(Deserialize)]
pub(super) struct Params {
    #[serde(default)]
    saved: Option<String>,
}

pub(super) async fn to_settings(Path(code): Path<String>) -> Redirect {
    Redirect::to(&format!("/console/stores/{}/settings", super::lookup_page::path_segment(&code)))
}

struct Shown {
    values: pb::StoreSettings,
    etag: String,
    errors: HashMap<String, String>,
    summary: Vec<String>,
    notice: Option<String>,
}

async fn render(console: &Console, signed: &Signed, code: &str, shown: Shown) -> Result<Response, ConsoleError> {
    let saved = console.storage().get_settings(code).await?;
    let secrets = console.storage().credential_status(code).await?;
    let map = |from: String, to: String| Mapping { from, to };
    let page = Page {
        frame: StoreFrame::new(signed, code, "settings", "Settings"),
        etag: shown.etag,
        sections: settings_form::view(&shown.values, &shown.errors),
        errors: shown.summary,
        notice: shown.notice,
        secrets: secrets
            .into_iter()
            .map(|s| format!("{} (set {})", s.kind.as_str(), super::render::when_text(s.updated_at)))
            .collect(),
        status_map: saved
            .settings
            .order_status_map
            .iter()
            .map(|rule| {
                let value = |v: &Option<crate::domain::settings::PicklistValue>| {
                    v.as_ref().map(ToString::to_string).unwrap_or_else(|| "—".into())
                };
                map(
                    rule.store_status.clone(),
                    format!("Order {} · stage {}", value(&rule.order_status), value(&rule.opportunity_stage)),
                )
            })
            .collect(),
        external_ids: saved
            .settings
            .external_id_fields
            .entries()
            .map(|(o, f)| map(o.to_owned(), f.to_owned()))
            .collect(),
        field_mappings: saved.settings.field_mappings.len(),
    };
    console.page("settings.html", page)
}

pub(super) async fn page(
    State(console): State<Console>,
    signed: Signed,
    Path(code): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, ConsoleError> {
    let saved = console.storage().get_settings(&code).await?;
    let shown = Shown {
        values: settings_convert::to_proto(&saved.settings),
        etag: etag(saved.version),
        errors: HashMap::new(),
        summary: Vec::new(),
        notice: params.saved.map(|_| "Saved.".to_owned()),
    };
    render(&console, &signed, &code, shown).await
}

pub(super) async fn save(
    State(console): State<Console>,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    csrf::check(&signed.session, form.get("csrf").map(String::as_str).unwrap_or_default())?;
    let form_etag = form.get("etag").cloned().unwrap_or_default();
    let saved = console.storage().get_settings(&code).await?;
    let current = settings_convert::to_proto(&saved.settings);
    let (next, changed, unreadable) = settings_form::apply(&current, &form);
    let refused = |errors: HashMap<String, String>, summary: Vec<String>| Shown {
        values: next.clone(),
        etag: form_etag.clone(),
        errors,
        summary,
        notice: None,
    };
    if !unreadable.is_empty() {
        let summary = unreadable.iter().map(|(path, message)| format!("{path}: {message}")).collect();
        let page = render(&console, &signed, &code, refused(unreadable, summary)).await?;
        return Ok((StatusCode::BAD_REQUEST, page).into_response());
    }
    if changed.is_empty() {
        let shown = Shown {
            values: current,
            etag: etag(saved.version),
            errors: HashMap::new(),
            summary: Vec::new(),
            notice: Some("Nothing changed.".into()),
        };
        return render(&console, &signed, &code, shown).await;
    }
    match console.inner.config_api.update_config(&code, &next, Some(&changed), &form_etag, &Actor::Admin).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/console/stores/{}/settings?saved=1", super::lookup_page::path_segment(&code)))
                .into_response())
        }
        Err(ApiError::InvalidArgument(violations)) => {
            let mut errors = HashMap::new();
            let mut summary = Vec::new();
            for v in violations {
                let path = v.field.strip_prefix("settings.").unwrap_or(&v.field).to_owned();
                summary.push(format!("{path}: {}", v.description));
                errors.entry(path).or_insert(v.description);
            }
            let page = render(&console, &signed, &code, refused(errors, summary)).await?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
        Err(ApiError::EtagMismatch { .. }) => {
            let now = console.storage().get_settings(&code).await?;
            let shown = Shown {
                values: settings_convert::to_proto(&now.settings),
                etag: etag(now.version),
                errors: HashMap::new(),
                summary: vec![
                    "The settings were changed elsewhere since this page was loaded; nothing was saved. \
                     They are shown as they are now: make your change again."
                        .into(),
                ],
                notice: None,
            };
            let page = render(&console, &signed, &code, shown).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
