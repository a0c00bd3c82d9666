//! Rendering: the templates (compiled into the binary, HTML auto-escaped),
//! the stylesheet, errors as pages, and the headers every console response
//! carries (no caching, a strict Content-Security-Policy, no framing).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Serialize;

use crate::api::ApiError;
use crate::storage::StorageError;

use super::Console;

const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("templates/base.html")),
    ("macros.html", include_str!("templates/macros.html")),
    ("sign_in.html", include_str!("templates/sign_in.html")),
    ("overview.html", include_str!("templates/overview.html")),
    ("settings.html", include_str!("templates/settings.html")),
    ("connection.html", include_str!("templates/connection.html")),
    ("parked.html", include_str!("templates/parked.html")),
    ("log.html", include_str!("templates/log.html")),
    ("audit.html", include_str!("templates/audit.html")),
    ("lookup.html", include_str!("templates/lookup.html")),
    ("error.html", include_str!("templates/error.html")),
];

const STYLESHEET: &str = include_str!("static/console.css");

/// What every page of one store carries around its own content, for
/// `base.html`: the title, the CSRF token of its forms (sign-out included),
/// the store and the tab shown. Flattened into each page's context.
#[derive(Serialize)]
pub(super) struct StoreFrame<'a> {
    title: String,
    csrf: &'a str,
    signed_in: bool,
    code: &'a str,
    tab: &'static str,
}

impl<'a> StoreFrame<'a> {
    /// The frame of store `code`'s `tab`, titled "`heading` · `code`".
    pub(super) fn new(signed: &'a super::auth::Signed, code: &'a str, tab: &'static str, heading: &str) -> Self {
        Self { title: format!("{heading} · {code}"), csrf: signed.csrf(), signed_in: true, code, tab }
    }
}

/// Why a console request failed; shown as a page (internal causes are logged, not shown).
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("store {0:?} not found")]
    StoreNotFound(String),
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("{0}")]
    BadRequest(String),
    #[error("storage: {0}")]
    Storage(#[from] StorageError),
    #[error("api: {0}")]
    Api(#[from] ApiError),
    #[error("template: {0}")]
    Template(#[from] minijinja::Error),
    #[error("no randomness: {0}")]
    Random(#[from] getrandom::Error),
}

impl ConsoleError {
    fn status(&self) -> StatusCode {
        match self {
            Self::StoreNotFound(_) => StatusCode::NOT_FOUND,
            Self::Storage(StorageError::StoreNotFound(_)) => StatusCode::NOT_FOUND,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Storage(_) | Self::Api(_) | Self::Template(_) | Self::Random(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// What the page says: the message for the operator's mistakes, a generic line otherwise.
    fn public_message(&self) -> String {
        match self {
            Self::StoreNotFound(_) | Self::Forbidden(_) | Self::BadRequest(_) => self.to_string(),
            Self::Storage(StorageError::StoreNotFound(code)) => format!("store {code:?} not found"),
            _ => "Something went wrong on the server; the details are in its log.".into(),
        }
    }
}

#[derive(Serialize)]
struct ErrorPage {
    title: String,
    message: String,
    signed_in: bool,
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let status = self.status();
        if status.is_server_error() {
            tracing::error!(error = %crate::error_text::report(&self), "console request failed");
        }
        let page = ErrorPage {
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            message: self.public_message(),
            signed_in: false,
        };
        let body = templates()
            .and_then(|env| {
                env.get_template("error.html")?.render(minijinja::Value::from(minijinja::value::Serde(&page)))
            })
            .unwrap_or_else(|_| page.message.clone());
        (status, Html(body)).into_response()
    }
}

/// The templates, parsed once.
pub(super) fn templates() -> Result<minijinja::Environment<'static>, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    env.add_filter("when", when);
    env.add_filter("age", age);
    env.add_filter("thousands", thousands);
    Ok(env)
}

impl Console {
    /// Renders a template with `context` (any serializable value).
    pub(super) fn page(&self, name: &str, context: impl Serialize) -> Result<Response, ConsoleError> {
        let body = self
            .inner
            .templates
            .get_template(name)?
            .render(minijinja::Value::from(minijinja::value::Serde(&context)))?;
        Ok(Html(body).into_response())
    }
}

/// Unix milliseconds as UTC time, `2026-12-04 19:58:14 UTC`.
pub(super) fn when_text(millis: i64) -> String {
    when(millis)
}

/// A duration in milliseconds, short (see [`age`]).
pub(super) fn age_text(millis: i64) -> String {
    age(millis)
}

fn when(millis: i64) -> String {
    chrono::DateTime::from_timestamp_millis(millis)
        .map(|t| t.format("%Y-%m-%d %H:%M:%S UTC").to_string())
        .unwrap_or_default()
}

/// A duration in milliseconds, short: `45 s`, `12 min`, `3 h 5 min`, `2 d 4 h`.
fn age(millis: i64) -> String {
    let s = millis.max(0) / 1000;
    match s {
        0..60 => format!("{s} s"),
        60..3600 => format!("{} min", s / 60),
        3600..86_400 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        _ => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
    }
}

/// `1234567` as `1,234,567`.
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

pub(super) async fn to_overview() -> Redirect {
    Redirect::to("/console/")
}

pub(super) async fn stylesheet() -> Response {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLESHEET).into_response()
}

/// Headers on every console response: nothing cached (pages show live
/// state and carry CSRF tokens), no scripts or outside resources, no framing.
pub(super) async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let set = |value: &'static str| HeaderValue::from_static(value);
    headers.insert(header::CACHE_CONTROL, set("no-store"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        set("default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    );
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, set("nosniff"));
    headers.insert(header::REFERRER_POLICY, set("no-referrer"));
    headers.insert(header::X_FRAME_OPTIONS, set("DENY"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_parses() {
        let env = templates().expect("templates");
        for (name, _) in TEMPLATES {
            env.get_template(name).expect(name);
        }
    }

    #[test]
    fn numbers_and_times_read_well() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(age(45_000), "45 s");
        assert_eq!(age(3_900_000), "1 h 5 min");
        assert_eq!(when(0), "1970-01-01 00:00:00 UTC");
    }

    #[test]
    fn values_are_escaped() {
        let env = templates().expect("templates");
        let page = ErrorPage { title: "t".into(), message: "<script>x</script>".into(), signed_in: false };
        let html =
            env.get_template("error.html").expect("t").render(minijinja::Value::from(minijinja::value::Serde(&page)));
        let html = html.expect("render");
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>x"), "{html}");
    }
}
