//! A store: one Magento website or store view that forcesync syncs.

use std::fmt;

/// The operator-chosen store code: 1-63 of `a-z 0-9 - _`, starting with a
/// letter or digit. It appears in external ids, so it never changes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StoreCode(String);

impl StoreCode {
    pub const MAX_LEN: usize = 63;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let valid_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_';
        match raw.chars().next() {
            None => Err("must not be empty".into()),
            Some(_) if raw.len() > Self::MAX_LEN => Err(format!("must be at most {} characters", Self::MAX_LEN)),
            Some(first) if !first.is_ascii_lowercase() && !first.is_ascii_digit() => {
                Err("must start with a lowercase letter or a digit".into())
            }
            Some(_) if !raw.chars().all(valid_char) => {
                Err("may contain only lowercase letters, digits, '-' and '_'".into())
            }
            Some(_) => Ok(Self(raw.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StoreCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A human name for a store: 1-255 characters, not blank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 255;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            Err("must not be empty".into())
        } else if trimmed.chars().count() > Self::MAX_CHARS {
            Err(format!("must be at most {} characters", Self::MAX_CHARS))
        } else if trimmed.chars().any(char::is_control) {
            Err("must not contain control characters".into())
        } else {
            Ok(Self(trimmed.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_codes() {
        for good in ["main", "eu-store_2", "0shop", &"a".repeat(63)] {
            assert_eq!(StoreCode::parse(good).map(|c| c.to_string()), Ok(good.to_string()));
        }
        for bad in ["", "-main", "_x", "Main", "eu store", "shop.de", "über", &"a".repeat(64)] {
            assert!(StoreCode::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(DisplayName::parse("  Main Store ").map(|n| n.as_str().to_owned()), Ok("Main Store".into()));
        assert!(DisplayName::parse("   ").is_err());
        assert!(DisplayName::parse("a\u{7}b").is_err());
        assert!(DisplayName::parse(&"é".repeat(255)).is_ok());
        assert!(DisplayName::parse(&"é".repeat(256)).is_err());
    }
}
