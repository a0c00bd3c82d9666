//! Test Connection: log in, then check the org against everything the store's
//! settings will make forcesync write, and say exactly what to fix.

mod changes;
mod inventory;
mod objects;
mod shipments;
mod store_data;
mod values;

use crate::domain::settings::StoreSettings;

use super::client::{Call, Client};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStatus {
    Pass,
    Warn,
    Fail,
    Skipped,
}

/// One finding: what was checked, how it went, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub status: CheckStatus,
    pub message: String,
    /// Empty when nothing needs doing.
    pub remedy: String,
}

impl Check {
    pub fn pass(name: impl Into<String>, message: impl Into<String>) -> Self {
        Self { name: name.into(), status: CheckStatus::Pass, message: message.into(), remedy: String::new() }
    }

    pub fn fail(name: impl Into<String>, message: impl Into<String>, remedy: impl Into<String>) -> Self {
        Self { name: name.into(), status: CheckStatus::Fail, message: message.into(), remedy: remedy.into() }
    }

    pub fn warn(name: impl Into<String>, message: impl Into<String>, remedy: impl Into<String>) -> Self {
        Self { name: name.into(), status: CheckStatus::Warn, message: message.into(), remedy: remedy.into() }
    }

    fn skipped(name: &str, why: &str) -> Self {
        Self { name: name.into(), status: CheckStatus::Skipped, message: why.into(), remedy: String::new() }
    }

    /// A failed call, with the error's remedy.
    pub fn from_error(name: impl Into<String>, what: &str, error: &super::Error) -> Self {
        Self::fail(name, format!("{what}: {error}"), error.remedy().unwrap_or_default())
    }
}

/// Below this share of the daily allocation left, the budget check warns.
const LOW_BUDGET: f64 = 0.10;

/// Runs every check; later checks are skipped when login fails.
pub async fn run(client: &Client, settings: &StoreSettings) -> Vec<Check> {
    let mut checks = Vec::new();
    let version = &client.settings().api_version;
    match client.versions().await {
        Ok(versions) if versions.iter().any(|v| v == version) => {
            checks.push(Check::pass("api_version", format!("API {version} is served by this org")))
        }
        Ok(versions) => checks.push(Check::fail(
            "api_version",
            format!(
                "API {version} is not served by this org (newest: {})",
                versions.last().map_or("none", String::as_str)
            ),
            "Set connection.api_version to a version listed at /services/data.",
        )),
        Err(error) => checks.push(Check::from_error("api_version", "cannot list the org's API versions", &error)),
    }
    let method = client.settings().credentials.method_name();
    match client.login().await {
        Ok(session) => checks.push(Check::pass(
            "login",
            format!(
                "Logged in with {method} to {} (org {}, user {}, API {version})",
                session.instance_url, session.org_id, session.user_id
            ),
        )),
        Err(error) => {
            checks.push(Check::from_error("login", &format!("{method} failed"), &error));
            for name in ["api_enabled", "objects", "picklists", "pricebook", "api_budget"] {
                checks.push(Check::skipped(name, "skipped: the login failed"));
            }
            return checks;
        }
    }
    match client.send(&Call::get("")).await {
        Ok(_) => checks.push(Check::pass("api_enabled", "The REST API answers for this user")),
        Err(error) => checks.push(Check::from_error("api_enabled", "the REST API refused the user", &error)),
    }
    checks.extend(objects::check(client, settings).await);
    checks.extend(store_data::mapping_checks(client, settings).await);
    checks.extend(values::check(client, settings).await);
    checks.extend(shipments::check(client, settings).await);
    checks.extend(inventory::check(client, settings).await);
    checks.extend(changes::check(client, settings).await);
    checks.push(budget(client).await);
    checks
}

async fn budget(client: &Client) -> Check {
    let usage = match client.limits().await {
        Ok(usage) => usage,
        Err(error) => return Check::from_error("api_budget", "cannot read /limits", &error),
    };
    let message = format!(
        "{} of {} daily API requests left ({:.0}%)",
        usage.remaining(),
        usage.max,
        usage.remaining_ratio() * 100.0
    );
    if usage.remaining() == 0 {
        Check::fail(
            "api_budget",
            message,
            "The daily allocation is spent; it frees up over the rolling 24 hours. Buy more, or wait.",
        )
    } else if usage.remaining_ratio() < LOW_BUDGET {
        Check::warn("api_budget", message, "Less than 10% left: syncing may pause until the allocation frees up.")
    } else {
        Check::pass("api_budget", message)
    }
}
