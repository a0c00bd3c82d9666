//! The org's API budget, read from `Sforce-Limit-Info` on every response, so
//! the engine can pace or pause work without spending calls on `/limits`.

use std::sync::Mutex;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiUsage {
    pub used: u64,
    pub max: u64,
}

impl ApiUsage {
    pub fn remaining(&self) -> u64 {
        self.max.saturating_sub(self.used)
    }

    /// Remaining share of the allocation, 0–1.
    pub fn remaining_ratio(&self) -> f64 {
        if self.max == 0 { 0.0 } else { self.remaining() as f64 / self.max as f64 }
    }
}

/// Parses `api-usage=10018/100000` (tolerating a `; per-app-api-usage=…` suffix).
pub fn parse_limit_info(header: &str) -> Option<ApiUsage> {
    let rest = &header[header.find("api-usage=")? + "api-usage=".len()..];
    let (used, rest) = rest.split_once('/')?;
    let max: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some(ApiUsage { used: used.trim().parse().ok()?, max: max.parse().ok()? })
}

/// The latest usage seen for one org.
#[derive(Debug, Default)]
pub struct Budget {
    latest: Mutex<Option<ApiUsage>>,
}

impl Budget {
    pub fn record(&self, usage: ApiUsage) {
        if let Ok(mut latest) = self.latest.lock() {
            *latest = Some(usage);
        }
    }

    pub fn latest(&self) -> Option<ApiUsage> {
        self.latest.lock().ok().and_then(|l| *l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_header() {
        assert_eq!(parse_limit_info("api-usage=10018/100000"), Some(ApiUsage { used: 10018, max: 100000 }));
        assert_eq!(
            parse_limit_info("api-usage=5/250; per-app-api-usage=17/250(appName=x)"),
            Some(ApiUsage { used: 5, max: 250 })
        );
        assert_eq!(parse_limit_info("garbage"), None);
        assert!((ApiUsage { used: 95, max: 100 }.remaining_ratio() - 0.05).abs() < 1e-9);
    }
}
