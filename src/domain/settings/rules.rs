//! Rules that involve more than one setting, and parsers for composite values.

use std::collections::HashMap;

use super::{AuthMethod, IntegrationMode, Pricebook, StoreSettings};

/// Most order status rules a store may have.
pub const MAX_STATUS_RULES: usize = 200;
/// Longest order download filter accepted (a SOQL WHERE clause).
pub const MAX_SOQL_FILTER_CHARS: usize = 4000;

/// Violations of rules that span several settings, as (field path, reason);
/// paths are relative to `StoreSettings`.
pub fn check_cross_field_rules(s: &StoreSettings) -> Vec<(String, String)> {
    let mut found = Vec::new();
    if s.connection.auth_method == AuthMethod::Password
        && s.connection.api_version.major() > super::ApiVersion::LAST_WITH_SOAP_LOGIN
    {
        found.push((
            "connection.api_version".into(),
            format!(
                "SOAP login() does not exist in API {} and later: use {}.0 or lower, or an OAuth auth method",
                super::ApiVersion::LAST_WITH_SOAP_LOGIN + 1,
                super::ApiVersion::LAST_WITH_SOAP_LOGIN
            ),
        ));
    }
    if s.order_download.enabled && s.integration_mode != IntegrationMode::Bidirectional {
        found.push(("order_download.enabled".into(), "order download needs integration_mode BIDIRECTIONAL".into()));
    }
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for (index, rule) in s.order_status_map.iter().enumerate() {
        let key = rule.store_status.to_lowercase();
        if let Some(first) = first_seen.get(&key) {
            found.push((
                format!("order_status_map[{index}].store_status"),
                format!("store status {:?} is already mapped at order_status_map[{first}]", rule.store_status),
            ));
        } else {
            first_seen.insert(key, index);
        }
    }
    let key_field = |object: &str| s.external_id_fields.field_for(object).to_owned();
    found.extend(super::field_mappings::check_rules(&s.field_mappings, key_field));
    // Accepted in either integration mode: they only act in BIDIRECTIONAL.
    found.extend(super::change_capture::check_rules(&s.change_capture));
    found
}

/// Checks a store order status code such as `canceled` or `pending_payment`.
pub fn parse_store_status(raw: &str) -> Result<String, String> {
    if raw.is_empty() {
        Err("must not be empty".into())
    } else if raw.len() > 64 {
        Err("must be at most 64 characters".into())
    } else if !raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-')) {
        Err(format!("{raw:?} is not a store status code (letters, digits, '_' and '-')"))
    } else {
        Ok(raw.to_owned())
    }
}

/// Empty means the standard pricebook; a 15/18-character Id with the
/// Pricebook2 prefix `01s` is taken as an Id; anything else is a name.
pub fn parse_pricebook(raw: &str) -> Result<Pricebook, String> {
    let looks_like_id = (raw.len() == 15 || raw.len() == 18) && raw.chars().all(|c| c.is_ascii_alphanumeric());
    if raw.trim().is_empty() {
        Ok(Pricebook::Standard)
    } else if looks_like_id && raw.starts_with("01s") {
        Ok(Pricebook::Id(raw.to_owned()))
    } else if raw.chars().count() > 255 || raw != raw.trim() || raw.chars().any(char::is_control) {
        Err("must be a Pricebook2 Id (01s…) or a name of at most 255 characters without surrounding spaces".into())
    } else {
        Ok(Pricebook::Name(raw.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ApiVersion, OrderStatusRule, PicklistValue};
    use super::*;

    fn paths(s: &StoreSettings) -> Vec<String> {
        check_cross_field_rules(s).into_iter().map(|(path, _)| path).collect()
    }

    #[test]
    fn password_login_needs_a_version_with_soap_login() {
        let mut s = StoreSettings::default();
        s.connection.api_version = ApiVersion::parse("65.0").expect("valid");
        assert_eq!(paths(&s), ["connection.api_version"]);
        s.connection.auth_method = AuthMethod::OAuthClientCredentials;
        assert!(paths(&s).is_empty());
    }

    #[test]
    fn order_download_needs_bidirectional_mode() {
        let mut s = StoreSettings::default();
        s.order_download.enabled = true;
        assert_eq!(paths(&s), ["order_download.enabled"]);
        s.integration_mode = IntegrationMode::Bidirectional;
        assert!(paths(&s).is_empty());
    }

    #[test]
    fn change_capture_is_checked_in_either_mode() {
        let mut s = StoreSettings::default();
        s.change_capture.poll_interval_secs = 90;
        assert!(paths(&s).is_empty(), "accepted in store-to-Salesforce mode");
        s.change_capture.poll_interval_secs = 2;
        assert_eq!(paths(&s), ["change_capture.poll_interval_seconds"]);
        s.integration_mode = IntegrationMode::Bidirectional;
        assert_eq!(paths(&s), ["change_capture.poll_interval_seconds"]);
    }

    #[test]
    fn duplicate_store_statuses_are_named_by_index() {
        let mut s = StoreSettings::default();
        let rule = |status: &str| OrderStatusRule {
            store_status: status.into(),
            order_status: None,
            opportunity_stage: PicklistValue::parse("Closed Lost").ok(),
        };
        s.order_status_map = vec![rule("canceled"), rule("complete"), rule("Canceled")];
        assert_eq!(paths(&s), ["order_status_map[2].store_status"]);
    }

    #[test]
    fn pricebooks() {
        assert_eq!(parse_pricebook(""), Ok(Pricebook::Standard));
        assert_eq!(parse_pricebook("01s5e000000AbCdAAK"), Ok(Pricebook::Id("01s5e000000AbCdAAK".into())));
        assert_eq!(parse_pricebook("EU Prices"), Ok(Pricebook::Name("EU Prices".into())));
        assert!(parse_pricebook(" EU").is_err());
    }

    #[test]
    fn store_statuses() {
        assert!(parse_store_status("pending_payment").is_ok());
        assert!(parse_store_status("").is_err());
        assert!(parse_store_status("on hold").is_err());
    }
}
