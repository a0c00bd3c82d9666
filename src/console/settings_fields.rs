//! The settings the console's form edits: each one's `StoreSettings`
//! field-mask path, label, input and help, in page order. Every path
//! UpdateStoreConfig accepts is here; the lists are textareas with one
//! entry per line (`settings_lists`).

use Input::{Check, Lines, Number, Select, Text};

/// How a setting is entered.
#[derive(Debug, Clone, Copy)]
pub enum Input {
    Text,
    Number,
    Check,
    /// A list, one entry per line (a textarea).
    Lines,
    /// The enum's proto names with labels.
    Select(&'static [(&'static str, &'static str)]),
}

/// One editable setting.
#[derive(Debug)]
pub struct Field {
    pub path: &'static str,
    pub label: &'static str,
    pub input: Input,
    pub help: &'static str,
}

const fn f(path: &'static str, label: &'static str, input: Input, help: &'static str) -> Field {
    Field { path, label, input, help }
}

const MODES: &[(&str, &str)] = &[
    ("INTEGRATION_MODE_STORE_TO_SALESFORCE", "Store to Salesforce"),
    ("INTEGRATION_MODE_BIDIRECTIONAL", "Bidirectional"),
];
const AUTH: &[(&str, &str)] = &[
    ("AUTH_METHOD_PASSWORD", "Username, password and security token"),
    ("AUTH_METHOD_OAUTH_CLIENT_CREDENTIALS", "OAuth client credentials"),
    ("AUTH_METHOD_OAUTH_JWT_BEARER", "OAuth JWT bearer"),
];
const QUEUES: &[(&str, &str)] =
    &[("QUEUE_MODE_STANDARD", "Standard (database queue)"), ("QUEUE_MODE_RABBITMQ", "RabbitMQ")];
const ORDERS: &[(&str, &str)] = &[
    ("CREATE_ORDER_MODE_PAID_ONLY", "Paid orders only"),
    ("CREATE_ORDER_MODE_EVERY_ORDER", "Every order"),
    ("CREATE_ORDER_MODE_NEVER", "Never"),
];
const CONFLICTS: &[(&str, &str)] = &[
    ("CONFLICT_POLICY_UNSPECIFIED", "Default (latest wins)"),
    ("CONFLICT_POLICY_LATEST_WINS", "Latest change wins"),
    ("CONFLICT_POLICY_STORE_WINS", "Store wins"),
    ("CONFLICT_POLICY_SALESFORCE_WINS", "Salesforce wins"),
];
const OPPORTUNITIES: &[(&str, &str)] =
    &[("CREATE_OPPORTUNITY_MODE_EVERY_ORDER", "Every cart and order"), ("CREATE_OPPORTUNITY_MODE_NEVER", "Never")];

/// The form's sections, in page order.
pub const SECTIONS: &[(&str, &[Field])] = &[
    (
        "Connection",
        &[
            f("connection.auth_method", "Auth method", Select(AUTH), "Secrets are set with SetCredentials or the CLI."),
            f(
                "connection.login_url",
                "Login URL",
                Text,
                "https://login.salesforce.com, test.salesforce.com or My Domain.",
            ),
            f("connection.api_version", "API version", Text, "For example 62.0."),
            f("connection.username", "Username", Text, ""),
            f("connection.client_id", "OAuth client id", Text, "For the OAuth methods."),
        ],
    ),
    (
        "Sync",
        &[
            f("integration_mode", "Integration mode", Select(MODES), ""),
            f("queue_mode", "Message queue", Select(QUEUES), ""),
            f("state_country_picklists", "State and country picklists", Check, "Send ISO codes (BillingStateCode…)."),
            f("person_accounts", "Person Accounts for B2C customers", Check, ""),
        ],
    ),
    (
        "Opportunities",
        &[
            f("create_opportunity", "Create opportunity", Select(OPPORTUNITIES), ""),
            f("abandoned_cart_stage", "Abandoned cart stage", Text, "StageName when checkout starts."),
            f("draft_stage", "Default draft stage", Text, "StageName while placed but not paid."),
            f("sales_cycle_days", "Sales cycle length (days)", Number, "CloseDate = creation + N days, 1–3650."),
            f("convert_opportunity.enabled", "Convert opportunity when paid", Check, ""),
            f("convert_opportunity.converted_stage", "Converted stage", Text, ""),
            f("invoice_date_as_close_date", "Use invoice date as close date", Check, ""),
            f("contact_roles.enabled", "Contact roles", Check, ""),
            f("contact_roles.role", "Contact role", Text, ""),
        ],
    ),
    (
        "Orders",
        &[
            f("create_order", "Create order", Select(ORDERS), ""),
            f("pricebook", "Price book", Text, "Pricebook2 Id or name; empty for the standard one."),
            f("shipment.tracking_number_field", "Tracking number field", Text, "Order field API name."),
            f("shipment.carrier_field", "Carrier field", Text, ""),
            f("shipment.ship_date_field", "Ship date field", Text, ""),
            f("shipment.shipped_status", "Shipped status", Text, "Order Status when fully shipped."),
        ],
    ),
    (
        "Inventory",
        &[
            f("inventory.enabled", "Inventory sync", Check, ""),
            f("inventory.object", "Object", Text, "For example Product2."),
            f("inventory.quantity_field", "Quantity field", Text, ""),
            f("inventory.match_field", "Match field", Text, "For example ProductCode."),
            f("inventory.create_missing", "Create missing records", Check, ""),
        ],
    ),
    (
        "Order download",
        &[
            f("order_download.enabled", "Order download", Check, ""),
            f("order_download.soql_filter", "SOQL filter", Text, ""),
            f("order_download.start_date", "Start date", Text, "YYYY-MM-DD"),
        ],
    ),
    (
        "Change capture",
        &[
            f(
                "change_capture.watched",
                "Watched objects",
                Lines,
                "One object per line: Object | Field, Field (for example Account | Name, Phone). Empty: none.",
            ),
            f("change_capture.poll_interval_seconds", "Poll interval (seconds)", Number, "5–86400."),
            f("change_capture.conflict_policy", "When both sides changed a field", Select(CONFLICTS), ""),
        ],
    ),
    (
        "Mappings",
        &[
            f(
                "order_status_map",
                "Order status map",
                Lines,
                "One rule per line: store status | Order Status | Opportunity stage (either may be empty), \
                 for example canceled | Cancelled | Closed Lost.",
            ),
            f(
                "external_id_fields",
                "External ID fields",
                Lines,
                "One per line: Object | Field (for example Account | Shop_Id__c). \
                 Objects not listed use ForceSync_Key__c.",
            ),
            f(
                "field_mappings",
                "Field mappings",
                Lines,
                "One rule per line: Object.Field = store.value.path or \"constant\", then transforms after | \
                 (upper, lower, truncate N, date PATTERN, map a => b; c => d), for example \
                 Account.Tier__c = customer.attributes.tier | upper.",
            ),
        ],
    ),
    (
        "Logging",
        &[
            f("logging.enabled", "Enable log", Check, ""),
            f("logging.database_logging", "Database logging", Check, ""),
            f("logging.database_log_limit", "Database log limit (rows)", Number, ""),
        ],
    ),
];
