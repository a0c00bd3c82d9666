//! Secrets at rest: AES-256-GCM under the master key, bound to their store and
//! kind (associated data), so a sealed value copied to another row won't open.
//!
//! Sealed layout: `[version = 1][12-byte random nonce][ciphertext + 16-byte tag]`.

use std::fmt;
use std::io::Write as _;
use std::path::Path;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

const VERSION: u8 = 1;
const NONCE_LEN: usize = 12;
const KEY_LEN: usize = 32;
/// File name of the generated key inside the data directory.
pub const KEY_FILE: &str = "master.key";

#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("master key must be {KEY_LEN} bytes encoded as base64")]
    BadKey,
    #[error("cannot read or create the master key file {path}: {source}")]
    KeyFile { path: String, source: std::io::Error },
    #[error("could not generate random bytes: {0}")]
    Random(#[from] getrandom::Error),
    #[error("sealed secret is damaged or was sealed under another master key")]
    Open,
    #[error("encryption failed")]
    Seal,
}

/// The 32-byte key that seals every secret. Never printed.
#[derive(Clone)]
pub struct MasterKey([u8; KEY_LEN]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey([redacted])")
    }
}

impl MasterKey {
    pub fn from_base64(encoded: &str) -> Result<Self, SealError> {
        let bytes = STANDARD.decode(encoded.trim()).map_err(|_| SealError::BadKey)?;
        bytes.try_into().map(Self).map_err(|_| SealError::BadKey)
    }

    /// Reads `<data_dir>/master.key`, creating it (mode 0600) with a fresh
    /// random key on first start.
    pub fn load_or_create(data_dir: &Path) -> Result<Self, SealError> {
        let path = data_dir.join(KEY_FILE);
        let file_error = |source| SealError::KeyFile { path: path.display().to_string(), source };
        match std::fs::read_to_string(&path) {
            Ok(encoded) => return Self::from_base64(&encoded),
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(file_error(e)),
            Err(_) => {}
        }
        let mut key = [0u8; KEY_LEN];
        getrandom::fill(&mut key)?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).map_err(file_error)?;
        writeln!(file, "{}", STANDARD.encode(key)).map_err(file_error)?;
        file.sync_all().map_err(file_error)?;
        Ok(Self(key))
    }
}

/// Seals and opens secrets with the master key.
#[derive(Clone)]
pub struct Sealer {
    cipher: Aes256Gcm,
}

impl fmt::Debug for Sealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Sealer")
    }
}

impl Sealer {
    pub fn new(key: &MasterKey) -> Self {
        Self { cipher: Aes256Gcm::new(&key.0.into()) }
    }

    /// Encrypts `plaintext`; `context` (e.g. `store:kind`) must be given again to open it.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce)?;
        let payload = Payload { msg: plaintext, aad: context.as_bytes() };
        let ciphertext = self.cipher.encrypt((&nonce).into(), payload).map_err(|_| SealError::Seal)?;
        let mut sealed = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        sealed.push(VERSION);
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    pub fn open(&self, sealed: &[u8], context: &str) -> Result<Vec<u8>, SealError> {
        let (&version, rest) = sealed.split_first().ok_or(SealError::Open)?;
        if version != VERSION || rest.len() < NONCE_LEN {
            return Err(SealError::Open);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let nonce: &[u8; NONCE_LEN] = nonce.try_into().map_err(|_| SealError::Open)?;
        let payload = Payload { msg: ciphertext, aad: context.as_bytes() };
        self.cipher.decrypt(nonce.into(), payload).map_err(|_| SealError::Open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealer() -> Sealer {
        Sealer::new(&MasterKey::from_base64(&STANDARD.encode([7u8; 32])).expect("key"))
    }

    #[test]
    fn seals_and_opens_bound_to_context() {
        let s = sealer();
        let sealed = s.seal(b"hunter2", "main:password").expect("seal");
        assert!(!sealed.windows(7).any(|w| w == b"hunter2"));
        assert_eq!(s.open(&sealed, "main:password").expect("open"), b"hunter2");
        assert!(matches!(s.open(&sealed, "other:password"), Err(SealError::Open)));
        let mut tampered = sealed.clone();
        if let Some(last) = tampered.last_mut() {
            *last ^= 1;
        }
        assert!(matches!(s.open(&tampered, "main:password"), Err(SealError::Open)));
        assert!(matches!(s.open(&[], "main:password"), Err(SealError::Open)));
    }

    #[test]
    fn key_file_is_created_once_with_owner_only_mode() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = MasterKey::load_or_create(dir.path()).expect("create");
        let again = MasterKey::load_or_create(dir.path()).expect("read");
        assert_eq!(first.0, again.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE)).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!format!("{first:?}").contains(&STANDARD.encode(first.0)));
    }

    #[test]
    fn bad_keys_are_refused() {
        assert!(matches!(MasterKey::from_base64("short"), Err(SealError::BadKey)));
        assert!(matches!(MasterKey::from_base64(&STANDARD.encode([1u8; 16])), Err(SealError::BadKey)));
    }
}
