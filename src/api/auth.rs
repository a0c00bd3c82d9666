//! Bearer-token checks. The admin token is checked by an interceptor against
//! a hash held in memory. A store token is resolved by hash once per call
//! (from the database, or a lookup at most [`TOKEN_CACHE_TTL`] old that no
//! revocation by this process has made stale), by the `StoreTokenLayer`
//! (see `auth_layer.rs`), which puts
//! the resolved [`Caller`] into the request's extensions; handlers read it
//! from there ([`Caller::of`]) and, where a request names a store, check that
//! it is the caller's ([`authorize`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tonic::metadata::MetadataMap;
use tonic::service::Interceptor;
use tonic::{Request, Status};

use crate::domain::token::{Token, TokenHash};
use crate::storage::{Actor, Storage};

use super::ApiError;

/// What the admin services need, as error messages name it.
pub const ADMIN_TOKEN: &str = "the admin token (printed once by the first `forcesync serve`, or FORCESYNC_ADMIN_TOKEN)";
/// What the store services need, as error messages name it.
pub const STORE_TOKEN: &str = "a store token (fs_…, returned once by CreateStore or `forcesync store create`)";
const NOT_BEARER: &str = "the authorization header must read \"Bearer <token>\" (is the \"Bearer \" prefix missing?)";
const NOT_A_STORE_TOKEN: &str = "this call needs a store token (fs_…), not the admin token or another value";
const UNKNOWN_STORE_TOKEN: &str = "no store has this token: it was mistyped, rotated away, or its store was deleted";
const NOT_THE_ADMIN_TOKEN: &str = "this call needs the admin token, and this is not it";

/// The token in `authorization: Bearer <token>`; `needs` names the token the call needs.
pub fn bearer(metadata: &MetadataMap, needs: &'static str) -> Result<Token, ApiError> {
    let value = metadata.get("authorization").ok_or(ApiError::MissingToken(needs))?;
    let value = value.to_str().map_err(|_| ApiError::InvalidToken(NOT_BEARER))?;
    let (scheme, token) = value.split_once(' ').ok_or(ApiError::InvalidToken(NOT_BEARER))?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(ApiError::InvalidToken(NOT_BEARER));
    }
    Ok(Token::from_secret(token))
}

/// A store token in the call's metadata (still to be looked up).
fn store_token(metadata: &MetadataMap) -> Result<Token, ApiError> {
    let token = bearer(metadata, STORE_TOKEN)?;
    if token.is_store_token() { Ok(token) } else { Err(ApiError::InvalidToken(NOT_A_STORE_TOKEN)) }
}

/// Lets through only calls that carry the admin token.
#[derive(Clone, Debug)]
pub struct AdminAuth {
    hash: TokenHash,
}

impl AdminAuth {
    pub fn new(hash: TokenHash) -> Self {
        Self { hash }
    }
}

impl Interceptor for AdminAuth {
    fn call(&mut self, request: Request<()>) -> Result<Request<()>, Status> {
        let token = bearer(request.metadata(), ADMIN_TOKEN)?;
        if !self.hash.matches(&token.hash()) {
            return Err(ApiError::InvalidToken(NOT_THE_ADMIN_TOKEN).into());
        }
        Ok(request)
    }
}

/// The caller of a store service: the store its token belongs to, and the
/// token's public id. Resolved once per call (see [`TokenStores`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub store_id: i64,
    pub store_code: String,
    pub token_id: String,
}

impl Caller {
    /// The caller the store token layer resolved for this request. Without
    /// one (the layer is not in front of the service) the call is refused.
    pub fn of<T>(request: &Request<T>) -> Result<Caller, ApiError> {
        let caller = request.extensions().get::<Caller>().cloned();
        caller.ok_or_else(|| ApiError::Internal("the store token check did not run for this call".into()))
    }

    /// Who the audit names for changes this caller makes.
    pub fn actor(&self) -> Actor {
        Actor::StoreToken(self.token_id.clone())
    }
}

