//! Downloaded orders the store acknowledged with its own order number get
//! forcesync's key (the Order's external-id field), by Id; from then on the
//! store's events for that order (payment, status, shipment) update the same
//! Order. A stamp Salesforce refuses (the key is already another Order's)
//! is kept with its error and tried again on later runs; a transient failure
//! stops the run.

use reqwest::Method;
use serde_json::json;

use crate::domain::lifecycle::keys;
use crate::salesforce::client::Call;
use crate::salesforce::{Error, ErrorClass};

use super::super::connections::StoreConnection;
use super::super::failures::storage_error;
use super::Engine;

/// Stamps made per run at most.
const STAMPS_PER_RUN: i64 = 200;

/// Returns the orders stamped and the requests made.
pub(super) async fn run(engine: &Engine, connection: &StoreConnection) -> Result<(usize, u64), Error> {
    let storage = &engine.shared.storage;
    let acked = storage.acked_downloads(connection.store_id, STAMPS_PER_RUN).await.map_err(storage_error)?;
    let field = connection.settings.external_id_fields.field_for("Order");
    let (mut stamped, mut requests) = (0, 0);
    for download in acked {
        let key = keys::order_key(&connection.code, &download.store_order_id);
        let call =
            Call::write(Method::PATCH, format!("sobjects/Order/{}", download.sf_id), json!({ field: key }), true);
        requests += 1;
        match connection.client.send(&call).await {
            Ok(_) => {
                storage.mark_stamped(connection.store_id, &download.sf_id, &key).await.map_err(storage_error)?;
                tracing::info!(store = %connection.code, order = %download.sf_id, "downloaded order stamped with forcesync's key");
                stamped += 1;
            }
            Err(error) if matches!(error.class, ErrorClass::Data | ErrorClass::Config | ErrorClass::Permission) => {
                tracing::warn!(store = %connection.code, order = %download.sf_id, %error, "could not stamp a downloaded order");
                storage
                    .stamp_failed(connection.store_id, &download.sf_id, &error.to_string())
                    .await
                    .map_err(storage_error)?;
            }
            Err(error) => return Err(error),
        }
    }
    Ok((stamped, requests))
}
