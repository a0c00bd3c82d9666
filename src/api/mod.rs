//! The gRPC surface: one file per service, the bearer-token checks, request
//! validation (wire → domain) and the single error → status mapping.

mod audit;
pub mod auth;
mod auth_layer;
mod changes;
pub(crate) mod changes_convert;
pub mod codec;
mod credentials_convert;
pub mod error;
pub(crate) mod field_mask;
mod framing;
mod inventory;
mod inventory_convert;
mod paging;
pub(crate) mod settings_convert;
mod settings_mappings;
mod settings_sections;
mod shipment_convert;
mod store_admin;
mod store_config;
mod sync;
mod sync_convert;
mod sync_reads;
mod sync_store_data;
pub mod sync_submit;
mod sync_values;
mod test_connection;
mod wsdl_import;

pub use auth::{AdminAuth, Caller, TokenStores};
pub use auth_layer::StoreTokenLayer;
pub use changes::ChangeApi;
pub use error::ApiError;
pub use framing::FramingErrorsLayer;
pub use inventory::InventoryApi;
pub use store_admin::StoreAdminApi;
pub use store_config::StoreConfigApi;
pub use sync::SyncApi;

/// Largest request StoreConfigService accepts (an uploaded WSDL, with room to spare).
pub const MAX_REQUEST_BYTES: usize = wsdl_import::MAX_WSDL_BYTES + 1024 * 1024;

/// The etag clients see for a settings version.
pub fn etag(version: i64) -> String {
    format!("v{version}")
}

/// Parses an etag back to its version; `None` when it is not one of ours.
pub fn parse_etag(etag: &str) -> Option<i64> {
    etag.strip_prefix('v')?.parse().ok().filter(|v| *v > 0)
}

/// Unix milliseconds as a protobuf timestamp.
pub(crate) fn timestamp(millis: i64) -> prost_types::Timestamp {
    prost_types::Timestamp {
        seconds: millis.div_euclid(1000),
        nanos: i32::try_from(millis.rem_euclid(1000) * 1_000_000).unwrap_or(0),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn etags_round_trip() {
        assert_eq!(super::parse_etag(&super::etag(7)), Some(7));
        for bad in ["", "7", "v", "v-1", "v0", "vx"] {
            assert_eq!(super::parse_etag(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn timestamps_split_millis() {
        let t = super::timestamp(1_700_000_000_123);
        assert_eq!((t.seconds, t.nanos), (1_700_000_000, 123_000_000));
    }
}
