//! The Salesforce emulator: an in-memory org that speaks Salesforce's wire
//! formats (SOAP login, OAuth and the identity URL, REST, composite, Bulk API
//! 2.0) and reproduces what makes integrations fail (tokens, sessions, limits,
//! validation, faults).
//! It shares no request or response types with forcesync's Salesforce client,
//! and is its own crate so that the compiler keeps it that way.
//!
//! Pure parts: `ids` (record Ids), `errors` (Salesforce's error shape),
//! `schema` (objects, describe, write validation) and `soql` (parser and
//! evaluator). Stateful parts: `auth` (users, sessions, logins).

pub mod auth;
pub mod config;
pub mod errors;
pub mod faults;
pub mod http;
pub mod ids;
pub mod org;
pub mod rest;
pub mod schema;
pub mod soql;
pub mod state;

pub use config::SandboxConfig;
pub use http::SandboxServer;
pub use schema::CustomSchema;
