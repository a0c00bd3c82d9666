//! Applies a `google.protobuf.FieldMask` to `StoreSettings` (AIP-134):
//! named paths are copied from the request, `*` replaces everything, and an
//! absent mask means "every field the request sets to a non-default value".

use crate::domain::FieldViolation;
use crate::pb::StoreSettings;

/// Copies the field at `path` from `src` into `dst`; false if the path is unknown.
fn copy(path: &str, src: &StoreSettings, dst: &mut StoreSettings) -> bool {
    macro_rules! fields {
        ($($field:ident),*) => {$(
            if path == stringify!($field) {
                dst.$field = src.$field.clone();
                return true;
            }
        )*};
    }
    macro_rules! nested {
        ($message:ident { $($field:ident),* }) => {$(
            if path == concat!(stringify!($message), ".", stringify!($field)) {
                let value = src.$message.as_ref().map(|m| m.$field.clone()).unwrap_or_default();
                dst.$message.get_or_insert_with(Default::default).$field = value;
                return true;
            }
        )*};
    }
    fields!(
        integration_mode,
        connection,
        queue_mode,
        state_country_picklists,
        logging,
        create_order,
        create_opportunity,
        contact_roles,
        abandoned_cart_stage,
        draft_stage,
        sales_cycle_days,
        convert_opportunity,
        invoice_date_as_close_date,
        order_status_map,
        pricebook,
        shipment,
        inventory,
        order_download,
        external_id_fields,
        field_mappings,
        person_accounts,
        change_capture
    );
    nested!(connection { auth_method, login_url, api_version, username, client_id });
    nested!(logging { enabled, database_logging, database_log_limit });
    nested!(contact_roles { enabled, role });
    nested!(convert_opportunity { enabled, converted_stage });
    nested!(shipment { tracking_number_field, carrier_field, ship_date_field, shipped_status });
    nested!(inventory { enabled, object, quantity_field, match_field, create_missing });
    nested!(order_download { enabled, soql_filter, start_date });
    nested!(change_capture { watched, poll_interval_seconds, conflict_policy });
    false
}

/// Every leaf path, in proto order: what an absent mask is checked against.
pub(crate) const LEAF_PATHS: &[&str] = &[
    "integration_mode",
    "connection.auth_method",
    "connection.login_url",
    "connection.api_version",
    "connection.username",
    "connection.client_id",
    "queue_mode",
    "state_country_picklists",
    "logging.enabled",
    "logging.database_logging",
    "logging.database_log_limit",
    "create_order",
    "create_opportunity",
    "contact_roles.enabled",
    "contact_roles.role",
    "abandoned_cart_stage",
    "draft_stage",
    "sales_cycle_days",
    "convert_opportunity.enabled",
    "convert_opportunity.converted_stage",
    "invoice_date_as_close_date",
    "order_status_map",
    "pricebook",
    "shipment.tracking_number_field",
    "shipment.carrier_field",
    "shipment.ship_date_field",
    "shipment.shipped_status",
    "inventory.enabled",
    "inventory.object",
    "inventory.quantity_field",
    "inventory.match_field",
    "inventory.create_missing",
    "order_download.enabled",
    "order_download.soql_filter",
    "order_download.start_date",
    "external_id_fields",
    "field_mappings",
    "person_accounts",
    "change_capture.watched",
    "change_capture.poll_interval_seconds",
    "change_capture.conflict_policy",
];

/// Whether `src` sets the field at `path` to something other than its zero value.
fn is_populated(path: &str, src: &StoreSettings) -> bool {
    let (mut with_value, mut with_zero) = (StoreSettings::default(), StoreSettings::default());
    copy(path, src, &mut with_value);
    copy(path, &StoreSettings::default(), &mut with_zero);
    with_value != with_zero
}

/// Merges `src` into `current` as the mask says; returns the paths applied.
/// Unknown paths are reported against `mask_field`.
pub fn apply(
    mask: Option<&[String]>,
    src: &StoreSettings,
    current: &mut StoreSettings,
    mask_field: &str,
) -> Result<Vec<String>, Vec<FieldViolation>> {
    let paths: Vec<String> = match mask {
        None => LEAF_PATHS.iter().filter(|path| is_populated(path, src)).map(|p| (*p).to_owned()).collect(),
        Some(paths) if paths.iter().any(|p| p == "*") => {
            if paths.len() > 1 {
                return Err(vec![FieldViolation::new(mask_field, "\"*\" cannot be combined with other paths")]);
            }
            *current = src.clone();
            return Ok(vec!["*".to_owned()]);
        }
        Some(paths) => paths.to_vec(),
    };
    let mut merged = current.clone();
    let unknown: Vec<FieldViolation> = paths
        .iter()
        .filter(|path| !copy(path, src, &mut merged))
        .map(|path| FieldViolation::new(mask_field, format!("unknown field path {path:?}")))
        .collect();
    if !unknown.is_empty() {
        return Err(unknown);
    }
    *current = merged;
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pb::{ConnectionSettings, ContactRoleSettings};

    fn current() -> StoreSettings {
        crate::api::settings_convert::to_proto(&Default::default())
    }

    #[test]
    fn named_paths_change_only_those_fields() {
        let mut target = current();
        let src = StoreSettings {
            sales_cycle_days: 45,
            draft_stage: "ignored".into(),
            connection: Some(ConnectionSettings {
                login_url: "https://test.salesforce.com".into(),
                ..Default::default()
            }),
            ..Default::default()
        };
        let paths = ["sales_cycle_days".to_owned(), "connection.login_url".to_owned()];
        assert_eq!(apply(Some(&paths), &src, &mut target, "update_mask"), Ok(paths.to_vec()));
        assert_eq!(target.sales_cycle_days, 45);
        assert_eq!(target.draft_stage, "Needs Analysis");
        let connection = target.connection.expect("connection");
        assert_eq!(connection.login_url, "https://test.salesforce.com");
        assert_eq!(connection.api_version, "64.0", "sibling fields are kept");
    }

    #[test]
    fn absent_mask_applies_populated_fields() {
        let mut target = current();
        let src = StoreSettings {
            contact_roles: Some(ContactRoleSettings { enabled: false, role: "Buyer".into() }),
            ..Default::default()
        };
        assert_eq!(apply(None, &src, &mut target, "update_mask"), Ok(vec!["contact_roles.role".to_owned()]));
        let roles = target.contact_roles.expect("roles");
        assert_eq!((roles.enabled, roles.role.as_str()), (true, "Buyer"));
    }

    #[test]
    fn star_replaces_and_unknown_paths_are_refused() {
        let mut target = current();
        assert!(apply(Some(&["*".to_owned()]), &StoreSettings::default(), &mut target, "m").is_ok());
        assert_eq!(target, StoreSettings::default());

        let mut target = current();
        let bad = ["draft_stage".to_owned(), "nope".to_owned(), "connection.password".to_owned()];
        let errors = apply(Some(&bad), &StoreSettings::default(), &mut target, "update_mask").expect_err("unknown");
        assert_eq!(errors.len(), 2);
        assert_eq!(target, current(), "nothing applied when a path is unknown");
        assert!(
            apply(Some(&["*".to_owned(), "pricebook".to_owned()]), &StoreSettings::default(), &mut target, "m")
                .is_err()
        );
    }

    #[test]
    fn every_leaf_path_is_known() {
        for path in LEAF_PATHS {
            assert!(copy(path, &StoreSettings::default(), &mut StoreSettings::default()), "{path}");
        }
    }
}
