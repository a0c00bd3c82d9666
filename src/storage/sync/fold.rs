//! Folding received events into entities, no Salesforce call inside. The
//! rules are pure (`domain::sync::folding`); here one transaction per store
//! reads a batch of its events, the aliases they name and those aliases'
//! entities (three set-based queries), plans the fold in memory, and writes
//! the plan back in a few multi-row statements: about seven statements per
//! batch, not per event, so the intake keeps SQLite's single writer most of
//! the time.
//!
//! PostgreSQL replicas fold different stores at once: each store's fold
//! takes that store's advisory lock with *try*, so a store another replica is
//! folding is skipped, not waited for. One store's events are folded by one
//! transaction at a time, in sequence order, which keeps every entity's order.

use std::collections::HashMap;

use crate::domain::sync::folding::{EntityRef, RoutedEvent, StoredEntity, aliases_named, plan_fold};
use crate::domain::sync::{EventPayload, route};
use crate::storage::{Backend, Storage, StorageError, with_pool, write_tx};

use super::{EntityState, corrupt};

/// Takes a store's fold lock on PostgreSQL if it is free. Advisory locks are
/// database-wide, so the key names the schema too: forcesync instances in
/// different schemas of one database never hold each other up.
const FOLD_LOCK: &str =
    "SELECT pg_try_advisory_xact_lock(hashtextextended('forcesync.fold.' || current_schema() || '.' || $1::text, 0))";
/// Rows per multi-row statement: well under both backends' limits on bound parameters.
const ROWS_PER_STATEMENT: usize = 500;

#[derive(sqlx::FromRow)]
struct UnappliedEvent {
    seq: i64,
    payload: String,
}

#[derive(sqlx::FromRow)]
struct AliasRow {
    alias: String,
    entity_id: i64,
}

#[derive(sqlx::FromRow)]
struct EntityRow {
    id: i64,
    facts: String,
    event_count: i64,
}

#[derive(sqlx::FromRow)]
struct CreatedRow {
    id: i64,
    label: String,
}

impl Storage {
    /// Folds up to `limit` received events into their entities, store by
    /// store; returns how many. New or changed entities become due
    /// `linger_ms` after `now` (unless already scheduled), so events arriving
    /// together are written together.
    pub async fn fold_events(&self, limit: i64, linger_ms: i64, now: i64) -> Result<usize, StorageError> {
        let mut folded = 0;
        for store_id in self.stores_with_unapplied_events().await? {
            let left = limit - i64::try_from(folded).unwrap_or(i64::MAX);
            if left <= 0 {
                break;
            }
            folded += self.fold_store(store_id, left, linger_ms, now).await?;
        }
        Ok(folded)
    }

    /// Received events not yet folded, across all stores (the fold lag).
    pub async fn unapplied_events(&self) -> Result<i64, StorageError> {
        const SQL: &str = "SELECT COUNT(*) FROM sync_events WHERE applied_at IS NULL";
        let (count,): (i64,) = with_pool!(self, |pool| sqlx::query_as(SQL).fetch_one(pool).await?);
        Ok(count)
    }

    /// Events received so far, of every store (what `bench ingest` waits for).
    pub async fn received_events(&self) -> Result<i64, StorageError> {
        const SQL: &str = "SELECT COUNT(*) FROM sync_events";
        let (count,): (i64,) = with_pool!(self, |pool| sqlx::query_as(SQL).fetch_one(pool).await?);
        Ok(count)
    }

