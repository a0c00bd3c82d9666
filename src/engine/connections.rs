//! One Salesforce connection per store, reused across batches (so is its
//! session), rebuilt when the store's settings or secrets change. Each
//! connection also remembers the price book ids it looked up.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use tokio::sync::{Mutex, OnceCell};

use crate::domain::settings::{AuthMethod, StoreSettings};
use crate::domain::store::StoreCode;
use crate::salesforce::auth::{Credentials, Secret};
use crate::salesforce::retry::RetryPolicy;
use crate::salesforce::{Client, ConnectionSettings};
use crate::storage::{CredentialKind, Sealer, Storage};

use super::EngineError;

/// The credentials the settings' auth method needs, or what is missing.
pub fn credentials(
    settings: &StoreSettings,
    secrets: &BTreeMap<CredentialKind, String>,
) -> Result<Credentials, String> {
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

/// A store's saved settings and its live connection.
#[derive(Debug)]
pub struct StoreConnection {
    pub store_id: i64,
    pub code: StoreCode,
    pub settings: StoreSettings,
    pub client: Client,
    /// The configured price book and the standard one (both Pricebook2 Ids).
    pub pricebooks: OnceCell<(String, String)>,
    /// What the connection was built from: settings version and newest secret time.
    fingerprint: (i64, i64),
}

/// Connections by store id.
#[derive(Debug)]
pub struct Connections {
    storage: Storage,
    sealer: Sealer,
    http: reqwest::Client,
    retry: RetryPolicy,
    by_store: Mutex<HashMap<i64, Arc<StoreConnection>>>,
}

impl Connections {
    pub fn new(storage: Storage, sealer: Sealer, http: reqwest::Client, retry: RetryPolicy) -> Self {
        Self { storage, sealer, http, retry, by_store: Mutex::new(HashMap::new()) }
    }

    /// The store's connection, rebuilt if its settings or secrets changed since.
    pub async fn get(&self, store_id: i64) -> Result<Arc<StoreConnection>, EngineError> {
        let code = self.storage.store_code(store_id).await?;
        let saved = self.storage.get_settings(&code).await?;
        let sealed = self.storage.sealed_credentials(&code).await?;
        let fingerprint = (saved.version, sealed.iter().map(|(_, _, at)| *at).max().unwrap_or(0));
        let mut cache = self.by_store.lock().await;
        if let Some(existing) = cache.get(&store_id).filter(|c| c.fingerprint == fingerprint) {
            return Ok(existing.clone());
        }
        let mut secrets = BTreeMap::new();
        for (kind, sealed, _) in sealed {
            let opened = self
                .sealer
                .open(&sealed, &kind.seal_context(&code))
                .map_err(|e| EngineError::Secrets(e.to_string()))?;
            secrets.insert(kind, String::from_utf8_lossy(&opened).into_owned());
        }
        let credentials = credentials(&saved.settings, &secrets).map_err(EngineError::NotConfigured)?;
        let connection = ConnectionSettings {
            login_url: saved.settings.connection.login_url.to_string(),
            api_version: saved.settings.connection.api_version.to_string(),
            credentials,
        };
        let built = Arc::new(StoreConnection {
            store_id,
            code: StoreCode::parse(&code).map_err(|e| EngineError::NotConfigured(format!("store code: {e}")))?,
            settings: saved.settings,
            client: Client::new(self.http.clone(), connection, self.retry),
            pricebooks: OnceCell::new(),
            fingerprint,
        });
        cache.insert(store_id, built.clone());
        Ok(built)
    }
}
