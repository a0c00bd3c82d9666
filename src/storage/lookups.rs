//! Store and token lookups, in one place: a store's id by code and its code
//! by id, and the store an unrevoked store token belongs to. Nothing is
//! cached: a rotated or deleted store's token stops working at once, on every
//! replica, and since store ids are never reused a token stays bound to the
//! store it was issued for.

use crate::domain::token::TokenHash;

use super::{Storage, StorageError, Tx, with_pool, with_tx};

const STORE_ID: &str = "SELECT id FROM stores WHERE code = $1";

/// The owner of a valid store token: its store, and the token's public id.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct TokenOwner {
    pub store_id: i64,
    pub store_code: String,
    pub token_id: String,
}

/// The id of the store with this code, read inside a write transaction.
pub(super) async fn store_id_in(tx: &mut Tx<'_>, code: &str) -> Result<Option<i64>, sqlx::Error> {
    Ok(with_tx!(tx, |conn| sqlx::query_scalar(STORE_ID).bind(code).fetch_optional(conn).await?))
}

impl Storage {
    /// The store an unrevoked token with this hash belongs to, if any: the
    /// one lookup every store-token call makes (an indexed read).
    pub async fn find_store_token(&self, hash: &TokenHash) -> Result<Option<TokenOwner>, StorageError> {
        const SQL: &str = "SELECT s.id AS store_id, s.code AS store_code, t.id AS token_id \
                           FROM store_tokens t JOIN stores s ON s.id = t.store_id \
                           WHERE t.token_hash = $1 AND t.revoked_at IS NULL";
        let bytes = hash.as_bytes().to_vec();
        Ok(with_pool!(self, |pool| sqlx::query_as(SQL).bind(&bytes).fetch_optional(pool).await?))
    }

    /// The id of a store by code.
    pub async fn store_id(&self, code: &str) -> Result<i64, StorageError> {
        let id: Option<i64> =
            with_pool!(self, |pool| sqlx::query_scalar(STORE_ID).bind(code).fetch_optional(pool).await?);
        id.ok_or_else(|| StorageError::StoreNotFound(code.to_owned()))
    }

    /// The code of a store by id.
    pub async fn store_code(&self, store_id: i64) -> Result<String, StorageError> {
        let code: Option<String> = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT code FROM stores WHERE id = $1").bind(store_id).fetch_optional(pool).await?
        });
        code.ok_or_else(|| StorageError::StoreNotFound(format!("#{store_id}")))
    }
}
