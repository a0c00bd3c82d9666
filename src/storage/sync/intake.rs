//! Durable intake with group commit. Every accepted event is inserted before
//! its RPC is answered; one writer task drains whatever requests are waiting
//! and commits them in a single transaction (one multi-row INSERT per chunk),
//! so the cost of a commit is shared by everything in flight. A repeated
//! event id is answered with the original; a reused id with other content
//! (by the event's `ContentDigest`) is refused.

use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{Notify, mpsc, oneshot};

use crate::domain::sync::NewEvent;
use crate::storage::{Storage, StorageError, now_millis, write_tx};

/// Rows per INSERT statement (7 parameters each, far below either backend's limit).
const ROWS_PER_STATEMENT: usize = 500;
/// Events per transaction.
const MAX_BATCH_EVENTS: usize = 4_000;
/// Requests waiting for the writer before callers are slowed down.
const QUEUE_DEPTH: usize = 8_192;
/// Batches committing at once on PostgreSQL.
const POSTGRES_WRITERS: usize = 8;

/// How one event was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub event_id: String,
    /// True when the id was received before: the rest describes the original.
    pub duplicate: bool,
    pub sequence: i64,
    pub received_at: i64,
    /// Whether the event was already folded into its entities.
    pub applied: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum IntakeError {
    /// The id was used before for an event with different content.
    #[error("event id {event_id:?} was already used for a different event (sequence {sequence})")]
    EventIdReused { event_id: String, sequence: i64 },
    #[error("the intake writer has stopped")]
    Stopped,
    /// The batch's transaction failed; nothing of it was stored.
    #[error("could not store the events: {0}")]
    Commit(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A stored event found again: sequence, payload hash, receive time, applied.
type Original = (i64, Vec<u8>, i64, bool);

struct Submission {
    store_id: i64,
    events: Vec<Prepared>,
    reply: oneshot::Sender<Result<Vec<Result<Ack, IntakeError>>, IntakeError>>,
}

struct Prepared {
    event_id: String,
    kind: &'static str,
    payload: String,
    hash: Vec<u8>,
}

/// The handle RPCs submit events through. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Intake {
    sender: mpsc::Sender<Submission>,
}

impl std::fmt::Debug for Submission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Submission").field("store_id", &self.store_id).field("events", &self.events.len()).finish()
    }
}

impl Intake {
    /// Starts the writer tasks; `committed` is notified after every commit.
    /// SQLite has one writer at a time, so one task; PostgreSQL commits
    /// several batches at once, so a commit's flush to disk does not hold up
    /// the next batch (events are folded order-independently, so two batches
    /// committing out of sequence order is harmless).
    pub fn start(storage: Storage, committed: Arc<Notify>) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE_DEPTH);
        let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
        let writers = if storage.backend_name() == "postgres" { POSTGRES_WRITERS } else { 1 };
        for _ in 0..writers {
            tokio::spawn(writer(storage.clone(), receiver.clone(), committed.clone()));
        }
        Self { sender }
    }

    /// Commits `events` of one store and says how each was taken, in order.
    /// Per-event errors (a reused id) do not fail the others.
    pub async fn submit(
        &self,
        store_id: i64,
        events: &[NewEvent],
    ) -> Result<Vec<Result<Ack, IntakeError>>, IntakeError> {
        let events = events.iter().map(prepare).collect::<Result<Vec<_>, _>>()?;
        let (reply, answer) = oneshot::channel();
        self.sender.send(Submission { store_id, events, reply }).await.map_err(|_| IntakeError::Stopped)?;
        answer.await.map_err(|_| IntakeError::Stopped)?
    }
}

fn prepare(event: &NewEvent) -> Result<Prepared, StorageError> {
    let payload = serde_json::to_string(&event.payload).map_err(|e| super::corrupt("event payload", e))?;
    let hash = event.digest.as_bytes().to_vec();
    Ok(Prepared { event_id: event.event_id.as_str().to_owned(), kind: event.payload.kind().as_str(), payload, hash })
}

/// Takes whatever requests are waiting (at least one) and commits them as one batch, again and again.
async fn writer(
    storage: Storage,
    receiver: Arc<tokio::sync::Mutex<mpsc::Receiver<Submission>>>,
    committed: Arc<Notify>,
) {
    loop {
        let batch = {
            let mut receiver = receiver.lock().await;
            let Some(first) = receiver.recv().await else { return };
            let mut batch = vec![first];
            let mut events = batch[0].events.len();
            while events < MAX_BATCH_EVENTS {
                let Ok(next) = receiver.try_recv() else { break };
                events += next.events.len();
                batch.push(next);
            }
            batch
        };
        match commit(&storage, &batch).await {
            Ok(mut answers) => {
                committed.notify_one();
                for submission in batch.into_iter().rev() {
                    let answer = answers.pop().unwrap_or_default();
                    let _ = submission.reply.send(Ok(answer));
                }
            }
            Err(error) => {
                tracing::error!(%error, requests = batch.len(), "could not commit received events");
                for submission in batch {
                    let _ = submission.reply.send(Err(IntakeError::Commit(error.to_string())));
                }
            }
        }
    }
}

