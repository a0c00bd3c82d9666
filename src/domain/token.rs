//! Bearer tokens. A token is shown once when issued; forcesync keeps only its
//! SHA-256 hash, so a leaked database does not leak working tokens.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Prefix of every store token, so a leaked one is recognisable by scanners.
pub const STORE_TOKEN_PREFIX: &str = "fs_";
/// Prefix of generated admin tokens.
pub const ADMIN_TOKEN_PREFIX: &str = "fsa_";
/// Random bytes in a generated token.
const TOKEN_BYTES: usize = 32;
/// Shortest admin token accepted from the environment or a file.
pub const MIN_ADMIN_TOKEN_LEN: usize = 24;

/// A secret bearer token. Its `Debug` never shows the value.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// A new random store token: `fs_` + 43 characters (32 random bytes).
    pub fn generate_store() -> Result<Self, getrandom::Error> {
        Self::generate(STORE_TOKEN_PREFIX)
    }

    /// A new random admin token: `fsa_` + 43 characters.
    pub fn generate_admin() -> Result<Self, getrandom::Error> {
        Self::generate(ADMIN_TOKEN_PREFIX)
    }

    fn generate(prefix: &str) -> Result<Self, getrandom::Error> {
        let mut bytes = [0u8; TOKEN_BYTES];
        getrandom::fill(&mut bytes)?;
        Ok(Self(format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))))
    }

    /// Wraps a token received from a caller or read from configuration.
    pub fn from_secret(raw: impl Into<String>) -> Self {
        Self(raw.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn hash(&self) -> TokenHash {
        TokenHash(Sha256::digest(self.0.as_bytes()).into())
    }

    /// Whether this looks like a store token (it may still be unknown).
    pub fn is_store_token(&self) -> bool {
        self.0.starts_with(STORE_TOKEN_PREFIX)
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

/// SHA-256 of a token: what the database stores and lookups use.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash([u8; 32]);

impl TokenHash {
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        bytes.try_into().ok().map(Self)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Compares in constant time, so response timing reveals nothing.
    pub fn matches(&self, other: &TokenHash) -> bool {
        self.0.ct_eq(&other.0).into()
    }

    /// Hex form, for storing in text columns.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn from_hex(hex: &str) -> Option<Self> {
        if hex.len() != 64 || !hex.is_ascii() {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Self(out))
    }
}

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenHash({}…)", &self.to_hex()[..8])
    }
}

/// A public, non-secret id for an issued token (shown in listings and the
/// audit log, never usable to authenticate).
pub fn new_token_id() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 9];
    getrandom::fill(&mut bytes)?;
    Ok(format!("tok_{}", URL_SAFE_NO_PAD.encode(bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_tokens_are_prefixed_random_and_long() {
        let a = Token::generate_store().expect("random");
        let b = Token::generate_store().expect("random");
        assert!(a.expose().starts_with("fs_") && a.is_store_token());
        assert_eq!(a.expose().len(), 3 + 43);
        assert_ne!(a, b);
        assert!(!Token::generate_admin().expect("random").is_store_token());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let token = Token::from_secret("fs_supersecret");
        assert!(!format!("{token:?}").contains("supersecret"));
        assert!(!format!("{:?}", token.hash()).contains("supersecret"));
    }

    #[test]
    fn hashes_round_trip_and_compare() {
        let token = Token::from_secret("fs_abc");
        let hash = token.hash();
        assert_eq!(TokenHash::from_hex(&hash.to_hex()), Some(hash));
        assert_eq!(TokenHash::from_bytes(hash.as_bytes()), Some(hash));
        assert!(hash.matches(&Token::from_secret("fs_abc").hash()));
        assert!(!hash.matches(&Token::from_secret("fs_abd").hash()));
        assert_eq!(TokenHash::from_hex("zz"), None);
    }
}
