//! RabbitMQ queue mode. A store whose settings say `queue_mode = RABBITMQ`
//! may publish its events to RabbitMQ instead of calling SubmitEvents; with
//! `serve --amqp-url` forcesync declares the topology ([`topology`]),
//! consumes the intake queue ([`consumer`]) and reconnects with backoff when
//! the broker goes away ([`reconnect`]). A message is judged ([`verdict`]) on
//! the same intake path as the gRPC call (`api::sync_submit`): acknowledged
//! only once its events are committed, dead-lettered with the reason in a
//! header ([`headers`]) when it can never be accepted, put back when the
//! database cannot take it now. Without `--amqp-url` none of this runs.

mod changes_out;
mod consumer;
pub mod headers;
mod reconnect;
pub mod topology;
mod verdict;

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::api::TokenStores;
use crate::storage::Storage;
use crate::storage::sync::Intake;

pub use topology::Topology;

/// The name prefix of the exchanges and queues when none is given.
pub const DEFAULT_PREFIX: &str = "forcesync";
/// Unacknowledged messages the broker hands forcesync at once (basic.qos).
pub const DEFAULT_PREFETCH: u16 = 64;

/// How `serve` reaches RabbitMQ.
#[derive(Clone)]
pub struct AmqpConfig {
    /// `amqp://user:password@host:5672/vhost` (or `amqps://`). Holds a password: never logged.
    pub url: String,
    /// Prefix of every exchange and queue name (see [`Topology`]).
    pub prefix: String,
    /// Unacknowledged messages in flight at most.
    pub prefetch: u16,
}

impl AmqpConfig {
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), prefix: DEFAULT_PREFIX.into(), prefetch: DEFAULT_PREFETCH }
    }

    /// The broker's address without user and password, for logs.
    pub fn redacted_url(&self) -> String {
        redact(&self.url)
    }
}

impl std::fmt::Debug for AmqpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AmqpConfig")
            .field("url", &self.redacted_url())
            .field("prefix", &self.prefix)
            .field("prefetch", &self.prefetch)
            .finish()
    }
}

/// `scheme://host…` with any `user:password@` left out.
fn redact(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://{host}")
        }
        None => "(not a URL)".into(),
    }
}

/// lapin logs every frame it receives at TRACE, message headers (the store
/// token) included: the AMQP client's logs stop at DEBUG whatever the filter asks for.
pub fn cap_client_logs(filter: tracing_subscriber::EnvFilter) -> tracing_subscriber::EnvFilter {
    ["lapin", "amq_protocol", "amq_protocol_types", "amq_protocol_tcp"]
        .into_iter()
        .filter_map(|target| format!("{target}=debug").parse().ok())
        .fold(filter, tracing_subscriber::EnvFilter::add_directive)
}

/// What the consumer is doing, for tests and shutdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AmqpState {
    /// Connections that got as far as consuming, since start.
    pub sessions: u64,
    /// Whether a connection is consuming now.
    pub consuming: bool,
}

/// `serve`'s RabbitMQ options.
#[derive(Debug, clap::Args)]
pub struct AmqpArgs {
    /// RabbitMQ queue mode: consume store events from amqp://user:password@host:5672/vhost. Without it, no AMQP at all.
    #[arg(long, env = "FORCESYNC_AMQP_URL", hide_env_values = true)]
    pub amqp_url: Option<String>,
    /// Prefix of the RabbitMQ exchange and queue names (letters, digits, '.', '-', '_').
    #[arg(long, env = "FORCESYNC_AMQP_PREFIX", default_value = DEFAULT_PREFIX, value_parser = topology::parse_prefix)]
    pub amqp_prefix: String,
    /// Unacknowledged RabbitMQ messages being committed at once, at most.
    #[arg(long, env = "FORCESYNC_AMQP_PREFETCH", default_value_t = DEFAULT_PREFETCH,
        value_parser = clap::value_parser!(u16).range(1..=10_000))]
    pub amqp_prefetch: u16,
}

impl AmqpArgs {
    /// The consumer's configuration, when a URL was given.
    pub fn config(&self) -> Option<AmqpConfig> {
        let url = self.amqp_url.as_ref().filter(|url| !url.trim().is_empty())?;
        Some(AmqpConfig { url: url.trim().to_owned(), prefix: self.amqp_prefix.clone(), prefetch: self.amqp_prefetch })
    }
}

/// The running consumer (and the publisher of bidirectional stores' changes).
#[derive(Debug)]
pub struct AmqpHandle {
    stop: watch::Sender<bool>,
    state: watch::Receiver<AmqpState>,
    task: JoinHandle<()>,
    changes: JoinHandle<()>,
}

