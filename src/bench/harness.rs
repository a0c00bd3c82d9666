//! What `bench orders` and `bench ingest` share: an in-process forcesync
//! server on a throw-away SQLite directory or PostgreSQL schema, a sandbox org, a store connected
//! to it with Test Connection, bearer-token clients, the sandbox counters,
//! and latency percentiles.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, bail};
use prost_types::FieldMask;
use serde_json::Value;
use tonic::metadata::{Ascii, MetadataValue};
use tonic::service::Interceptor;
use tonic::service::interceptor::InterceptedService;
use tonic::transport::{Channel, Endpoint};

use crate::domain::token::Token;
use crate::engine::EngineConfig;
use crate::pb::store_admin_service_client::StoreAdminServiceClient;
use crate::pb::store_config_service_client::StoreConfigServiceClient;
use crate::pb::sync_service_client::SyncServiceClient;
use crate::pb::{self, CredentialKind, CredentialValue};
use crate::sandbox::{CustomSchema, SandboxConfig, SandboxServer};
use crate::server::{RunningServer, ServeConfig};
use crate::storage::MasterKey;

pub(super) const ADMIN_TOKEN: &str = "bench-admin-token-0123456789abcdef";
const MASTER_KEY_B64: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
/// The demo org's user (see `SandboxConfig::demo`).
pub(super) const SF_USER: &str = "sync@forcesync.test";
pub(super) const SF_PASSWORD: &str = "sandbox-password";
pub(super) const SF_TOKEN: &str = "SANDBOXTOKEN";

/// Adds `authorization: Bearer <token>` to every call.
#[derive(Clone)]
pub struct Bearer(MetadataValue<Ascii>);

impl Bearer {
    pub fn new(token: &str) -> anyhow::Result<Self> {
        Ok(Self(format!("Bearer {token}").parse().context("token is not valid metadata")?))
    }
}

impl Interceptor for Bearer {
    fn call(&mut self, mut request: tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status> {
        request.metadata_mut().insert("authorization", self.0.clone());
        Ok(request)
    }
}

pub type SyncClient = SyncServiceClient<InterceptedService<Channel, Bearer>>;

/// A directory under the system temp dir, removed on drop.
pub struct ScratchDir(pub PathBuf);

impl ScratchDir {
    pub fn new(label: &str) -> anyhow::Result<Self> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let path = std::env::temp_dir().join(format!("forcesync-bench-{label}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(Self(path))
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A forcesync server on a fresh database (SQLite in a scratch directory, or
/// a scratch schema in the PostgreSQL database given), with one store.
pub struct Bench {
    pub server: RunningServer,
    pub channel: Channel,
    pub store_token: String,
    pub store_id: i64,
    schema: Option<ScratchSchema>,
    _dir: ScratchDir,
}

/// A schema of its own in a PostgreSQL database, dropped by [`Bench::stop`].
struct ScratchSchema {
    base_url: String,
    name: String,
}

impl ScratchSchema {
    async fn create(base_url: &str, label: &str) -> anyhow::Result<Self> {
        use sqlx::Connection as _;
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos();
        let name = format!("forcesync_bench_{label}_{}_{nanos}", std::process::id());
        let mut connection = sqlx::PgConnection::connect(base_url).await.context("cannot connect to --database-url")?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{name}\""))).execute(&mut connection).await?;
        Ok(Self { base_url: base_url.to_owned(), name })
    }

    /// The database URL with this schema first on the search path.
    fn url(&self) -> String {
        let separator = if self.base_url.contains('?') { '&' } else { '?' };
        format!("{}{separator}options=-csearch_path%3D{}", self.base_url, self.name)
    }

    async fn drop_schema(self) -> anyhow::Result<()> {
        use sqlx::Connection as _;
        let mut connection = sqlx::PgConnection::connect(&self.base_url).await?;
        let sql = format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", self.name);
        sqlx::query(sqlx::AssertSqlSafe(sql)).execute(&mut connection).await?;
        Ok(())
    }
}

/// How the bench runs a server: port 0 (gRPC and HTTP), the bench's admin token and master key.
pub(super) fn serve_config(
    dir: &ScratchDir,
    database_url: Option<String>,
    engine: EngineConfig,
) -> anyhow::Result<ServeConfig> {
    Ok(ServeConfig {
        listen: "127.0.0.1:0".parse()?,
        data_dir: dir.0.clone(),
        database_url,
        admin_token: Some(Token::from_secret(ADMIN_TOKEN)),
        master_key: Some(MasterKey::from_base64(MASTER_KEY_B64)?),
        retry: Default::default(),
        engine,
        amqp: None,
        // The web console and /metrics, for benches that time them.
        http_listen: Some("127.0.0.1:0".parse()?),
        http_routes: None,
    })
}

/// A channel to `addr` over real TCP.
pub async fn channel(addr: std::net::SocketAddr) -> anyhow::Result<Channel> {
    let endpoint = Endpoint::from_shared(format!("http://{addr}"))?.tcp_nodelay(true);
    Ok(endpoint.connect().await?)
}

impl Bench {
    /// Starts the server with `engine` on a fresh database (SQLite, or a
    /// scratch schema in the PostgreSQL `database_url`) and creates store
    /// `code` through StoreAdminService.
    pub async fn start(engine: EngineConfig, code: &str, database_url: Option<&str>) -> anyhow::Result<Self> {
        let dir = ScratchDir::new(code)?;
        let schema = match database_url {
            Some(url) => Some(ScratchSchema::create(url, code).await?),
            None => None,
        };
        let config = serve_config(&dir, schema.as_ref().map(ScratchSchema::url), engine)?;
        let server = crate::server::start(config, std::future::pending()).await?;
        let channel = channel(server.addr).await?;
        let mut admin = StoreAdminServiceClient::with_interceptor(channel.clone(), Bearer::new(ADMIN_TOKEN)?);
        let created = admin
            .create_store(pb::CreateStoreRequest { code: code.into(), display_name: format!("Bench {code}") })
            .await
            .context("CreateStore")?
            .into_inner();
        let store_id = server.storage.store_id(code).await?;
        Ok(Self { server, channel, store_token: created.store_token, store_id, schema, _dir: dir })
    }

