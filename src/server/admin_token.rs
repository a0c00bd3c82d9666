//! Where the admin token comes from: the environment or a file (the operator
//! keeps it), else a token forcesync generates on first start, printed once
//! and kept only as a hash.

use crate::domain::token::{MIN_ADMIN_TOKEN_LEN, Token, TokenHash};
use crate::storage::{Storage, StorageError};

/// The admin token hash to check calls against, and the token itself if it
/// was generated just now (the caller shows it once).
pub async fn resolve(
    storage: &Storage,
    configured: Option<&Token>,
) -> Result<(TokenHash, Option<Token>), StorageError> {
    if let Some(token) = configured {
        return Ok((token.hash(), None));
    }
    if let Some(hash) = storage.admin_token_hash().await? {
        return Ok((hash, None));
    }
    let token = Token::generate_admin()?;
    if storage.store_admin_token_hash(&token.hash()).await? {
        return Ok((token.hash(), Some(token)));
    }
    // Another replica generated one first: use that.
    let hash =
        storage.admin_token_hash().await?.ok_or_else(|| StorageError::Corrupt("admin token hash vanished".into()))?;
    Ok((hash, None))
}

/// Checks an operator-supplied admin token.
pub fn parse_configured(raw: &str) -> Result<Token, String> {
    let trimmed = raw.trim();
    if trimmed.len() < MIN_ADMIN_TOKEN_LEN {
        return Err(format!("the admin token must be at least {MIN_ADMIN_TOKEN_LEN} characters"));
    }
    if trimmed.starts_with(crate::domain::token::STORE_TOKEN_PREFIX) {
        return Err("the admin token must not start with the store token prefix \"fs_\"".into());
    }
    if !trimmed.chars().all(|c| c.is_ascii_graphic()) {
        return Err("the admin token must be printable ASCII without spaces".into());
    }
    Ok(Token::from_secret(trimmed))
}
