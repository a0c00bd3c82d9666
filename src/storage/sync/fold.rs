//! Folding received events into entities, in sequence order, one transaction
//! per batch and no Salesforce call inside. An event's aliases find its
//! entity; when they find two (a payment that came before the order that
//! links it to its cart), the later entity is merged into the earlier one —
//! facts merge order-independently, so nothing is lost.

use crate::domain::sync::{EntityFacts, EventPayload, route};
use crate::storage::{Backend, Storage, StorageError, now_millis, with_pool};

use super::{EntityState, corrupt};

/// Serialises folding across replicas on PostgreSQL (an arbitrary constant).
const FOLD_LOCK: i64 = 0x666f_6c64;

impl Storage {
    /// Folds up to `limit` received events into their entities; returns how
    /// many. New or changed entities become due `linger_ms` from now (unless
    /// already scheduled), so events arriving together are written together.
    pub async fn fold_events(&self, limit: i64, linger_ms: i64) -> Result<usize, StorageError> {
        let _turn = self.write_turn().await;
        let now = now_millis();
        let is_postgres = matches!(self.backend, Backend::Postgres(_));
        with_pool!(self, |pool| {
            // SQLite: the write lock up front (a read first would fail to upgrade after another commit).
            let mut tx = if is_postgres { pool.begin().await? } else { pool.begin_with("BEGIN IMMEDIATE").await? };
            if is_postgres {
                sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(FOLD_LOCK).execute(&mut *tx).await?;
            }
            let events: Vec<(i64, i64, String)> = sqlx::query_as(
                "SELECT seq, store_id, payload FROM sync_events WHERE applied_at IS NULL ORDER BY seq LIMIT $1",
            )
            .bind(limit)
            .fetch_all(&mut *tx)
            .await?;
            for (seq, store_id, payload) in &events {
                let payload: EventPayload = serde_json::from_str(payload).map_err(|e| corrupt("event payload", e))?;
                let mut first_entity = None;
                for routed in route(&payload) {
                    // Find every entity an alias already names, oldest first.
                    let mut query =
                        sqlx::QueryBuilder::new("SELECT DISTINCT entity_id FROM sync_aliases WHERE store_id = ");
                    query.push_bind(*store_id).push(" AND alias IN ");
                    query.push_tuples(&routed.aliases, |mut row, alias| {
                        row.push_bind(alias.clone());
                    });
                    query.push(" ORDER BY entity_id");
                    let found: Vec<(i64,)> = query.build_query_as().fetch_all(&mut *tx).await?;
                    let mut facts = routed.facts.clone();
                    let entity = match found.first() {
                        None => {
                            let json = serde_json::to_string(&facts).map_err(|e| corrupt("facts", e))?;
                            let (id,): (i64,) = sqlx::query_as(
                                "INSERT INTO sync_entities (store_id, kind, label, facts, depends_on, version, state, \
                                 next_run_at, event_count, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $7, 1, $8) \
                                 RETURNING id",
                            )
                            .bind(*store_id)
                            .bind(facts.kind().as_str())
                            .bind(routed.aliases[0].clone())
                            .bind(json)
                            .bind(facts.depends_on())
                            .bind(EntityState::Pending.as_str())
                            .bind(now + linger_ms)
                            .bind(now)
                            .fetch_one(&mut *tx)
                            .await?;
                            id
                        }
                        Some(&(target,)) => {
                            let mut merged_events = 0;
                            for &(other,) in &found[1..] {
                                let (json, events): (String, i64) =
                                    sqlx::query_as("SELECT facts, event_count FROM sync_entities WHERE id = $1")
                                        .bind(other)
                                        .fetch_one(&mut *tx)
                                        .await?;
                                merged_events += events;
                                let theirs: EntityFacts =
                                    serde_json::from_str(&json).map_err(|e| corrupt("facts", e))?;
                                facts.merge(&theirs);
                                for sql in [
                                    "UPDATE sync_aliases SET entity_id = $1 WHERE entity_id = $2",
                                    "UPDATE sync_records SET entity_id = $1 WHERE entity_id = $2",
                                    "UPDATE sync_events SET entity_id = $1 WHERE entity_id = $2",
                                    "UPDATE sync_entities SET state = 'merged', merged_into = $1, locked_until = NULL \
                                     WHERE id = $2",
                                ] {
                                    sqlx::query(sql).bind(target).bind(other).execute(&mut *tx).await?;
                                }
                            }
                            let (json, count): (String, i64) =
                                sqlx::query_as("SELECT facts, event_count FROM sync_entities WHERE id = $1")
                                    .bind(target)
                                    .fetch_one(&mut *tx)
                                    .await?;
                            let mut current: EntityFacts =
                                serde_json::from_str(&json).map_err(|e| corrupt("facts", e))?;
                            current.merge(&facts);
                            let json = serde_json::to_string(&current).map_err(|e| corrupt("facts", e))?;
                            sqlx::query(
                                "UPDATE sync_entities SET facts = $2, depends_on = $3, version = version + 1, \
                                 event_count = $4, updated_at = $5, waiting_reason = NULL, \
                                 next_run_at = CASE WHEN state = 'pending' THEN next_run_at ELSE $6 END, \
                                 state = 'pending' WHERE id = $1",
                            )
                            .bind(target)
                            .bind(json)
                            .bind(current.depends_on())
                            .bind(count + merged_events + 1)
                            .bind(now)
                            .bind(now + linger_ms)
                            .execute(&mut *tx)
                            .await?;
                            target
                        }
                    };
                    let mut query = sqlx::QueryBuilder::new("INSERT INTO sync_aliases (store_id, alias, entity_id) ");
                    query.push_values(&routed.aliases, |mut row, alias| {
                        row.push_bind(*store_id).push_bind(alias.clone()).push_bind(entity);
                    });
                    query.push(" ON CONFLICT (store_id, alias) DO NOTHING");
                    query.build().execute(&mut *tx).await?;
                    first_entity.get_or_insert(entity);
                }
                sqlx::query("UPDATE sync_events SET applied_at = $2, entity_id = $3 WHERE seq = $1")
                    .bind(*seq)
                    .bind(now)
                    .bind(first_entity)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(events.len())
        })
    }
}
