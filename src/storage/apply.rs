//! Test Connection's "apply": new settings and credentials saved together, in
//! one transaction, only if the settings are still at the version tested.

use crate::domain::settings::StoreSettings;

use super::audit::{self, Actor};
use super::credentials::{CredentialKind, DELETE_CREDENTIAL, UPSERT_CREDENTIAL};
use super::settings::{VersionedSettings, compare_and_swap};
use super::{Storage, StorageError, now_millis, write_tx};

impl Storage {
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
        let json = serde_json::to_string(settings).map_err(|e| StorageError::Corrupt(format!("settings: {e}")))?;
        let now = now_millis();
        let kinds = credentials.iter().map(|(kind, _)| kind.as_str().to_owned());
        let fields: Vec<String> = changed_settings.iter().cloned().chain(kinds).collect();
        let saved: Option<i64> = write_tx!(self, |tx| {
            let row = compare_and_swap(&mut *tx, code, expected_version, &json, now).await?;
            let store: Option<(i64,)> = match row {
                Some(_) => {
                    sqlx::query_as("SELECT id FROM stores WHERE code = $1").bind(code).fetch_optional(&mut *tx).await?
                }
                None => None,
            };
            if let (Some(version), Some((store_id,))) = (row, store) {
                for (kind, sealed) in credentials {
                    let query = match sealed {
                        Some(sealed) => {
                            sqlx::query(UPSERT_CREDENTIAL).bind(store_id).bind(kind.as_str()).bind(sealed).bind(now)
                        }
                        None => sqlx::query(DELETE_CREDENTIAL).bind(store_id).bind(kind.as_str()),
                    };
                    query.execute(&mut *tx).await?;
                }
                audit::record(&mut *tx, code, actor, "test_connection_apply", &fields, now).await?;
                audit::end_sync_pause(&mut *tx, code).await?;
                Some(version)
            } else {
                None
            }
        });
        match saved {
            Some(version) => Ok(VersionedSettings { settings: settings.clone(), version, updated_at: now }),
            None => {
                let current = self.get_settings(code).await?.version;
                Err(StorageError::VersionConflict { expected: expected_version, current })
            }
        }
    }
}
