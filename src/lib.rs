//! forcesync: keeps an online store and Salesforce in sync, over gRPC.
//!
//! `api` receives and checks requests, `domain` holds the pure rules,
//! `storage` keeps everything durable, and `server` wires them together.

pub mod api;
pub mod cli;
pub mod domain;
pub mod pb;
pub mod sandbox;
pub mod sandbox_cli;
pub mod server;
pub mod storage;
