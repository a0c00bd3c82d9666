//! Versioned store settings: every write names the version it read, so two
//! admins editing at once cannot silently overwrite each other.

use sqlx::{Database, Encode, Executor, FromRow, IntoArguments, Type};

use crate::domain::settings::StoreSettings;

use super::audit::{self, Actor};
use super::{Storage, StorageError, now_millis, with_pool, write_tx};

/// Compare-and-swap on the settings version: the new version, or `None`
/// when the settings moved on (or the store is gone).
pub(super) async fn compare_and_swap<'c, DB, E>(
    executor: E,
    code: &str,
    expected_version: i64,
    json: &str,
    now: i64,
) -> Result<Option<i64>, sqlx::Error>
where
    DB: Database,
    E: Executor<'c, Database = DB>,
    DB::Arguments: IntoArguments<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'r> (i64,): FromRow<'r, DB::Row>,
{
    const SQL: &str = "UPDATE stores SET settings = $3, settings_version = settings_version + 1, updated_at = $4 \
                       WHERE code = $1 AND settings_version = $2 RETURNING settings_version";
    let row: Option<(i64,)> = sqlx::query_as::<DB, (i64,)>(SQL)
        .bind(code.to_owned())
        .bind(expected_version)
        .bind(json.to_owned())
        .bind(now)
        .fetch_optional(executor)
        .await?;
    Ok(row.map(|(version,)| version))
}

/// Settings with the version (the API's etag) they were read at.
#[derive(Debug, Clone, PartialEq)]
pub struct VersionedSettings {
    pub settings: StoreSettings,
    pub version: i64,
    pub updated_at: i64,
}

fn decode(json: &str) -> Result<StoreSettings, StorageError> {
    serde_json::from_str(json).map_err(|e| StorageError::Corrupt(format!("settings: {e}")))
}

impl Storage {
    pub async fn get_settings(&self, code: &str) -> Result<VersionedSettings, StorageError> {
        const SQL: &str = "SELECT settings, settings_version, updated_at FROM stores WHERE code = $1";
        let row: Option<(String, i64, i64)> =
            with_pool!(self, |pool| sqlx::query_as(SQL).bind(code).fetch_optional(pool).await?);
        let (json, version, updated_at) = row.ok_or_else(|| StorageError::StoreNotFound(code.to_owned()))?;
        Ok(VersionedSettings { settings: decode(&json)?, version, updated_at })
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
        let json = serde_json::to_string(settings).map_err(|e| StorageError::Corrupt(format!("settings: {e}")))?;
        let now = now_millis();
        let updated: Option<i64> = write_tx!(self, |tx| {
            let version = compare_and_swap(&mut *tx, code, expected_version, &json, now).await?;
            if version.is_some() {
                audit::record(&mut *tx, code, actor, "update_settings", changed_fields, now).await?;
                audit::end_sync_pause(&mut *tx, code).await?;
            }
            version
        });
        match updated {
            Some(version) => Ok(VersionedSettings { settings: settings.clone(), version, updated_at: now }),
            None => {
                let current = self.get_settings(code).await?.version;
                Err(StorageError::VersionConflict { expected: expected_version, current })
            }
        }
    }
}
