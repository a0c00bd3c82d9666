//! Sealed Salesforce credentials. Values go in sealed and are only ever read
//! back by the code that logs in; the API sees which ones are set, and when.

use super::audit::{self, Actor};
use super::{Storage, StorageError, now_millis, with_pool, write_tx};

pub(super) const UPSERT_CREDENTIAL: &str = "INSERT INTO store_credentials (store_id, kind, sealed, updated_at) \
     VALUES ($1, $2, $3, $4) ON CONFLICT (store_id, kind) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at";
pub(super) const DELETE_CREDENTIAL: &str = "DELETE FROM store_credentials WHERE store_id = $1 AND kind = $2";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CredentialKind {
    Password,
    SecurityToken,
    ClientSecret,
    JwtPrivateKey,
}

impl CredentialKind {
    pub const ALL: [CredentialKind; 4] = [Self::Password, Self::SecurityToken, Self::ClientSecret, Self::JwtPrivateKey];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Password => "password",
            Self::SecurityToken => "security_token",
            Self::ClientSecret => "client_secret",
            Self::JwtPrivateKey => "jwt_private_key",
        }
    }

    fn from_str(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == raw)
    }

    /// The associated data a secret of this kind is sealed with.
    pub fn seal_context(self, store_code: &str) -> String {
        format!("forcesync:{store_code}:{}", self.as_str())
    }
}

/// A secret that is set, and when it was last written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialStatus {
    pub kind: CredentialKind,
    pub updated_at: i64,
}

impl Storage {
    /// Writes each `(kind, Some(sealed))` and clears each `(kind, None)`, with
    /// an audit row naming the kinds, in one transaction.
    pub async fn set_credentials(
        &self,
        code: &str,
        changes: &[(CredentialKind, Option<Vec<u8>>)],
        actor: &Actor,
    ) -> Result<Vec<CredentialStatus>, StorageError> {
        let now = now_millis();
        let kinds: Vec<String> = changes.iter().map(|(kind, _)| kind.as_str().to_owned()).collect();
        let found: bool = write_tx!(self, |tx| {
            let store: Option<(i64,)> =
                sqlx::query_as("SELECT id FROM stores WHERE code = $1").bind(code).fetch_optional(&mut *tx).await?;
            if let Some((store_id,)) = store {
                for (kind, sealed) in changes {
                    let query = match sealed {
                        Some(sealed) => {
                            sqlx::query(UPSERT_CREDENTIAL).bind(store_id).bind(kind.as_str()).bind(sealed).bind(now)
                        }
                        None => sqlx::query(DELETE_CREDENTIAL).bind(store_id).bind(kind.as_str()),
                    };
                    query.execute(&mut *tx).await?;
                }
                audit::record(&mut *tx, code, actor, "set_credentials", &kinds, now).await?;
                audit::end_sync_pause(&mut *tx, code).await?;
            }
            store.is_some()
        });
        if !found {
            return Err(StorageError::StoreNotFound(code.to_owned()));
        }
        self.credential_status(code).await
    }

    /// The secrets that are set for the store (no values).
    pub async fn credential_status(&self, code: &str) -> Result<Vec<CredentialStatus>, StorageError> {
        Ok(self
            .sealed_credentials(code)
            .await?
            .into_iter()
            .map(|(kind, _, updated_at)| CredentialStatus { kind, updated_at })
            .collect())
    }

    /// Every sealed secret of the store, for the code that logs in.
    pub async fn sealed_credentials(&self, code: &str) -> Result<Vec<(CredentialKind, Vec<u8>, i64)>, StorageError> {
        const SQL: &str = "SELECT c.kind, c.sealed, c.updated_at FROM store_credentials c \
                           JOIN stores s ON s.id = c.store_id WHERE s.code = $1 ORDER BY c.kind";
        let rows: Vec<(String, Vec<u8>, i64)> =
            with_pool!(self, |pool| sqlx::query_as(SQL).bind(code).fetch_all(pool).await?);
        let mut found: Vec<_> = rows
            .into_iter()
            .map(|(kind, sealed, at)| {
                CredentialKind::from_str(&kind)
                    .map(|kind| (kind, sealed, at))
                    .ok_or_else(|| StorageError::Corrupt(format!("unknown credential kind {kind:?}")))
            })
            .collect::<Result<_, _>>()?;
        found.sort_by_key(|(kind, _, _)| *kind);
        Ok(found)
    }
}
