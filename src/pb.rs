//! Code generated from `proto/forcesync/v1/*.proto`, plus the descriptor set
//! that gRPC reflection serves. Messages that carry secrets have a `Debug`
//! written here that never prints them.

#![allow(clippy::all, clippy::pedantic, unused_qualifications, missing_debug_implementations)]

use std::fmt;

tonic::include_proto!("forcesync.v1");

/// Encoded `FileDescriptorSet` of the forcesync.v1 protos.
pub const FILE_DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("forcesync_descriptor");

const REDACTED: &str = "[redacted]";

impl fmt::Debug for CredentialValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialValue").field("kind", &self.kind).field("value", &REDACTED).finish()
    }
}

impl fmt::Debug for CreateStoreResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreateStoreResponse").field("store", &self.store).field("store_token", &REDACTED).finish()
    }
}

impl fmt::Debug for RotateStoreTokenResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RotateStoreTokenResponse").field("store", &self.store).field("store_token", &REDACTED).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_not_in_debug_output() {
        let value = CredentialValue { kind: CredentialKind::Password as i32, value: "hunter2".into() };
        let request = SetCredentialsRequest { store_code: "main".into(), credentials: vec![value] };
        assert!(!format!("{request:?}").contains("hunter2"));
        let created = CreateStoreResponse { store: None, store_token: "fs_secret".into() };
        assert!(!format!("{created:?}").contains("fs_secret"));
        let rotated = RotateStoreTokenResponse { store: None, store_token: "fs_secret".into() };
        assert!(!format!("{rotated:?}").contains("fs_secret"));
    }
}