/// One transaction for the whole batch: insert, then read back the originals of duplicates.
async fn commit(storage: &Storage, batch: &[Submission]) -> Result<Vec<Vec<Result<Ack, IntakeError>>>, StorageError> {
    let now = now_millis();
    let rows: Vec<(i64, &Prepared)> =
        batch.iter().flat_map(|s| s.events.iter().map(move |event| (s.store_id, event))).collect();
    let mut inserted: HashMap<(i64, String), i64> = HashMap::new();
    let mut existing: HashMap<(i64, String), Original> = HashMap::new();
    write_tx!(storage, |tx| {
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut query = sqlx::QueryBuilder::new(
                "INSERT INTO sync_events (store_id, event_id, kind, payload, payload_hash, received_at) ",
            );
            query.push_values(chunk, |mut row, (store_id, event)| {
                row.push_bind(*store_id)
                    .push_bind(event.event_id.clone())
                    .push_bind(event.kind)
                    .push_bind(event.payload.clone())
                    .push_bind(event.hash.clone())
                    .push_bind(now);
            });
            query.push(" ON CONFLICT (store_id, event_id) DO NOTHING RETURNING seq, store_id, event_id");
            let returned: Vec<(i64, i64, String)> = query.build_query_as().fetch_all(&mut *tx).await?;
            inserted.extend(returned.into_iter().map(|(seq, store, id)| ((store, id), seq)));
        }
        let missing: Vec<&(i64, &Prepared)> =
            rows.iter().filter(|(store, e)| !inserted.contains_key(&(*store, e.event_id.clone()))).collect();
        for chunk in missing.chunks(ROWS_PER_STATEMENT) {
            let mut query = sqlx::QueryBuilder::new(
                "SELECT seq, store_id, event_id, payload_hash, received_at, applied_at IS NOT NULL \
                 FROM sync_events WHERE (store_id, event_id) IN ",
            );
            query.push_tuples(chunk, |mut row, (store_id, event)| {
                row.push_bind(*store_id).push_bind(event.event_id.clone());
            });
            let found: Vec<(i64, i64, String, Vec<u8>, i64, bool)> = query.build_query_as().fetch_all(&mut *tx).await?;
            for (seq, store, id, hash, received, applied) in found {
                existing.insert((store, id), (seq, hash, received, applied));
            }
        }
    });
    Ok(answers(batch, &inserted, &existing, now))
}

/// Each event's ack; within one batch, the first of two equal ids is the original.
fn answers(
    batch: &[Submission],
    inserted: &HashMap<(i64, String), i64>,
    existing: &HashMap<(i64, String), Original>,
    now: i64,
) -> Vec<Vec<Result<Ack, IntakeError>>> {
    let mut first_seen: HashMap<(i64, String), Vec<u8>> = HashMap::new();
    let mut out = Vec::with_capacity(batch.len());
    for submission in batch {
        let mut acks = Vec::with_capacity(submission.events.len());
        for event in &submission.events {
            let key = (submission.store_id, event.event_id.clone());
            let ack = |duplicate, sequence, received_at, applied| Ack {
                event_id: event.event_id.clone(),
                duplicate,
                sequence,
                received_at,
                applied,
            };
            let reused = |sequence| IntakeError::EventIdReused { event_id: event.event_id.clone(), sequence };
            let result = if let Some(&sequence) = inserted.get(&key) {
                match first_seen.get(&key) {
                    None => {
                        first_seen.insert(key, event.hash.clone());
                        Ok(ack(false, sequence, now, false))
                    }
                    Some(hash) if *hash == event.hash => Ok(ack(true, sequence, now, false)),
                    Some(_) => Err(reused(sequence)),
                }
            } else if let Some((sequence, hash, received_at, applied)) = existing.get(&key) {
                if *hash == event.hash {
                    Ok(ack(true, *sequence, *received_at, *applied))
                } else {
                    Err(reused(*sequence))
                }
            } else {
                Err(IntakeError::Storage(StorageError::Corrupt(format!("event {:?} was not stored", event.event_id))))
            };
            acks.push(result);
        }
        out.push(acks);
    }
    out
}
