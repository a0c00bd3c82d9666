//! Sign-in with the admin token (checked against its hash exactly as the
//! gRPC `AdminAuth` interceptor does), sign-out, and the [`Signed`] guard
//! every page takes: no valid session, no page (GETs are sent to sign-in,
//! other requests refused).

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::{Deserialize, Serialize};

use crate::domain::token::Token;

use super::session::{self, Session};
use super::{Console, ConsoleError, csrf};

/// A signed-in request: its session (for the CSRF token forms carry).
#[derive(Debug, Clone)]
pub struct Signed {
    pub session: Session,
}

impl Signed {
    /// The CSRF token to put in this session's forms.
    pub fn csrf(&self) -> &str {
        &self.session.csrf
    }
}

impl FromRequestParts<Console> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, console: &Console) -> Result<Self, Self::Rejection> {
        let session = session::cookie_id(&parts.headers).and_then(|id| console.inner.sessions.signed_in(&id));
        match session {
            Some(session) => Ok(Signed { session }),
            None if parts.method == Method::GET => Err(Redirect::to("/console/sign-in").into_response()),
            None => Err(ConsoleError::Forbidden("Your console session has ended: sign in again.").into_response()),
        }
    }
}

#[derive(Serialize)]
struct SignInPage<'a> {
    title: &'static str,
    csrf: &'a str,
    error: Option<String>,
    signed_in: bool,
}

/// The sign-in form, with an anonymous session whose CSRF token it carries.
pub(super) async fn sign_in_form(State(console): State<Console>) -> Result<Response, ConsoleError> {
    let (id, session) = console.inner.sessions.anonymous()?;
    let page = console
        .page("sign_in.html", SignInPage { title: "Sign in", csrf: &session.csrf, error: None, signed_in: false })?;
    Ok(([(header::SET_COOKIE, session::set_cookie(&id))], page).into_response())
}

#[derive(Deserialize)]
pub(super) struct SignInForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    token: String,
}

/// Checks the admin token; on success replaces the anonymous session with a
/// signed-in one (a new id, so an id planted before sign-in is worthless).
/// An address that gave too many wrong tokens lately is refused with 429
/// before any comparison (see `sign_in_limit`).
pub(super) async fn sign_in(
    State(console): State<Console>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, ConsoleError> {
    let anonymous = session::cookie_id(&headers)
        .and_then(|id| console.inner.sessions.anonymous_session(&id).map(|session| (id, session)));
    let Some((anonymous_id, anonymous)) = anonymous else {
        return Err(ConsoleError::Forbidden("The sign-in form expired: load the sign-in page again."));
    };
    csrf::check(&anonymous, &form.csrf)?;
    let ip = peer.map(|Extension(ConnectInfo(peer))| peer.ip());
    let limit = &console.inner.sign_in_limit;
    if let Some(Err(retry_after)) = ip.map(|ip| limit.check(ip, Instant::now())) {
        let seconds = retry_after.as_secs().max(1);
        tracing::warn!(?ip, "console sign-in refused: too many wrong tokens from this address");
        let page = SignInPage {
            title: "Sign in",
            csrf: &anonymous.csrf,
            error: Some(format!("Too many wrong tokens from your address: try again in {seconds} s.")),
            signed_in: false,
        };
        let page = console.page("sign_in.html", page)?;
        return Ok((StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, seconds.to_string())], page).into_response());
    }
    let token = Token::from_secret(form.token.trim());
    if form.token.trim().is_empty() || !console.inner.admin_hash.matches(&token.hash()) {
        tracing::warn!("console sign-in refused: not the admin token");
        if let Some(ip) = ip {
            limit.failed(ip, Instant::now());
        }
        let page = SignInPage {
            title: "Sign in",
            csrf: &anonymous.csrf,
            error: Some("That is not the admin token.".to_owned()),
            signed_in: false,
        };
        let page = console.page("sign_in.html", page)?;
        return Ok((StatusCode::UNAUTHORIZED, page).into_response());
    }
    console.inner.sessions.end(&anonymous_id);
    let (id, _) = console.inner.sessions.sign_in()?;
    tracing::info!("console sign-in");
    Ok(([(header::SET_COOKIE, session::set_cookie(&id))], Redirect::to("/console/")).into_response())
}

#[derive(Deserialize)]
pub(super) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// Ends the session and clears the cookie.
pub(super) async fn sign_out(
    State(console): State<Console>,
    signed: Signed,
    headers: HeaderMap,
    Form(form): Form<CsrfOnly>,
) -> Result<Response, ConsoleError> {
    csrf::check(&signed.session, &form.csrf)?;
    if let Some(id) = session::cookie_id(&headers) {
        console.inner.sessions.end(&id);
    }
    Ok(([(header::SET_COOKIE, session::clear_cookie())], Redirect::to("/console/sign-in")).into_response())
}
