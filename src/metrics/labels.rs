//! Label sets, and the functions that map free text (paths, objects, pause
//! reasons) to a small fixed set of label values.

use prometheus_client::encoding::EncodeLabelSet;

use super::StoreLabel;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct StoreLabels {
    pub(super) store: StoreLabel,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct EventLabels {
    pub(super) store: StoreLabel,
    pub(super) kind: &'static str,
    pub(super) outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct RpcLabels {
    pub(super) rpc: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct RequestLabels {
    pub(super) store: StoreLabel,
    pub(super) kind: &'static str,
    pub(super) result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct ObjectLabels {
    pub(super) store: StoreLabel,
    pub(super) object: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(super) struct PauseLabels {
    pub(super) reason: &'static str,
}

/// The kind of a Salesforce REST request, from its path (relative to
/// `/services/data/vXX.X/`, or absolute from the host).
pub fn request_kind(path: &str) -> &'static str {
    let relative = match path.strip_prefix('/') {
        Some(absolute) => match absolute.strip_prefix("services/data/v") {
            Some(versioned) => versioned.split_once('/').map_or("", |(_, rest)| rest),
            None => absolute,
        },
        None => path,
    };
    let relative = relative.split('?').next().unwrap_or_default();
    if relative.starts_with("composite/graph") {
        "composite_graph"
    } else if relative.starts_with("composite/sobjects") {
        "collections"
    } else if relative.starts_with("composite") {
        "composite"
    } else if relative.starts_with("jobs/ingest") {
        "bulk_ingest"
    } else if relative.starts_with("jobs/query") {
        "bulk_query"
    } else if relative.starts_with("query") {
        "query"
    } else if relative.starts_with("limits") {
        "limits"
    } else if relative.ends_with("/describe") || relative.ends_with("/describe/") || relative == "sobjects" {
        "describe"
    } else if relative.starts_with("sobjects/") {
        "sobject"
    } else {
        "other"
    }
}

/// Salesforce objects the sync writes, as label values; anything else is `other`.
pub fn object_label(object: &str) -> &'static str {
    const KNOWN: [&str; 10] = [
        "Account",
        "Contact",
        "Opportunity",
        "OpportunityLineItem",
        "OpportunityContactRole",
        "Order",
        "OrderItem",
        "Product2",
        "PricebookEntry",
        "Pricebook2",
    ];
    KNOWN.into_iter().find(|known| *known == object).unwrap_or("other")
}

/// A pause's reason as a label value: `api_budget` (the daily allocation is
/// spent), `cannot_connect`, `not_configured`, else `other`.
pub fn pause_reason(reason: &str) -> &'static str {
    let lower = reason.to_ascii_lowercase();
    if lower.contains("request_limit_exceeded") || lower.contains("allocation") || lower.contains("api budget") {
        "api_budget"
    } else if ["server_unavailable", "http_502", "http_503"].iter().any(|code| lower.contains(code)) {
        "salesforce_unavailable"
    } else if lower.contains("not configured") || lower.contains("missing") {
        "not_configured"
    } else if lower.contains("connect") || lower.contains("login") || lower.contains("unreachable") {
        "cannot_connect"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_kinds_come_from_the_path() {
        assert_eq!(request_kind("composite/graph"), "composite_graph");
        assert_eq!(request_kind("composite/sobjects/Account/Ext__c"), "collections");
        assert_eq!(request_kind("query"), "query");
        assert_eq!(request_kind("/services/data/v64.0/query/01gXX-2000"), "query");
        assert_eq!(request_kind("sobjects/Account/describe"), "describe");
        assert_eq!(request_kind("sobjects/Account/Ext__c/42"), "sobject");
        assert_eq!(request_kind("jobs/ingest/750x/batches"), "bulk_ingest");
        assert_eq!(request_kind("limits"), "limits");
        assert_eq!(request_kind("/id/00D/005"), "other");
    }

    #[test]
    fn free_text_maps_to_few_label_values() {
        assert_eq!(object_label("Account"), "Account");
        assert_eq!(object_label("Custom__c"), "other");
        assert_eq!(pause_reason("REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded."), "api_budget");
        assert_eq!(pause_reason("the daily API allocation is still spent"), "api_budget");
        assert_eq!(pause_reason("store is not configured: missing username"), "not_configured");
        assert_eq!(pause_reason("SERVER_UNAVAILABLE: Server is unavailable"), "salesforce_unavailable");
        assert_eq!(pause_reason("HTTP_502: Salesforce answered HTTP 502"), "salesforce_unavailable");
        assert_eq!(pause_reason("UNREACHABLE: connection refused or unreachable"), "cannot_connect");
        assert_eq!(pause_reason("something else"), "other");
    }
}
