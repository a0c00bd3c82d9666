//! Everything one sandbox org holds, behind one lock: configuration, users and
//! sessions, data, API usage, call counters, faults, open query cursors.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::auth::Directory;
use super::config::SandboxConfig;
use super::faults::Faults;
use super::ids::IdGenerator;
use super::org::Org;
use super::rest::bulk::Jobs;
use super::schema::{CustomSchema, OrgFeatures, Schema};

/// How many query cursors stay open; older ones expire (INVALID_QUERY_LOCATOR).
const MAX_CURSORS: usize = 200;

/// Rows of a query not yet returned, behind a locator.
#[derive(Debug)]
pub struct Cursor {
    pub rows: Vec<Value>,
    pub total_size: usize,
    /// Rows per page, as the query that opened the cursor asked.
    pub page_size: usize,
}

#[derive(Debug)]
pub struct SandboxState {
    pub config: SandboxConfig,
    custom: Option<CustomSchema>,
    pub directory: Directory,
    pub org: Org,
    /// API requests used today, and the allocation.
    pub api_used: u64,
    pub calls: BTreeMap<String, u64>,
    pub faults: Faults,
    pub cursors: BTreeMap<String, Cursor>,
    cursor_order: VecDeque<String>,
    next_cursor: u64,
    /// Bulk API 2.0 jobs by Id.
    pub jobs: Jobs,
    /// When the org was created: the users' last modification, as identity reports it.
    pub started_at: DateTime<Utc>,
}

impl SandboxState {
    pub fn new(config: SandboxConfig, custom: Option<CustomSchema>) -> Result<Self, String> {
        config.validate()?;
        let features = OrgFeatures {
            state_country_picklists: config.state_country_picklists,
            multi_currency: config.multi_currency,
            person_accounts: config.person_accounts,
        };
        let schema = match &custom {
            Some(custom) => Schema::with_custom(features, custom),
            None => Schema::standard(features),
        }
        .map_err(|e| e.to_string())?;
        let mut ids = IdGenerator::new("5s").map_err(|e| e.to_string())?;
        let org_id = ids.next_id("00D").map_err(|e| e.to_string())?.as_str().to_owned();
        let mut user_ids = Vec::new();
        for _ in 0..=config.users.len() {
            user_ids.push(ids.next_id("005").map_err(|e| e.to_string())?.as_str().to_owned());
        }
        // The first User Id is the platform's own "automated process" user.
        let admin = user_ids.remove(0);
        let mut user_ids = user_ids.into_iter();
        let directory = Directory::new(&config, org_id.clone(), || user_ids.next().unwrap_or_default())?;
        let org = Org::new(schema, org_id, ids, &admin)?;
        let faults = Faults::new(config.faults.clone());
        Ok(Self {
            config,
            custom,
            directory,
            org,
            api_used: 0,
            calls: BTreeMap::new(),
            faults,
            cursors: BTreeMap::new(),
            cursor_order: VecDeque::new(),
            next_cursor: 1,
            jobs: Jobs::default(),
            started_at: Utc::now(),
        })
    }

    /// Forgets all data, usage, counters, cursors and jobs; users, sessions
    /// and settings stay.
    pub fn reset(&mut self) -> Result<(), String> {
        let fresh = Self::new(self.config.clone(), self.custom.clone())?;
        let directory = std::mem::replace(&mut self.directory, fresh.directory);
        *self = Self { directory, ..fresh };
        Ok(())
    }

    /// Turns State and Country/Territory picklists on or off, keeping the data
    /// and the custom schema: the code fields appear or disappear from describe
    /// and from what writes may name.
    pub fn set_state_country_picklists(&mut self, on: bool) -> Result<(), String> {
        let features = OrgFeatures { state_country_picklists: on, ..self.org.schema.features() };
        let schema = match &self.custom {
            Some(custom) => Schema::with_custom(features, custom),
            None => Schema::standard(features),
        }
        .map_err(|e| e.to_string())?;
        self.org.schema = schema;
        self.config.state_country_picklists = on;
        Ok(())
    }

    pub fn count_call(&mut self, kind: &str) {
        *self.calls.entry(kind.to_owned()).or_default() += 1;
    }

    /// `api-usage=used/max`, as `Sforce-Limit-Info` carries it.
    pub fn limit_info(&self) -> String {
        format!("api-usage={}/{}", self.api_used, self.config.daily_api_limit)
    }

    /// Keeps `rows` behind a new locator; returns it.
    pub fn open_cursor(&mut self, rows: Vec<Value>, total_size: usize, page_size: usize) -> String {
        let locator = format!("01g5s{:010}", self.next_cursor);
        self.next_cursor += 1;
        self.cursors.insert(locator.clone(), Cursor { rows, total_size, page_size });
        self.cursor_order.push_back(locator.clone());
        while self.cursor_order.len() > MAX_CURSORS {
            if let Some(old) = self.cursor_order.pop_front() {
                self.cursors.remove(&old);
            }
        }
        locator
    }

    /// Counters for the control endpoint.
    pub fn counters(&self) -> Value {
        let records: serde_json::Map<String, Value> =
            self.org.row_counts().into_iter().filter(|(_, n)| *n > 0).map(|(k, n)| (k, json!(n))).collect();
        json!({
            "api_usage": { "used": self.api_used, "max": self.config.daily_api_limit },
            "calls": self.calls,
            "sessions": self.directory.sessions.len(),
            "records": records,
            "faults_injected": self.faults.injected(),
            "now": super::org::format_datetime(Utc::now()),
        })
    }
}
