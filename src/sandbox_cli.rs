//! `forcesync sandbox`: runs the Salesforce emulator until Ctrl-C.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::Args;

use crate::sandbox::{CustomSchema, SandboxConfig, SandboxServer};

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on (keep it on loopback: the /_sandbox control endpoints have no auth).
    #[arg(long, default_value = "127.0.0.1:8443")]
    pub listen: SocketAddr,
    /// JSON seed: users, connected apps, limits, faults (default: one demo user and app).
    #[arg(long)]
    pub seed: Option<PathBuf>,
    /// JSON custom schema: fields and objects added to the standard ones
    /// (default: forcesync's ForceSync_Key__c external ids, shipment and stock fields).
    #[arg(long)]
    pub schema: Option<PathBuf>,
    /// Daily API request allocation.
    #[arg(long)]
    pub daily_api_limit: Option<u64>,
    /// Latency added to every REST call, in milliseconds.
    #[arg(long)]
    pub latency_ms: Option<u64>,
    /// Idle seconds before a session expires.
    #[arg(long)]
    pub session_timeout_secs: Option<u64>,
    /// Enable State and Country/Territory Picklists.
    #[arg(long)]
    pub state_country_picklists: bool,
}

fn read_json<T: serde::de::DeserializeOwned>(path: &PathBuf, what: &str) -> anyhow::Result<T> {
    let text = std::fs::read_to_string(path).with_context(|| format!("cannot read the {what} {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("the {what} {} is not valid", path.display()))
}

pub async fn run(args: SandboxArgs) -> anyhow::Result<()> {
    let mut config = match &args.seed {
        Some(path) => read_json::<SandboxConfig>(path, "seed file")?,
        None => SandboxConfig::demo(),
    };
    config.daily_api_limit = args.daily_api_limit.unwrap_or(config.daily_api_limit);
    config.latency_ms = args.latency_ms.unwrap_or(config.latency_ms);
    config.session_timeout_secs = args.session_timeout_secs.unwrap_or(config.session_timeout_secs);
    config.state_country_picklists |= args.state_country_picklists;
    let custom = match &args.schema {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
            CustomSchema::from_json(&text).map_err(|e| anyhow::anyhow!("schema file {}: {e}", path.display()))?
        }
        None => CustomSchema::default_forcesync(),
    };
    let users: Vec<String> = config
        .users
        .iter()
        .map(|u| format!("    {} / password {:?} / security token {:?}", u.username, u.password, u.security_token))
        .collect();
    let mut server = SandboxServer::start(config, Some(custom), args.listen).await.map_err(anyhow::Error::msg)?;
    println!("Salesforce sandbox listening on {} (login URL and instance URL)", server.url);
    if args.seed.is_none() {
        println!("Demo users (use --seed FILE for your own):");
        for user in users {
            println!("{user}");
        }
        println!("    connected app: client_id \"forcesync-app\", client_secret \"forcesync-app-secret\"");
    }
    println!("Control: {0}/_sandbox/counters, {0}/_sandbox/dump, PATCH {0}/_sandbox/settings", server.url);
    tokio::select! {
        () = crate::server::shutdown_signal() => {},
        () = server.wait() => {},
    }
    server.shutdown().await;
    Ok(())
}
