//! Bearer-token checks. The admin token is checked by an interceptor against
//! a hash held in memory; store tokens are looked up by hash in the database
//! and must belong to the store a request names.

use tonic::metadata::MetadataMap;
use tonic::service::Interceptor;
use tonic::{Request, Status};

use crate::domain::token::{Token, TokenHash};
use crate::storage::{Actor, Storage};

use super::ApiError;

/// The token in `authorization: Bearer <token>`.
pub fn bearer(metadata: &MetadataMap) -> Result<Token, ApiError> {
    let value = metadata.get("authorization").ok_or(ApiError::MissingToken)?;
    let value = value.to_str().map_err(|_| ApiError::InvalidToken)?;
    let (scheme, token) = value.split_once(' ').ok_or(ApiError::InvalidToken)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(ApiError::InvalidToken);
    }
    Ok(Token::from_secret(token))
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
        let token = bearer(request.metadata())?;
        if !self.hash.matches(&token.hash()) {
            return Err(ApiError::InvalidToken.into());
        }
        Ok(request)
    }
}

/// Resolves store tokens to the store they belong to.
#[derive(Clone, Debug)]
pub struct StoreAuth {
    storage: Storage,
}

impl StoreAuth {
    pub fn new(storage: Storage) -> Self {
        Self { storage }
    }

    /// The caller, if its token belongs to `store_code`. A valid token of
    /// another store gets PERMISSION_DENIED whether or not `store_code` exists.
    pub async fn authorize(&self, metadata: &MetadataMap, store_code: &str) -> Result<Actor, ApiError> {
        let token = bearer(metadata)?;
        if !token.is_store_token() {
            return Err(ApiError::InvalidToken);
        }
        let owner = self.storage.find_store_token(&token.hash()).await?.ok_or(ApiError::InvalidToken)?;
        if owner.store_code != store_code {
            tracing::warn!(token_id = %owner.token_id, token_store = %owner.store_code, requested = %store_code,
                "store token used for another store");
            return Err(ApiError::WrongStore(store_code.to_owned()));
        }
        Ok(Actor::StoreToken(owner.token_id))
    }
}

/// The store a token belongs to (for the Sync API, where the token names the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub store_id: i64,
    pub store_code: String,
}

/// Resolves store tokens to their store. Every call looks its token up (one
/// indexed read): nothing is cached, so a rotated or deleted store's token
/// stops working at once, on every replica.
#[derive(Debug, Clone)]
pub struct TokenStores {
    storage: Storage,
}

impl TokenStores {
    pub fn new(storage: Storage) -> Self {
        Self { storage }
    }

    /// The store whose valid token the call carries.
    pub async fn caller(&self, metadata: &MetadataMap) -> Result<Caller, ApiError> {
        let token = bearer(metadata)?;
        if !token.is_store_token() {
            return Err(ApiError::InvalidToken);
        }
        let (store_id, store_code) =
            self.storage.store_by_token(token.hash().as_bytes()).await?.ok_or(ApiError::InvalidToken)?;
        Ok(Caller { store_id, store_code })
    }
}
