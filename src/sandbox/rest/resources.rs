//! The version's resource index and `/limits`.

use serde_json::{Value, json};

use crate::sandbox::state::SandboxState;

use super::{RestRequest, RestResponse};

/// Supported API versions, oldest first, with their release names.
pub const VERSIONS: &[(&str, &str)] = &[
    ("31.0", "Summer '14"),
    ("40.0", "Summer '17"),
    ("50.0", "Winter '21"),
    ("55.0", "Summer '22"),
    ("58.0", "Summer '23"),
    ("59.0", "Winter '24"),
    ("60.0", "Spring '24"),
    ("61.0", "Summer '24"),
    ("62.0", "Winter '25"),
    ("63.0", "Spring '25"),
    ("64.0", "Summer '25"),
    ("65.0", "Winter '26"),
    ("66.0", "Spring '26"),
    ("67.0", "Summer '26"),
];

pub fn is_supported(version: &str) -> bool {
    VERSIONS.iter().any(|(v, _)| *v == version)
}

/// `GET /services/data`: no authentication, not counted.
pub fn versions() -> Value {
    Value::Array(
        VERSIONS
            .iter()
            .map(|(version, label)| json!({"label": label, "url": format!("/services/data/v{version}"), "version": version}))
            .collect(),
    )
}

pub fn index(request: &RestRequest<'_>) -> RestResponse {
    let base = format!("/services/data/v{}", request.version);
    let names = ["sobjects", "query", "queryAll", "limits", "composite", "jobs/ingest", "jobs/query"];
    let mut map = serde_json::Map::new();
    for name in names {
        map.insert(name.replace("jobs/", "jobs").to_owned(), json!(format!("{base}/{name}")));
    }
    RestResponse::json(200, Value::Object(map))
}

pub fn limits(state: &SandboxState, _request: &RestRequest<'_>) -> RestResponse {
    let max = state.config.daily_api_limit;
    let remaining = max.saturating_sub(state.api_used);
    RestResponse::json(
        200,
        json!({
            "DailyApiRequests": { "Max": max, "Remaining": remaining },
            "DailyBulkApiBatches": { "Max": 15000, "Remaining": 15000 },
            "DailyBulkV2QueryJobs": { "Max": 10000, "Remaining": 10000 },
            "DataStorageMB": { "Max": 5, "Remaining": 5 },
            "DailyDeliveredPlatformEvents": { "Max": 10000, "Remaining": 10000 },
        }),
    )
}
