//! Stock levels: a call's levels accepted in one transaction (a later as-of
//! replaces the held level, an older or equal one changes nothing; a repeated
//! event id is a duplicate), the pending ones loaded for a push, and each
//! push's outcome per SKU.

use sqlx::QueryBuilder;

use crate::domain::inventory::{Level, Pending};
use crate::storage::{Storage, StorageError, with_pool, write_tx};

/// Rows per multi-row statement (well under both backends' parameter limits).
const ROWS_PER_STATEMENT: usize = 500;

/// The outcome of an UpdateInventory call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// Committed now: levels that replaced the held one, and those that did not.
    New { received_at: i64, accepted: i64, superseded: i64 },
    /// The event id was received before with the same content.
    Duplicate { received_at: i64, accepted: i64, superseded: i64 },
    /// The event id was received before with other content.
    Reused,
}

/// Where a SKU's level stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LevelState {
    Pending,
    Written,
    Unmatched,
    Failed,
}

impl LevelState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Written => "written",
            Self::Unmatched => "unmatched",
            Self::Failed => "failed",
        }
    }
}

/// What a push learnt about one SKU. `state` applies only while the level
/// pushed (`as_of`) is still the latest; a newer one stays pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LevelResult {
    pub sku: String,
    pub as_of: i64,
    pub state: LevelState,
    /// What Salesforce now holds (the level sent, or the one before).
    pub written: Option<String>,
    pub record_id: Option<String>,
    pub error: Option<(String, String)>,
}

#[derive(sqlx::FromRow)]
struct UpdateRow {
    payload_hash: Vec<u8>,
    received_at: i64,
    accepted: i64,
    superseded: i64,
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    sku: String,
    desired_qty: String,
    desired_as_of: i64,
    forced: bool,
    written_qty: Option<String>,
    record_id: Option<String>,
}

impl Storage {
    /// Commits one UpdateInventory call (levels already one per SKU) and
    /// makes the store due for a push.
    pub async fn accept_inventory(
        &self,
        store_id: i64,
        event_id: &str,
        payload_hash: &[u8],
        levels: &[Level],
        forced: bool,
        now: i64,
    ) -> Result<Accepted, StorageError> {
        let outcome = write_tx!(self, |tx| {
            let held: Option<UpdateRow> = sqlx::query_as(
                "SELECT payload_hash, received_at, accepted, superseded FROM inventory_updates \
                 WHERE store_id = $1 AND event_id = $2",
            )
            .bind(store_id)
            .bind(event_id)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(held) = held {
                if held.payload_hash != payload_hash {
                    return Ok(Accepted::Reused);
                }
                let UpdateRow { received_at, accepted, superseded, .. } = held;
                return Ok(Accepted::Duplicate { received_at, accepted, superseded });
            }
            let mut accepted = 0u64;
            for chunk in levels.chunks(ROWS_PER_STATEMENT) {
                let mut query = QueryBuilder::new(
                    "INSERT INTO inventory_levels (store_id, sku, desired_qty, desired_as_of, forced, state, updated_at) ",
                );
                query.push_values(chunk, |mut row, level| {
                    row.push_bind(store_id)
                        .push_bind(level.sku.clone())
                        .push_bind(level.quantity.clone())
                        .push_bind(level.as_of)
                        .push_bind(forced)
                        .push_bind(LevelState::Pending.as_str())
                        .push_bind(now);
                });
                query.push(
                    " ON CONFLICT (store_id, sku) DO UPDATE SET desired_qty = excluded.desired_qty, \
                     desired_as_of = excluded.desired_as_of, forced = excluded.forced, state = excluded.state, \
                     updated_at = excluded.updated_at \
                     WHERE excluded.desired_as_of > inventory_levels.desired_as_of",
                );
                accepted += query.build().execute(&mut *tx).await?.rows_affected();
            }
            let accepted = i64::try_from(accepted).unwrap_or(i64::MAX);
            let superseded = i64::try_from(levels.len()).unwrap_or(i64::MAX) - accepted;
            sqlx::query(
                "INSERT INTO inventory_updates (store_id, event_id, payload_hash, received_at, accepted, superseded) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(store_id)
            .bind(event_id)
            .bind(payload_hash)
            .bind(now)
            .bind(accepted)
            .bind(superseded)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO inventory_runs (store_id, next_run_at) VALUES ($1, $2) ON CONFLICT (store_id) DO NOTHING",
            )
            .bind(store_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            Accepted::New { received_at: now, accepted, superseded }
        });
        Ok(outcome)
    }

    /// A store's pending levels, by SKU.
    pub async fn pending_levels(&self, store_id: i64) -> Result<Vec<Pending>, StorageError> {
        let rows: Vec<PendingRow> = with_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT sku, desired_qty, desired_as_of, forced, written_qty, record_id FROM inventory_levels \
                 WHERE store_id = $1 AND state = 'pending' ORDER BY sku",
            )
            .bind(store_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|row| Pending {
                sku: row.sku,
                quantity: row.desired_qty,
                as_of: row.desired_as_of,
                forced: row.forced,
                written: row.written_qty,
                record_id: row.record_id,
            })
            .collect())
    }

    /// Records a push's outcome per SKU, in one transaction.
    pub async fn record_levels(&self, store_id: i64, results: &[LevelResult], now: i64) -> Result<(), StorageError> {
        if results.is_empty() {
            return Ok(());
        }
        write_tx!(self, |tx| {
            for chunk in results.chunks(ROWS_PER_STATEMENT) {
                let mut query = QueryBuilder::new(
                    "UPDATE inventory_levels SET written_qty = v.column3, record_id = v.column4, \
                     error_code = v.column5, error_message = v.column6, updated_at = ",
                );
                query.push_bind(now);
                query.push(
                    ", state = CASE WHEN inventory_levels.desired_as_of = v.column2 THEN v.column7 ELSE 'pending' END, \
                     forced = CASE WHEN inventory_levels.desired_as_of = v.column2 THEN FALSE ELSE inventory_levels.forced END \
                     FROM (",
                );
                query.push_values(chunk, |mut row, result| {
                    let (code, message) = result.error.clone().unzip();
                    row.push_bind(result.sku.clone())
                        .push_bind(result.as_of)
                        .push_bind(result.written.clone())
                        .push_bind(result.record_id.clone())
                        .push_bind(code)
                        .push_bind(message)
                        .push_bind(result.state.as_str());
                });
                query.push(") AS v WHERE inventory_levels.store_id = ");
                query.push_bind(store_id);
                query.push(" AND inventory_levels.sku = v.column1");
                query.build().execute(&mut *tx).await?;
            }
        });
        Ok(())
    }
}
