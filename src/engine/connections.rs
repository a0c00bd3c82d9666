//! One Salesforce connection per store, reused across batches (so is its
//! session), rebuilt when the store's settings or secrets change; opened by
//! [`crate::store_login`] like Test Connection's. Each connection also
//! remembers the price book ids it looked up. [`Connections::save_usage`]
//! keeps the API usage a store's connection saw in the database for the
//! console, at most every [`USAGE_SAVE_EVERY`] per store.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OnceCell};

use crate::domain::settings::StoreSettings;
use crate::domain::store::StoreCode;
use crate::salesforce::Client;
use crate::salesforce::retry::RetryPolicy;
use crate::storage::{Sealer, Storage};
use crate::store_login::{self, LoginError};

use super::EngineError;

/// A store's saved settings and its live connection.
#[derive(Debug)]
pub struct StoreConnection {
    pub store_id: i64,
    pub code: StoreCode,
    pub settings: StoreSettings,
    pub client: Client,
    /// The configured price book and the standard one (both Pricebook2 Ids).
    pub pricebooks: OnceCell<(String, String)>,
    /// What the store data mapping needs to know of the org (its currencies).
    pub org: OnceCell<crate::domain::mapping::OrgFacts>,
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
    /// When each store's API usage was last saved.
    usage_saved: std::sync::Mutex<HashMap<i64, Instant>>,
}

/// A store's API usage is saved at most this often.
pub const USAGE_SAVE_EVERY: Duration = Duration::from_secs(10);

impl Connections {
    pub fn new(storage: Storage, sealer: Sealer, http: reqwest::Client, retry: RetryPolicy) -> Self {
        Self {
            storage,
            sealer,
            http,
            retry,
            by_store: Mutex::new(HashMap::new()),
            usage_saved: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Saves the API usage `connection` last saw (for the console, on every
    /// replica and after restarts), unless it was saved less than
    /// [`USAGE_SAVE_EVERY`] ago. Called after a batch, not per request; a
    /// failed write is only logged.
    pub async fn save_usage(&self, connection: &StoreConnection) {
        let Some(usage) = connection.client.budget().latest() else { return };
        let now = Instant::now();
        if let Ok(mut saved) = self.usage_saved.lock() {
            if saved.get(&connection.store_id).is_some_and(|at| now.duration_since(*at) < USAGE_SAVE_EVERY) {
                return;
            }
            saved.insert(connection.store_id, now);
        }
        let seen = crate::storage::UsageSeen {
            used: i64::try_from(usage.used).unwrap_or(i64::MAX),
            max: i64::try_from(usage.max).unwrap_or(i64::MAX),
            at: crate::storage::now_millis(),
        };
        if let Err(error) = self.storage.record_api_usage(connection.store_id, seen).await {
            tracing::warn!(store = %connection.code, error = %crate::error_text::report(&error), "could not save the API usage");
        }
    }

    /// The API usage the store's connection saw last (`Sforce-Limit-Info`),
    /// if it has made a call since it was built.
    pub async fn api_usage(&self, store_id: i64) -> Option<crate::salesforce::budget::ApiUsage> {
        self.by_store.lock().await.get(&store_id).and_then(|c| c.client.budget().latest())
    }

    /// The store's connection, rebuilt if its settings or secrets changed since.
    /// How many connections, usage saves and cached describes this holds.
    pub(crate) async fn retained_sizes(&self) -> super::RetainedSizes {
        let connections: Vec<Arc<StoreConnection>> = self.by_store.lock().await.values().cloned().collect();
        let mut described_objects = 0;
        for connection in &connections {
            described_objects += connection.client.describe_cache().len().await;
        }
        let usage_saves = self.usage_saved.lock().map(|saved| saved.len()).unwrap_or_default();
        super::RetainedSizes { connections: connections.len(), usage_saves, described_objects }
    }

    pub async fn get(&self, store_id: i64) -> Result<Arc<StoreConnection>, EngineError> {
        let code = self.storage.store_code(store_id).await?;
        let saved = self.storage.get_settings(&code).await?;
        let sealed = self.storage.sealed_credentials(&code).await?;
        let fingerprint = (saved.version, sealed.iter().map(|(_, _, at)| *at).max().unwrap_or(0));
        let mut cache = self.by_store.lock().await;
        if let Some(existing) = cache.get(&store_id).filter(|c| c.fingerprint == fingerprint) {
            return Ok(existing.clone());
        }
        let client = store_login::open(&self.http, self.retry, &self.sealer, &code, &saved.settings, sealed).map_err(
            |error| match error {
                LoginError::Secrets(error) => EngineError::Secrets(error.to_string()),
                LoginError::NotConfigured(missing) => EngineError::NotConfigured(missing),
            },
        )?;
        let built = Arc::new(StoreConnection {
            store_id,
            code: StoreCode::parse(&code).map_err(|e| EngineError::NotConfigured(format!("store code: {e}")))?,
            settings: saved.settings,
            client,
            pricebooks: OnceCell::new(),
            org: OnceCell::new(),
            fingerprint,
        });
        cache.insert(store_id, built.clone());
        Ok(built)
    }
}
