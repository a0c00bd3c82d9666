//! Opening a store's Salesforce connection, in one place for Test Connection
//! and the sync engine: the store's settings and its unsealed secrets give
//! the credentials its auth method needs, and those a client (which logs in
//! on its first call and again when the session expires). Secrets are only
//! held in memory here; they are never logged or returned.

use std::collections::BTreeMap;

use crate::domain::settings::{AuthMethod, StoreSettings};
use crate::salesforce::auth::{Credentials, Secret};
use crate::salesforce::retry::RetryPolicy;
use crate::salesforce::{Client, ConnectionSettings};
use crate::storage::{CredentialKind, SealError, Sealer};

/// A store's opened secrets by kind.
pub type Secrets = BTreeMap<CredentialKind, String>;

/// Why a store's saved connection cannot be opened.
#[derive(Debug, thiserror::Error)]
pub enum LoginError {
    #[error("the store's secrets could not be opened: {0}")]
    Secrets(#[from] SealError),
    /// The settings or secrets lack what the auth method needs.
    #[error("the store is not configured: {0}")]
    NotConfigured(String),
}

/// The credentials the settings' auth method needs, or what is missing.
pub fn credentials(settings: &StoreSettings, secrets: &Secrets) -> Result<Credentials, String> {
    let secret = |kind: CredentialKind| secrets.get(&kind).map(|s| Secret::new(s.clone()));
    let connection = &settings.connection;
    let need = |what: &str| format!("{what} is not set");
    let username =
        || Some(connection.username.clone()).filter(|u| !u.is_empty()).ok_or_else(|| need("connection.username"));
    let client_id =
        || Some(connection.client_id.clone()).filter(|c| !c.is_empty()).ok_or_else(|| need("connection.client_id"));
    match connection.auth_method {
        AuthMethod::Password => Ok(Credentials::Password {
            username: username()?,
            password: secret(CredentialKind::Password).ok_or_else(|| need("the password"))?,
            security_token: secret(CredentialKind::SecurityToken).unwrap_or_default(),
        }),
        AuthMethod::OAuthClientCredentials => Ok(Credentials::ClientCredentials {
            client_id: client_id()?,
            client_secret: secret(CredentialKind::ClientSecret).ok_or_else(|| need("the client secret"))?,
        }),
        AuthMethod::OAuthJwtBearer => Ok(Credentials::JwtBearer {
            client_id: client_id()?,
            username: username()?,
            private_key_pem: secret(CredentialKind::JwtPrivateKey).ok_or_else(|| need("the JWT private key"))?,
        }),
    }
}

/// Opens sealed secrets (as `Storage::sealed_credentials` returns them) of store `code`.
pub fn unseal(sealer: &Sealer, code: &str, sealed: Vec<(CredentialKind, Vec<u8>, i64)>) -> Result<Secrets, SealError> {
    let mut secrets = Secrets::new();
    for (kind, sealed, _) in sealed {
        let opened = sealer.open(&sealed, &kind.seal_context(code))?;
        secrets.insert(kind, String::from_utf8_lossy(&opened).into_owned());
    }
    Ok(secrets)
}

/// A client for the org the settings name, logging in with these secrets;
/// `Err` says what the auth method is missing.
pub fn client(
    http: &reqwest::Client,
    retry: RetryPolicy,
    settings: &StoreSettings,
    secrets: &Secrets,
) -> Result<Client, String> {
    let connection = ConnectionSettings {
        login_url: settings.connection.login_url.to_string(),
        api_version: settings.connection.api_version.to_string(),
        credentials: credentials(settings, secrets)?,
    };
    Ok(Client::new(http.clone(), connection, retry))
}

/// A client for store `code`'s saved settings and sealed secrets (as
/// `Storage::sealed_credentials` returns them).
pub fn open(
    http: &reqwest::Client,
    retry: RetryPolicy,
    sealer: &Sealer,
    code: &str,
    settings: &StoreSettings,
    sealed: Vec<(CredentialKind, Vec<u8>, i64)>,
) -> Result<Client, LoginError> {
    let secrets = unseal(sealer, code, sealed)?;
    client(http, retry, settings, &secrets).map(|client| client.for_store(code)).map_err(LoginError::NotConfigured)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_auth_method_names_what_is_missing() {
        let mut settings = StoreSettings::default();
        settings.connection.auth_method = AuthMethod::Password;
        assert_eq!(credentials(&settings, &Secrets::new()).err().as_deref(), Some("connection.username is not set"));
        settings.connection.username = "sync@example.com".into();
        assert_eq!(credentials(&settings, &Secrets::new()).err().as_deref(), Some("the password is not set"));
        let secrets = Secrets::from([(CredentialKind::Password, "hunter2".to_owned())]);
        let opened = credentials(&settings, &secrets).expect("password credentials");
        assert!(matches!(opened, Credentials::Password { username, .. } if username == "sync@example.com"));

        settings.connection.auth_method = AuthMethod::OAuthClientCredentials;
        assert_eq!(credentials(&settings, &secrets).err().as_deref(), Some("connection.client_id is not set"));
        settings.connection.client_id = "app".into();
        assert_eq!(credentials(&settings, &secrets).err().as_deref(), Some("the client secret is not set"));
        crate::install_crypto_provider();
        assert!(client(&reqwest::Client::new(), RetryPolicy::default(), &settings, &secrets).is_err());
    }
}
