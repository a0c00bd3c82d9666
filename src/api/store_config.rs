//! `forcesync.v1.StoreConfigService`: a store reads and changes its own
//! settings and sets its Salesforce credentials (write-only).

use std::collections::HashSet;

use tonic::{Request, Response, Status};

use crate::domain::Violations;
use crate::pb::store_config_service_server::StoreConfigService;
use crate::pb::{self, GetStoreConfigRequest, GetStoreConfigResponse, SetCredentialsRequest, SetCredentialsResponse};
use crate::pb::{UpdateStoreConfigRequest, UpdateStoreConfigResponse};
use crate::storage::{CredentialKind, CredentialStatus, Sealer, Storage};

use super::store_admin::store_code;
use super::{ApiError, StoreAuth, etag, field_mask, parse_etag, settings_convert, timestamp};

/// Longest secret accepted (a PEM private key fits easily).
const MAX_SECRET_BYTES: usize = 16 * 1024;

#[derive(Debug, Clone)]
pub struct StoreConfig {
    storage: Storage,
    auth: StoreAuth,
    sealer: Sealer,
}

impl StoreConfig {
    pub fn new(storage: Storage, sealer: Sealer) -> Self {
        Self { auth: StoreAuth::new(storage.clone()), storage, sealer }
    }
}

fn credentials_to_proto(statuses: Vec<CredentialStatus>) -> Vec<pb::CredentialStatus> {
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

#[tonic::async_trait]
impl StoreConfigService for StoreConfig {
    async fn get_store_config(
        &self,
        request: Request<GetStoreConfigRequest>,
    ) -> Result<Response<GetStoreConfigResponse>, Status> {
        let code = &request.get_ref().store_code;
        self.auth.authorize(request.metadata(), code).await?;
        let current = self.storage.get_settings(code).await?;
        let credentials = self.storage.credential_status(code).await?;
        Ok(Response::new(GetStoreConfigResponse {
            settings: Some(settings_convert::to_proto(&current.settings)),
            etag: etag(current.version),
            credentials: credentials_to_proto(credentials),
            update_time: Some(timestamp(current.updated_at)),
        }))
    }

    async fn update_store_config(
        &self,
        request: Request<UpdateStoreConfigRequest>,
    ) -> Result<Response<UpdateStoreConfigResponse>, Status> {
        let actor = self.auth.authorize(request.metadata(), &request.get_ref().store_code).await?;
        let request = request.into_inner();
        let code = request.store_code;
        let Some(changes) = request.settings else {
            return Err(ApiError::invalid("settings", "is required").into());
        };
        let expected = parse_etag(&request.etag)
            .ok_or_else(|| ApiError::invalid("etag", "is required: pass the etag from GetStoreConfig"))?;
        let current = self.storage.get_settings(&code).await?;
        if current.version != expected {
            return Err(ApiError::EtagMismatch { expected: request.etag, current: etag(current.version) }.into());
        }
        let mut merged = settings_convert::to_proto(&current.settings);
        let mask = request.update_mask.map(|mask| mask.paths);
        let paths = field_mask::apply(mask.as_deref(), &changes, &mut merged, "update_mask")
            .map_err(ApiError::InvalidArgument)?;
        let mut v = Violations::with_prefix("settings.");
        let settings = settings_convert::from_proto(&merged, &mut v);
        let settings = v.finish(|| settings).map_err(ApiError::InvalidArgument)?;
        let saved = self.storage.update_settings(&code, expected, &settings, &actor, &paths).await?;
        tracing::info!(store = %code, actor = %actor, fields = ?paths, version = saved.version, "settings updated");
        Ok(Response::new(UpdateStoreConfigResponse {
            settings: Some(settings_convert::to_proto(&saved.settings)),
            etag: etag(saved.version),
            update_time: Some(timestamp(saved.updated_at)),
        }))
    }

    async fn set_credentials(
        &self,
        request: Request<SetCredentialsRequest>,
    ) -> Result<Response<SetCredentialsResponse>, Status> {
        let actor = self.auth.authorize(request.metadata(), &request.get_ref().store_code).await?;
        let request = request.into_inner();
        let code = store_code("store_code", &request.store_code)?;
        if request.credentials.is_empty() {
            return Err(ApiError::invalid("credentials", "name at least one credential to set or clear").into());
        }
        let mut v = Violations::default();
        let mut seen = HashSet::new();
        let mut changes = Vec::with_capacity(request.credentials.len());
        for (i, credential) in request.credentials.iter().enumerate() {
            let Some(kind) = v.check(&format!("credentials[{i}].kind"), kind_from_proto(credential.kind)) else {
                continue;
            };
            if !seen.insert(kind) {
                v.add(&format!("credentials[{i}].kind"), format!("{} is given twice", kind.as_str()));
            } else if credential.value.len() > MAX_SECRET_BYTES {
                v.add(&format!("credentials[{i}].value"), format!("must be at most {MAX_SECRET_BYTES} bytes"));
            } else if credential.value.is_empty() {
                changes.push((kind, None));
            } else {
                let sealed = self
                    .sealer
                    .seal(credential.value.as_bytes(), &kind.seal_context(code.as_str()))
                    .map_err(ApiError::from)?;
                changes.push((kind, Some(sealed)));
            }
        }
        v.finish(|| Some(())).map_err(ApiError::InvalidArgument)?;
        let statuses = self.storage.set_credentials(code.as_str(), &changes, &actor).await?;
        let kinds: Vec<&str> = changes.iter().map(|(kind, _)| kind.as_str()).collect();
        tracing::info!(store = %code, actor = %actor, credentials = ?kinds, "credentials changed");
        Ok(Response::new(SetCredentialsResponse { credentials: credentials_to_proto(statuses) }))
    }
}