    /// One probe per store (the unapplied-events index), not a scan of the backlog.
    async fn stores_with_unapplied_events(&self) -> Result<Vec<i64>, StorageError> {
        let sql = format!(
            "SELECT s.id FROM stores s WHERE EXISTS \
             (SELECT 1 FROM {} WHERE e.store_id = s.id AND e.applied_at IS NULL) ORDER BY s.id",
            self.unfolded_events("e")
        );
        let rows: Vec<(i64,)> =
            with_pool!(self, |pool| sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())).fetch_all(pool).await?);
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    /// Folds up to `limit` of one store's events in one transaction; 0 when
    /// another replica is folding the store.
    async fn fold_store(&self, store_id: i64, limit: i64, linger_ms: i64, now: i64) -> Result<usize, StorageError> {
        let started = std::time::Instant::now();
        let is_postgres = matches!(self.backend, Backend::Postgres(_));
        let read_events = format!(
            "SELECT u.seq, u.payload FROM {} WHERE u.store_id = $1 AND u.applied_at IS NULL ORDER BY u.seq LIMIT $2",
            self.unfolded_events("u")
        );
        let folded = write_tx!(self, |tx| {
            let mine = !is_postgres || {
                let (locked,): (bool,) = sqlx::query_as(FOLD_LOCK).bind(store_id).fetch_one(&mut *tx).await?;
                locked
            };
            let events: Vec<UnappliedEvent> = if mine {
                sqlx::query_as(sqlx::AssertSqlSafe(read_events.clone()))
                    .bind(store_id)
                    .bind(limit)
                    .fetch_all(&mut *tx)
                    .await?
            } else {
                Vec::new()
            };
            let routed = events
                .iter()
                .map(|event| {
                    let payload: EventPayload =
                        serde_json::from_str(&event.payload).map_err(|e| corrupt("event payload", e))?;
                    Ok(RoutedEvent { seq: event.seq, routes: route(&payload) })
                })
                .collect::<Result<Vec<_>, StorageError>>()?;

            // Read: the aliases the batch names, then their entities.
            let mut known: HashMap<String, i64> = HashMap::new();
            for chunk in aliases_named(&routed).chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new("SELECT alias, entity_id FROM sync_aliases WHERE store_id = ");
                query.push_bind(store_id).push(" AND alias IN (");
                let mut list = query.separated(", ");
                for alias in chunk {
                    list.push_bind(alias.clone());
                }
                query.push(")");
                let rows: Vec<AliasRow> = query.build_query_as().fetch_all(&mut *tx).await?;
                known.extend(rows.into_iter().map(|row| (row.alias, row.entity_id)));
            }
            let mut ids: Vec<i64> = known.values().copied().collect();
            ids.sort_unstable();
            ids.dedup();
            let mut stored = Vec::with_capacity(ids.len());
            for chunk in ids.chunks(ROWS_PER_STATEMENT) {
                let mut query =
                    sqlx::QueryBuilder::new("SELECT id, facts, event_count FROM sync_entities WHERE id IN (");
                let mut list = query.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                query.push(")");
                let rows: Vec<EntityRow> = query.build_query_as().fetch_all(&mut *tx).await?;
                for row in rows {
                    let facts = serde_json::from_str(&row.facts).map_err(|e| corrupt("facts", e))?;
                    stored.push(StoredEntity { id: row.id, facts, event_count: row.event_count });
                }
            }
            let plan = plan_fold(&routed, &known, stored).map_err(|e| corrupt("aliases", e))?;

            // Write: new entities (their ids come back by label, unique among them), merges, updates,
            // new aliases, and each event's entity.
            let mut created_id: HashMap<String, i64> = HashMap::with_capacity(plan.created.len());
            for chunk in plan.created.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new(
                    "INSERT INTO sync_entities (store_id, kind, label, facts, depends_on, version, state, \
                     next_run_at, event_count, updated_at) ",
                );
                let mut rows = Vec::with_capacity(chunk.len());
                for entity in chunk {
                    let json = serde_json::to_string(&entity.facts).map_err(|e| corrupt("facts", e))?;
                    rows.push((entity, json));
                }
                query.push_values(&rows, |mut row, (entity, json)| {
                    row.push_bind(store_id)
                        .push_bind(entity.facts.kind().as_str())
                        .push_bind(entity.label.clone())
                        .push_bind(json.clone())
                        .push_bind(entity.facts.depends_on())
                        .push_bind(1_i64)
                        .push_bind(EntityState::Pending.as_str())
                        .push_bind(now + linger_ms)
                        .push_bind(entity.event_count)
                        .push_bind(now);
                });
                query.push(" RETURNING id, label");
                let rows: Vec<CreatedRow> = query.build_query_as().fetch_all(&mut *tx).await?;
                created_id.extend(rows.into_iter().map(|row| (row.label, row.id)));
            }
            let created: Vec<i64> = plan
                .created
                .iter()
                .map(|entity| created_id.get(&entity.label).copied())
                .collect::<Option<_>>()
                .ok_or_else(|| StorageError::Corrupt("a created entity came back without its label".into()))?;
            let id_of = |entity: EntityRef| match entity {
                EntityRef::Stored(id) => id,
                EntityRef::Created(n) => created[n],
            };
            for merge in &plan.merges {
                for sql in [
                    "UPDATE sync_aliases SET entity_id = $1 WHERE entity_id = $2",
                    "UPDATE sync_records SET entity_id = $1 WHERE entity_id = $2",
                    "UPDATE sync_events SET entity_id = $1 WHERE entity_id = $2",
                    "UPDATE sync_entities SET state = 'merged', merged_into = $1, locked_until = NULL WHERE id = $2",
                ] {
                    sqlx::query(sql).bind(merge.into).bind(merge.from).execute(&mut *tx).await?;
                }
            }
            for chunk in plan.updated.chunks(ROWS_PER_STATEMENT) {
                // A pending entity keeps its schedule; any other becomes pending, due after the linger.
                let mut query = sqlx::QueryBuilder::new("UPDATE sync_entities SET facts = v.column2, ");
                query.push("depends_on = v.column3, event_count = v.column4, version = version + 1, updated_at = ");
                query.push_bind(now).push(", waiting_reason = NULL, next_run_at = CASE WHEN state = 'pending' ");
                query.push("THEN next_run_at ELSE ").push_bind(now + linger_ms).push(" END, state = 'pending' FROM (");
                let mut rows = Vec::with_capacity(chunk.len());
                for entity in chunk {
                    let json = serde_json::to_string(&entity.facts).map_err(|e| corrupt("facts", e))?;
                    rows.push((entity, json));
                }
                query.push_values(&rows, |mut row, (entity, json)| {
                    row.push_bind(entity.id)
                        .push_bind(json.clone())
                        .push_bind(entity.facts.depends_on())
                        .push_bind(entity.event_count);
                });
                query.push(") AS v WHERE sync_entities.id = v.column1");
                query.build().execute(&mut *tx).await?;
            }
            for chunk in plan.aliases.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new("INSERT INTO sync_aliases (store_id, alias, entity_id) ");
                query.push_values(chunk, |mut row, (alias, entity)| {
                    row.push_bind(store_id).push_bind(alias.clone()).push_bind(id_of(*entity));
                });
                query.push(" ON CONFLICT (store_id, alias) DO NOTHING");
                query.build().execute(&mut *tx).await?;
            }
            for chunk in plan.applied.chunks(ROWS_PER_STATEMENT) {
                let mut query = sqlx::QueryBuilder::new("UPDATE sync_events SET applied_at = ");
                query.push_bind(now).push(", entity_id = v.column2 FROM (");
                query.push_values(chunk, |mut row, (seq, entity)| {
                    row.push_bind(*seq).push_bind(entity.map(id_of));
                });
                query.push(") AS v WHERE sync_events.seq = v.column1");
                query.build().execute(&mut *tx).await?;
            }
            events.len()
        });
        tracing::debug!(store_id, folded, micros = started.elapsed().as_micros() as u64, "folded received events");
        Ok(folded)
    }
}
