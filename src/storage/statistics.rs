//! PostgreSQL's planner statistics for the tables a backlog grows. The
//! planner picks its plans from row counts gathered by `ANALYZE`; autovacuum
//! runs it once a table changed by a tenth, but only every `autovacuum_naptime`
//! (a minute by default), and not at all where autovacuum is off. A million
//! events arrive in under a minute, and on statistics that still say "a few
//! rows" the fold's reads and ListSyncEvents' pages hash-join whole tables:
//! measured on 1M queued events, the fold ran at 1,400 events/s before an
//! `ANALYZE` and 5,300 after, and a pending-only page took 670 ms. So the
//! engine asks now and then ([`Storage::refresh_statistics`]) and analyzes
//! the tables that changed by more than a fifth since. SQLite keeps no such
//! statistics (its planner is steered with `INDEXED BY` where it matters).

use crate::storage::{Backend, Storage, StorageError};

/// The tables whose size follows the backlog (and the sync log, which a
/// drain fills and pruning empties: on stale statistics its pruning ran a
/// nested loop over the whole table, 9 s per 500 rows).
const TABLES: [&str; 6] = ["sync_events", "sync_entities", "sync_aliases", "sync_records", "sync_log", "sync_changes"];

/// Changed rows below which a table is never analyzed again (small tables plan well enough).
const MIN_CHANGED_ROWS: i64 = 1_000;

#[derive(sqlx::FromRow)]
struct TableChanges {
    table_name: String,
    changed: i64,
    rows: i64,
}

impl Storage {
    /// PostgreSQL: runs `ANALYZE` on each backlog table of this schema whose
    /// rows changed by more than a fifth (and at least [`MIN_CHANGED_ROWS`])
    /// since it was last analyzed; returns the tables analyzed. SQLite: none.
    pub async fn refresh_statistics(&self) -> Result<Vec<&'static str>, StorageError> {
        let Backend::Postgres(pool) = &self.backend else { return Ok(Vec::new()) };
        let changes: Vec<TableChanges> = sqlx::query_as(
            "SELECT relname::text AS table_name, n_mod_since_analyze AS changed, n_live_tup AS rows \
             FROM pg_stat_user_tables WHERE schemaname = current_schema() AND relname = ANY($1)",
        )
        .bind(&TABLES[..])
        .fetch_all(pool)
        .await?;
        let mut analyzed = Vec::new();
        for table in TABLES {
            let stale = changes
                .iter()
                .any(|c| c.table_name == table && c.changed >= MIN_CHANGED_ROWS && c.changed > c.rows / 5);
            if stale {
                // `table` is one of `TABLES`, never input.
                sqlx::query(sqlx::AssertSqlSafe(format!("ANALYZE {table}"))).execute(pool).await?;
                analyzed.push(table);
            }
        }
        Ok(analyzed)
    }
}