    pub fn sync(&self) -> anyhow::Result<SyncClient> {
        Ok(SyncServiceClient::with_interceptor(self.channel.clone(), Bearer::new(&self.store_token)?))
    }

    /// The SQLite database's directory (empty on PostgreSQL).
    pub fn data_dir(&self) -> &std::path::Path {
        &self._dir.0
    }

    /// The PostgreSQL URL of this bench's scratch schema (`None` on SQLite), for more replicas.
    pub fn database_url(&self) -> Option<String> {
        self.schema.as_ref().map(ScratchSchema::url)
    }

    /// Test Connection & Apply against the sandbox at `login_url`, default settings otherwise.
    pub async fn connect(&self, code: &str, login_url: &str) -> anyhow::Result<()> {
        let mut config =
            StoreConfigServiceClient::with_interceptor(self.channel.clone(), Bearer::new(&self.store_token)?);
        let etag = config
            .get_store_config(pb::GetStoreConfigRequest { store_code: code.into() })
            .await
            .context("GetStoreConfig")?
            .into_inner()
            .etag;
        let settings = pb::StoreSettings {
            connection: Some(pb::ConnectionSettings {
                login_url: login_url.into(),
                username: SF_USER.into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let secret = |kind: CredentialKind, value: &str| CredentialValue { kind: kind as i32, value: value.into() };
        let response = config
            .test_connection(pb::TestConnectionRequest {
                store_code: code.into(),
                settings: Some(settings),
                update_mask: Some(FieldMask {
                    paths: vec!["connection.login_url".into(), "connection.username".into()],
                }),
                credentials: vec![
                    secret(CredentialKind::Password, SF_PASSWORD),
                    secret(CredentialKind::SecurityToken, SF_TOKEN),
                ],
                apply: true,
                etag,
            })
            .await
            .context("TestConnection")?
            .into_inner();
        if !response.applied {
            bail!("Test Connection did not apply: {:?}", response.checks);
        }
        Ok(())
    }

    /// UpdateStoreConfig of store `code` with `settings`, the fields named by `paths`.
    pub async fn update_settings(&self, code: &str, settings: pb::StoreSettings, paths: &[&str]) -> anyhow::Result<()> {
        let mut config =
            StoreConfigServiceClient::with_interceptor(self.channel.clone(), Bearer::new(&self.store_token)?);
        let current = config.get_store_config(pb::GetStoreConfigRequest { store_code: code.into() }).await;
        let etag = current.context("GetStoreConfig")?.into_inner().etag;
        let update_mask = Some(FieldMask { paths: paths.iter().map(|p| (*p).to_owned()).collect() });
        let request =
            pb::UpdateStoreConfigRequest { store_code: code.into(), settings: Some(settings), update_mask, etag };
        config.update_store_config(request).await.context("UpdateStoreConfig")?;
        Ok(())
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        self.server.shutdown().await?;
        if let Some(schema) = self.schema {
            schema.drop_schema().await?;
        }
        Ok(())
    }
}

/// A Salesforce client for the bench's own calls, as the sandbox's demo user.
pub fn sf_client(http: &reqwest::Client, url: &str) -> crate::salesforce::Client {
    use crate::salesforce::auth::{Credentials, Secret};
    let credentials = Credentials::Password {
        username: SF_USER.into(),
        password: Secret::new(SF_PASSWORD),
        security_token: Secret::new(SF_TOKEN),
    };
    let settings =
        crate::salesforce::ConnectionSettings { login_url: url.into(), api_version: "64.0".into(), credentials };
    crate::salesforce::Client::new(http.clone(), settings, crate::salesforce::retry::RetryPolicy::default())
}

/// The demo org with forcesync's custom fields, `latency_ms` added to every call, an API budget that never runs out.
pub async fn sandbox(latency_ms: u64) -> anyhow::Result<SandboxServer> {
    let mut config = SandboxConfig::demo();
    config.latency_ms = latency_ms;
    config.daily_api_limit = 100_000_000;
    let listen = "127.0.0.1:0".parse()?;
    SandboxServer::start(config, Some(CustomSchema::default_forcesync()), listen).await.map_err(anyhow::Error::msg)
}

/// What the sandbox counted: API calls used, calls by kind, records by object.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    pub api_used: u64,
    pub calls: BTreeMap<String, u64>,
    pub records: BTreeMap<String, u64>,
}

impl Counters {
    pub async fn read(http: &reqwest::Client, sandbox_url: &str) -> anyhow::Result<Self> {
        let body: Value =
            http.get(format!("{sandbox_url}/_sandbox/counters")).send().await?.error_for_status()?.json().await?;
        let map = |value: &Value| -> BTreeMap<String, u64> {
            value
                .as_object()
                .map(|object| object.iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap_or_default())).collect())
                .unwrap_or_default()
        };
        Ok(Self {
            api_used: body["api_usage"]["used"].as_u64().context("api_usage.used")?,
            calls: map(&body["calls"]),
            records: map(&body["records"]),
        })
    }

