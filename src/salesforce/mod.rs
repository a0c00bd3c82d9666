//! The Salesforce client: logins, REST calls with session reuse and retries,
//! SOQL built safely, typed errors with remedies, and the org's API budget.
//! It shares no request or response types with `crate::sandbox`.

pub mod auth;
pub mod budget;
pub mod bulk;
pub mod client;
pub mod collections;
pub mod composite;
pub mod describe;
pub mod error;
pub mod preflight;
pub mod query;
mod remedy;
pub mod retry;
pub mod soql;
pub mod tally;
pub mod wsdl;

pub use client::{Call, Client, ConnectionSettings, Reply};
pub use error::{Error, ErrorClass};

/// The error for a request that got no answer: [`Error::unreachable`] when
/// no connection was made, else [`Error::transport`]; `context` goes first
/// (like "cannot reach https://login.salesforce.com: ").
pub(crate) fn transport_error(context: &str, error: &reqwest::Error) -> Error {
    let reason = format!("{context}{}", transport_reason(error));
    if error.is_connect() { Error::unreachable(reason) } else { Error::transport(reason) }
}

/// A short reason for a transport failure, without URLs' query strings.
fn transport_reason(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "timed out".into()
    } else if error.is_connect() {
        "connection refused or unreachable".into()
    } else if error.is_body() || error.is_decode() {
        "the response was cut off".into()
    } else {
        "the connection failed".into()
    }
}
