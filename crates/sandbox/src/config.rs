//! What a sandbox org looks like: its users, connected apps, limits, latency
//! and faults. Built from flags, or from a JSON seed file such as:
//!
//! ```json
//! { "org_name": "Acme", "daily_api_limit": 15000,
//!   "users": [{ "username": "sync@acme.test", "password": "pw", "security_token": "TOKEN",
//!               "trusted_ranges": ["127.0.0.0/8"] }],
//!   "connected_apps": [{ "client_id": "app", "client_secret": "secret", "run_as": "sync@acme.test" }] }
//! ```

use std::net::IpAddr;

use serde::Deserialize;

/// One org. Every field has a default, so `{}` is a valid seed.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SandboxConfig {
    pub org_name: String,
    /// Answer logins with `<sandbox>true</sandbox>`.
    pub is_sandbox: bool,
    pub users: Vec<UserSeed>,
    pub connected_apps: Vec<ConnectedAppSeed>,
    /// IP ranges (CIDR) from which any user may log in without the token.
    pub org_trusted_ranges: Vec<String>,
    /// Daily API request allocation (rolling 24 h in Salesforce; here until reset).
    pub daily_api_limit: u64,
    /// Idle seconds after which a session expires (Salesforce default 2 h).
    pub session_timeout_secs: u64,
    /// Records per query page (Salesforce default 2000).
    pub query_page_size: usize,
    /// Added to every call under /services, in milliseconds.
    pub latency_ms: u64,
    /// SOAP `login()` enabled (new orgs disable it; it never works from 65.0).
    pub soap_login_enabled: bool,
    /// API access for the org (`API_DISABLED_FOR_ORG` when off).
    pub api_enabled: bool,
    /// Emit `faultcode` without the `sf:` prefix, as some real responses do.
    pub unprefixed_faultcode: bool,
    /// Failed logins before PASSWORD_LOCKOUT.
    pub lockout_after_failures: u32,
    /// State and Country/Territory Picklists enabled.
    pub state_country_picklists: bool,
    /// Multiple currencies: `CurrencyIsoCode` (USD, EUR, GBP, CAD, AUD; default USD) on Account,
    /// Contact, Opportunity, Order, OrderItem and PricebookEntry.
    pub multi_currency: bool,
    /// Person Accounts: Accounts of the `PersonAccount` record type are people (see
    /// `schema::builtin::accounts`).
    pub person_accounts: bool,
    /// Deterministic fault injection.
    pub faults: FaultSeed,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            org_name: "forcesync sandbox".into(),
            is_sandbox: true,
            users: Vec::new(),
            connected_apps: Vec::new(),
            org_trusted_ranges: Vec::new(),
            daily_api_limit: 15_000,
            session_timeout_secs: 7_200,
            query_page_size: 2_000,
            latency_ms: 0,
            soap_login_enabled: true,
            api_enabled: true,
            unprefixed_faultcode: false,
            lockout_after_failures: 10,
            state_country_picklists: false,
            multi_currency: false,
            person_accounts: false,
            faults: FaultSeed::default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSeed {
    pub username: String,
    pub password: String,
    #[serde(default)]
    pub security_token: String,
    /// This user's login IP ranges (CIDR): from inside, no token is needed.
    #[serde(default)]
    pub trusted_ranges: Vec<String>,
    #[serde(default)]
    pub password_expired: bool,
    /// The user's API Enabled permission.
    #[serde(default = "yes")]
    pub api_enabled: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectedAppSeed {
    pub client_id: String,
    pub client_secret: String,
    /// The client credentials flow runs as this user.
    #[serde(default)]
    pub run_as: Option<String>,
    /// PEM public key (SubjectPublicKeyInfo) for JWT bearer assertions.
    #[serde(default)]
    pub jwt_public_key_pem: Option<String>,
    /// Users pre-authorised for the JWT bearer flow (empty: all).
    #[serde(default)]
    pub jwt_users: Vec<String>,
}

/// Faults injected by a seeded generator, so a run is reproducible.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct FaultSeed {
    pub seed: u64,
    /// Per-call probability (0–1) of each fault, on REST calls under /services/data.
    pub http_500: f64,
    pub http_503: f64,
    /// The connection is closed without a response, before the work.
    pub drop_connection: f64,
    /// The work is committed, then the response never arrives.
    pub timeout_after_commit: f64,
    /// A write fails with UNABLE_TO_LOCK_ROW.
    pub unable_to_lock_row: f64,
}