    /// What changed since `before` (counts that did not grow are left out).
    pub fn since(&self, before: &Self) -> Self {
        let diff = |now: &BTreeMap<String, u64>, then: &BTreeMap<String, u64>| {
            now.iter()
                .map(|(k, n)| (k.clone(), n.saturating_sub(then.get(k).copied().unwrap_or_default())))
                .filter(|(_, n)| *n > 0)
                .collect()
        };
        Self {
            api_used: self.api_used.saturating_sub(before.api_used),
            calls: diff(&self.calls, &before.calls),
            records: diff(&self.records, &before.records),
        }
    }
}

/// `kind n, kind n` for notes.
pub fn list(counts: &BTreeMap<String, u64>) -> String {
    let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{k} {n}")).collect();
    if parts.is_empty() { "none".into() } else { parts.join(", ") }
}

/// The nearest-rank `p`-th percentile (0–100) of sorted samples.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let ms = |n: u64| Duration::from_millis(n);
        let samples: Vec<Duration> = (1..=100).map(ms).collect();
        assert_eq!(percentile(&samples, 50.0), ms(50));
        assert_eq!(percentile(&samples, 99.0), ms(99));
        assert_eq!(percentile(&samples, 100.0), ms(100));
        assert_eq!(percentile(&samples, 0.0), ms(1));
        assert_eq!(percentile(&[ms(7)], 99.0), ms(7));
        assert_eq!(percentile(&[ms(1), ms(9)], 50.0), ms(1));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    #[test]
    fn counters_since_keeps_what_grew() {
        let at = |used, orders| Counters {
            api_used: used,
            calls: BTreeMap::from([("composite_graph".to_owned(), used), ("limits".to_owned(), 1)]),
            records: BTreeMap::from([("Order".to_owned(), orders), ("Product2".to_owned(), 20)]),
        };
        let delta = at(12, 30).since(&at(2, 0));
        assert_eq!(delta.api_used, 10);
        assert_eq!(list(&delta.calls), "composite_graph 10");
        assert_eq!(list(&delta.records), "Order 30");
        assert_eq!(list(&BTreeMap::new()), "none");
    }
}
