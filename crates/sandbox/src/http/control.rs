//! Control endpoints under `/_sandbox` for tests, demos and benchmarks: reset,
//! counters, a dump of every record, faults, latency, limits, users, sessions.
//! They need no authentication: bind the sandbox to loopback.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{delete, get, patch, post};
use serde::Deserialize;
use serde_json::json;

use crate::auth::User;
use crate::config::{FaultSeed, UserSeed};
use crate::faults::FaultKind;

use super::shared::{Shared, json};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/reset", post(reset))
        .route("/counters", get(counters))
        .route("/dump", get(dump))
        .route("/settings", patch(settings))
        .route("/faults", patch(set_faults).delete(clear_faults))
        .route("/faults/queue", post(queue_fault))
        .route("/users", post(add_user))
        .route("/users/{username}/unlock", post(unlock))
        .route("/sessions", delete(expire_sessions))
        .route("/late-commit", post(late_commit))
        .route("/purge", post(purge))
}

fn bad_request(message: impl std::fmt::Display) -> Response {
    json(400, &json!({ "error": message.to_string() }))
}

fn parse<T: for<'de> Deserialize<'de>>(body: &Bytes) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("bad JSON: {e}"))
}

async fn reset(State(shared): State<Shared>) -> Response {
    match shared.with_state(|state| state.reset()) {
        Ok(()) => json(200, &json!({ "reset": true })),
        Err(e) => json(500, &json!({ "error": e })),
    }
}

async fn counters(State(shared): State<Shared>) -> Response {
    json(200, &shared.with_state(|state| state.counters()))
}

async fn dump(State(shared): State<Shared>) -> Response {
    json(200, &shared.with_state(|state| state.org.dump()))
}

/// Any subset of the org's runtime settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SettingsPatch {
    latency_ms: Option<u64>,
    daily_api_limit: Option<u64>,
    api_used: Option<u64>,
    session_timeout_secs: Option<u64>,
    query_page_size: Option<usize>,
    soap_login_enabled: Option<bool>,
    api_enabled: Option<bool>,
    unprefixed_faultcode: Option<bool>,
    state_country_picklists: Option<bool>,
}

async fn settings(State(shared): State<Shared>, body: Bytes) -> Response {
    let patch: SettingsPatch = match parse(&body) {
        Ok(patch) => patch,
        Err(message) => return bad_request(message),
    };
    if patch.query_page_size == Some(0) {
        return bad_request("query_page_size must be at least 1");
    }
    shared.with_state(|state| {
        let c = &mut state.config;
        c.latency_ms = patch.latency_ms.unwrap_or(c.latency_ms);
        c.daily_api_limit = patch.daily_api_limit.unwrap_or(c.daily_api_limit);
        c.session_timeout_secs = patch.session_timeout_secs.unwrap_or(c.session_timeout_secs);
        c.query_page_size = patch.query_page_size.unwrap_or(c.query_page_size);
        c.soap_login_enabled = patch.soap_login_enabled.unwrap_or(c.soap_login_enabled);
        c.api_enabled = patch.api_enabled.unwrap_or(c.api_enabled);
        c.unprefixed_faultcode = patch.unprefixed_faultcode.unwrap_or(c.unprefixed_faultcode);
        state.directory.session_timeout = std::time::Duration::from_secs(state.config.session_timeout_secs);
        state.directory.set_api_enabled(state.config.api_enabled);
        if let Some(used) = patch.api_used {
            state.api_used = used;
        }
        if let Some(on) = patch.state_country_picklists
            && let Err(message) = state.set_state_country_picklists(on)
        {
            return bad_request(message);
        }
        json(200, &state.counters())
    })
}

/// `{"id": "001…", "seconds": 120}`: the record's SystemModstamp moves that
/// far back, as if its transaction had committed late.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LateCommit {
    id: String,
    seconds: i64,
}

async fn late_commit(State(shared): State<Shared>, body: Bytes) -> Response {
    let late: LateCommit = match parse(&body) {
        Ok(late) => late,
        Err(message) => return bad_request(message),
    };
    let Ok(id) = crate::ids::SfId::parse(&late.id) else { return bad_request("not a record Id") };
    match shared.with_state(|state| state.org.backdate(&id, chrono::Duration::seconds(late.seconds))) {
        Ok(stamp) => json(200, &json!({ "SystemModstamp": stamp })),
        Err(message) => bad_request(message),
    }
}

/// `{"id": "003…"}`: a deleted record is emptied out of the recycle bin.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Purge {
    id: String,
}

async fn purge(State(shared): State<Shared>, body: Bytes) -> Response {
    let purge: Purge = match parse(&body) {
        Ok(purge) => purge,
        Err(message) => return bad_request(message),
    };
    let Ok(id) = crate::ids::SfId::parse(&purge.id) else { return bad_request("not a record Id") };
    match shared.with_state(|state| state.org.purge(&id)) {
        Ok(()) => json(200, &json!({ "purged": purge.id })),
        Err(message) => bad_request(message),
    }
}

async fn set_faults(State(shared): State<Shared>, body: Bytes) -> Response {
    let seed: FaultSeed = match parse(&body) {
        Ok(seed) => seed,
        Err(message) => return bad_request(message),
    };
    if let Err(e) = seed.validate() {
        return bad_request(e);
    }
    shared.with_state(|state| state.faults.configure(seed));
    json(200, &json!({ "faults": "configured" }))
}

async fn clear_faults(State(shared): State<Shared>) -> Response {
    shared.with_state(|state| state.faults.clear());
    json(200, &json!({ "faults": "cleared" }))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QueuedFault {
    kind: FaultKind,
    #[serde(default = "one")]
    count: usize,
}

fn one() -> usize {
    1
}

async fn queue_fault(State(shared): State<Shared>, body: Bytes) -> Response {
    let queued: QueuedFault = match parse(&body) {
        Ok(queued) => queued,
        Err(message) => return bad_request(message),
    };
    shared.with_state(|state| state.faults.queue(queued.kind, queued.count));
    json(200, &json!({ "queued": queued.count }))
}

async fn add_user(State(shared): State<Shared>, body: Bytes) -> Response {
    let seed: UserSeed = match parse(&body) {
        Ok(seed) => seed,
        Err(message) => return bad_request(message),
    };
    shared.with_state(|state| {
        if state.directory.find_user(&seed.username).is_some() {
            return bad_request(format!("user {:?} exists", seed.username));
        }
        let id = match state.org.new_id("005") {
            Ok(id) => id.as_str().to_owned(),
            Err(e) => return json(500, &json!({ "error": e })),
        };
        match User::from_seed(id.clone(), &seed) {
            Ok(user) => {
                state.directory.users.push(user);
                json(201, &json!({ "id": id, "username": seed.username }))
            }
            Err(e) => bad_request(e),
        }
    })
}

async fn unlock(State(shared): State<Shared>, Path(username): Path<String>) -> Response {
    shared.with_state(|state| {
        match state.directory.users.iter_mut().find(|u| u.username.eq_ignore_ascii_case(&username)) {
            Some(user) => {
                user.unlock();
                json(200, &json!({ "unlocked": username }))
            }
            None => json(404, &json!({ "error": "no such user" })),
        }
    })
}

async fn expire_sessions(State(shared): State<Shared>) -> Response {
    let expired = shared.with_state(|state| state.directory.sessions.expire_all());
    json(200, &json!({ "expired": expired }))
}
