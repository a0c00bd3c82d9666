//! Replacing a store's Salesforce credentials from the settings page: a
//! write-only form (its inputs are never filled in, a secret is never shown
//! back), saved through SetCredentials' own checks, sealing and audit. A
//! blank input leaves that secret as it is; "clear" removes it.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;

use crate::api::ApiError;
use crate::pb::{self, CredentialKind};
use crate::storage::Actor;

use super::auth::Signed;
use super::settings_page::{Shown, render};
use super::{Console, ConsoleError, csrf};

/// The secrets, as named in the form and by SetCredentials, with labels.
const KINDS: &[(CredentialKind, &str, &str)] = &[
    (CredentialKind::Password, "password", "Password"),
    (CredentialKind::SecurityToken, "security_token", "Security token"),
    (CredentialKind::ClientSecret, "client_secret", "OAuth client secret"),
    (CredentialKind::JwtPrivateKey, "jwt_private_key", "JWT private key (PEM)"),
];

/// One secret's input, as the template shows it (never with a value).
#[derive(Debug, Serialize)]
pub struct CredentialView {
    pub name: &'static str,
    pub label: &'static str,
    pub multiline: bool,
    pub error: Option<String>,
}

fn input_name(name: &str) -> String {
    format!("credential.{name}")
}

/// The form's inputs, each with its message (by `credential.<kind>`).
pub fn inputs(errors: &HashMap<String, String>) -> Vec<CredentialView> {
    KINDS
        .iter()
        .map(|(kind, name, label)| CredentialView {
            name,
            label,
            multiline: *kind == CredentialKind::JwtPrivateKey,
            error: errors.get(&input_name(name)).cloned(),
        })
        .collect()
}

/// What the form asks for: each secret typed or cleared, or the messages by input.
fn requested(
    form: &HashMap<String, String>,
) -> Result<Vec<(&'static str, pb::CredentialValue)>, HashMap<String, String>> {
    let mut values = Vec::new();
    let mut errors = HashMap::new();
    for (kind, name, _) in KINDS {
        let typed = form.get(&input_name(name)).map(|v| v.replace("\r\n", "\n")).unwrap_or_default();
        let clear = form.contains_key(&format!("clear.{name}"));
        match (typed.is_empty(), clear) {
            (false, true) => {
                errors.insert(input_name(name), "type a new value or tick clear, not both".to_owned());
            }
            (true, false) => {}
            (_, _) => values.push((*name, pb::CredentialValue { kind: *kind as i32, value: typed })),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if values.is_empty() {
        errors.insert(input_name("password"), "type at least one secret, or tick clear".to_owned());
        return Err(errors);
    }
    Ok(values)
}

async fn refused(
    console: &Console,
    signed: &Signed,
    code: &str,
    errors: HashMap<String, String>,
) -> Result<Response, ConsoleError> {
    let mut shown = Shown::saved(console, code, None).await?;
    shown.summary = errors.iter().map(|(name, message)| format!("{name}: {message}")).collect();
    shown.summary.sort();
    shown.errors = errors;
    Ok((StatusCode::BAD_REQUEST, render(console, signed, code, shown).await?).into_response())
}

pub(super) async fn save(
    State(console): State<Console>,
    signed: Signed,
    Path(code): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, ConsoleError> {
    csrf::check(&signed.session, form.get("csrf").map(String::as_str).unwrap_or_default())?;
    console.storage().get_store(&code).await?;
    let values = match requested(&form) {
        Ok(values) => values,
        Err(errors) => return refused(&console, &signed, &code, errors).await,
    };
    let wire: Vec<pb::CredentialValue> = values.iter().map(|(_, value)| value.clone()).collect();
    match console.inner.config_api.set_credentials_for(&code, &wire, &Actor::Admin).await {
        Ok(_) => {
            let to = format!("/console/stores/{}/settings?credentials=1", super::lookup_page::path_segment(&code));
            Ok(Redirect::to(&to).into_response())
        }
        Err(ApiError::InvalidArgument(violations)) => {
            let mut errors = HashMap::new();
            for v in violations {
                let index = v.field.strip_prefix("credentials[").and_then(|rest| rest.split(']').next());
                let name = index.and_then(|i| i.parse::<usize>().ok()).and_then(|i| values.get(i)).map(|(n, _)| *n);
                errors.insert(input_name(name.unwrap_or("password")), v.description);
            }
            refused(&console, &signed, &code, errors).await
        }
        Err(other) => Err(other.into()),
    }
}
