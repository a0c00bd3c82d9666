//! forcesync: keeps an online store and Salesforce in sync, over gRPC.
//!
//! `api` receives and checks requests, `domain` holds the pure rules,
//! `storage` keeps everything durable, `store_login` opens a store's Salesforce
//! connection, `amqp` takes store events from RabbitMQ (queue mode), and
//! `server` wires them together; `console` is the operators' web console.
//! `sandbox` is the Salesforce emulator that tests, demos and `bench` run against.

/// Installs rustls' ring provider (reqwest is built without a default one, to
/// keep a single TLS stack). Safe to call more than once.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub mod amqp;
pub mod api;
pub mod bench;
pub mod cli;
pub mod console;
pub mod demo;
pub mod domain;
pub mod engine;
pub mod error_text;
pub mod http;
pub mod metrics;
pub mod pb;
pub mod salesforce;
/// The Salesforce emulator, its own crate (`crates/sandbox`): it shares no types with `salesforce`.
pub use forcesync_sandbox as sandbox;
pub mod sandbox_cli;
pub mod server;
pub mod storage;
pub mod store_login;
