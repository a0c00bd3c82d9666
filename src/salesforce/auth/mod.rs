//! Logging in to an org: SOAP `login()` (username, password + security token)
//! or OAuth 2.0 (client credentials, JWT bearer), giving a `Session`.

mod oauth;
mod soap;

use std::fmt;

pub use oauth::{client_credentials, jwt_bearer};
pub use soap::soap_login;

/// A secret string whose `Debug` never shows it.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "Secret(empty)" } else { "Secret([redacted])" })
    }
}

/// How to log in.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// SOAP `login()`: the token is appended to the password.
    Password { username: String, password: Secret, security_token: Secret },
    /// OAuth client credentials (runs as the app's Run As user).
    ClientCredentials { client_id: String, client_secret: Secret },
    /// OAuth JWT bearer, signed with the app's certificate key (PKCS#8 or PKCS#1 PEM).
    JwtBearer { client_id: String, username: String, private_key_pem: Secret },
}

impl Credentials {
    pub fn method_name(&self) -> &'static str {
        match self {
            Self::Password { .. } => "SOAP login (username, password + security token)",
            Self::ClientCredentials { .. } => "OAuth client credentials",
            Self::JwtBearer { .. } => "OAuth JWT bearer",
        }
    }
}

/// An open session.
#[derive(Debug, Clone)]
pub struct Session {
    /// `https://acme.my.salesforce.com` (scheme and host, no path).
    pub instance_url: String,
    pub access_token: Secret,
    pub org_id: String,
    pub user_id: String,
    /// Seconds the session stays valid when idle, if the login said.
    pub valid_seconds: Option<u64>,
}

/// Scheme, host and port of a URL (`https://x.my.salesforce.com/services/...` → `https://x.my.salesforce.com`).
pub fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next().filter(|h| !h.is_empty())?;
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn origins() {
        assert_eq!(
            super::origin("https://a.my.salesforce.com/services/Soap/u/64.0/00D").as_deref(),
            Some("https://a.my.salesforce.com")
        );
        assert_eq!(super::origin("http://127.0.0.1:8443").as_deref(), Some("http://127.0.0.1:8443"));
        assert_eq!(super::origin("nonsense"), None);
        assert!(!format!("{:?}", super::Secret::new("hunter2")).contains("hunter2"));
    }
}
