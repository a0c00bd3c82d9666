//! The audit of configuration changes: who changed what, and when. Written in
//! the same transaction as the change it describes.

use std::fmt;

use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{Storage, StorageError, with_pool};

/// Who made a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A caller holding the admin token.
    Admin,
    /// A caller holding the store token with this public id.
    StoreToken(String),
    /// The `forcesync` command line on the server's machine.
    Cli,
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Admin => f.write_str("admin"),
            Actor::StoreToken(id) => write!(f, "store-token:{id}"),
            Actor::Cli => f.write_str("cli"),
        }
    }
}

/// One change: `action` is a verb such as `update_settings`; `fields` names
/// what changed (setting paths or credential kinds), never values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub store_code: String,
    pub actor: String,
    pub action: String,
    pub fields: Vec<String>,
    pub at_millis: i64,
}

/// Appends an audit row through `executor` (normally an open transaction).
pub(crate) async fn record<'c, DB, E>(
    executor: E,
    store_code: &str,
    actor: &Actor,
    action: &str,
    fields: &[String],
    at_millis: i64,
) -> Result<(), sqlx::Error>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
{
    let fields = serde_json::to_string(fields).unwrap_or_else(|_| "[]".into());
    sqlx::query::<DB>("INSERT INTO config_audit (store_code, actor, action, fields, at) VALUES ($1, $2, $3, $4, $5)")
        .bind(store_code.to_owned())
        .bind(actor.to_string())
        .bind(action.to_owned())
        .bind(fields)
        .bind(at_millis)
        .execute(executor)
        .await?;
    Ok(())
}

/// Ends the store's sync pause through `executor`, in the transaction of a
/// configuration change: whatever paused it (missing credentials, a setting
/// Salesforce refused, a spent budget) is worth trying again at once, so no
/// pause outlives a fix.
pub(crate) async fn end_sync_pause<'c, DB, E>(executor: E, store_code: &str) -> Result<(), sqlx::Error>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
{
    sqlx::query::<DB>("DELETE FROM sync_pauses WHERE store_id IN (SELECT id FROM stores WHERE code = $1)")
        .bind(store_code.to_owned())
        .execute(executor)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    store_code: String,
    actor: String,
    action: String,
    fields: String,
    at: i64,
}

impl Storage {
    /// The store's audit, newest first, at most `limit` rows.
    pub async fn list_audit(&self, store_code: &str, limit: i64) -> Result<Vec<AuditEntry>, StorageError> {
        const SQL: &str = "SELECT store_code, actor, action, fields, at FROM config_audit \
                           WHERE store_code = $1 ORDER BY id DESC LIMIT $2";
        let rows: Vec<AuditRow> =
            with_pool!(self, |pool| { sqlx::query_as(SQL).bind(store_code).bind(limit).fetch_all(pool).await? });
        rows.into_iter()
            .map(|row| {
                let fields = serde_json::from_str(&row.fields)
                    .map_err(|e| StorageError::Corrupt(format!("audit fields: {e}")))?;
                Ok(AuditEntry {
                    store_code: row.store_code,
                    actor: row.actor,
                    action: row.action,
                    fields,
                    at_millis: row.at,
                })
            })
            .collect()
    }
}
