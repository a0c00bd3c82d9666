//! PostgreSQL for tests: when FORCESYNC_TEST_PG holds a URL, each caller gets
//! a fresh schema there, so runs never see each other's data.

use std::str::FromStr;

use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};

/// The URL of a fresh, empty schema, or `None` when PostgreSQL tests are off.
pub async fn fresh_database() -> Option<String> {
    let base = std::env::var("FORCESYNC_TEST_PG").ok().filter(|url| !url.is_empty())?;
    let schema = format!("fs_test_{}", forcesync::domain::token::new_token_id().expect("random")[4..].to_lowercase())
        .replace('-', "_");
    let options = PgConnectOptions::from_str(&base).expect("FORCESYNC_TEST_PG is a PostgreSQL URL");
    let mut connection = PgConnection::connect_with(&options).await.expect("connect to FORCESYNC_TEST_PG");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
        .execute(&mut connection)
        .await
        .expect("create test schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{separator}options=-csearch_path%3D{schema}"))
}
