//! Console sessions: a random id in a cookie (HttpOnly, SameSite=Strict,
//! Path=/console), the session itself held in this process's memory. So a
//! session lives on one replica only: behind a load balancer, pin the
//! console to one replica (or sign in again where it lands). Sessions expire
//! after [`IDLE`] without use and [`LIFETIME`] at most; when [`MAX_SESSIONS`]
//! are signed in, a new sign-in evicts the oldest. Sign-in forms get
//! short-lived anonymous sessions of their own, bounded separately, so that
//! loading the sign-in page cannot evict anyone who is signed in.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use subtle::ConstantTimeEq;

/// The cookie's name.
pub const COOKIE: &str = "forcesync_console";
/// A signed-in session ends after this long without a request.
pub const IDLE: Duration = Duration::from_secs(60 * 60);
/// A signed-in session ends this long after sign-in, however busy.
pub const LIFETIME: Duration = Duration::from_secs(12 * 60 * 60);
/// Signed-in sessions kept at most (the oldest is evicted).
pub const MAX_SESSIONS: usize = 256;
/// Anonymous (sign-in form) sessions kept at most, and how long they last.
const MAX_ANONYMOUS: usize = 1024;
const ANONYMOUS_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// What a session holds: its CSRF token and its times.
#[derive(Clone)]
pub struct Session {
    pub csrf: String,
    created: Instant,
    last_seen: Instant,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("created", &self.created).finish_non_exhaustive()
    }
}

impl Session {
    /// Whether `token` is this session's CSRF token (constant time).
    pub fn csrf_matches(&self, token: &str) -> bool {
        !token.is_empty() && bool::from(self.csrf.as_bytes().ct_eq(token.as_bytes()))
    }
}

/// A new random id (32 bytes, URL-safe base64): session ids and CSRF tokens.
pub fn random_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

#[derive(Default)]
struct Tables {
    signed_in: HashMap<String, Session>,
    anonymous: HashMap<String, Session>,
}

/// The console's sessions (this process only). Cheap to clone.
#[derive(Clone, Default)]
pub struct Sessions {
    tables: Arc<Mutex<Tables>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sessions(..)")
    }
}

/// Inserts into a bounded table, dropping expired entries and then the oldest.
fn insert_bounded(table: &mut HashMap<String, Session>, id: String, session: Session, max: usize, ttl: Duration) {
    let now = Instant::now();
    table.retain(|_, s| now.duration_since(s.created) < ttl);
    while table.len() >= max {
        let Some(oldest) = table.iter().min_by_key(|(_, s)| s.created).map(|(id, _)| id.clone()) else { break };
        table.remove(&oldest);
    }
    table.insert(id, session);
}

impl Sessions {
    /// Starts a signed-in session; returns its id (for the cookie) and CSRF token.
    pub fn sign_in(&self) -> Result<(String, Session), getrandom::Error> {
        let (id, session) = Self::fresh()?;
        if let Ok(mut tables) = self.tables.lock() {
            insert_bounded(&mut tables.signed_in, id.clone(), session.clone(), MAX_SESSIONS, LIFETIME);
        }
        Ok((id, session))
    }

    /// Starts an anonymous session for the sign-in form.
    pub fn anonymous(&self) -> Result<(String, Session), getrandom::Error> {
        let (id, session) = Self::fresh()?;
        if let Ok(mut tables) = self.tables.lock() {
            insert_bounded(&mut tables.anonymous, id.clone(), session.clone(), MAX_ANONYMOUS, ANONYMOUS_LIFETIME);
        }
        Ok((id, session))
    }

    fn fresh() -> Result<(String, Session), getrandom::Error> {
        let now = Instant::now();
        Ok((random_id()?, Session { csrf: random_id()?, created: now, last_seen: now }))
    }

    /// The signed-in session with this id, if it has not expired (its idle
    /// time starts over).
    pub fn signed_in(&self, id: &str) -> Option<Session> {
        let mut tables = self.tables.lock().ok()?;
        let now = Instant::now();
        let session = tables.signed_in.get_mut(id)?;
        if now.duration_since(session.created) >= LIFETIME || now.duration_since(session.last_seen) >= IDLE {
            tables.signed_in.remove(id);
            return None;
        }
        session.last_seen = now;
        Some(session.clone())
    }

    /// The anonymous session with this id, if it has not expired.
    pub fn anonymous_session(&self, id: &str) -> Option<Session> {
        let tables = self.tables.lock().ok()?;
        let session = tables.anonymous.get(id)?;
        (session.created.elapsed() < ANONYMOUS_LIFETIME).then(|| session.clone())
    }

    /// Ends a session (signed in or anonymous).
    pub fn end(&self, id: &str) {
        if let Ok(mut tables) = self.tables.lock() {
            tables.signed_in.remove(id);
            tables.anonymous.remove(id);
        }
    }

    /// Signed-in sessions held now.
    pub fn signed_in_count(&self) -> usize {
        self.tables.lock().map(|t| t.signed_in.len()).unwrap_or(0)
    }
}

/// The `Set-Cookie` value that sets the session cookie.
pub fn set_cookie(id: &str) -> String {
    format!("{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/console")
}

/// The `Set-Cookie` value that clears it.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/console; Max-Age=0")
}

/// The session id in a request's `Cookie` headers, if any.
pub fn cookie_id(headers: &http::HeaderMap) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signed_in_sessions_are_bounded_and_the_oldest_goes_first() {
        let sessions = Sessions::default();
        let (first, _) = sessions.sign_in().expect("session");
        let mut last = String::new();
        for _ in 0..MAX_SESSIONS {
            last = sessions.sign_in().expect("session").0;
        }
        assert_eq!(sessions.signed_in_count(), MAX_SESSIONS);
        assert!(sessions.signed_in(&first).is_none(), "the oldest was evicted");
        assert!(sessions.signed_in(&last).is_some());
    }

    #[test]
    fn anonymous_sessions_never_evict_signed_in_ones() {
        let sessions = Sessions::default();
        let (id, _) = sessions.sign_in().expect("session");
        for _ in 0..(MAX_ANONYMOUS * 2) {
            sessions.anonymous().expect("anonymous");
        }
        assert!(sessions.signed_in(&id).is_some());
        let (anonymous, _) = sessions.anonymous().expect("anonymous");
        assert!(sessions.signed_in(&anonymous).is_none(), "an anonymous session is not signed in");
    }

    #[test]
    fn csrf_tokens_match_exactly() {
        let (_, session) = Sessions::default().sign_in().expect("session");
        assert!(session.csrf_matches(&session.csrf.clone()));
        assert!(!session.csrf_matches(""));
        assert!(!session.csrf_matches("nope"));
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut headers = http::HeaderMap::new();
        headers.append(http::header::COOKIE, "a=1; forcesync_console=abc; b=2".parse().expect("header"));
        assert_eq!(cookie_id(&headers).as_deref(), Some("abc"));
        assert_eq!(cookie_id(&http::HeaderMap::new()), None);
        assert!(set_cookie("x").contains("HttpOnly; SameSite=Strict; Path=/console"));
    }
}
