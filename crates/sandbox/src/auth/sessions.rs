//! Session ids (the same token SOAP, OAuth and REST use) and their idle expiry.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Debug, Clone)]
pub struct Session {
    pub user_id: String,
    /// Restricted session of a user whose password expired.
    pub password_expired: bool,
    last_used: Instant,
}

/// Open sessions by token.
#[derive(Debug, Default)]
pub struct Sessions {
    by_token: HashMap<String, Session>,
}

/// Why a bearer token was refused (always `INVALID_SESSION_ID` on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionError {
    Unknown,
    Expired,
}

impl Sessions {
    /// Opens a session: `<orgId15>!<random>`, like Salesforce's.
    pub fn open(&mut self, org_id: &str, user_id: &str, password_expired: bool) -> Result<String, getrandom::Error> {
        let mut random = [0u8; 48];
        getrandom::fill(&mut random)?;
        let token = format!("{}!{}", org_id.get(..15).unwrap_or(org_id), URL_SAFE_NO_PAD.encode(random));
        let session = Session { user_id: user_id.to_owned(), password_expired, last_used: Instant::now() };
        self.by_token.insert(token.clone(), session);
        Ok(token)
    }

    /// The session for `token`, refreshing its idle timer; expired sessions are removed.
    pub fn touch(&mut self, token: &str, idle_timeout: Duration) -> Result<Session, SessionError> {
        let now = Instant::now();
        let session = self.by_token.get_mut(token).ok_or(SessionError::Unknown)?;
        if now.duration_since(session.last_used) >= idle_timeout {
            self.by_token.remove(token);
            return Err(SessionError::Expired);
        }
        session.last_used = now;
        Ok(session.clone())
    }

    pub fn revoke(&mut self, token: &str) -> bool {
        self.by_token.remove(token).is_some()
    }

    /// Ends every session (control endpoint: "the org's sessions expired").
    pub fn expire_all(&mut self) -> usize {
        let count = self.by_token.len();
        self.by_token.clear();
        count
    }

    pub fn len(&self) -> usize {
        self.by_token.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_token.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_open_expire_and_revoke() {
        let mut sessions = Sessions::default();
        let token = sessions.open("00D000000000001AAA", "005000000000001AAA", false).expect("open");
        assert!(token.starts_with("00D000000000001!"));
        assert_eq!(sessions.touch(&token, Duration::from_secs(60)).map(|s| s.user_id), Ok("005000000000001AAA".into()));
        assert_eq!(sessions.touch("nope", Duration::from_secs(60)).map(|_| ()), Err(SessionError::Unknown));
        assert_eq!(sessions.touch(&token, Duration::ZERO).map(|_| ()), Err(SessionError::Expired));
        assert_eq!(sessions.touch(&token, Duration::from_secs(60)).map(|_| ()), Err(SessionError::Unknown));
        let other = sessions.open("00D000000000001AAA", "005000000000001AAA", false).expect("open");
        assert!(sessions.revoke(&other) && !sessions.revoke(&other));
        sessions.open("00D000000000001AAA", "005", false).expect("open");
        assert_eq!(sessions.expire_all(), 1);
        assert!(sessions.is_empty());
    }
}
