//! Salesforce record Ids: parsing 15/18-character input, the case-safe checksum suffix, key prefixes
//! and a deterministic per-org generator.
//!
//! Layout of a generated Id: key prefix (3) + org pod (2) + counter in base 62 (10) + checksum (3).
//! The base-62 alphabet is in ASCII order, so Ids from one generator sort by creation order.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Base-62 digits in ASCII order (so string order equals numeric order).
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Maps a 5-bit "which chars are upper case" value to the suffix character.
const SUFFIX_MAP: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
const COUNTER_DIGITS: usize = 10;

/// Key prefixes of standard objects, including ones the schema does not model (Organization,
/// RecordType, Profile, Bulk jobs). Prefixes are case-sensitive: `00K` is not `00k`.
const STANDARD_PREFIXES: &[(&str, &str)] = &[
    ("001", "Account"),
    ("003", "Contact"),
    ("005", "User"),
    ("006", "Opportunity"),
    ("00D", "Organization"),
    ("00K", "OpportunityContactRole"),
    ("00Q", "Lead"),
    ("00e", "Profile"),
    ("00k", "OpportunityLineItem"),
    ("012", "RecordType"),
    ("01s", "Pricebook2"),
    ("01t", "Product2"),
    ("01u", "PricebookEntry"),
    ("750", "AsyncApexJob"),
    ("751", "BatchInfo"),
    ("752", "BatchResult"),
    ("801", "Order"),
    ("802", "OrderItem"),
];

/// Why a string is not a usable Id, key prefix or pod code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("an Id has 15 or 18 characters, not {0}")]
    Length(usize),
    #[error("an Id contains only ASCII letters and digits")]
    Charset,
    #[error("the checksum suffix of the 18-character Id does not match its first 15 characters")]
    Checksum,
    #[error("a key prefix is 3 ASCII letters or digits, got {0:?}")]
    KeyPrefix(String),
    #[error("an org pod code is 2 ASCII letters or digits, got {0:?}")]
    Pod(String),
    #[error("the Id counter of this org is exhausted")]
    Exhausted,
}

/// A valid record Id, always held in its canonical 18-character form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SfId(String);

impl SfId {
    /// Accepts a 15-character (case-sensitive) or 18-character Id. An 18-character Id must carry the
    /// checksum of its first 15 characters; the suffix itself is compared case-insensitively.
    /// Salesforce may instead repair the case of the first 15 characters from the suffix; we are
    /// strict on purpose so that a client bug that mangles Ids shows up [unconfirmed behaviour].
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let length = input.chars().count();
        if length != 15 && length != 18 {
            return Err(IdError::Length(length));
        }
        let bytes = input.as_bytes();
        if !bytes.iter().all(u8::is_ascii_alphanumeric) {
            return Err(IdError::Charset);
        }
        let mut head = [0u8; 15];
        head.copy_from_slice(&bytes[..15]);
        let suffix = checksum_suffix(&head);
        if bytes.len() == 18 && !bytes[15..].eq_ignore_ascii_case(&suffix) {
            return Err(IdError::Checksum);
        }
        Ok(Self(head.iter().chain(&suffix).map(|&b| char::from(b)).collect()))
    }

    /// The canonical 18-character form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The case-sensitive 15-character form.
    pub fn as_15(&self) -> &str {
        self.0.get(..15).unwrap_or(&self.0)
    }

    /// The 3-character key prefix that names the object type.
    pub fn key_prefix(&self) -> &str {
        self.0.get(..3).unwrap_or(&self.0)
    }

    /// The standard object this Id belongs to, if its prefix is a standard one.
    pub fn standard_object(&self) -> Option<&'static str> {
        standard_object_for_prefix(self.key_prefix())
    }
}

impl std::fmt::Display for SfId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::str::FromStr for SfId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl AsRef<str> for SfId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Serialize for SfId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SfId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// The 3-character suffix that makes a 15-character Id case-insensitive: for each 5-character
/// chunk, bit i is set when character i is `A`–`Z`, then mapped through `A`–`Z0`–`5`.
pub fn checksum_suffix(id15: &[u8; 15]) -> [u8; 3] {
    let mut suffix = [0u8; 3];
    for (slot, chunk) in suffix.iter_mut().zip(id15.chunks(5)) {
        let bits =
            chunk.iter().enumerate().filter(|(_, b)| b.is_ascii_uppercase()).fold(0usize, |acc, (i, _)| acc | (1 << i));
        *slot = SUFFIX_MAP[bits & 31];
    }
    suffix
}

/// True for a syntactically valid key prefix: 3 ASCII letters or digits.
pub fn is_valid_key_prefix(prefix: &str) -> bool {
    prefix.len() == 3 && prefix.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// The standard object a key prefix belongs to (case-sensitive).
pub fn standard_object_for_prefix(prefix: &str) -> Option<&'static str> {
    STANDARD_PREFIXES.iter().find(|(p, _)| *p == prefix).map(|(_, object)| *object)
}

/// Writes `value` in base 62, left-padded with `0` to `width` digits; `None` if it does not fit.
pub(crate) fn base62(mut value: u64, width: usize) -> Option<String> {
    let mut digits = vec![b'0'; width];
    for slot in digits.iter_mut().rev() {
        *slot = BASE62[(value % 62) as usize];
        value /= 62;
    }
    (value == 0).then(|| digits.into_iter().map(char::from).collect())
}

/// Deterministic Id source for one org: every Id it returns is unique across all objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdGenerator {
    pod: [u8; 2],
    next: u64,
}

