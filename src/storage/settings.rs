//! Versioned store settings: every write names the version it read, so two
//! admins editing at once cannot silently overwrite each other. Test
//! Connection's "apply" saves new settings and credentials the same way, in
//! one transaction, only if the settings are still at the version tested.

use crate::domain::settings::StoreSettings;

use super::audit::{self, Actor, Note};
use super::credentials::{self, CredentialKind};
use super::{Storage, StorageError, Tx, now_millis, with_pool, with_tx};

/// Settings with the version (the API's etag) they were read at.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionedSettings {
    pub settings: StoreSettings,
    pub version: i64,
    pub updated_at: i64,
}

#[derive(sqlx::FromRow)]
struct SettingsRow {
    settings: String,
    settings_version: i64,
    updated_at: i64,
}

/// What a successful compare-and-swap returns.
#[derive(sqlx::FromRow)]
struct Swapped {
    id: i64,
    settings_version: i64,
}

/// Compare-and-swap on the settings version: the store's id and new version,
/// or `None` when the settings moved on (or the store is gone).
async fn compare_and_swap(
    tx: &mut Tx<'_>,
    code: &str,
    expected_version: i64,
    json: &str,
    now: i64,
) -> Result<Option<Swapped>, sqlx::Error> {
    const SQL: &str = "UPDATE stores SET settings = $3, settings_version = settings_version + 1, updated_at = $4 \
                       WHERE code = $1 AND settings_version = $2 RETURNING id, settings_version";
    Ok(with_tx!(tx, |conn| {
        let query = sqlx::query_as(SQL).bind(code).bind(expected_version).bind(json).bind(now);
        query.fetch_optional(conn).await?
    }))
}

pub(super) fn encode(settings: &StoreSettings) -> Result<String, StorageError> {
    serde_json::to_string(settings).map_err(|e| StorageError::Corrupt(format!("settings: {e}")))
}

fn decode(json: &str) -> Result<StoreSettings, StorageError> {
    serde_json::from_str(json).map_err(|e| StorageError::Corrupt(format!("settings: {e}")))
}

impl Storage {
    pub async fn get_settings(&self, code: &str) -> Result<VersionedSettings, StorageError> {
        const SQL: &str = "SELECT settings, settings_version, updated_at FROM stores WHERE code = $1";
        let row: Option<SettingsRow> =
            with_pool!(self, |pool| sqlx::query_as(SQL).bind(code).fetch_optional(pool).await?);
        let row = row.ok_or_else(|| StorageError::StoreNotFound(code.to_owned()))?;
        Ok(VersionedSettings {
            settings: decode(&row.settings)?,
            version: row.settings_version,
            updated_at: row.updated_at,
        })
    }

    /// Replaces the settings if they are still at `expected_version`, and
    /// records `changed_fields` in the audit, in one transaction.
    pub async fn update_settings(
        &self,
        code: &str,
        expected_version: i64,
        settings: &StoreSettings,
        actor: &Actor,
        changed_fields: &[String],
    ) -> Result<VersionedSettings, StorageError> {
        let note = Note { actor, action: "update_settings", fields: changed_fields };
        self.save_config(code, expected_version, settings, &[], note).await
    }

    /// Saves `settings` (if still at `expected_version`) and the credential
    /// changes, auditing `changed_settings` and the credential kinds; nothing
    /// is written on a version conflict.
    pub async fn apply_config(
        &self,
        code: &str,
        expected_version: i64,
        settings: &StoreSettings,
        credentials: &[(CredentialKind, Option<Vec<u8>>)],
        changed_settings: &[String],
        actor: &Actor,
    ) -> Result<VersionedSettings, StorageError> {
        let kinds = credentials.iter().map(|(kind, _)| kind.as_str().to_owned());
        let fields: Vec<String> = changed_settings.iter().cloned().chain(kinds).collect();
        let note = Note { actor, action: "test_connection_apply", fields: &fields };
        self.save_config(code, expected_version, settings, credentials, note).await
    }

    /// Settings (if still at `expected_version`) and credential changes, with
    /// their audit row, in one transaction; a version conflict writes nothing.
    async fn save_config(
        &self,
        code: &str,
        expected_version: i64,
        settings: &StoreSettings,
        credential_changes: &[(CredentialKind, Option<Vec<u8>>)],
        note: Note<'_>,
    ) -> Result<VersionedSettings, StorageError> {
        let json = encode(settings)?;
        let now = now_millis();
        let mut tx = self.begin_write().await?;
        let Some(swapped) = compare_and_swap(&mut tx, code, expected_version, &json, now).await? else {
            drop(tx);
            let current = self.get_settings(code).await?.version;
            return Err(StorageError::VersionConflict { expected: expected_version, current });
        };
        credentials::write(&mut tx, swapped.id, credential_changes, now).await?;
        audit::config_changed(&mut tx, code, note, now).await?;
        // New settings may turn change capture on, or change what it watches: it looks at once.
        with_tx!(tx, |conn| {
            let woken = sqlx::query("UPDATE change_runs SET next_run_at = 0 WHERE store_id = $1").bind(swapped.id);
            woken.execute(conn).await?.rows_affected()
        });
        tx.commit().await?;
        Ok(VersionedSettings { settings: settings.clone(), version: swapped.settings_version, updated_at: now })
    }
}
