//! The version's resource index and `/limits`.

use serde_json::{Value, json};

use crate::state::SandboxState;

use super::{RestRequest, RestResponse};

/// Oldest and newest API versions the sandbox serves (older ones are retired).
pub const OLDEST: u32 = 31;
pub const NEWEST: u32 = 67;

/// The release a version shipped in: 31.0 was Summer '14, then three a year.
fn release_name(major: u32) -> String {
    let n = major - OLDEST;
    let season = ["Summer", "Winter", "Spring"][(n % 3) as usize];
    format!("{season} '{:02}", 14 + n.div_ceil(3))
}

pub fn is_supported(version: &str) -> bool {
    version.strip_suffix(".0").and_then(|m| m.parse::<u32>().ok()).is_some_and(|m| (OLDEST..=NEWEST).contains(&m))
}

/// `GET /services/data`: no authentication, not counted; oldest first.
pub fn versions() -> Value {
    Value::Array(
        (OLDEST..=NEWEST)
            .map(|m| json!({"label": release_name(m), "url": format!("/services/data/v{m}.0"), "version": format!("{m}.0")}))
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

#[cfg(test)]
mod tests {
    #[test]
    fn release_names_follow_the_calendar() {
        assert_eq!(super::release_name(31), "Summer '14");
        assert_eq!(super::release_name(62), "Winter '25");
        assert_eq!(super::release_name(65), "Winter '26");
        assert_eq!(super::release_name(67), "Summer '26");
        assert!(super::is_supported("45.0") && !super::is_supported("30.0") && !super::is_supported("64"));
    }
}
