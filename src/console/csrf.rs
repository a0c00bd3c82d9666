//! CSRF: every POST form carries its session's random token in a hidden
//! `csrf` field; a POST whose token is missing or wrong is refused (403)
//! before it does anything. The session cookie is also SameSite=Strict, so
//! other sites' pages cannot send it at all.

use super::ConsoleError;
use super::session::Session;

/// Refuses a form whose CSRF token is not the session's.
pub fn check(session: &Session, token: &str) -> Result<(), ConsoleError> {
    if session.csrf_matches(token) {
        Ok(())
    } else {
        tracing::warn!("console form refused: missing or wrong CSRF token");
        Err(ConsoleError::Forbidden(
            "This form's security token is missing or out of date: reload the page and try again.",
        ))
    }
}
