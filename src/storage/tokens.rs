//! Token lookups: which store a store token belongs to, and the admin token's
//! hash when forcesync generated it.

use crate::domain::token::TokenHash;

use super::{Storage, StorageError, with_pool};

const ADMIN_TOKEN_KEY: &str = "admin_token_sha256";

/// The owner of a valid store token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenOwner {
    pub store_code: String,
    pub token_id: String,
}

impl Storage {
    /// The store an unrevoked token with this hash belongs to, if any.
    pub async fn find_store_token(&self, hash: &TokenHash) -> Result<Option<TokenOwner>, StorageError> {
        const SQL: &str = "SELECT s.code, t.id FROM store_tokens t JOIN stores s ON s.id = t.store_id \
                           WHERE t.token_hash = $1 AND t.revoked_at IS NULL";
        let bytes = hash.as_bytes().to_vec();
        let row: Option<(String, String)> =
            with_pool!(self, |pool| sqlx::query_as(SQL).bind(&bytes).fetch_optional(pool).await?);
        Ok(row.map(|(store_code, token_id)| TokenOwner { store_code, token_id }))
    }

    /// The stored admin token hash, if forcesync generated one before.
    pub async fn admin_token_hash(&self) -> Result<Option<TokenHash>, StorageError> {
        let row: Option<(String,)> = with_pool!(self, |pool| {
            sqlx::query_as("SELECT value FROM service_meta WHERE key = $1")
                .bind(ADMIN_TOKEN_KEY)
                .fetch_optional(pool)
                .await?
        });
        row.map(|(hex,)| TokenHash::from_hex(&hex).ok_or_else(|| StorageError::Corrupt("admin token hash".into())))
            .transpose()
    }

    /// Stores the admin token hash unless one exists; returns whether it was stored
    /// (false when another process won the race).
    pub async fn store_admin_token_hash(&self, hash: &TokenHash) -> Result<bool, StorageError> {
        const SQL: &str = "INSERT INTO service_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING";
        let hex = hash.to_hex();
        let _turn = self.write_turn().await;
        let inserted = with_pool!(self, |pool| {
            sqlx::query(SQL).bind(ADMIN_TOKEN_KEY).bind(&hex).execute(pool).await?.rows_affected()
        });
        Ok(inserted == 1)
    }
}
