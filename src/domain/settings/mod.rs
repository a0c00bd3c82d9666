//! A store's settings (DESIGN.md §2) as validated domain types, with the
//! defaults a new store starts with. Stored as JSON; versioned by the storage.

mod change_capture;
mod external_ids;
mod field_mappings;
mod values;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use change_capture::{
    ALWAYS_READ_FIELDS, ChangeCapture, ConflictPolicy, DEFAULT_POLL_INTERVAL_SECS, MAX_WATCHED_FIELDS,
    POLL_INTERVAL_SECS, WatchedObject, WatchedSObject, check_rules as check_change_capture_rules, parse_poll_interval,
};
pub use external_ids::{ExternalIdFields, KEYED_OBJECTS};
pub use field_mappings::{
    FieldMapping, MAX_FIELD_MAPPINGS, MappedObject, MappingSource, Transform, check_rules as check_field_mapping_rules,
    constant as mapping_constant, date_format, source_path, truncate, value_map,
};
pub use values::{ApiName, ApiVersion, LoginUrl, PicklistValue};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoreSettings {
    pub integration_mode: IntegrationMode,
    pub connection: Connection,
    pub queue_mode: QueueMode,
    pub state_country_picklists: bool,
    pub logging: Logging,
    pub create_order: CreateOrder,
    pub create_opportunity: CreateOpportunity,
    pub contact_roles: ContactRoles,
    pub abandoned_cart_stage: PicklistValue,
    pub draft_stage: PicklistValue,
    pub sales_cycle_days: SalesCycleDays,
    pub convert_opportunity: ConvertOpportunity,
    pub invoice_date_as_close_date: bool,
    pub order_status_map: Vec<OrderStatusRule>,
    pub pricebook: Pricebook,
    pub shipment: Shipment,
    pub inventory: Inventory,
    pub order_download: OrderDownload,
    /// The external-id field of each object forcesync upserts (settings saved
    /// before this existed read as all defaults).
    #[serde(default)]
    pub external_id_fields: ExternalIdFields,
    /// The store's own field mappings, on top of the default mapping
    /// (settings saved before they existed have none).
    #[serde(default)]
    pub field_mappings: Vec<FieldMapping>,
    /// Customers without a company are written as Person Accounts (when the org has them).
    #[serde(default)]
    pub person_accounts: bool,
    /// What comes back from Salesforce in BIDIRECTIONAL mode (settings saved
    /// before it existed read as the defaults).
    #[serde(default)]
    pub change_capture: ChangeCapture,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum IntegrationMode {
    StoreToSalesforce,
    Bidirectional,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthMethod {
    Password,
    OAuthClientCredentials,
    OAuthJwtBearer,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connection {
    pub auth_method: AuthMethod,
    pub login_url: LoginUrl,
    pub api_version: ApiVersion,
    pub username: String,
    pub client_id: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum QueueMode {
    Standard,
    RabbitMq,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Logging {
    pub enabled: bool,
    pub database_logging: bool,
    /// Sync log rows kept in the database; older ones are trimmed.
    pub database_log_limit: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreateOrder {
    PaidOnly,
    EveryOrder,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CreateOpportunity {
    EveryOrder,
    Never,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactRoles {
    pub enabled: bool,
    pub role: PicklistValue,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvertOpportunity {
    pub enabled: bool,
    pub converted_stage: PicklistValue,
}

/// Days from an Opportunity's creation to its CloseDate: 1-3650.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct SalesCycleDays(u16);

impl SalesCycleDays {
    pub const MAX: i64 = 3650;

    pub fn parse(days: i64) -> Result<Self, String> {
        match u16::try_from(days) {
            Ok(d) if (1..=Self::MAX).contains(&days) => Ok(Self(d)),
            _ => Err(format!("must be between 1 and {} days, got {days}", Self::MAX)),
        }
    }

    pub fn days(self) -> u16 {
        self.0
    }
}

impl TryFrom<i64> for SalesCycleDays {
    type Error = String;
    fn try_from(days: i64) -> Result<Self, String> {
        Self::parse(days)
    }
}

impl From<SalesCycleDays> for i64 {
    fn from(days: SalesCycleDays) -> i64 {
        i64::from(days.0)
    }
}

/// A store order status and what it means in Salesforce.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderStatusRule {
    pub store_status: String,
    pub order_status: Option<PicklistValue>,
    pub opportunity_stage: Option<PicklistValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Pricebook {
    Standard,
    /// A Pricebook2 record Id (prefix `01s`).
    Id(String),
    Name(String),
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Shipment {
    pub tracking_number_field: Option<ApiName>,
    pub carrier_field: Option<ApiName>,
    pub ship_date_field: Option<ApiName>,
    pub shipped_status: Option<PicklistValue>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    pub enabled: bool,
    pub object: ApiName,
    pub quantity_field: ApiName,
    pub match_field: ApiName,
    pub create_missing: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderDownload {
    pub enabled: bool,
    /// A SOQL condition on Order, used as the WHERE clause.
    pub soql_filter: String,
    pub start_date: Option<NaiveDate>,
}

mod defaults;
mod rules;

pub use rules::{
    MAX_SOQL_FILTER_CHARS, MAX_STATUS_RULES, check_cross_field_rules, parse_pricebook, parse_store_status,
};
