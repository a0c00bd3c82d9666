//! `forcesync bench …`: measurements that print the baseline beside the
//! result, both taken in the same run, and their ratio. Run them from a
//! release build (`cargo run --release -- bench …`).

pub mod backlog;
mod backlog_console;
mod backlog_probe;
mod backlog_table;
pub mod changes;
mod cpu;
pub(crate) mod harness;
pub mod ingest;
pub mod ingest_amqp;
mod ingest_table;
pub mod inventory;
mod noop;
pub mod orders;
mod orders_replicas;
mod replica;
pub mod sandbox;
pub(crate) mod shop;
mod table;

pub use table::Table;