impl IdGenerator {
    /// A generator whose first Id carries counter 1. `pod` is 2 letters or digits (e.g. `"5g"`).
    pub fn new(pod: &str) -> Result<Self, IdError> {
        Self::resume(pod, 1)
    }

    /// A generator continuing from a saved counter (see [`IdGenerator::next_counter`]).
    pub fn resume(pod: &str, next: u64) -> Result<Self, IdError> {
        match pod.as_bytes() {
            &[a, b] if a.is_ascii_alphanumeric() && b.is_ascii_alphanumeric() => Ok(Self { pod: [a, b], next }),
            _ => Err(IdError::Pod(pod.to_owned())),
        }
    }

    /// The counter the next Id will carry.
    pub fn next_counter(&self) -> u64 {
        self.next
    }

    /// A new Id for the object with this key prefix.
    pub fn next_id(&mut self, key_prefix: &str) -> Result<SfId, IdError> {
        if !is_valid_key_prefix(key_prefix) {
            return Err(IdError::KeyPrefix(key_prefix.to_owned()));
        }
        let counter = base62(self.next, COUNTER_DIGITS).ok_or(IdError::Exhausted)?;
        let text = format!("{key_prefix}{}{counter}", String::from_utf8_lossy(&self.pod));
        let id = SfId::parse(&text)?;
        self.next = self.next.checked_add(1).ok_or(IdError::Exhausted)?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn to_18(id15: &str) -> String {
        SfId::parse(id15).map(|id| id.0).unwrap_or_default()
    }

    fn object_of(id: &str) -> Option<&'static str> {
        SfId::parse(id).ok().and_then(|id| id.standard_object())
    }

    fn generator(pod: &str, next: u64) -> IdGenerator {
        IdGenerator::resume(pod, next).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn known_15_to_18_conversions() {
        assert_eq!(to_18("001D000000IqhSL"), "001D000000IqhSLIAZ");
        assert_eq!(to_18("005D0000001KyEI"), "005D0000001KyEIIA0");
        assert_eq!(to_18("0015000000Gv7qJ"), "0015000000Gv7qJAAR");
        assert_eq!(to_18("00QABCDEFGHIJKL"), "00QABCDEFGHIJKL255");
        assert_eq!(to_18("00Kabcde00000AB"), "00Kabcde00000ABEAY");
    }

    #[test]
    fn bad_ids_are_rejected() {
        assert_eq!(to_18("001D000000IqhSLIAZ"), "001D000000IqhSLIAZ");
        assert_eq!(to_18("001D000000IqhSLiaz"), "001D000000IqhSLIAZ");
        assert_eq!(SfId::parse("001D000000IqhSLAAA"), Err(IdError::Checksum));
        assert_eq!(SfId::parse("001d000000iqhslIAZ"), Err(IdError::Checksum));
        assert_eq!(SfId::parse("abc123"), Err(IdError::Length(6)));
        assert_eq!(SfId::parse(""), Err(IdError::Length(0)));
        assert_eq!(SfId::parse("001D000000Iqh-L"), Err(IdError::Charset));
        assert_eq!(SfId::parse("001D000000IqhéL"), Err(IdError::Charset));
    }

    #[test]
    fn prefix_names_the_object_case_sensitively() {
        assert_eq!(object_of("00Kabcde00000AB"), Some("OpportunityContactRole"));
        assert_eq!(object_of("00kABCde00000ab"), Some("OpportunityLineItem"));
        assert_eq!(standard_object_for_prefix("801"), Some("Order"));
        assert_eq!(standard_object_for_prefix("a00"), None);
        let oli = SfId::parse("00kABCde00000ab");
        assert_eq!(oli.as_ref().map(SfId::as_15), Ok("00kABCde00000ab"));
        assert_eq!(oli.as_ref().map(SfId::key_prefix), Ok("00k"));
    }

    #[test]
    fn generator_is_deterministic_unique_and_sorted() {
        let (mut a, mut b) = (generator("5g", 1), generator("5g", 1));
        let first = a.next_id("001").ok();
        assert_eq!(first, b.next_id("001").ok());
        assert_eq!(first.as_ref().map(SfId::as_15), Some("0015g0000000001"));
        let ids: Vec<SfId> = (0..200).filter_map(|_| a.next_id("001").ok()).collect();
        assert_eq!(ids.len(), 200);
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert!(ids.iter().all(|id| SfId::parse(id.as_str()).ok().as_ref() == Some(id)));
        assert_eq!(a.next_counter(), 202);
    }

    #[test]
    fn generator_rejects_bad_input_and_exhaustion() {
        assert_eq!(IdGenerator::new("5"), Err(IdError::Pod("5".into())));
        let mut g = generator("00", u64::MAX);
        assert_eq!(g.next_id("00x1"), Err(IdError::KeyPrefix("00x1".into())));
        assert_eq!(g.next_id("001"), Err(IdError::Exhausted));
        assert_eq!(base62(62, 2).as_deref(), Some("10"));
    }

    #[test]
    fn serde_round_trip_normalises() {
        let id: Result<SfId, _> = serde_json::from_str("\"001D000000IqhSL\"");
        let text = id.ok().and_then(|id| serde_json::to_string(&id).ok());
        assert_eq!(text.as_deref(), Some("\"001D000000IqhSLIAZ\""));
        assert!(serde_json::from_str::<SfId>("\"nope\"").is_err());
    }
}
