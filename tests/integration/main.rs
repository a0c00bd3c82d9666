//! Integration tests: the real gRPC server on port 0, driven through its
//! generated clients. One test binary keeps link time down.

mod helpers;

mod admin;
mod amqp_faults;
mod amqp_intake;
mod auth;
mod cli;
mod config;
mod contention;
mod malformed;
mod replicas;
mod salesforce_batch;
mod salesforce_client;
mod sandbox_derived;
mod sandbox_identity;
mod sandbox_login;
mod sandbox_ops;
mod sandbox_rest;
mod sandbox_soql;
mod secrets;
mod service;
mod storage;
mod storage_seam;
mod sync_api;
mod sync_backoff;
mod sync_claims;
mod sync_crash;
mod sync_faults;
mod sync_intake;
mod sync_leases;
mod sync_lifecycle;
mod sync_lost_answers;
mod sync_pauses;
mod sync_preview;
mod sync_restart;
mod sync_retention;
mod sync_settings;
mod sync_storage;
mod test_connection;
mod wsdl;