impl FaultSeed {
    /// Every probability is between 0 and 1.
    pub fn validate(&self) -> Result<(), String> {
        for (name, p) in [
            ("http_500", self.http_500),
            ("http_503", self.http_503),
            ("drop_connection", self.drop_connection),
            ("timeout_after_commit", self.timeout_after_commit),
            ("unable_to_lock_row", self.unable_to_lock_row),
        ] {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("faults.{name} must be between 0 and 1"));
            }
        }
        Ok(())
    }
}

impl SandboxConfig {
    /// A config with one user and one connected app, for demos and tests.
    pub fn demo() -> Self {
        Self {
            users: vec![UserSeed {
                username: "sync@forcesync.test".into(),
                password: "sandbox-password".into(),
                security_token: "SANDBOXTOKEN".into(),
                trusted_ranges: Vec::new(),
                password_expired: false,
                api_enabled: true,
            }],
            connected_apps: vec![ConnectedAppSeed {
                client_id: "forcesync-app".into(),
                client_secret: "forcesync-app-secret".into(),
                run_as: Some("sync@forcesync.test".into()),
                jwt_public_key_pem: None,
                jwt_users: Vec::new(),
            }],
            ..Self::default()
        }
    }

    /// Checks what serde cannot: ranges parse, names are unique, probabilities are in 0–1.
    pub fn validate(&self) -> Result<(), String> {
        for range in self.org_trusted_ranges.iter().chain(self.users.iter().flat_map(|u| &u.trusted_ranges)) {
            IpRange::parse(range)?;
        }
        let mut names: Vec<String> = self.users.iter().map(|u| u.username.to_lowercase()).collect();
        names.sort();
        if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(format!("user {:?} is listed twice", pair[0]));
        }
        self.faults.validate()?;
        if self.query_page_size == 0 {
            return Err("query_page_size must be at least 1".into());
        }
        Ok(())
    }
}

/// An IPv4 or IPv6 CIDR range such as `127.0.0.0/8`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || format!("{raw:?} is not a CIDR range like 10.0.0.0/8");
        let (addr, prefix) = raw.split_once('/').unwrap_or((raw, ""));
        let network: IpAddr = addr.trim().parse().map_err(|_| bad())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() { max } else { prefix.trim().parse::<u8>().map_err(|_| bad())? };
        if prefix > max {
            return Err(bad());
        }
        Ok(Self { network, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let local = IpRange::parse("127.0.0.0/8").expect("range");
        assert!(local.contains("127.0.0.1".parse().expect("ip")));
        assert!(local.contains("::ffff:127.0.0.1".parse().expect("ip")));
        assert!(!local.contains("10.0.0.1".parse().expect("ip")));
        assert!(IpRange::parse("0.0.0.0/0").expect("all").contains("8.8.8.8".parse().expect("ip")));
        assert!(IpRange::parse("10.1.2.3").expect("host").contains("10.1.2.3".parse().expect("ip")));
        assert!(IpRange::parse("::1/128").expect("v6").contains("::1".parse().expect("ip")));
        for bad in ["", "10.0.0.0/33", "nope/8", "10.0.0.0/x"] {
            assert!(IpRange::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn seeds_parse_and_validate() {
        let config: SandboxConfig = serde_json::from_str(
            r#"{"users":[{"username":"a@b.c","password":"p","trusted_ranges":["127.0.0.0/8"]}],"daily_api_limit":5}"#,
        )
        .expect("seed");
        assert_eq!((config.daily_api_limit, config.query_page_size), (5, 2000));
        assert!(config.validate().is_ok());
        assert!(serde_json::from_str::<SandboxConfig>(r#"{"typo": 1}"#).is_err());
        let mut twice = SandboxConfig::demo();
        twice.users.push(twice.users[0].clone());
        assert!(twice.validate().is_err());
        assert!(SandboxConfig::demo().validate().is_ok());
    }
}
