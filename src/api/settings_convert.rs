//! `StoreSettings` between its wire form and the validated domain type. Reading
//! from the wire checks every field and reports every violation at once.

use chrono::NaiveDate;

use crate::domain::Violations;
use crate::domain::settings::{
    self as s, ApiName, ApiVersion, LoginUrl, PicklistValue, Pricebook, SalesCycleDays, StoreSettings,
};
use crate::pb;

use super::settings_sections as sections;

/// Domain → wire.
pub fn to_proto(d: &StoreSettings) -> pb::StoreSettings {
    let name = |n: &Option<ApiName>| n.as_ref().map(ToString::to_string).unwrap_or_default();
    let value = |v: &Option<PicklistValue>| v.as_ref().map(ToString::to_string).unwrap_or_default();
    pb::StoreSettings {
        integration_mode: match d.integration_mode {
            s::IntegrationMode::StoreToSalesforce => pb::IntegrationMode::StoreToSalesforce,
            s::IntegrationMode::Bidirectional => pb::IntegrationMode::Bidirectional,
        } as i32,
        connection: Some(pb::ConnectionSettings {
            auth_method: match d.connection.auth_method {
                s::AuthMethod::Password => pb::AuthMethod::Password,
                s::AuthMethod::OAuthClientCredentials => pb::AuthMethod::OauthClientCredentials,
                s::AuthMethod::OAuthJwtBearer => pb::AuthMethod::OauthJwtBearer,
            } as i32,
            login_url: d.connection.login_url.to_string(),
            api_version: d.connection.api_version.to_string(),
            username: d.connection.username.clone(),
            client_id: d.connection.client_id.clone(),
        }),
        queue_mode: match d.queue_mode {
            s::QueueMode::Standard => pb::QueueMode::Standard,
            s::QueueMode::RabbitMq => pb::QueueMode::Rabbitmq,
        } as i32,
        state_country_picklists: d.state_country_picklists,
        logging: Some(pb::LoggingSettings {
            enabled: d.logging.enabled,
            database_logging: d.logging.database_logging,
            database_log_limit: i32::try_from(d.logging.database_log_limit).unwrap_or(i32::MAX),
        }),
        create_order: match d.create_order {
            s::CreateOrder::PaidOnly => pb::CreateOrderMode::PaidOnly,
            s::CreateOrder::EveryOrder => pb::CreateOrderMode::EveryOrder,
            s::CreateOrder::Never => pb::CreateOrderMode::Never,
        } as i32,
        create_opportunity: match d.create_opportunity {
            s::CreateOpportunity::EveryOrder => pb::CreateOpportunityMode::EveryOrder,
            s::CreateOpportunity::Never => pb::CreateOpportunityMode::Never,
        } as i32,
        contact_roles: Some(pb::ContactRoleSettings {
            enabled: d.contact_roles.enabled,
            role: d.contact_roles.role.to_string(),
        }),
        abandoned_cart_stage: d.abandoned_cart_stage.to_string(),
        draft_stage: d.draft_stage.to_string(),
        sales_cycle_days: i32::from(d.sales_cycle_days.days()),
        convert_opportunity: Some(pb::ConvertOpportunitySettings {
            enabled: d.convert_opportunity.enabled,
            converted_stage: d.convert_opportunity.converted_stage.to_string(),
        }),
        invoice_date_as_close_date: d.invoice_date_as_close_date,
        order_status_map: d
            .order_status_map
            .iter()
            .map(|rule| pb::OrderStatusMapping {
                store_status: rule.store_status.clone(),
                order_status: value(&rule.order_status),
                opportunity_stage: value(&rule.opportunity_stage),
            })
            .collect(),
        pricebook: match &d.pricebook {
            Pricebook::Standard => String::new(),
            Pricebook::Id(id) | Pricebook::Name(id) => id.clone(),
        },
        shipment: Some(pb::ShipmentSettings {
            tracking_number_field: name(&d.shipment.tracking_number_field),
            carrier_field: name(&d.shipment.carrier_field),
            ship_date_field: name(&d.shipment.ship_date_field),
            shipped_status: value(&d.shipment.shipped_status),
        }),
        inventory: Some(pb::InventorySettings {
            enabled: d.inventory.enabled,
            object: d.inventory.object.to_string(),
            quantity_field: d.inventory.quantity_field.to_string(),
            match_field: d.inventory.match_field.to_string(),
            create_missing: d.inventory.create_missing,
        }),
        order_download: Some(pb::OrderDownloadSettings {
            enabled: d.order_download.enabled,
            soql_filter: d.order_download.soql_filter.clone(),
            start_date: d.order_download.start_date.map(|date| date.to_string()).unwrap_or_default(),
        }),
        external_id_fields: d
            .external_id_fields
            .entries()
            .map(|(object, field)| (object.to_owned(), field.to_owned()))
            .collect(),
        field_mappings: d.field_mappings.iter().map(super::settings_mappings::to_proto).collect(),
        person_accounts: d.person_accounts,
        change_capture: Some(sections::change_capture_to_proto(&d.change_capture)),
    }
}

