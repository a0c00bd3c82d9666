//! The audit of configuration changes: who changed what, and when. Written in
//! the same transaction as the change it describes.

use std::fmt;

use super::{Storage, StorageError, Tx, with_pool, with_tx};

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

/// The audit row a change writes: who made it, the action (a verb such as
/// `update_settings`) and what changed (setting paths or credential kinds).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Note<'a> {
    pub(crate) actor: &'a Actor,
    pub(crate) action: &'a str,
    pub(crate) fields: &'a [String],
}

/// Appends an audit row in `tx`, the transaction of the change it describes.
pub(crate) async fn record(
    tx: &mut Tx<'_>,
    store_code: &str,
    note: Note<'_>,
    at_millis: i64,
) -> Result<(), sqlx::Error> {
    const SQL: &str = "INSERT INTO config_audit (store_code, actor, action, fields, at) VALUES ($1, $2, $3, $4, $5)";
    let fields = serde_json::to_string(note.fields).unwrap_or_else(|_| "[]".into());
    let actor = note.actor.to_string();
    with_tx!(tx, |conn| {
        let query = sqlx::query(SQL).bind(store_code).bind(&actor).bind(note.action).bind(&fields).bind(at_millis);
        query.execute(conn).await?;
    });
    Ok(())
}

/// Records a configuration change of the store (settings or credentials) in
/// `tx` and ends the store's sync pause there too: whatever paused it
/// (missing credentials, a setting Salesforce refused, a spent budget) is
/// worth trying again at once, so no pause outlives a fix.
pub(crate) async fn config_changed(
    tx: &mut Tx<'_>,
    store_code: &str,
    note: Note<'_>,
    at_millis: i64,
) -> Result<(), sqlx::Error> {
    const END_PAUSE: &str = "DELETE FROM sync_pauses WHERE store_id IN (SELECT id FROM stores WHERE code = $1)";
    record(tx, store_code, note, at_millis).await?;
    with_tx!(tx, |conn| sqlx::query(END_PAUSE).bind(store_code).execute(conn).await?.rows_affected());
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    #[sqlx(default)]
    id: i64,
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
        Ok(parse_rows(rows)?.into_iter().map(|(_, entry)| entry).collect())
    }

    /// A page of the store's audit, newest first: up to `limit` rows with ids
    /// below `before_id` (all when `None`), each with its id for the next page.
    pub async fn audit_page(
        &self,
        store_code: &str,
        before_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<(i64, AuditEntry)>, StorageError> {
        const SQL: &str = "SELECT id, store_code, actor, action, fields, at FROM config_audit \
                           WHERE store_code = $1 AND id < $2 ORDER BY id DESC LIMIT $3";
        let before = before_id.unwrap_or(i64::MAX);
        let rows: Vec<AuditRow> = with_pool!(self, |pool| {
            sqlx::query_as(SQL).bind(store_code).bind(before).bind(limit).fetch_all(pool).await?
        });
        parse_rows(rows)
    }
}

fn parse_rows(rows: Vec<AuditRow>) -> Result<Vec<(i64, AuditEntry)>, StorageError> {
    rows.into_iter()
        .map(|row| {
            let fields =
                serde_json::from_str(&row.fields).map_err(|e| StorageError::Corrupt(format!("audit fields: {e}")))?;
            let entry = AuditEntry {
                store_code: row.store_code,
                actor: row.actor,
                action: row.action,
                fields,
                at_millis: row.at,
            };
            Ok((row.id, entry))
        })
        .collect()
}
