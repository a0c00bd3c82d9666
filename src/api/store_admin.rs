//! `forcesync.v1.StoreAdminService`: the operator's store management. The
//! admin token is checked by `AdminAuth` before any of these run.

use tonic::{Request, Response, Status};

use crate::domain::Violations;
use crate::domain::settings::StoreSettings;
use crate::domain::store::{DisplayName, StoreCode};
use crate::pb::store_admin_service_server::StoreAdminService;
use crate::pb::{self, CreateStoreRequest, CreateStoreResponse, DeleteStoreRequest, DeleteStoreResponse};
use crate::pb::{GetStoreRequest, GetStoreResponse, ListStoresRequest, ListStoresResponse};
use crate::pb::{RotateStoreTokenRequest, RotateStoreTokenResponse};
use crate::storage::{Actor, Storage, StoreRecord};

use super::{ApiError, etag, paging, timestamp};

#[derive(Debug, Clone)]
pub struct StoreAdminApi {
    storage: Storage,
}

impl StoreAdminApi {
    pub fn new(storage: Storage) -> Self {
        Self { storage }
    }
}

pub(crate) fn store_to_proto(record: StoreRecord) -> pb::Store {
    pb::Store {
        code: record.code,
        display_name: record.display_name,
        create_time: Some(timestamp(record.created_at)),
        update_time: Some(timestamp(record.updated_at)),
        token_id: record.token_id.unwrap_or_default(),
        settings_etag: etag(record.settings_version),
    }
}

/// Checks a store code from a request field named `field`.
pub(crate) fn store_code(field: &str, raw: &str) -> Result<StoreCode, ApiError> {
    StoreCode::parse(raw).map_err(|reason| ApiError::invalid(field, reason))
}

#[tonic::async_trait]
impl StoreAdminService for StoreAdminApi {
    async fn create_store(
        &self,
        request: Request<CreateStoreRequest>,
    ) -> Result<Response<CreateStoreResponse>, Status> {
        let request = request.into_inner();
        let mut v = Violations::default();
        let code = v.check("code", StoreCode::parse(&request.code));
        let name = v.check("display_name", DisplayName::parse(&request.display_name));
        let (code, name) = v.finish(|| Some((code?, name?))).map_err(ApiError::InvalidArgument)?;
        let (record, issued) =
            self.storage.create_store(code.as_str(), name.as_str(), &StoreSettings::default(), &Actor::Admin).await?;
        tracing::info!(store = %code, token_id = %issued.token_id, "store created");
        Ok(Response::new(CreateStoreResponse {
            store: Some(store_to_proto(record)),
            store_token: issued.token.expose().to_owned(),
        }))
    }

    async fn get_store(&self, request: Request<GetStoreRequest>) -> Result<Response<GetStoreResponse>, Status> {
        let code = store_code("code", &request.get_ref().code)?;
        let record = self.storage.get_store(code.as_str()).await?;
        Ok(Response::new(GetStoreResponse { store: Some(store_to_proto(record)) }))
    }

    async fn list_stores(&self, request: Request<ListStoresRequest>) -> Result<Response<ListStoresResponse>, Status> {
        let request = request.into_inner();
        let size = paging::page_size(request.page_size)?;
        let after = paging::decode_token(&request.page_token)?;
        // One extra row tells whether another page follows.
        let mut records = self.storage.list_stores(&after, size + 1).await?;
        let more = records.len() > usize::try_from(size).unwrap_or(usize::MAX);
        records.truncate(usize::try_from(size).unwrap_or(usize::MAX));
        let next_page_token = match records.last() {
            Some(last) if more => paging::encode_token(&last.code),
            _ => String::new(),
        };
        Ok(Response::new(ListStoresResponse {
            stores: records.into_iter().map(store_to_proto).collect(),
            next_page_token,
        }))
    }

    async fn delete_store(
        &self,
        request: Request<DeleteStoreRequest>,
    ) -> Result<Response<DeleteStoreResponse>, Status> {
        let code = store_code("code", &request.get_ref().code)?;
        self.storage.delete_store(code.as_str(), &Actor::Admin).await?;
        tracing::info!(store = %code, "store deleted");
        Ok(Response::new(DeleteStoreResponse {}))
    }

    async fn list_audit_entries(
        &self,
        request: Request<pb::ListAuditEntriesRequest>,
    ) -> Result<Response<pb::ListAuditEntriesResponse>, Status> {
        let request = request.into_inner();
        let code = store_code("store_code", &request.store_code)?;
        let (entries, next_page_token) =
            super::audit::page(&self.storage, code.as_str(), request.page_size, &request.page_token).await?;
        Ok(Response::new(pb::ListAuditEntriesResponse { entries, next_page_token }))
    }

    async fn rotate_store_token(
        &self,
        request: Request<RotateStoreTokenRequest>,
    ) -> Result<Response<RotateStoreTokenResponse>, Status> {
        let code = store_code("code", &request.get_ref().code)?;
        let (record, issued) = self.storage.rotate_store_token(code.as_str(), &Actor::Admin).await?;
        tracing::info!(store = %code, token_id = %issued.token_id, "store token rotated");
        Ok(Response::new(RotateStoreTokenResponse {
            store: Some(store_to_proto(record)),
            store_token: issued.token.expose().to_owned(),
        }))
    }
}