/// The caller, if its token belongs to `store_code`. A valid token of
/// another store gets PERMISSION_DENIED whether or not `store_code` exists.
pub fn authorize<T>(request: &Request<T>, store_code: &str) -> Result<Actor, ApiError> {
    let caller = Caller::of(request)?;
    if caller.store_code != store_code {
        tracing::warn!(token_id = %caller.token_id, token_store = %caller.store_code, requested = %store_code,
            "store token used for another store");
        return Err(ApiError::WrongStore(store_code.to_owned()));
    }
    Ok(caller.actor())
}

/// How long a resolved store token is trusted without reading it again.
/// Revocations made by this process end it at once (the storage's token
/// generation moves); ones made elsewhere (another replica, the CLI on the
/// same SQLite file) take effect within this time.
pub const TOKEN_CACHE_TTL: Duration = Duration::from_secs(1);
/// Resolved tokens kept at most; the cache starts over when it is full.
const TOKEN_CACHE_ENTRIES: usize = 10_000;

/// A valid token's caller, as resolved at `at` under token generation `generation`.
#[derive(Debug, Clone)]
struct Resolved {
    caller: Caller,
    generation: u64,
    at: Instant,
}

/// Resolves store tokens to their store: an indexed read, reused for up to
/// [`TOKEN_CACHE_TTL`] unless this process revokes a token meanwhile. Only
/// valid tokens are kept, so a new token works at once and an attacker's
/// guesses cost memory nothing.
#[derive(Debug, Clone)]
pub struct TokenStores {
    storage: Storage,
    resolved: Arc<Mutex<HashMap<TokenHash, Resolved>>>,
}

impl TokenStores {
    pub fn new(storage: Storage) -> Self {
        Self { storage, resolved: Arc::default() }
    }

    /// The store whose valid token the call carries.
    pub async fn caller(&self, metadata: &MetadataMap) -> Result<Caller, ApiError> {
        self.store_caller(&store_token(metadata)?).await
    }

    /// The store whose valid store token this is, however it arrived (a
    /// RabbitMQ message carries it in a header, see `crate::amqp`).
    pub async fn store_caller(&self, token: &Token) -> Result<Caller, ApiError> {
        if !token.is_store_token() {
            return Err(ApiError::InvalidToken(NOT_A_STORE_TOKEN));
        }
        let hash = token.hash();
        let generation = self.storage.token_generation();
        if let Some(caller) = self.cached(&hash, generation) {
            return Ok(caller);
        }
        let owner = self.storage.find_store_token(&hash).await?.ok_or(ApiError::InvalidToken(UNKNOWN_STORE_TOKEN))?;
        let caller = Caller { store_id: owner.store_id, store_code: owner.store_code, token_id: owner.token_id };
        // Stamped with the generation read before the lookup: a revocation committed meanwhile makes it stale.
        let resolved = Resolved { caller: caller.clone(), generation, at: Instant::now() };
        if let Ok(mut cache) = self.resolved.lock() {
            if cache.len() >= TOKEN_CACHE_ENTRIES {
                cache.clear();
            }
            cache.insert(hash, resolved);
        }
        Ok(caller)
    }

    fn cached(&self, hash: &TokenHash, generation: u64) -> Option<Caller> {
        let cache = self.resolved.lock().ok()?;
        let resolved = cache.get(hash)?;
        let fresh = resolved.generation == generation && resolved.at.elapsed() < TOKEN_CACHE_TTL;
        fresh.then(|| resolved.caller.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_caller(code: &str) -> Request<()> {
        let mut request = Request::new(());
        let caller = Caller { store_id: 7, store_code: code.into(), token_id: "tok".into() };
        request.extensions_mut().insert(caller);
        request
    }

    #[test]
    fn a_call_without_a_resolved_caller_is_refused() {
        assert!(matches!(Caller::of(&Request::new(())), Err(ApiError::Internal(_))));
        assert!(matches!(authorize(&Request::new(()), "main"), Err(ApiError::Internal(_))));
    }

    #[test]
    fn the_caller_may_act_only_on_its_own_store() {
        assert_eq!(authorize(&with_caller("main"), "main").expect("own store"), Actor::StoreToken("tok".into()));
        assert!(matches!(authorize(&with_caller("main"), "other"), Err(ApiError::WrongStore(code)) if code == "other"));
        assert_eq!(Caller::of(&with_caller("main")).expect("caller").store_id, 7);
    }
}
