//! A store's settings: the form (every setting UpdateStoreConfig edits, the
//! lists one entry per line, with the etag they were read at, and which
//! secrets are set — never their values), and saving it through
//! UpdateStoreConfig's own merge and validation. A refused save shows each
//! field's message beside it (a list's with its line); a save over someone
//! else's newer change is refused (the etag moved) and shows the settings
//! as they are now. The credentials form below it: `settings_credentials`.

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
use super::{settings_credentials, settings_lists};

#[derive(Serialize)]
struct Page<'a> {
    #[serde(flatten)]
    frame: StoreFrame<'a>,
    etag: String,
    sections: Vec<SectionView>,
    /// Every message, for the summary at the top (field: message).
    errors: Vec<String>,
    notice: Option<String>,
    /// Which secrets are set, and when (never their values).
    secrets: Vec<String>,
    credentials: Vec<settings_credentials::CredentialView>,
}

#[derive(Deserialize)]
pub(super) struct Params {
    #[serde(default)]
    saved: Option<String>,
    #[serde(default)]
    credentials: Option<String>,
}

pub(super) async fn to_settings(Path(code): Path<String>) -> Redirect {
    Redirect::to(&format!("/console/stores/{}/settings", super::lookup_page::path_segment(&code)))
}

/// What the page shows: the values, the etag they were read at, messages
/// by field (and all of them for the summary), the lists' typed text.
pub(super) struct Shown {
    pub values: pb::StoreSettings,
    pub etag: String,
    pub errors: HashMap<String, String>,
    pub summary: Vec<String>,
    pub notice: Option<String>,
    pub raw: HashMap<String, String>,
}

impl Shown {
    /// The saved settings as they are now.
    pub(super) async fn saved(console: &Console, code: &str, notice: Option<String>) -> Result<Self, ConsoleError> {
        let saved = console.storage().get_settings(code).await?;
        Ok(Self {
            values: settings_convert::to_proto(&saved.settings),
            etag: etag(saved.version),
            errors: HashMap::new(),
            summary: Vec::new(),
            notice,
            raw: HashMap::new(),
        })
    }
}

pub(super) async fn render(
    console: &Console,
    signed: &Signed,
    code: &str,
    shown: Shown,
) -> Result<Response, ConsoleError> {
    let secrets = console.storage().credential_status(code).await?;
    let page = Page {
        frame: StoreFrame::new(signed, code, "settings", "Settings"),
        etag: shown.etag,
        sections: settings_form::view(&shown.values, &shown.errors, &shown.raw),
        errors: shown.summary,
        notice: shown.notice,
        secrets: secrets
            .into_iter()
            .map(|s| format!("{} (set {})", s.kind.as_str(), super::render::when_text(s.updated_at)))
            .collect(),
        credentials: settings_credentials::inputs(&shown.errors),
    };
    console.page("settings.html", page)
}

/// UpdateStoreConfig's messages by form field: a list's messages (which
/// name an entry) are all kept, each with the line it is about.
fn place(
    violations: Vec<crate::domain::FieldViolation>,
    form: &HashMap<String, String>,
) -> (HashMap<String, String>, Vec<String>) {
    let mut errors: HashMap<String, String> = HashMap::new();
    let mut summary = Vec::new();
    for v in violations {
        let path = v.field.strip_prefix("settings.").unwrap_or(&v.field).to_owned();
        match settings_lists::locate(&path, form) {
            Some((list, at)) => {
                let message = format!("{at}{}", v.description);
                summary.push(format!("{list}: {message}"));
                let entry = errors.entry(list.to_owned()).or_default();
                if !entry.is_empty() {
                    entry.push_str("; ");
                }
                entry.push_str(&message);
            }
            None => {
                summary.push(format!("{path}: {}", v.description));
                errors.entry(path).or_insert(v.description);
            }
        }
    }
    (errors, summary)
}

pub(super) async fn page(
    State(console): State<Console>,
    signed: Signed,
    Path(code): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, ConsoleError> {
    let notice = match (params.saved, params.credentials) {
        (Some(_), _) => Some("Saved.".to_owned()),
        (None, Some(_)) => Some("Credentials replaced.".to_owned()),
        (None, None) => None,
    };
    let shown = Shown::saved(&console, &code, notice).await?;
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
    let raw: HashMap<String, String> =
        form.iter().filter(|(path, _)| settings_lists::is_list(path)).map(|(p, v)| (p.clone(), v.clone())).collect();
    let refused = |errors: HashMap<String, String>, summary: Vec<String>| Shown {
        values: next.clone(),
        etag: form_etag.clone(),
        errors,
        summary,
        notice: None,
        raw: raw.clone(),
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
            raw: HashMap::new(),
        };
        return render(&console, &signed, &code, shown).await;
    }
    match console.inner.config_api.update_config(&code, &next, Some(&changed), &form_etag, &Actor::Admin).await {
        Ok(_) => {
            Ok(Redirect::to(&format!("/console/stores/{}/settings?saved=1", super::lookup_page::path_segment(&code)))
                .into_response())
        }
        Err(ApiError::InvalidArgument(violations)) => {
            let (errors, summary) = place(violations, &form);
            let page = render(&console, &signed, &code, refused(errors, summary)).await?;
            Ok((StatusCode::BAD_REQUEST, page).into_response())
        }
        Err(ApiError::EtagMismatch { .. }) => {
            let mut shown = Shown::saved(&console, &code, None).await?;
            shown.summary.push(
                "The settings were changed elsewhere since this page was loaded; nothing was saved. \
                 They are shown as they are now: make your change again."
                    .into(),
            );
            let page = render(&console, &signed, &code, shown).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
