//! Credentials between the wire and the storage: kinds, statuses, and the
//! validation of submitted secrets (never echoed in errors).

use std::collections::HashSet;

use crate::domain::Violations;
use crate::pb;
use crate::storage::{CredentialKind, CredentialStatus};

use super::{ApiError, timestamp};

/// Longest secret accepted (a PEM private key fits easily).
const MAX_SECRET_BYTES: usize = 16 * 1024;

/// Every kind, set or not, with when it was set.
pub fn credentials_to_proto(statuses: Vec<CredentialStatus>) -> Vec<pb::CredentialStatus> {
    CredentialKind::ALL
        .into_iter()
        .map(|kind| {
            let set = statuses.iter().find(|status| status.kind == kind);
            pb::CredentialStatus {
                kind: kind_to_proto(kind) as i32,
                is_set: set.is_some(),
                update_time: set.map(|status| timestamp(status.updated_at)),
            }
        })
        .collect()
}

fn kind_to_proto(kind: CredentialKind) -> pb::CredentialKind {
    match kind {
        CredentialKind::Password => pb::CredentialKind::Password,
        CredentialKind::SecurityToken => pb::CredentialKind::SecurityToken,
        CredentialKind::ClientSecret => pb::CredentialKind::ClientSecret,
        CredentialKind::JwtPrivateKey => pb::CredentialKind::JwtPrivateKey,
    }
}

fn kind_from_proto(raw: i32) -> Result<CredentialKind, String> {
    match pb::CredentialKind::try_from(raw) {
        Ok(pb::CredentialKind::Password) => Ok(CredentialKind::Password),
        Ok(pb::CredentialKind::SecurityToken) => Ok(CredentialKind::SecurityToken),
        Ok(pb::CredentialKind::ClientSecret) => Ok(CredentialKind::ClientSecret),
        Ok(pb::CredentialKind::JwtPrivateKey) => Ok(CredentialKind::JwtPrivateKey),
        Ok(pb::CredentialKind::Unspecified) => Err("must name a credential kind".into()),
        Err(_) => Err(format!("unknown value {raw}")),
    }
}

/// Checks submitted secrets: each kind once, within size. `None` clears a secret.
pub fn parse_credentials(values: &[pb::CredentialValue]) -> Result<Vec<(CredentialKind, Option<String>)>, ApiError> {
    let mut v = Violations::default();
    let mut seen = HashSet::new();
    let mut parsed = Vec::with_capacity(values.len());
    for (i, credential) in values.iter().enumerate() {
        let field = |name: &str| format!("credentials[{i}].{name}");
        let Some(kind) = v.check(&field("kind"), kind_from_proto(credential.kind)) else { continue };
        if !seen.insert(kind) {
            v.add(&field("kind"), format!("{} is given twice", kind.as_str()));
        } else if credential.value.len() > MAX_SECRET_BYTES {
            v.add(&field("value"), format!("must be at most {MAX_SECRET_BYTES} bytes"));
        } else {
            parsed.push((kind, Some(credential.value.clone()).filter(|value| !value.is_empty())));
        }
    }
    v.finish(|| Some(parsed)).map_err(ApiError::InvalidArgument)
}
