//! `ImportWsdl`: an uploaded WSDL's endpoint and version become the store's
//! connection settings, validated like any other settings change.

use crate::pb::{self, ConnectionSettings, ImportWsdlRequest, ImportWsdlResponse, StoreSettings};
use crate::salesforce::wsdl::{self, WsdlFlavor};
use crate::storage::Actor;

use super::store_config::{StoreConfigApi, merge_settings};
use super::{ApiError, etag, parse_etag};

/// Largest WSDL accepted (Enterprise WSDLs of big orgs run to several MiB).
pub const MAX_WSDL_BYTES: usize = 16 * 1024 * 1024;

impl StoreConfigApi {
    pub(super) async fn run_import_wsdl(
        &self,
        request: ImportWsdlRequest,
        actor: Actor,
    ) -> Result<ImportWsdlResponse, ApiError> {
        let code = request.store_code;
        if request.wsdl.len() > MAX_WSDL_BYTES {
            return Err(ApiError::invalid("wsdl", format!("must be at most {MAX_WSDL_BYTES} bytes")));
        }
        let info = wsdl::parse(&request.wsdl).map_err(|reason| ApiError::invalid("wsdl", reason))?;
        let current = self.storage.get_settings(&code).await?;
        let mut response = ImportWsdlResponse {
            flavor: match info.flavor {
                WsdlFlavor::Partner => pb::WsdlFlavor::Partner,
                WsdlFlavor::Enterprise => pb::WsdlFlavor::Enterprise,
            } as i32,
            login_url: info.login_url.clone(),
            api_version: info.api_version.clone(),
            objects: info
                .objects
                .iter()
                .map(|(name, fields)| pb::WsdlObject { name: name.clone(), fields: fields.clone() })
                .collect(),
            applied: false,
            etag: etag(current.version),
        };
        if !request.apply {
            return Ok(response);
        }
        let expected = parse_etag(&request.etag)
            .ok_or_else(|| ApiError::invalid("etag", "is required with apply: pass the etag from GetStoreConfig"))?;
        let changes = StoreSettings {
            connection: Some(ConnectionSettings {
                login_url: info.login_url,
                api_version: info.api_version,
                ..Default::default()
            }),
            ..Default::default()
        };
        let mask = ["connection.login_url".to_owned(), "connection.api_version".to_owned()];
        let (settings, paths) = merge_settings(&current.settings, &changes, Some(&mask))?;
        let saved = self.storage.update_settings(&code, expected, &settings, &actor, &paths).await?;
        tracing::info!(store = %code, actor = %actor, objects = response.objects.len(), "WSDL imported");
        response.applied = true;
        response.etag = etag(saved.version);
        Ok(response)
    }
}
