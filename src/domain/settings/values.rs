//! Validated value types used by the settings. Each `parse` returns a short,
//! human reason when the input is refused.

use serde::{Deserialize, Serialize};

/// A Salesforce picklist value such as a StageName, an Order Status or a
/// contact Role: 1-255 characters, not blank, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PicklistValue(String);

impl PicklistValue {
    pub const MAX_CHARS: usize = 255;

    pub fn parse(raw: &str) -> Result<Self, String> {
        if raw.trim().is_empty() {
            Err("must not be empty".into())
        } else if raw.chars().count() > Self::MAX_CHARS {
            Err(format!("must be at most {} characters", Self::MAX_CHARS))
        } else if raw != raw.trim() {
            Err("must not start or end with spaces".into())
        } else if raw.chars().any(char::is_control) {
            Err("must not contain control characters".into())
        } else {
            Ok(Self(raw.to_owned()))
        }
    }
}

/// The API name of a Salesforce object or field, such as `Product2` or
/// `Tracking_Number__c`: a letter, then letters, digits and single
/// underscores, at most 80 characters (custom names end in `__c`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ApiName(String);

impl ApiName {
    pub const MAX_LEN: usize = 80;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let stem = raw.strip_suffix("__c").unwrap_or(raw);
        let well_formed = stem.starts_with(|c: char| c.is_ascii_alphabetic())
            && stem.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !stem.contains("__")
            && !stem.ends_with('_');
        if raw.is_empty() {
            Err("must not be empty".into())
        } else if raw.len() > Self::MAX_LEN {
            Err(format!("must be at most {} characters", Self::MAX_LEN))
        } else if !well_formed {
            Err(format!("{raw:?} is not a Salesforce API name (like Carrier__c or ProductCode)"))
        } else {
            Ok(Self(raw.to_owned()))
        }
    }
}

/// Where to log in: an absolute `http` or `https` URL with a host and no
/// query, fragment or credentials. Stored without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LoginUrl(String);

impl LoginUrl {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let refuse = || Err(format!("{raw:?} is not an absolute http(s) URL such as https://login.salesforce.com"));
        let Some((scheme, rest)) = raw.split_once("://") else { return refuse() };
        if !scheme.eq_ignore_ascii_case("https") && !scheme.eq_ignore_ascii_case("http") {
            return refuse();
        }
        let authority = rest.split('/').next().unwrap_or_default();
        let (host, port, host_ok): (&str, Option<&str>, fn(char) -> bool) = match authority.strip_prefix('[') {
            Some(bracketed) => {
                let Some((addr, after)) = bracketed.split_once(']') else { return refuse() };
                match after {
                    "" => (addr, None, |c| c.is_ascii_hexdigit() || c == ':'),
                    _ => match after.strip_prefix(':') {
                        Some(port) => (addr, Some(port), |c| c.is_ascii_hexdigit() || c == ':'),
                        None => return refuse(),
                    },
                }
            }
            None => {
                let (host, port) = match authority.split_once(':') {
                    Some((host, port)) => (host, Some(port)),
                    None => (authority, None),
                };
                (host, port, |c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
            }
        };
        let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|p| p > 0));
        let host_ok = !host.is_empty() && host.chars().all(host_ok) && port_ok;
        let rest_ok = !rest.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '?' | '#' | '@'));
        if !host_ok || !rest_ok {
            return refuse();
        }
        Ok(Self(raw.trim_end_matches('/').to_owned()))
    }
}

/// A Salesforce API version such as `64.0` (31.0 or later: older ones are retired).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ApiVersion(u16);

impl ApiVersion {
    pub const OLDEST_SUPPORTED: u16 = 31;
    /// The last version in which SOAP `login()` exists.
    pub const LAST_WITH_SOAP_LOGIN: u16 = 64;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let major = raw
            .strip_suffix(".0")
            .filter(|m| !m.is_empty() && m.len() <= 3 && m.chars().all(|c| c.is_ascii_digit()))
            .and_then(|m| m.parse::<u16>().ok());
        match major {
            None => Err(format!("{raw:?} is not an API version like \"64.0\"")),
            Some(m) if m < Self::OLDEST_SUPPORTED => {
                Err(format!("API version {raw} is retired; use {}.0 or later", Self::OLDEST_SUPPORTED))
            }
            Some(m) => Ok(Self(m)),
        }
    }

    pub fn major(self) -> u16 {
        self.0
    }
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.0", self.0)
    }
}

macro_rules! string_conversions {
    ($($ty:ident),*) => {$(
        impl TryFrom<String> for $ty {
            type Error = String;
            fn try_from(raw: String) -> Result<Self, String> {
                Self::parse(&raw)
            }
        }
        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.to_string()
            }
        }
    )*};
}
string_conversions!(PicklistValue, ApiName, LoginUrl, ApiVersion);

macro_rules! display_as_str {
    ($($ty:ident),*) => {$(
        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
display_as_str!(PicklistValue, ApiName, LoginUrl);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picklist_values() {
        assert!(PicklistValue::parse("Closed Won").is_ok());
        assert!(PicklistValue::parse(&"x".repeat(255)).is_ok());
        for bad in ["", "  ", " Closed", "a\nb", &"x".repeat(256)] {
            assert!(PicklistValue::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn api_names() {
        for good in ["Product2", "ProductCode", "Tracking_Number__c", "ForceSync_Key__c"] {
            assert!(ApiName::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "2Product", "Bad Name", "a__b", "x_", "Sales__x", "Drop;Table", &"a".repeat(81)] {
            assert!(ApiName::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn login_urls() {
        for good in [
            "https://login.salesforce.com",
            "https://test.salesforce.com/",
            "https://acme.my.salesforce.com",
            "http://127.0.0.1:8443",
            "http://[::1]:8443",
            "HTTPS://login.salesforce.com/services",
        ] {
            assert!(LoginUrl::parse(good).is_ok(), "{good}");
        }
        assert_eq!(
            LoginUrl::parse("https://test.salesforce.com/").map(String::from),
            Ok("https://test.salesforce.com".into())
        );
        for bad in [
            "",
            "login.salesforce.com",
            "ftp://login.salesforce.com",
            "https://",
            "https://user:pw@login.salesforce.com",
            "https://login.salesforce.com?x=1",
            "https://login.salesforce.com:99999",
            "https://login salesforce.com",
        ] {
            assert!(LoginUrl::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn api_versions() {
        assert_eq!(ApiVersion::parse("64.0").map(|v| v.to_string()), Ok("64.0".into()));
        assert_eq!(ApiVersion::parse("31.0").map(ApiVersion::major), Ok(31));
        for bad in ["", "64", "v64.0", "64.1", "30.0", "6a.0", ".0", "1234.0"] {
            assert!(ApiVersion::parse(bad).is_err(), "{bad:?}");
        }
    }
}