/// Wire → domain. Violations are reported under `v`'s prefix with the
/// field's path (`connection.login_url`, `order_status_map[1].store_status`).
/// An `*_UNSPECIFIED` enum or an absent sub-message takes its default.
pub fn from_proto(p: &pb::StoreSettings, v: &mut Violations) -> Option<StoreSettings> {
    let defaults = StoreSettings::default();
    let connection = connection(p.connection.as_ref(), &defaults.connection, v);
    let logging = p.logging.as_ref().map_or(Some(defaults.logging.clone()), |l| {
        let limit = v.check(
            "logging.database_log_limit",
            u32::try_from(l.database_log_limit).map_err(|_| format!("must be 0 or more, got {}", l.database_log_limit)),
        );
        limit.map(|limit| s::Logging {
            enabled: l.enabled,
            database_logging: l.database_logging,
            database_log_limit: limit,
        })
    });
    let contact_roles = p.contact_roles.as_ref().map_or(Some(defaults.contact_roles.clone()), |c| {
        let role = v.check("contact_roles.role", PicklistValue::parse(&c.role));
        role.map(|role| s::ContactRoles { enabled: c.enabled, role })
    });
    let convert = p.convert_opportunity.as_ref().map_or(Some(defaults.convert_opportunity.clone()), |c| {
        let stage = v.check("convert_opportunity.converted_stage", PicklistValue::parse(&c.converted_stage));
        stage.map(|converted_stage| s::ConvertOpportunity { enabled: c.enabled, converted_stage })
    });
    // Every field is checked before any is combined, so that one response
    // reports every bad field.
    let integration_mode = enum_field(v, "integration_mode", p.integration_mode, |m| match m {
        pb::IntegrationMode::Unspecified => defaults.integration_mode,
        pb::IntegrationMode::StoreToSalesforce => s::IntegrationMode::StoreToSalesforce,
        pb::IntegrationMode::Bidirectional => s::IntegrationMode::Bidirectional,
    });
    let queue_mode = enum_field(v, "queue_mode", p.queue_mode, |m| match m {
        pb::QueueMode::Unspecified => defaults.queue_mode,
        pb::QueueMode::Standard => s::QueueMode::Standard,
        pb::QueueMode::Rabbitmq => s::QueueMode::RabbitMq,
    });
    let create_order = enum_field(v, "create_order", p.create_order, |m| match m {
        pb::CreateOrderMode::Unspecified => defaults.create_order,
        pb::CreateOrderMode::PaidOnly => s::CreateOrder::PaidOnly,
        pb::CreateOrderMode::EveryOrder => s::CreateOrder::EveryOrder,
        pb::CreateOrderMode::Never => s::CreateOrder::Never,
    });
    let create_opportunity = enum_field(v, "create_opportunity", p.create_opportunity, |m| match m {
        pb::CreateOpportunityMode::Unspecified => defaults.create_opportunity,
        pb::CreateOpportunityMode::EveryOrder => s::CreateOpportunity::EveryOrder,
        pb::CreateOpportunityMode::Never => s::CreateOpportunity::Never,
    });
    let abandoned_cart_stage = v.check("abandoned_cart_stage", PicklistValue::parse(&p.abandoned_cart_stage));
    let draft_stage = v.check("draft_stage", PicklistValue::parse(&p.draft_stage));
    let sales_cycle_days = v.check("sales_cycle_days", SalesCycleDays::parse(i64::from(p.sales_cycle_days)));
    let order_status_map = sections::status_map(&p.order_status_map, v);
    let pricebook = v.check("pricebook", s::parse_pricebook(&p.pricebook));
    let shipment = sections::shipment(p.shipment.as_ref(), v);
    let inventory = sections::inventory(p.inventory.as_ref(), &defaults.inventory, v);
    let order_download = sections::order_download(p.order_download.as_ref(), v);
    let external_id_fields = sections::external_id_fields(&p.external_id_fields, v);
    let field_mappings = super::settings_mappings::from_proto(&p.field_mappings, v);
    let change_capture = sections::change_capture(p.change_capture.as_ref(), v);
    let settings = StoreSettings {
        integration_mode: integration_mode?,
        connection: connection?,
        queue_mode: queue_mode?,
        state_country_picklists: p.state_country_picklists,
        logging: logging?,
        create_order: create_order?,
        create_opportunity: create_opportunity?,
        contact_roles: contact_roles?,
        abandoned_cart_stage: abandoned_cart_stage?,
        draft_stage: draft_stage?,
        sales_cycle_days: sales_cycle_days?,
        convert_opportunity: convert?,
        invoice_date_as_close_date: p.invoice_date_as_close_date,
        order_status_map: order_status_map?,
        pricebook: pricebook?,
        shipment: shipment?,
        inventory: inventory?,
        order_download: order_download?,
        external_id_fields: external_id_fields?,
        field_mappings: field_mappings?,
        person_accounts: p.person_accounts,
        change_capture: change_capture?,
    };
    for (field, reason) in s::check_cross_field_rules(&settings) {
        v.add(&field, reason);
    }
    v.is_empty().then_some(settings)
}