/// How long shutdown waits for messages being committed before closing the connection (the broker requeues the rest).
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Starts consuming in the background, and publishing the changes of
/// bidirectional stores in RabbitMQ mode (`queued` says when there are new
/// ones); connection failures are retried with backoff, never fatal.
pub fn start(config: AmqpConfig, storage: Storage, intake: Intake, queued: Arc<Notify>) -> AmqpHandle {
    let (stop, stopping) = watch::channel(false);
    let (report, state) = watch::channel(AmqpState::default());
    let changes = tokio::spawn(changes_out::run(config.clone(), storage.clone(), queued, stopping.clone()));
    let judge = verdict::Judge::new(storage.clone(), intake, TokenStores::new(storage));
    let task = tokio::spawn(reconnect::run(config, judge, stopping, report));
    AmqpHandle { stop, state, task, changes }
}

impl AmqpHandle {
    pub fn state(&self) -> AmqpState {
        *self.state.borrow()
    }

    /// Waits until `sessions` connections have reached consuming and one is consuming now.
    pub async fn consuming(&self, sessions: u64) {
        let mut state = self.state.clone();
        let _ = state.wait_for(|s| s.consuming && s.sessions >= sessions).await;
    }

    /// Stops consuming, lets messages being committed finish (up to
    /// [`SHUTDOWN_GRACE`]) and closes the connection; what was not
    /// acknowledged goes back to the queue.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        if let Err(error) = self.task.await {
            tracing::error!(%error, "the RabbitMQ consumer task failed");
        }
        if let Err(error) = self.changes.await {
            tracing::error!(%error, "the RabbitMQ change publisher failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, clap::Parser)]
    struct Serve {
        #[command(flatten)]
        amqp: AmqpArgs,
    }

    fn parse(args: &[&str]) -> Result<Option<AmqpConfig>, clap::Error> {
        use clap::Parser as _;
        let args = std::iter::once("serve").chain(args.iter().copied());
        Serve::try_parse_from(args).map(|serve| serve.amqp.config())
    }

    #[test]
    fn serve_takes_the_broker_with_a_name_prefix_and_a_bounded_prefetch() {
        let config = parse(&["--amqp-url", " amqp://h/%2f "]).expect("parses").expect("configured");
        assert_eq!((config.url.as_str(), config.prefix.as_str(), config.prefetch), ("amqp://h/%2f", "forcesync", 64));
        let config = parse(&["--amqp-url", "amqp://h", "--amqp-prefix", "shop.eu", "--amqp-prefetch", "500"]);
        let config = config.expect("parses").expect("configured");
        assert_eq!((config.prefix.as_str(), config.prefetch), ("shop.eu", 500));
        for bad in [["--amqp-prefix", "no spaces"], ["--amqp-prefetch", "0"], ["--amqp-prefetch", "10001"]] {
            assert!(parse(&[&["--amqp-url", "amqp://h"][..], &bad[..]].concat()).is_err(), "{bad:?}");
        }
        assert!(parse(&["--amqp-url", "  "]).expect("parses").is_none(), "a blank URL is no AMQP");
    }

    #[test]
    fn the_amqp_client_never_logs_frames_even_when_trace_is_asked_for() {
        use std::io::Write;
        use std::sync::{Arc, Mutex};
        #[derive(Clone, Default)]
        struct Buffer(Arc<Mutex<Vec<u8>>>);
        impl Write for Buffer {
            fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
                self.0.lock().map_err(|_| std::io::Error::other("poisoned"))?.extend_from_slice(bytes);
                Ok(bytes.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        for asked in ["trace", "lapin=trace,forcesync=trace"] {
            let buffer = Buffer::default();
            let writer = buffer.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_env_filter(cap_client_logs(tracing_subscriber::EnvFilter::new(asked)))
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::with_default(subscriber, || {
                tracing::trace!(target: "lapin::channels", "frame with fs_secret_token");
                tracing::debug!(target: "lapin::channels", "channel opened");
                tracing::trace!(target: "forcesync::amqp", "our own trace");
            });
            let logged = String::from_utf8_lossy(&buffer.0.lock().map(|b| b.clone()).unwrap_or_default()).into_owned();
            assert!(!logged.contains("fs_secret_token"), "{asked}: {logged}");
            assert!(logged.contains("channel opened") && logged.contains("our own trace"), "{asked}: {logged}");
        }
    }

    #[test]
    fn the_url_is_logged_without_its_credentials() {
        assert_eq!(redact("amqp://guest:secret@10.0.0.5:5672/%2f"), "amqp://10.0.0.5:5672/%2f");
        assert_eq!(redact("amqps://host/vh"), "amqps://host/vh");
        assert_eq!(redact("p@ss"), "(not a URL)");
        let debug = format!("{:?}", AmqpConfig::new("amqp://u:hunter2@h/%2f"));
        assert!(!debug.contains("hunter2"), "{debug}");
    }
}
