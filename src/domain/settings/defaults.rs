//! The settings a new store starts with (DESIGN.md §2).

use super::*;

fn picklist(value: &'static str) -> PicklistValue {
    // The literals below are valid by construction; the unit test proves it.
    PicklistValue::parse(value).unwrap_or_else(|reason| unreachable!("default {value:?}: {reason}"))
}

fn api_name(value: &'static str) -> ApiName {
    ApiName::parse(value).unwrap_or_else(|reason| unreachable!("default {value:?}: {reason}"))
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            integration_mode: IntegrationMode::StoreToSalesforce,
            connection: Connection::default(),
            queue_mode: QueueMode::Standard,
            state_country_picklists: false,
            logging: Logging { enabled: true, database_logging: true, database_log_limit: 10_000 },
            create_order: CreateOrder::PaidOnly,
            create_opportunity: CreateOpportunity::EveryOrder,
            contact_roles: ContactRoles { enabled: true, role: picklist("Decision Maker") },
            abandoned_cart_stage: picklist("Prospecting"),
            draft_stage: picklist("Needs Analysis"),
            sales_cycle_days: SalesCycleDays(30),
            convert_opportunity: ConvertOpportunity { enabled: true, converted_stage: picklist("Closed Won") },
            invoice_date_as_close_date: false,
            order_status_map: vec![OrderStatusRule {
                store_status: "canceled".into(),
                order_status: Some(picklist("Cancelled")),
                opportunity_stage: Some(picklist("Closed Lost")),
            }],
            pricebook: Pricebook::Standard,
            shipment: Shipment::default(),
            inventory: Inventory {
                enabled: false,
                object: api_name("Product2"),
                quantity_field: api_name("Stock_Quantity__c"),
                match_field: api_name("ProductCode"),
                create_missing: false,
            },
            order_download: OrderDownload::default(),
            external_id_fields: ExternalIdFields::default(),
            field_mappings: Vec::new(),
            person_accounts: false,
            change_capture: ChangeCapture::default(),
        }
    }
}

impl Default for Connection {
    fn default() -> Self {
        Self {
            auth_method: AuthMethod::Password,
            login_url: LoginUrl::parse("https://login.salesforce.com")
                .unwrap_or_else(|reason| unreachable!("default login URL: {reason}")),
            api_version: ApiVersion::parse("64.0").unwrap_or_else(|reason| unreachable!("default version: {reason}")),
            username: String::new(),
            client_id: String::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_match_the_design() {
        let s = StoreSettings::default();
        assert_eq!(s.sales_cycle_days.days(), 30);
        assert_eq!(s.contact_roles.role.as_str(), "Decision Maker");
        assert_eq!(s.convert_opportunity.converted_stage.as_str(), "Closed Won");
        assert_eq!(s.create_order, CreateOrder::PaidOnly);
        assert_eq!(s.connection.api_version.to_string(), "64.0");
        assert!(check_cross_field_rules(&s).is_empty());
    }

    #[test]
    fn settings_round_trip_through_json() {
        let s = StoreSettings::default();
        let json = serde_json::to_string(&s).expect("serialize");
        assert_eq!(serde_json::from_str::<StoreSettings>(&json).expect("deserialize"), s);
    }

    #[test]
    fn stored_json_is_validated_on_read() {
        let mut json = serde_json::to_value(StoreSettings::default()).expect("serialize");
        json["sales_cycle_days"] = 0.into();
        assert!(serde_json::from_value::<StoreSettings>(json).is_err());
    }

    #[test]
    fn settings_saved_before_change_capture_read_its_defaults() {
        let mut json = serde_json::to_value(StoreSettings::default()).expect("serialize");
        json.as_object_mut().expect("object").remove("change_capture");
        let read = serde_json::from_value::<StoreSettings>(json).expect("deserialize");
        assert_eq!(read.change_capture, ChangeCapture::default());
    }
}