fn connection(
    p: Option<&pb::ConnectionSettings>,
    default: &s::Connection,
    v: &mut Violations,
) -> Option<s::Connection> {
    let Some(c) = p else { return Some(default.clone()) };
    let auth_method = enum_field(v, "connection.auth_method", c.auth_method, |m| match m {
        pb::AuthMethod::Unspecified => default.auth_method,
        pb::AuthMethod::Password => s::AuthMethod::Password,
        pb::AuthMethod::OauthClientCredentials => s::AuthMethod::OAuthClientCredentials,
        pb::AuthMethod::OauthJwtBearer => s::AuthMethod::OAuthJwtBearer,
    });
    let login_url = v.check("connection.login_url", LoginUrl::parse(&c.login_url));
    let api_version = v.check("connection.api_version", ApiVersion::parse(&c.api_version));
    let username = v.check("connection.username", sections::username(&c.username));
    let client_id = v.check("connection.client_id", sections::client_id(&c.client_id));
    Some(s::Connection {
        auth_method: auth_method?,
        login_url: login_url?,
        api_version: api_version?,
        username: username?,
        client_id: client_id?,
    })
}

/// Maps a wire enum number through `map`, or records an unknown value.
pub(super) fn enum_field<P: TryFrom<i32>, T>(
    v: &mut Violations,
    field: &str,
    raw: i32,
    map: impl FnOnce(P) -> T,
) -> Option<T> {
    v.check(field, P::try_from(raw).map(map).map_err(|_| format!("unknown value {raw}")))
}

/// `YYYY-MM-DD`, or empty for none.
pub(super) fn optional_date(raw: &str) -> Result<Option<NaiveDate>, String> {
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").map(Some).map_err(|_| format!("{raw:?} is not a date like 2026-01-31"))
}
