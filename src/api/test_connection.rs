//! `TestConnection`: build the connection from the pending (or saved)
//! settings and secrets, run the preflight checks, and with `apply` save the
//! pending configuration in one transaction when nothing failed.

use crate::pb::{self, TestConnectionRequest, TestConnectionResponse};
use crate::salesforce::preflight::{self, Check, CheckStatus};
use crate::storage::{Actor, TestResult, now_millis};
use crate::store_login;

use super::credentials_convert::parse_credentials;
use super::store_config::{StoreConfigApi, merge_settings};
use super::{ApiError, etag, parse_etag};

fn check_to_proto(check: Check) -> pb::ConnectionCheck {
    let status = match check.status {
        CheckStatus::Pass => pb::CheckStatus::Pass,
        CheckStatus::Warn => pb::CheckStatus::Warn,
        CheckStatus::Fail => pb::CheckStatus::Fail,
        CheckStatus::Skipped => pb::CheckStatus::Skipped,
    };
    pb::ConnectionCheck { name: check.name, status: status as i32, message: check.message, remedy: check.remedy }
}

impl StoreConfigApi {
    /// TestConnection's work for any caller (the RPC, the web console).
    pub(crate) async fn run_test_connection(
        &self,
        request: TestConnectionRequest,
        actor: Actor,
    ) -> Result<TestConnectionResponse, ApiError> {
        let code = request.store_code;
        let expected = match (request.apply, parse_etag(&request.etag)) {
            (true, None) => {
                return Err(ApiError::invalid("etag", "is required with apply: pass the etag from GetStoreConfig"));
            }
            (_, expected) => expected,
        };
        let current = self.storage.get_settings(&code).await?;
        if let Some(expected) = expected.filter(|e| *e != current.version) {
            return Err(ApiError::EtagMismatch { expected: etag(expected), current: etag(current.version) });
        }
        let mask = request.update_mask.as_ref().map(|m| m.paths.as_slice());
        let (settings, changed) = match &request.settings {
            Some(changes) => merge_settings(&current.settings, changes, mask)?,
            None => (current.settings.clone(), Vec::new()),
        };
        let pending = parse_credentials(&request.credentials)?;
        let mut secrets = store_login::unseal(&self.sealer, &code, self.storage.sealed_credentials(&code).await?)?;
        for (kind, value) in &pending {
            match value {
                Some(value) => secrets.insert(*kind, value.clone()),
                None => secrets.remove(kind),
            };
        }
        let checks = match store_login::client(&self.http, self.retry, &settings, &secrets) {
            Ok(client) => preflight::run(&client.for_store(&code), &settings).await,
            Err(missing) => vec![Check::fail(
                "credentials",
                format!("cannot log in: {missing}"),
                "Set the connection settings and secrets for the chosen auth method (SetCredentials, or pass them here).",
            )],
        };
        let failed = checks.iter().filter(|c| c.status == CheckStatus::Fail).count();
        let first_failure =
            checks.iter().find(|c| c.status == CheckStatus::Fail).map(|c| (c.name.clone(), c.message.clone()));
        tracing::info!(store = %code, actor = %actor, failed, checks = checks.len(), apply = request.apply, "test connection");
        let mut response = TestConnectionResponse {
            passed: failed == 0,
            etag: etag(current.version),
            checks: checks.into_iter().map(check_to_proto).collect(),
            ..Default::default()
        };
        match (request.apply, expected) {
            (true, Some(expected)) if failed == 0 => {
                let mut sealed = Vec::with_capacity(pending.len());
                for (kind, value) in pending {
                    let value = value.map(|v| self.seal(&code, kind, &v)).transpose()?;
                    sealed.push((kind, value));
                }
                let saved = self.storage.apply_config(&code, expected, &settings, &sealed, &changed, &actor).await?;
                response.applied = true;
                response.etag = etag(saved.version);
            }
            (true, _) => response.not_applied_reason = format!("{failed} check(s) failed: nothing was saved"),
            (false, _) => {}
        }
        let tested_saved = (request.settings.is_none() && request.credentials.is_empty()) || response.applied;
        if tested_saved {
            self.remember_test(&code, failed, first_failure).await;
        }
        Ok(response)
    }

    /// Keeps the result of a test of the saved configuration for the
    /// console's overview (all replicas, across restarts). A failure to
    /// write it is logged, never the caller's error.
    async fn remember_test(&self, code: &str, failed: usize, first_failure: Option<(String, String)>) {
        let result = TestResult {
            at: now_millis(),
            passed: failed == 0,
            failed_checks: i64::try_from(failed).unwrap_or(i64::MAX),
            first_failure: first_failure.map(|(name, message)| {
                let text = format!("{name}: {message}");
                text.chars().take(MAX_FAILURE_TEXT).collect()
            }),
        };
        let written = match self.storage.store_id(code).await {
            Ok(store_id) => self.storage.record_connection_test(store_id, &result).await,
            Err(error) => Err(error),
        };
        if let Err(error) = written {
            tracing::warn!(store = %code, error = %crate::error_text::report(&error), "could not keep the Test Connection result");
        }
    }
}

/// The first failure's text kept for the overview, at most (characters).
const MAX_FAILURE_TEXT: usize = 500;
