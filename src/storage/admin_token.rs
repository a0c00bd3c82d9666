//! The admin token's hash, kept when forcesync generated the token itself.

use crate::domain::token::TokenHash;

use super::{Storage, StorageError, with_pool};

const ADMIN_TOKEN_KEY: &str = "admin_token_sha256";

impl Storage {
    /// The stored admin token hash, if forcesync generated one before.
    pub async fn admin_token_hash(&self) -> Result<Option<TokenHash>, StorageError> {
        let hex: Option<String> = with_pool!(self, |pool| {
            sqlx::query_scalar("SELECT value FROM service_meta WHERE key = $1")
                .bind(ADMIN_TOKEN_KEY)
                .fetch_optional(pool)
                .await?
        });
        hex.map(|hex| TokenHash::from_hex(&hex).ok_or_else(|| StorageError::Corrupt("admin token hash".into())))
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
