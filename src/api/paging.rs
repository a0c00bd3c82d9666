//! Page sizes and opaque page tokens for list RPCs (AIP-158).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::ApiError;

pub const DEFAULT_PAGE_SIZE: i64 = 100;
pub const MAX_PAGE_SIZE: i64 = 1000;
const TOKEN_PREFIX: &str = "after:";

/// 0 means the default; negative or too large is refused.
pub fn page_size(requested: i32) -> Result<i64, ApiError> {
    match i64::from(requested) {
        0 => Ok(DEFAULT_PAGE_SIZE),
        n if (1..=MAX_PAGE_SIZE).contains(&n) => Ok(n),
        n => Err(ApiError::invalid("page_size", format!("must be between 0 and {MAX_PAGE_SIZE}, got {n}"))),
    }
}

/// The key after which the next page starts (empty for the first page).
pub fn decode_token(token: &str) -> Result<String, ApiError> {
    if token.is_empty() {
        return Ok(String::new());
    }
    let invalid = || ApiError::invalid("page_token", "not a page token returned by this API");
    let bytes = URL_SAFE_NO_PAD.decode(token).map_err(|_| invalid())?;
    let text = String::from_utf8(bytes).map_err(|_| invalid())?;
    text.strip_prefix(TOKEN_PREFIX).map(str::to_owned).ok_or_else(invalid)
}

pub fn encode_token(last_key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("{TOKEN_PREFIX}{last_key}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_tokens() {
        assert_eq!(page_size(0).ok(), Some(DEFAULT_PAGE_SIZE));
        assert_eq!(page_size(5).ok(), Some(5));
        assert!(page_size(-1).is_err() && page_size(1001).is_err());
        assert_eq!(decode_token(&encode_token("main")).ok(), Some("main".to_owned()));
        assert_eq!(decode_token("").ok(), Some(String::new()));
        assert!(decode_token("!!").is_err() && decode_token(&URL_SAFE_NO_PAD.encode("x")).is_err());
    }
}
