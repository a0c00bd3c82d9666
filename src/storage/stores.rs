//! Stores and their tokens' lifecycle: create, read, list, delete, rotate.

use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use crate::domain::settings::StoreSettings;
use crate::domain::token::{Token, new_token_id};

use super::audit::{self, Actor};
use super::{Storage, StorageError, now_millis, with_pool, write_tx};

/// A store as the API shows it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct StoreRecord {
    pub code: String,
    pub display_name: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Public id of the active token; `None` only if every token was revoked.
    pub token_id: Option<String>,
    pub settings_version: i64,
}

/// A freshly issued store token: the secret is shown to the caller once.
#[derive(Debug)]
pub struct IssuedToken {
    pub token: Token,
    pub token_id: String,
}

impl IssuedToken {
    fn generate() -> Result<Self, StorageError> {
        Ok(Self { token: Token::generate_store()?, token_id: new_token_id()? })
    }
}

/// A store with its active token id, followed by `$tail` (a WHERE clause).
macro_rules! select_store {
    ($tail:literal) => {
        concat!(
            "SELECT s.code, s.display_name, s.created_at, s.updated_at, t.id AS token_id, s.settings_version ",
            "FROM stores s LEFT JOIN store_tokens t ON t.store_id = s.id AND t.revoked_at IS NULL ",
            $tail
        )
    };
}
/// Stores the hash of a newly issued token for `store_id`.
async fn insert_token<'c, DB, E>(executor: E, issued: &IssuedToken, store_id: i64, now: i64) -> Result<(), sqlx::Error>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Vec<u8>: Encode<'q, DB> + Type<DB>,
{
    sqlx::query::<DB>("INSERT INTO store_tokens (id, store_id, token_hash, created_at) VALUES ($1, $2, $3, $4)")
        .bind(issued.token_id.clone())
        .bind(store_id)
        .bind(issued.token.hash().as_bytes().to_vec())
        .bind(now)
        .execute(executor)
        .await?;
    Ok(())
}

impl Storage {
    /// Creates a store with `settings` and its first token, in one transaction.
    pub async fn create_store(
        &self,
        code: &str,
        display_name: &str,
        settings: &StoreSettings,
        actor: &Actor,
    ) -> Result<(StoreRecord, IssuedToken), StorageError> {
        let issued = IssuedToken::generate()?;
        let settings_json =
            serde_json::to_string(settings).map_err(|e| StorageError::Corrupt(format!("settings: {e}")))?;
        let now = now_millis();
        let taken = |e: sqlx::Error| {
            if StorageError::is_unique_violation(&e) { StorageError::StoreExists(code.to_owned()) } else { e.into() }
        };
        let result: Result<(), StorageError> = write_tx!(self, |tx| {
            let (store_id,): (i64,) = sqlx::query_as(
                "INSERT INTO stores (code, display_name, settings, settings_version, created_at, updated_at) \
                 VALUES ($1, $2, $3, 1, $4, $4) RETURNING id",
            )
            .bind(code)
            .bind(display_name)
            .bind(&settings_json)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(taken)?;
            insert_token(&mut *tx, &issued, store_id, now).await?;
            audit::record(&mut *tx, code, actor, "create_store", &[], now).await?;
            Ok(())
        });
        match result {
            Err(e) => Err(e),
            Ok(()) => Ok((self.get_store(code).await?, issued)),
        }
    }

    pub async fn get_store(&self, code: &str) -> Result<StoreRecord, StorageError> {
        const SQL: &str = select_store!("WHERE s.code = $1");
        let found: Option<StoreRecord> =
            with_pool!(self, |pool| sqlx::query_as(SQL).bind(code).fetch_optional(pool).await?);
        found.ok_or_else(|| StorageError::StoreNotFound(code.to_owned()))
    }

    /// Up to `limit` stores with codes after `after`, ordered by code.
    pub async fn list_stores(&self, after: &str, limit: i64) -> Result<Vec<StoreRecord>, StorageError> {
        const SQL: &str = select_store!("WHERE s.code > $1 ORDER BY s.code LIMIT $2");
        Ok(with_pool!(self, |pool| sqlx::query_as(SQL).bind(after).bind(limit).fetch_all(pool).await?))
    }

    /// Deletes the store with its settings, credentials and tokens.
    pub async fn delete_store(&self, code: &str, actor: &Actor) -> Result<(), StorageError> {
        let now = now_millis();
        let deleted: u64 = write_tx!(self, |tx| {
            let result = sqlx::query("DELETE FROM stores WHERE code = $1").bind(code).execute(&mut *tx).await?;
            audit::record(&mut *tx, code, actor, "delete_store", &[], now).await?;
            result.rows_affected()
        });
        if deleted == 0 { Err(StorageError::StoreNotFound(code.to_owned())) } else { Ok(()) }
    }

    /// Revokes every token of the store and issues a new one, atomically.
    pub async fn rotate_store_token(
        &self,
        code: &str,
        actor: &Actor,
    ) -> Result<(StoreRecord, IssuedToken), StorageError> {
        let issued = IssuedToken::generate()?;
        let now = now_millis();
        let rotated: bool = write_tx!(self, |tx| {
            let store: Option<(i64,)> =
                sqlx::query_as("UPDATE stores SET updated_at = $2 WHERE code = $1 RETURNING id")
                    .bind(code)
                    .bind(now)
                    .fetch_optional(&mut *tx)
                    .await?;
            match store {
                None => false,
                Some((store_id,)) => {
                    sqlx::query("UPDATE store_tokens SET revoked_at = $2 WHERE store_id = $1 AND revoked_at IS NULL")
                        .bind(store_id)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                    insert_token(&mut *tx, &issued, store_id, now).await?;
                    audit::record(&mut *tx, code, actor, "rotate_store_token", &[], now).await?;
                    true
                }
            }
        });
        if !rotated {
            return Err(StorageError::StoreNotFound(code.to_owned()));
        }
        Ok((self.get_store(code).await?, issued))
    }
}
