//! `forcesync.v1.StoreConfigService`: a store reads and changes its own
//! settings and sets its Salesforce credentials (write-only). Test Connection
//! and WSDL import live in their own files.

use tonic::{Request, Response, Status};

use crate::domain::Violations;
use crate::domain::settings::StoreSettings;
use crate::pb::store_config_service_server::StoreConfigService;
use crate::pb::{self, GetStoreConfigRequest, GetStoreConfigResponse, SetCredentialsRequest, SetCredentialsResponse};
use crate::pb::{
    ImportWsdlRequest, ImportWsdlResponse, TestConnectionRequest, TestConnectionResponse, UpdateStoreConfigRequest,
    UpdateStoreConfigResponse,
};
use crate::salesforce::retry::RetryPolicy;
use crate::storage::{Actor, CredentialKind, CredentialStatus, Sealer, Storage, VersionedSettings};

use super::auth::authorize;
use super::credentials_convert::{credentials_to_proto, parse_credentials};
use super::store_admin::store_code;
use super::{ApiError, etag, field_mask, parse_etag, settings_convert, timestamp};

#[derive(Debug, Clone)]
pub struct StoreConfigApi {
    pub(super) storage: Storage,
    pub(super) sealer: Sealer,
    /// For Test Connection's calls to Salesforce.
    pub(super) http: reqwest::Client,
    pub(super) retry: RetryPolicy,
}

impl StoreConfigApi {
    pub fn new(storage: Storage, sealer: Sealer, http: reqwest::Client, retry: RetryPolicy) -> Self {
        Self { storage, sealer, http, retry }
    }

    pub(super) fn seal(&self, code: &str, kind: CredentialKind, value: &str) -> Result<Vec<u8>, ApiError> {
        Ok(self.sealer.seal(value.as_bytes(), &kind.seal_context(code))?)
    }
}

impl StoreConfigApi {
    /// UpdateStoreConfig's work for any caller (the RPC, the web console):
    /// checks the etag, applies `changes` as `mask` says, validates with the
    /// same rules, saves and audits.
    pub(crate) async fn update_config(
        &self,
        code: &str,
        changes: &pb::StoreSettings,
        mask: Option<&[String]>,
        expected_etag: &str,
        actor: &Actor,
    ) -> Result<VersionedSettings, ApiError> {
        let expected = parse_etag(expected_etag)
            .ok_or_else(|| ApiError::invalid("etag", "is required: pass the etag from GetStoreConfig"))?;
        let current = self.storage.get_settings(code).await?;
        if current.version != expected {
            return Err(ApiError::EtagMismatch { expected: expected_etag.to_owned(), current: etag(current.version) });
        }
        let (settings, paths) = merge_settings(&current.settings, changes, mask)?;
        let saved = self.storage.update_settings(code, expected, &settings, actor, &paths).await?;
        tracing::info!(store = %code, actor = %actor, fields = ?paths, version = saved.version, "settings updated");
        Ok(saved)
    }
}

impl StoreConfigApi {
    /// SetCredentials' work for any caller (the RPC, the web console): checks
    /// the values, seals them and saves them (an empty value clears one).
    pub(crate) async fn set_credentials_for(
        &self,
        code: &str,
        values: &[pb::CredentialValue],
        actor: &Actor,
    ) -> Result<Vec<CredentialStatus>, ApiError> {
        let code = store_code("store_code", code)?;
        if values.is_empty() {
            return Err(ApiError::invalid("credentials", "name at least one credential to set or clear"));
        }
        let mut changes = Vec::new();
        for (kind, value) in parse_credentials(values)? {
            let sealed = match value {
                Some(value) => Some(self.seal(code.as_str(), kind, &value)?),
                None => None,
            };
            changes.push((kind, sealed));
        }
        let statuses = self.storage.set_credentials(code.as_str(), &changes, actor).await?;
        let kinds: Vec<&str> = changes.iter().map(|(kind, _)| kind.as_str()).collect();
        tracing::info!(store = %code, actor = %actor, credentials = ?kinds, "credentials changed");
        Ok(statuses)
    }
}

/// Every request names its store: an empty `store_code` is a missing field,
/// said before the token is matched against the store.
fn require_store_code(code: &str) -> Result<(), ApiError> {
    if code.trim().is_empty() {
        return Err(ApiError::invalid("store_code", "is required"));
    }
    Ok(())
}

/// The saved settings with `changes` applied as `mask` says, validated.
pub(super) fn merge_settings(
    current: &StoreSettings,
    changes: &pb::StoreSettings,
    mask: Option<&[String]>,
) -> Result<(StoreSettings, Vec<String>), ApiError> {
    let mut merged = settings_convert::to_proto(current);
    let paths = field_mask::apply(mask, changes, &mut merged, "update_mask").map_err(ApiError::InvalidArgument)?;
    let mut v = Violations::with_prefix("settings.");
    let settings = settings_convert::from_proto(&merged, &mut v);
    Ok((v.finish(|| settings).map_err(ApiError::InvalidArgument)?, paths))
}

#[tonic::async_trait]
impl StoreConfigService for StoreConfigApi {
    async fn list_config_audit(
        &self,
        request: Request<pb::ListConfigAuditRequest>,
    ) -> Result<Response<pb::ListConfigAuditResponse>, Status> {
        let code = &request.get_ref().store_code;
        require_store_code(code)?;
        authorize(&request, code)?;
        let page = super::audit::page(&self.storage, code, request.get_ref().page_size, &request.get_ref().page_token);
        let (entries, next_page_token) = page.await?;
        Ok(Response::new(pb::ListConfigAuditResponse { entries, next_page_token }))
    }

    async fn get_store_config(
        &self,
        request: Request<GetStoreConfigRequest>,
    ) -> Result<Response<GetStoreConfigResponse>, Status> {
        let code = &request.get_ref().store_code;
        require_store_code(code)?;
        authorize(&request, code)?;
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
        require_store_code(&request.get_ref().store_code)?;
        let actor = authorize(&request, &request.get_ref().store_code)?;
        let request = request.into_inner();
        let code = request.store_code;
        let Some(changes) = request.settings else {
            return Err(ApiError::invalid("settings", "is required").into());
        };
        let mask = request.update_mask.map(|mask| mask.paths);
        let saved = self.update_config(&code, &changes, mask.as_deref(), &request.etag, &actor).await?;
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
        require_store_code(&request.get_ref().store_code)?;
        let actor = authorize(&request, &request.get_ref().store_code)?;
        let request = request.into_inner();
        let statuses = self.set_credentials_for(&request.store_code, &request.credentials, &actor).await?;
        Ok(Response::new(SetCredentialsResponse { credentials: credentials_to_proto(statuses) }))
    }

    async fn test_connection(
        &self,
        request: Request<TestConnectionRequest>,
    ) -> Result<Response<TestConnectionResponse>, Status> {
        require_store_code(&request.get_ref().store_code)?;
        let actor = authorize(&request, &request.get_ref().store_code)?;
        Ok(Response::new(self.run_test_connection(request.into_inner(), actor).await?))
    }

    async fn import_wsdl(&self, request: Request<ImportWsdlRequest>) -> Result<Response<ImportWsdlResponse>, Status> {
        require_store_code(&request.get_ref().store_code)?;
        let actor = authorize(&request, &request.get_ref().store_code)?;
        Ok(Response::new(self.run_import_wsdl(request.into_inner(), actor).await?))
    }
}
