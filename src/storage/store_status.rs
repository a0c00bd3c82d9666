//! Each store's last Test Connection and last seen API usage (`store_status`),
//! kept in the database so every replica's console shows the same, also
//! after a restart. Written by Test Connection (any caller) and, throttled,
//! by the engine; read by the console's overview.

use super::{Storage, StorageError, with_pool};

/// The last Test Connection of a store: when, whether it passed, how many
/// checks failed and the first failure's text (never a secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestResult {
    pub at: i64,
    pub passed: bool,
    pub failed_checks: i64,
    pub first_failure: Option<String>,
}

/// The org's API usage a store's connection last reported, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UsageSeen {
    pub used: i64,
    pub max: i64,
    pub at: i64,
}

/// What is known of a store; each part `None` until first written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoreStatus {
    pub test: Option<TestResult>,
    pub usage: Option<UsageSeen>,
}

#[derive(sqlx::FromRow)]
struct StatusRow {
    test_at: Option<i64>,
    test_passed: Option<bool>,
    test_failed_checks: Option<i64>,
    test_first_failure: Option<String>,
    api_used: Option<i64>,
    api_max: Option<i64>,
    api_at: Option<i64>,
}

impl Storage {
    /// Records a store's Test Connection result (replacing the previous one).
    pub async fn record_connection_test(&self, store_id: i64, test: &TestResult) -> Result<(), StorageError> {
        let _turn = self.write_turn().await;
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO store_status (store_id, test_at, test_passed, test_failed_checks, test_first_failure) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (store_id) DO UPDATE SET test_at = $2, test_passed = $3, \
                 test_failed_checks = $4, test_first_failure = $5",
            )
            .bind(store_id)
            .bind(test.at)
            .bind(test.passed)
            .bind(test.failed_checks)
            .bind(test.first_failure.as_deref())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Records the API usage a store's connection saw.
    pub async fn record_api_usage(&self, store_id: i64, usage: UsageSeen) -> Result<(), StorageError> {
        let _turn = self.write_turn().await;
        with_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO store_status (store_id, api_used, api_max, api_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (store_id) DO UPDATE SET api_used = $2, api_max = $3, api_at = $4",
            )
            .bind(store_id)
            .bind(usage.used)
            .bind(usage.max)
            .bind(usage.at)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// A store's last Test Connection and API usage (by primary key).
    pub async fn store_status(&self, store_id: i64) -> Result<StoreStatus, StorageError> {
        let sql = "SELECT test_at, test_passed, test_failed_checks, test_first_failure, api_used, api_max, api_at \
                   FROM store_status WHERE store_id = $1";
        let row: Option<StatusRow> =
            with_pool!(self, |pool| sqlx::query_as(sql).bind(store_id).fetch_optional(pool).await?);
        let Some(row) = row else { return Ok(StoreStatus::default()) };
        let test = row.test_at.map(|at| TestResult {
            at,
            passed: row.test_passed.unwrap_or(false),
            failed_checks: row.test_failed_checks.unwrap_or(0),
            first_failure: row.test_first_failure,
        });
        let usage = match (row.api_used, row.api_max, row.api_at) {
            (Some(used), Some(max), Some(at)) => Some(UsageSeen { used, max, at }),
            _ => None,
        };
        Ok(StoreStatus { test, usage })
    }
}
