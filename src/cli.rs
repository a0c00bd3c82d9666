//! The `forcesync` command line: `serve`, `migrate` and `store …`.

use std::io::IsTerminal as _;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::domain::settings::StoreSettings;
use crate::domain::store::{DisplayName, StoreCode};
use crate::engine::EngineConfig;
use crate::server::{self, ServeConfig, admin_token};
use crate::storage::{Actor, MasterKey};

#[derive(Debug, Parser)]
#[command(name = "forcesync", version, about = "Keeps an online store and Salesforce in sync, over gRPC")]
pub struct Cli {
    /// Log line format (filter with RUST_LOG, e.g. RUST_LOG=forcesync=debug).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the gRPC server.
    Serve(ServeArgs),
    /// Apply database migrations and exit.
    Migrate(DatabaseArgs),
    /// Manage stores directly in the database (no server needed).
    #[command(subcommand)]
    Store(StoreCommand),
    /// Run the Salesforce emulator (for tests, demos and benchmarks).
    Sandbox(crate::sandbox_cli::SandboxArgs),
    /// Sandbox, server and a simulated shop in one process: watch forcesync work.
    Demo(crate::demo::DemoArgs),
    /// Benchmarks (use a release build): baseline and result side by side.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Sandbox speed: authenticated REST reads and a Bulk API 2.0 ingest.
    Sandbox(crate::bench::sandbox::SandboxBenchArgs),
    /// Orders to Salesforce: API calls per 1,000 orders and orders/s, batched vs naive.
    Orders(crate::bench::orders::OrdersBenchArgs),
    /// PlaceOrder requests/s with a durable ack vs a no-op handler.
    Ingest(crate::bench::ingest::IngestBenchArgs),
    /// Stock levels to Salesforce: API calls and time of a full push and a delta, vs one request per SKU.
    Inventory(crate::bench::inventory::InventoryBenchArgs),
    /// A large queue with Salesforce unreachable, then its drain (issue 16).
    Backlog(crate::bench::backlog::BacklogBenchArgs),
    /// Bidirectional mode: idle API calls per hour and edit-to-store latency.
    Changes(crate::bench::changes::ChangesBenchArgs),
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// Directory for the SQLite database and the generated master key.
    #[arg(long, env = "FORCESYNC_DATA_DIR", default_value = "forcesync-data")]
    pub data_dir: PathBuf,
    /// sqlite:PATH or postgres://… (default: the SQLite file in --data-dir).
    #[arg(long, env = "FORCESYNC_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on for gRPC.
    #[arg(long, env = "FORCESYNC_LISTEN", default_value = "127.0.0.1:50051")]
    pub listen: SocketAddr,
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// File holding the admin token. Else FORCESYNC_ADMIN_TOKEN, else a token
    /// generated on first start and printed once.
    #[arg(long)]
    pub admin_token_file: Option<PathBuf>,
    /// Sync workers: Salesforce requests in flight at once.
    #[arg(long, env = "FORCESYNC_SYNC_WORKERS", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub sync_workers: u16,
    /// Days to keep received events and sync-log rows once Salesforce holds what they brought.
    #[arg(long, env = "FORCESYNC_RETENTION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u16).range(1..))]
    pub retention_days: u16,
    #[command(flatten)]
    pub amqp: crate::amqp::AmqpArgs,
    /// Address of the HTTP listener (/healthz, /readyz, /metrics); `off` disables it.
    #[arg(long, env = "FORCESYNC_HTTP_LISTEN", default_value = "127.0.0.1:9464")]
    pub http_listen: HttpListen,
}

/// `--http-listen`: an address, or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpListen(pub Option<SocketAddr>);

