//! More servers on a bench's PostgreSQL schema: replicas that share its
//! store, events and work through the database, as `forcesync serve`
//! processes on one database do.

use anyhow::Context as _;
use tonic::transport::Channel;

use crate::engine::EngineConfig;
use crate::pb::sync_service_client::SyncServiceClient;
use crate::server::RunningServer;

use super::harness::{Bearer, Bench, ScratchDir, SyncClient, channel, serve_config};

/// One more server on the bench's database, with a data directory of its own.
pub struct Replica {
    server: RunningServer,
    channel: Channel,
    _dir: ScratchDir,
}

impl Replica {
    pub async fn start(bench: &Bench, engine: EngineConfig) -> anyhow::Result<Self> {
        let url = bench.database_url().context("replicas need --database-url (PostgreSQL)")?;
        let dir = ScratchDir::new("replica")?;
        let server = crate::server::start(serve_config(&dir, Some(url), engine)?, std::future::pending()).await?;
        let channel = channel(server.addr).await?;
        Ok(Self { server, channel, _dir: dir })
    }

    pub fn sync(&self, store_token: &str) -> anyhow::Result<SyncClient> {
        Ok(SyncServiceClient::with_interceptor(self.channel.clone(), Bearer::new(store_token)?))
    }

    pub async fn stop(self) -> anyhow::Result<()> {
        self.server.shutdown().await
    }
}
