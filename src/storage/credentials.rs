//! Sealed Salesforce credentials. Values go in sealed and are only ever read
//! back by the code that logs in; the API sees which ones are set, and when.

use super::audit::{self, Actor, Note};
use super::lookups::store_id_in;
use super::{Storage, StorageError, Tx, now_millis, with_pool, with_tx};

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

#[derive(sqlx::FromRow)]
struct CredentialRow {
    kind: String,
    sealed: Vec<u8>,
    updated_at: i64,
}

/// Writes each `(kind, Some(sealed))` and clears each `(kind, None)` of the
/// store `store_id`, in `tx`.
pub(super) async fn write(
    tx: &mut Tx<'_>,
    store_id: i64,
    changes: &[(CredentialKind, Option<Vec<u8>>)],
    now: i64,
) -> Result<(), sqlx::Error> {
    const UPSERT: &str = "INSERT INTO store_credentials (store_id, kind, sealed, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (store_id, kind) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at";
    const DELETE: &str = "DELETE FROM store_credentials WHERE store_id = $1 AND kind = $2";
    for (kind, sealed) in changes {
        with_tx!(tx, |conn| {
            let query = match sealed {
                Some(sealed) => sqlx::query(UPSERT).bind(store_id).bind(kind.as_str()).bind(sealed).bind(now),
                None => sqlx::query(DELETE).bind(store_id).bind(kind.as_str()),
            };
            query.execute(conn).await?;
        });
    }
    Ok(())
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
        let mut tx = self.begin_write().await?;
        let store_id = store_id_in(&mut tx, code).await?.ok_or_else(|| StorageError::StoreNotFound(code.to_owned()))?;
        write(&mut tx, store_id, changes, now).await?;
        audit::config_changed(&mut tx, code, Note { actor, action: "set_credentials", fields: &kinds }, now).await?;
        tx.commit().await?;
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
        let rows: Vec<CredentialRow> = with_pool!(self, |pool| sqlx::query_as(SQL).bind(code).fetch_all(pool).await?);
        let mut found: Vec<_> = rows
            .into_iter()
            .map(|row| {
                CredentialKind::from_str(&row.kind)
                    .map(|kind| (kind, row.sealed, row.updated_at))
                    .ok_or_else(|| StorageError::Corrupt(format!("unknown credential kind {:?}", row.kind)))
            })
            .collect::<Result<_, _>>()?;
        found.sort_by_key(|(kind, _, _)| *kind);
        Ok(found)
    }
}
