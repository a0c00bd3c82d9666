//! Who may call the sandbox: users and connected apps from the seed, SOAP
//! login and OAuth grants that open sessions, and bearer-token checks.

pub mod form;
pub mod identity;
pub mod jwt;
pub mod oauth;
pub mod sessions;
pub mod soap;
pub mod users;

use std::net::IpAddr;
use std::time::Duration;

use crate::config::{IpRange, SandboxConfig};

pub use sessions::{Session, SessionError, Sessions};
pub use users::{LoginError, User};

#[derive(Debug, Clone)]
pub struct ConnectedApp {
    pub client_id: String,
    pub client_secret: String,
    pub run_as: Option<String>,
    /// PKCS#1 DER public key for JWT assertions.
    pub jwt_public_key: Option<Vec<u8>>,
    pub jwt_users: Vec<String>,
}

/// Users, apps and sessions of the org.
#[derive(Debug)]
pub struct Directory {
    pub org_id: String,
    pub users: Vec<User>,
    pub apps: Vec<ConnectedApp>,
    pub sessions: Sessions,
    org_trusted: Vec<IpRange>,
    lockout_after: u32,
    api_enabled: bool,
    pub session_timeout: Duration,
}

impl Directory {
    /// `user_ids` gives each seeded user its 18-character Id, in order.
    pub fn new(config: &SandboxConfig, org_id: String, mut user_ids: impl FnMut() -> String) -> Result<Self, String> {
        let users = config.users.iter().map(|seed| User::from_seed(user_ids(), seed)).collect::<Result<_, _>>()?;
        let apps = config
            .connected_apps
            .iter()
            .map(|seed| {
                let key = seed.jwt_public_key_pem.as_deref().map(jwt::public_key_from_pem).transpose()?;
                Ok(ConnectedApp {
                    client_id: seed.client_id.clone(),
                    client_secret: seed.client_secret.clone(),
                    run_as: seed.run_as.clone(),
                    jwt_public_key: key,
                    jwt_users: seed.jwt_users.clone(),
                })
            })
            .collect::<Result<_, String>>()?;
        let org_trusted = config.org_trusted_ranges.iter().map(|r| IpRange::parse(r)).collect::<Result<_, _>>()?;
        Ok(Self {
            org_id,
            users,
            apps,
            sessions: Sessions::default(),
            org_trusted,
            lockout_after: config.lockout_after_failures,
            api_enabled: config.api_enabled,
            session_timeout: Duration::from_secs(config.session_timeout_secs),
        })
    }

    pub fn find_user(&self, username: &str) -> Option<&User> {
        self.users.iter().find(|u| u.username.eq_ignore_ascii_case(username))
    }

    /// Checks a username and password (+ token) from `ip`; returns the user Id.
    pub fn check_login(&mut self, username: &str, password: &str, ip: IpAddr) -> Result<String, LoginError> {
        if !self.api_enabled {
            return Err(LoginError::ApiDisabledForOrg);
        }
        let (trusted, lockout) = (self.org_trusted.clone(), self.lockout_after);
        let user = self
            .users
            .iter_mut()
            .find(|u| u.username.eq_ignore_ascii_case(username))
            .ok_or(LoginError::InvalidLogin)?;
        user.check_password(password, ip, &trusted, lockout)?;
        if !user.api_enabled {
            return Err(LoginError::ApiDisabledForUser);
        }
        Ok(user.id.clone())
    }

    /// Turns API access for the org on or off.
    pub fn set_api_enabled(&mut self, enabled: bool) {
        self.api_enabled = enabled;
    }

    /// Opens a session for the user with this Id.
    pub fn open_session(&mut self, user_id: &str) -> Result<String, getrandom::Error> {
        let expired = self.users.iter().any(|u| u.id == user_id && u.password_expired);
        self.sessions.open(&self.org_id, user_id, expired)
    }

    /// The session a bearer token belongs to, if it is open and not idle too long.
    pub fn authenticate(&mut self, token: &str) -> Result<Session, SessionError> {
        self.sessions.touch(token, self.session_timeout)
    }
}
