//! Stores and their tokens' lifecycle: create, read, list, delete, rotate.

use crate::domain::settings::StoreSettings;
use crate::domain::token::{Token, new_token_id};

use super::audit::{self, Actor, Note};
use super::settings::encode;
use super::{Storage, StorageError, Tx, now_millis, with_pool, with_tx};

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
/// Stores the hash of a newly issued token for `store_id`, in `tx`.
async fn insert_token(tx: &mut Tx<'_>, issued: &IssuedToken, store_id: i64, now: i64) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO store_tokens (id, store_id, token_hash, created_at) VALUES ($1, $2, $3, $4)";
    let hash = issued.token.hash().as_bytes().to_vec();
    with_tx!(tx, |conn| {
        sqlx::query(SQL).bind(&issued.token_id).bind(store_id).bind(&hash).bind(now).execute(conn).await?;
    });
    Ok(())
}

/// An audit note with no fields.
fn note<'a>(actor: &'a Actor, action: &'a str) -> Note<'a> {
    Note { actor, action, fields: &[] }
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
        const SQL: &str = "INSERT INTO stores (code, display_name, settings, settings_version, created_at, updated_at) \
                           VALUES ($1, $2, $3, 1, $4, $4) RETURNING id";
        let issued = IssuedToken::generate()?;
        let settings_json = encode(settings)?;
        let now = now_millis();
        let taken = |e: sqlx::Error| {
            if StorageError::is_unique_violation(&e) { StorageError::StoreExists(code.to_owned()) } else { e.into() }
        };
        let mut tx = self.begin_write().await?;
        let store_id: i64 = with_tx!(tx, |conn| {
            let query = sqlx::query_scalar(SQL).bind(code).bind(display_name).bind(&settings_json).bind(now);
            query.fetch_one(conn).await.map_err(taken)?
        });
        insert_token(&mut tx, &issued, store_id, now).await?;
        audit::record(&mut tx, code, note(actor, "create_store"), now).await?;
        tx.commit().await?;
        Ok((self.get_store(code).await?, issued))
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
        let mut tx = self.begin_write().await?;
        let deleted = with_tx!(tx, |conn| {
            sqlx::query("DELETE FROM stores WHERE code = $1").bind(code).execute(conn).await?.rows_affected()
        });
        if deleted == 0 {
            return Err(StorageError::StoreNotFound(code.to_owned()));
        }
        audit::record(&mut tx, code, note(actor, "delete_store"), now).await?;
        tx.commit().await?;
        self.tokens_revoked();
        Ok(())
    }

    /// Revokes every token of the store and issues a new one, atomically.
    pub async fn rotate_store_token(
        &self,
        code: &str,
        actor: &Actor,
    ) -> Result<(StoreRecord, IssuedToken), StorageError> {
        const TOUCH: &str = "UPDATE stores SET updated_at = $2 WHERE code = $1 RETURNING id";
        const REVOKE: &str = "UPDATE store_tokens SET revoked_at = $2 WHERE store_id = $1 AND revoked_at IS NULL";
        let issued = IssuedToken::generate()?;
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        let store_id: Option<i64> =
            with_tx!(tx, |conn| sqlx::query_scalar(TOUCH).bind(code).bind(now).fetch_optional(conn).await?);
        let store_id = store_id.ok_or_else(|| StorageError::StoreNotFound(code.to_owned()))?;
        with_tx!(tx, |conn| sqlx::query(REVOKE).bind(store_id).bind(now).execute(conn).await?.rows_affected());
        insert_token(&mut tx, &issued, store_id, now).await?;
        audit::record(&mut tx, code, note(actor, "rotate_store_token"), now).await?;
        tx.commit().await?;
        self.tokens_revoked();
        Ok((self.get_store(code).await?, issued))
    }
}
