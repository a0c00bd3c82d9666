//! The web console: server-rendered pages under `/console/` for operators,
//! signed in with the admin token. It shows every store's health, and per
//! store its settings (view and edit, with the RPC's validation), Test
//! Connection, parked items with Retry, the sync log, the audit trail and a
//! lookup box. No JavaScript; one static stylesheet.
//!
//! - [`session`]: cookie sessions (per replica), [`auth`]: sign-in, sign-out
//!   and the signed-in guard, [`sign_in_limit`]: wrong tokens limited per
//!   client address, [`csrf`]: every POST form's token.
//! - [`render`]: templates (`templates/`), errors as pages, security headers.
//! - One file per page area: [`overview`], [`settings_page`] (with
//!   [`settings_form`], [`settings_fields`], [`settings_slots`], the lists
//!   in [`settings_lists`] and [`settings_mapping_lines`], and the
//!   write-only [`settings_credentials`] form),
//!   [`connection_page`], [`parked_page`], [`log_page`]
//!   (sync log and audit), [`lookup_page`].
//!
//! Pages never show a secret: store tokens, credentials, the admin token and
//! session ids stay out of every template's context.

mod auth;
mod connection_page;
mod csrf;
mod log_page;
mod lookup_page;
mod overview;
mod parked_page;
mod render;
pub mod session;
mod settings_credentials;
mod settings_fields;
mod settings_form;
mod settings_lists;
mod settings_mapping_lines;
mod settings_page;
mod settings_slots;
mod sign_in_limit;

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::api::StoreConfigApi;
use crate::domain::token::TokenHash;
use crate::engine::Connections;
use crate::salesforce::retry::RetryPolicy;
use crate::storage::{Sealer, Storage};

pub use render::ConsoleError;

/// What the console needs from the server.
#[derive(Debug, Clone)]
pub struct ConsoleDeps {
    pub storage: Storage,
    /// The admin token's hash: sign-in checks a token against it, as the gRPC `AdminAuth` does.
    pub admin_hash: TokenHash,
    pub sealer: Sealer,
    /// The HTTP client for Salesforce (Test Connection, lookups).
    pub http: reqwest::Client,
    pub retry: RetryPolicy,
    /// The engine's store connections, which lookups reuse (`None`: the
    /// console keeps connections of its own).
    pub connections: Option<Arc<Connections>>,
}

struct Inner {
    storage: Storage,
    admin_hash: TokenHash,
    config_api: StoreConfigApi,
    connections: Arc<Connections>,
    sessions: session::Sessions,
    sign_in_limit: sign_in_limit::SignInLimit,
    templates: minijinja::Environment<'static>,
}

/// The console's shared state. Cheap to clone.
#[derive(Clone)]
pub struct Console {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Console {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Console(..)")
    }
}

impl Console {
    pub fn new(deps: ConsoleDeps) -> Result<Self, ConsoleError> {
        let connections = deps.connections.unwrap_or_else(|| {
            Arc::new(Connections::new(deps.storage.clone(), deps.sealer.clone(), deps.http.clone(), deps.retry))
        });
        let config_api = StoreConfigApi::new(deps.storage.clone(), deps.sealer, deps.http, deps.retry);
        Ok(Self {
            inner: Arc::new(Inner {
                storage: deps.storage,
                admin_hash: deps.admin_hash,
                config_api,
                connections,
                sessions: session::Sessions::default(),
                sign_in_limit: sign_in_limit::SignInLimit::default(),
                templates: render::templates()?,
            }),
        })
    }

    fn storage(&self) -> &Storage {
        &self.inner.storage
    }
}

/// The console as the HTTP listener's extra routes, its lookups going
/// through the engine's `connections`.
pub fn extra_routes(connections: Arc<Connections>) -> crate::http::ExtraRoutes {
    crate::http::ExtraRoutes::new(move |state: crate::http::HttpState| {
        let deps = ConsoleDeps {
            storage: state.storage.clone(),
            admin_hash: state.admin_hash,
            sealer: state.sealer.clone(),
            http: state.http.clone(),
            retry: state.retry,
            connections: Some(connections.clone()),
        };
        router(deps).unwrap_or_else(|error| {
            tracing::error!(error = %crate::error_text::report(&error), "the web console cannot start");
            Router::new()
        })
    })
}

/// The console's routes, all under `/console`.
pub fn router(deps: ConsoleDeps) -> Result<Router, ConsoleError> {
    Ok(routes(Console::new(deps)?))
}

fn routes(console: Console) -> Router {
    let store = |path: &str| format!("/console/stores/{{code}}{path}");
    Router::new()
        .route("/console", get(render::to_overview))
        .route("/console/", get(overview::page))
        .route("/console/static/console.css", get(render::stylesheet))
        .route("/console/sign-in", get(auth::sign_in_form).post(auth::sign_in))
        .route("/console/sign-out", post(auth::sign_out))
        .route(&store(""), get(settings_page::to_settings))
        .route(&store("/settings"), get(settings_page::page).post(settings_page::save))
        .route(&store("/credentials"), post(settings_credentials::save))
        .route(&store("/connection"), get(connection_page::page).post(connection_page::run))
        .route(&store("/parked"), get(parked_page::page))
        .route(&store("/parked/retry"), post(parked_page::retry))
        .route(&store("/log"), get(log_page::sync_log))
        .route(&store("/audit"), get(log_page::audit))
        .route(&store("/lookup"), get(lookup_page::page))
        .layer(axum::middleware::map_response(render::security_headers))
        .with_state(console)
}
