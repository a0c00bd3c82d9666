//! PostgreSQL for tests: when FORCESYNC_TEST_PG holds a URL, each caller gets
//! a fresh schema there, so runs never see each other's data. Schemas are
//! named with their creation time; ones older than an hour are dropped.
//! Without it, each caller says on stderr that its PostgreSQL part was skipped.

use std::str::FromStr;

use sqlx::Connection as _;
use sqlx::postgres::{PgConnectOptions, PgConnection};

/// The URL of a fresh, empty schema, or `None` when PostgreSQL tests are off
/// (then the calling test says so).
pub async fn fresh_database() -> Option<String> {
    let Some(base) = std::env::var("FORCESYNC_TEST_PG").ok().filter(|url| !url.is_empty()) else {
        say_skipped();
        return None;
    };
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_secs();
    let random = forcesync::domain::token::new_token_id().expect("random")[4..].to_lowercase().replace('-', "_");
    let schema = format!("fs_test_{now}_{random}");
    let options = PgConnectOptions::from_str(&base).expect("FORCESYNC_TEST_PG is a PostgreSQL URL");
    let mut connection = PgConnection::connect_with(&options).await.expect("connect to FORCESYNC_TEST_PG");
    let stale: Vec<(String,)> =
        sqlx::query_as("SELECT nspname::text FROM pg_namespace WHERE nspname LIKE 'fs\\_test\\_%'")
            .fetch_all(&mut connection)
            .await
            .expect("list test schemas");
    for (name,) in stale {
        let created = name.split('_').nth(2).and_then(|t| t.parse::<u64>().ok());
        if created.is_none_or(|t| t + 3600 < now) {
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA IF EXISTS \"{name}\" CASCADE")))
                .execute(&mut connection)
                .await;
        }
    }
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA \"{schema}\"")))
        .execute(&mut connection)
        .await
        .expect("create test schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{separator}options=-csearch_path%3D{schema}"))
}

/// One line on the real stderr (past the test harness's output capture, so a
/// plain `cargo test` shows it), naming the test whose PostgreSQL part did not run.
fn say_skipped() {
    use std::io::Write as _;
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("a test");
    let _ = writeln!(std::io::stderr(), "skipped: FORCESYNC_TEST_PG is not set (PostgreSQL tests need it): {test}");
}
