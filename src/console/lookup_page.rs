//! The lookup box: "order 100000123", "customer 42", "cart 77", "sku WB-01"
//! or "email jane@example.com" → that entity's sync state, its last error,
//! and the Salesforce records forcesync wrote for it, each linked to its
//! record page in the org (under the instance URL of the store's session).
//! Also the URL helpers the console's links use.

use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use crate::domain::lifecycle::Customer;
use crate::domain::sync::{customer_alias, product_alias};

use super::auth::Signed;
use super::render::StoreFrame;
use super::{Console, ConsoleError};

/// Percent-encodes a query value (everything but unreserved characters).
pub(super) fn query_value(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for byte in raw.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// A path segment (store codes are plain already; encoded all the same).
pub(super) fn path_segment(raw: &str) -> String {
    query_value(raw)
}

/// The alias a lookup names, or why it names none.
pub(super) fn alias(query: &str) -> Result<String, String> {
    let query = query.trim();
    let (kind, value) = query
        .split_once([' ', ':'])
        .map(|(kind, value)| (kind.trim().to_lowercase(), value.trim()))
        .ok_or_else(|| format!("{query:?}: say what to look up, e.g. \"order 100000123\" or \"customer 42\""))?;
    if value.is_empty() {
        return Err(format!("{query:?}: the {kind} id is missing"));
    }
    Ok(match kind.as_str() {
        "order" => format!("order:{value}"),
        "cart" | "quote" => format!("cart:{value}"),
        "customer" => customer_alias(value),
        "email" | "guest" => customer_alias(&Customer::key_for(None, value)),
        "sku" | "product" => product_alias(value),
        other => {
            return Err(format!("{other:?} is not something to look up: use order, cart, customer, email or sku"));
        }
    })
}

#[derive(Deserialize)]
pub(super) struct Params {
    #[serde(default)]
    q: String,
}

#[derive(Serialize)]
struct Record {
    object: String,
    key: String,
    id: String,
    written_at: i64,
    link: Option<String>,
}

#[derive(Serialize)]
struct Found {
    alias: String,
    kind: &'static str,
    state: &'static str,
    aliases: String,
    attempts: i64,
    event_count: i64,
    updated_at: i64,
    error: Option<String>,
    remedy: Option<String>,
    waiting_reason: Option<String>,
    paused: Option<String>,
    records: Vec<Record>,
}

#[derive(Serialize)]
struct Page<'a> {
    #[serde(flatten)]
    frame: StoreFrame<'a>,
    q: String,
    error: Option<String>,
    found: Option<Found>,
    links_note: Option<String>,
}

pub(super) async fn page(
    State(console): State<Console>,
    signed: Signed,
    Path(code): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, ConsoleError> {
    let store_id = console.storage().store_id(&code).await?;
    let q = params.q.trim().to_owned();
    let (mut error, mut found, mut links_note) = (None, None, None);
    if !q.is_empty() {
        match alias(&q) {
            Err(message) => error = Some(message),
            Ok(alias) => match console.storage().entity_status(store_id, &alias).await? {
                None => error = Some(format!("Nothing has been received for {alias}.")),
                Some(status) => {
                    let instance = match status.records.is_empty() {
                        true => None,
                        false => match instance_url(&console, store_id).await {
                            Ok(url) => Some(url),
                            Err(why) => {
                                links_note = Some(format!("No links to the org: {why}"));
                                None
                            }
                        },
                    };
                    found = Some(Found {
                        alias,
                        kind: status.kind.as_str(),
                        state: status.state.as_str(),
                        aliases: status.aliases.join(", "),
                        attempts: status.attempts,
                        event_count: status.event_count,
                        updated_at: status.updated_at,
                        error: status.last_error.as_ref().map(|e| format!("{}: {}", e.code, e.message)),
                        remedy: status.last_error.and_then(|e| e.remedy),
                        waiting_reason: status.waiting_reason,
                        paused: status.store_pause.map(|(_, reason)| reason),
                        records: status
                            .records
                            .into_iter()
                            .map(|r| Record {
                                link: instance.as_ref().map(|base| format!("{base}/{}", query_value(&r.id))),
                                object: r.object,
                                key: r.key,
                                id: r.id,
                                written_at: r.written_at,
                            })
                            .collect(),
                    });
                }
            },
        }
    }
    let page = Page { frame: StoreFrame::new(&signed, &code, "lookup", "Lookup"), q, error, found, links_note };
    console.page("lookup.html", page)
}

/// The org's instance URL, from the store's connection (logging in if it has no session yet).
async fn instance_url(console: &Console, store_id: i64) -> Result<String, String> {
    let connection = console.inner.connections.get(store_id).await.map_err(|e| e.to_string())?;
    let url = connection.client.instance_url().await.map_err(|e| e.to_string())?;
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(format!("the org's instance URL {url:?} is not a web address"));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_name_aliases() {
        assert_eq!(alias("order 100000123").as_deref(), Ok("order:100000123"));
        assert_eq!(alias(" Customer 42 ").as_deref(), Ok("customer:42"));
        assert_eq!(alias("email Jane@Example.com").as_deref(), Ok("customer:guest:jane@example.com"));
        assert_eq!(alias("sku WB-01").as_deref(), Ok("product:WB-01"));
        assert_eq!(alias("cart:77").as_deref(), Ok("cart:77"));
        assert!(alias("order").is_err());
        assert!(alias("invoice 7").is_err());
    }

    #[test]
    fn query_values_are_encoded() {
        assert_eq!(query_value("a b&c=d/é"), "a%20b%26c%3Dd%2F%C3%A9");
        assert_eq!(query_value("INVALID_FIELD"), "INVALID_FIELD");
    }
}
