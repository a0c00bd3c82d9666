//! `forcesync demo`: the sandbox org and the server in one process, store
//! `demo` created and connected (Test Connection & Apply), and a simulated
//! shop sending its events at a gentle pace until Ctrl-C. The first thing a
//! newcomer runs: it prints where to watch (console, metrics, sandbox) and
//! the tokens to do so.

pub mod setup;
pub mod shop;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use tonic::transport::Channel;

use crate::domain::token::Token;
use crate::sandbox::SandboxServer;
use crate::server::{self, RunningServer, ServeConfig};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Address of the gRPC server.
    #[arg(long, default_value = "127.0.0.1:50051")]
    pub listen: SocketAddr,
    /// Address of the HTTP listener (console, /metrics, /healthz, /readyz).
    #[arg(long, default_value = "127.0.0.1:9464")]
    pub http_listen: SocketAddr,
    /// Address of the Salesforce sandbox (0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub sandbox_listen: SocketAddr,
    /// Shop events per second.
    #[arg(long, default_value_t = 3.0)]
    pub rate: f64,
}

/// Where the demo runs.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub listen: SocketAddr,
    pub http_listen: Option<SocketAddr>,
    pub sandbox_listen: SocketAddr,
    /// A fresh directory for the SQLite database and the master key.
    pub data_dir: PathBuf,
    /// Routes for the HTTP listener beside the built-in ones (`None`: the web console).
    pub http_routes: Option<crate::http::ExtraRoutes>,
}

/// The running demo: sandbox, server, and the demo store.
pub struct Demo {
    pub sandbox: SandboxServer,
    pub server: RunningServer,
    pub channel: Channel,
    /// The admin token of this run (sign in to the console with it).
    pub admin_token: Token,
    pub store_token: String,
    /// Test Connection's checks, as `name: STATUS`.
    pub checks: Vec<String>,
}

impl std::fmt::Debug for Demo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The tokens stay out of debug output.
        f.debug_struct("Demo").field("sandbox", &self.sandbox.url).field("server", &self.server.addr).finish()
    }
}

impl Demo {
    /// Starts the sandbox and the server (engine running), creates and connects the demo store.
    pub async fn start(options: DemoOptions) -> anyhow::Result<Self> {
        let (sandbox, login) = setup::start_sandbox(options.sandbox_listen).await?;
        let admin_token = Token::generate_admin().context("cannot generate the admin token")?;
        let config = ServeConfig {
            listen: options.listen,
            data_dir: options.data_dir.clone(),
            database_url: None,
            admin_token: Some(admin_token.clone()),
            master_key: None,
            retry: Default::default(),
            engine: Default::default(),
            amqp: None,
            http_listen: options.http_listen,
            http_routes: options.http_routes.clone(),
        };
        let server = server::start(config, std::future::pending()).await?;
        let channel = crate::bench::harness::channel(server.addr).await?;
        let (store_token, checks) = setup::create_store(&channel, admin_token.expose(), &sandbox.url, &login).await?;
        Ok(Self { sandbox, server, channel, admin_token, store_token, checks })
    }

    /// Runs the shop until `stop` (see [`shop::run`]).
    pub async fn run_shop(
        &self,
        options: shop::ShopOptions,
        stop: impl Future<Output = ()>,
        say: &mut (dyn FnMut(String) + Send),
    ) -> anyhow::Result<shop::ShopReport> {
        shop::run(self.channel.clone(), &self.store_token, options, stop, say).await
    }

    /// Stops the server (finishing in-flight work), then the sandbox.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let stopped = self.server.shutdown().await;
        self.sandbox.shutdown().await;
        stopped
    }
}

/// `forcesync demo`.
pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    anyhow::ensure!(args.rate > 0.0 && args.rate <= 1000.0, "--rate must be between 0 and 1000 events per second");
    let data_dir = std::env::temp_dir().join(format!("forcesync-demo-{}", std::process::id()));
    let options = DemoOptions {
        listen: args.listen,
        http_listen: Some(args.http_listen),
        sandbox_listen: args.sandbox_listen,
        data_dir: data_dir.clone(),
        http_routes: None,
    };
    let demo = match Demo::start(options).await {
        Ok(demo) => demo,
        Err(error) => {
            let _ = std::fs::remove_dir_all(&data_dir);
            return Err(error);
        }
    };
    print_banner(&demo);
    let pace = Duration::from_secs_f64(1.0 / args.rate);
    let mut say = |line: String| println!("  {line}");
    let shop = demo.run_shop(shop::ShopOptions { pace, customers: None }, server::shutdown_signal(), &mut say).await;
    println!("Stopping: finishing in-flight work…");
    let stopped = demo.shutdown().await;
    let _ = std::fs::remove_dir_all(&data_dir);
    let report = shop?;
    println!(
        "Done: {} customers, {} orders, {} abandoned carts, {} shipments, {} stock updates, {} bad inputs refused.",
        report.customers, report.orders, report.abandoned, report.shipments, report.stock_updates, report.refused
    );
    stopped
}

fn print_banner(demo: &Demo) {
    let passed = demo.checks.iter().filter(|check| check.ends_with(": PASS")).count();
    println!("forcesync demo is running (Ctrl-C stops it).");
    println!();
    if let Some(http) = demo.server.http_addr {
        println!("  Console:      http://{http}/console/  (sign in with the admin token below)");
        println!("  Metrics:      http://{http}/metrics");
        println!("  Health:       http://{http}/healthz, http://{http}/readyz");
    }
    println!("  gRPC:         {}", demo.server.addr);
    println!("  Sandbox:      {}  (what Salesforce holds: {}/_sandbox/dump)", demo.sandbox.url, demo.sandbox.url);
    println!("  Admin token:  {}", demo.admin_token.expose());
    println!("  Store token:  {}  (store {:?})", demo.store_token, setup::STORE);
    println!();
    println!("Test Connection: {passed} of {} checks passed; applied.", demo.checks.len());
    for check in demo.checks.iter().filter(|check| !check.ends_with(": PASS")) {
        println!("  {check}");
    }
    println!(
        "Misconfigured on purpose: customer.group maps to Account.{} (10 characters) without truncation, so the \
         customer in group \"Wholesale Partners\" parks. Fix: add a TRUNCATE transform, then RetryFailed.",
        setup::SEGMENT_FIELD
    );
    println!();
}