impl std::str::FromStr for HttpListen {
    type Err = String;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        if raw.eq_ignore_ascii_case("off") {
            return Ok(Self(None));
        }
        raw.parse().map(|addr| Self(Some(addr))).map_err(|_| format!("{raw:?} is not an address (host:port) or `off`"))
    }
}

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Create a store and print its token (shown only once).
    Create {
        /// Store code: lowercase letters, digits, '-' and '_'.
        #[arg(long)]
        code: String,
        /// Human name of the store.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List stores.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Issue a new store token and revoke the old one.
    RotateToken {
        /// Store code of the store whose token is replaced.
        #[arg(long)]
        code: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Show who changed the store's configuration, and when (newest first).
    Audit {
        /// Store code of the store whose audit to show.
        #[arg(long)]
        code: String,
        /// Entries to show.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Show the store's sync log (newest first): what the engine wrote and what failed.
    Log {
        /// Store code of the store whose sync log to show.
        #[arg(long)]
        code: String,
        /// Lines to show.
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Delete a store with its settings, credentials and tokens.
    Delete {
        /// Store code of the store to delete.
        #[arg(long)]
        code: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

/// Runs the parsed command to completion.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(args) => serve(args).await,
        Command::Migrate(database) => {
            let storage = server::open_storage(&database_config(database)).await?;
            println!("Database is up to date ({}).", storage.backend_name());
            Ok(())
        }
        Command::Store(command) => store(command).await,
        Command::Sandbox(args) => crate::sandbox_cli::run(args).await,
        Command::Demo(args) => crate::demo::run(args).await,
        Command::Bench(BenchCommand::Sandbox(args)) => crate::bench::sandbox::run(args).await,
        Command::Bench(BenchCommand::Orders(args)) => crate::bench::orders::run(args).await,
        Command::Bench(BenchCommand::Changes(args)) => crate::bench::changes::run(args).await,
        Command::Bench(BenchCommand::Ingest(args)) => crate::bench::ingest::run(args).await,
        Command::Bench(BenchCommand::Inventory(args)) => crate::bench::inventory::run(args).await,
        Command::Bench(BenchCommand::Backlog(args)) => crate::bench::backlog::run(args).await,
    }
}

fn database_config(database: DatabaseArgs) -> ServeConfig {
    ServeConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        data_dir: database.data_dir,
        database_url: database.database_url,
        admin_token: None,
        master_key: None,
        retry: Default::default(),
        engine: Default::default(),
        amqp: None,
        http_listen: None,
        http_routes: None,
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let configured = match (&args.admin_token_file, std::env::var("FORCESYNC_ADMIN_TOKEN")) {
        (Some(path), _) => {
            let raw = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the admin token file {}", path.display()))?;
            Some(admin_token::parse_configured(&raw).map_err(anyhow::Error::msg)?)
        }
        (None, Ok(raw)) => Some(admin_token::parse_configured(&raw).map_err(anyhow::Error::msg)?),
        (None, Err(_)) => None,
    };
    let master_key = match std::env::var("FORCESYNC_MASTER_KEY") {
        Ok(encoded) => Some(MasterKey::from_base64(&encoded).context("FORCESYNC_MASTER_KEY")?),
        Err(_) => None,
    };
    let engine = EngineConfig {
        workers: usize::from(args.sync_workers),
        retention: std::time::Duration::from_secs(u64::from(args.retention_days) * 24 * 3600),
        ..EngineConfig::default()
    };
    let config = ServeConfig {
        listen: args.listen,
        admin_token: configured,
        master_key,
        engine,
        amqp: args.amqp.config(),
        http_listen: args.http_listen.0,
        http_routes: None,
        ..database_config(args.database)
    };
    let mut running = server::start(config, server::shutdown_signal()).await?;
    if let Some(token) = running.generated_admin_token.take() {
        println!("Generated the admin token. It is shown only now; forcesync keeps only its hash:");
        println!("    {}", token.expose());
        println!("Send it as \"authorization: Bearer <token>\" to StoreAdminService.");
    }
    println!("forcesync listening on {}", running.addr);
    if let Some(http_addr) = running.http_addr {
        println!("HTTP on http://{http_addr}/ (/healthz, /readyz, /metrics)");
        println!("Web console on http://{http_addr}/console/ (sign in with the admin token)");
    }
    running.wait().await
}

async fn store(command: StoreCommand) -> anyhow::Result<()> {
    let parse_code = |raw: &str| StoreCode::parse(raw).map_err(|reason| anyhow::anyhow!("--code: {reason}"));
    match command {
        StoreCommand::Create { code, name, database } => {
            let code = parse_code(&code)?;
            let name = DisplayName::parse(&name).map_err(|reason| anyhow::anyhow!("--name: {reason}"))?;
            let storage = server::open_storage(&database_config(database)).await?;
            let (record, issued) =
                storage.create_store(code.as_str(), name.as_str(), &StoreSettings::default(), &Actor::Cli).await?;
            println!("Created store {:?} ({}), token id {}.", record.code, record.display_name, issued.token_id);
            println!("Store token (shown only now; forcesync keeps only its hash):");
            println!("    {}", issued.token.expose());
        }
        StoreCommand::List { database } => {
            let storage = server::open_storage(&database_config(database)).await?;
            println!("{:<24} {:<32} {:<18} {:<25}", "CODE", "NAME", "TOKEN ID", "CREATED (UTC)");
            let mut after = String::new();
            loop {
                let page = storage.list_stores(&after, 500).await?;
                for store in &page {
                    let created = chrono::DateTime::from_timestamp_millis(store.created_at).unwrap_or_default();
                    let token_id = store.token_id.as_deref().unwrap_or("-");
                    println!(
                        "{:<24} {:<32} {:<18} {}",
                        store.code,
                        store.display_name,
                        token_id,
                        created.format("%Y-%m-%d %H:%M:%S")
                    );
                }
                match page.last() {
                    Some(last) if page.len() == 500 => after = last.code.clone(),
                    _ => break,
                }
            }
        }
        StoreCommand::RotateToken { code, database } => {
            let code = parse_code(&code)?;
            let storage = server::open_storage(&database_config(database)).await?;
            let (_, issued) = storage.rotate_store_token(code.as_str(), &Actor::Cli).await?;
            println!("Issued token {} for store {code:?}; earlier tokens are revoked.", issued.token_id);
            println!("Store token (shown only now):");
            println!("    {}", issued.token.expose());
        }
        StoreCommand::Audit { code, limit, database } => {
            let code = parse_code(&code)?;
            let storage = server::open_storage(&database_config(database)).await?;
            println!("{:<20} {:<28} {:<24} FIELDS", "WHEN (UTC)", "WHO", "ACTION");
            for entry in storage.list_audit(code.as_str(), limit.clamp(1, 10_000)).await? {
                let at = chrono::DateTime::from_timestamp_millis(entry.at_millis).unwrap_or_default();
                let when = at.format("%Y-%m-%d %H:%M:%S");
                println!("{when:<20} {:<28} {:<24} {}", entry.actor, entry.action, entry.fields.join(", "));
            }
        }
        StoreCommand::Log { code, limit, database } => {
            let code = parse_code(&code)?;
            let storage = server::open_storage(&database_config(database)).await?;
            let store_id = storage.store_id(code.as_str()).await?;
            println!("{:<20} {:<6} {:<32} MESSAGE", "WHEN (UTC)", "LEVEL", "ENTITY");
            for (at, level, entity, message) in storage.sync_log(store_id, limit.clamp(1, 10_000)).await? {
                let when = chrono::DateTime::from_timestamp_millis(at).unwrap_or_default().format("%Y-%m-%d %H:%M:%S");
                println!("{when:<20} {level:<6} {entity:<32} {message}");
            }
        }
        StoreCommand::Delete { code, database } => {
            let code = parse_code(&code)?;
            let storage = server::open_storage(&database_config(database)).await?;
            storage.delete_store(code.as_str(), &Actor::Cli).await?;
            println!("Deleted store {code:?}.");
        }
    }
    Ok(())
}

impl Cli {
    /// The log level without RUST_LOG: `info`, but `warn` for the demo, whose
    /// shop prints what happens (the engine's lines would drown it).
    pub fn default_log_level(&self) -> &'static str {
        match self.command {
            Command::Demo(_) => "warn",
            _ => "info",
        }
    }
}

/// Sets up `tracing` output on stderr, filtered by RUST_LOG (else `default_level`).
pub fn init_logging(format: LogFormat, default_level: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level));
    let filter = crate::amqp::cap_client_logs(filter);
    // Colour codes only on a terminal: never in files, pipes or journals.
    let ansi = std::io::stderr().is_terminal();
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

#[cfg(test)]
#[path = "cli_tests.rs"]
mod tests;
