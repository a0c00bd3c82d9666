//! Durable intake with group commit. Every accepted event is inserted before
//! its RPC is answered; a writer drains whatever requests are waiting and
//! commits them in a single transaction, so the cost of a commit is shared by
//! everything in flight. A repeated event id is answered with the original; a
//! reused id with other content (by the event's `ContentDigest`) is refused.
//!
//! SQLite has one writer: a thread of its own with its own connection
//! ([`sqlite_writer`]), which can also fold what it commits
//! ([`FoldOnCommit`]): the new events are routed in the caller's task, and
//! their entities are updated in the same transaction, so an event is stored
//! once, never read back, and the database takes one commit for both. With
//! one writer nothing else folds at the same time, so this is the fold task's
//! work done earlier, not a second folder. PostgreSQL commits several batches
//! at once from async tasks ([`writer`]); its writers would race each other
//! for the same entities, so there the fold task folds, as it does for
//! anything the intake left unfolded.

use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{Notify, mpsc, oneshot};

use crate::domain::sync::{NewEvent, Routed, route};
use crate::storage::{Storage, StorageError, Tx, now_millis, with_tx};

mod answers;
mod sqlite_writer;

use answers::answers;

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
/// The events a batch stored, by store and event id: their sequence numbers.
type Stored = HashMap<(i64, String), i64>;
/// The events a batch repeated, by store and event id.
type Originals = HashMap<(i64, String), Original>;

/// Folding in the intake's own transaction (SQLite's writer only, see the module docs).
#[derive(Clone)]
pub struct FoldOnCommit {
    /// How long a changed entity waits for more events (the engine's linger), in milliseconds.
    pub linger_ms: i64,
    /// The engine's now, in Unix milliseconds (entities become due `linger_ms` after it).
    pub now: Arc<dyn Fn() -> i64 + Send + Sync>,
}

impl std::fmt::Debug for FoldOnCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FoldOnCommit").field("linger_ms", &self.linger_ms).finish_non_exhaustive()
    }
}

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
    /// The entities it touches, when the writer folds.
    routes: Vec<Routed>,
}

/// The handle RPCs submit events through. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Intake {
    sender: mpsc::Sender<Submission>,
    /// Whether the writer folds, so events are routed before they are sent to it.
    folds: bool,
}

impl std::fmt::Debug for Submission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Submission").field("store_id", &self.store_id).field("events", &self.events.len()).finish()
    }
}

impl Intake {
    /// Starts the writer; `committed` is notified after every commit of events left to the fold task.
    pub fn start(storage: Storage, committed: Arc<Notify>) -> Self {
        Self::start_with(storage, committed, None)
    }

    /// As [`Self::start`]; on SQLite with `fold`, the writer also folds what it commits.
    /// SQLite's writer is a thread with a connection of its own ([`sqlite_writer`]);
    /// PostgreSQL gets several async writers, so a commit's flush to disk does
    /// not hold up the next batch (events are folded order-independently, so
    /// two batches committing out of sequence order is harmless), and `fold`
    /// is ignored there: the fold task folds. An in-memory SQLite database,
    /// which no second connection can open, is written like PostgreSQL's, by one task.
    pub fn start_with(storage: Storage, committed: Arc<Notify>, fold: Option<FoldOnCommit>) -> Self {
        let (sender, receiver) = mpsc::channel(QUEUE_DEPTH);
        if let (Some(file), Some(gate)) = (storage.sqlite_file.clone(), storage.write_gate.clone()) {
            let folds = fold.is_some();
            sqlite_writer::start(file, gate, receiver, committed, fold);
            return Self { sender, folds };
        }
        let writers = if storage.backend_name() == "postgres" { POSTGRES_WRITERS } else { 1 };
        let receiver = Arc::new(tokio::sync::Mutex::new(receiver));
        for _ in 0..writers {
            tokio::spawn(writer(storage.clone(), receiver.clone(), committed.clone()));
        }
        Self { sender, folds: false }
    }

    /// Commits `events` of one store and says how each was taken, in order.
    /// Per-event errors (a reused id) do not fail the others.
    pub async fn submit(
        &self,
        store_id: i64,
        events: &[NewEvent],
    ) -> Result<Vec<Result<Ack, IntakeError>>, IntakeError> {
        let events = events.iter().map(|event| prepare(event, self.folds)).collect::<Result<Vec<_>, _>>()?;
        let (reply, answer) = oneshot::channel();
        self.sender.send(Submission { store_id, events, reply }).await.map_err(|_| IntakeError::Stopped)?;
        answer.await.map_err(|_| IntakeError::Stopped)?
    }
}

fn prepare(event: &NewEvent, routed: bool) -> Result<Prepared, StorageError> {
    let payload = serde_json::to_string(&event.payload).map_err(|e| super::corrupt("event payload", e))?;
    let hash = event.digest.as_bytes().to_vec();
    let routes = if routed { route(&event.payload) } else { Vec::new() };
    Ok(Prepared {
        event_id: event.event_id.as_str().to_owned(),
        kind: event.payload.kind().as_str(),
        payload,
        hash,
        routes,
    })
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
            gather(first, &mut receiver)
        };
        let result = commit(&storage, &batch).await;
        if result.is_ok() {
            committed.notify_one();
        }
        reply(batch, result);
    }
}

/// `first` and whatever else is waiting, up to [`MAX_BATCH_EVENTS`].
fn gather(first: Submission, receiver: &mut mpsc::Receiver<Submission>) -> Vec<Submission> {
    let mut events = first.events.len();
    let mut batch = vec![first];
    while events < MAX_BATCH_EVENTS {
        let Ok(next) = receiver.try_recv() else { break };
        events += next.events.len();
        batch.push(next);
    }
    batch
}

/// Answers each request of a batch: its events' acks, or why nothing of the batch was stored.
fn reply(batch: Vec<Submission>, result: Result<Vec<Vec<Result<Ack, IntakeError>>>, impl std::fmt::Display>) {
    match result {
        Ok(mut answers) => {
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

/// One transaction for the whole batch: insert, and read back the originals of duplicates.
async fn commit(storage: &Storage, batch: &[Submission]) -> Result<Vec<Vec<Result<Ack, IntakeError>>>, StorageError> {
    let now = now_millis();
    let rows = rows_of(batch);
    let mut write = storage.begin_write().await?;
    let (inserted, existing) = insert(&mut write, &rows, now).await?;
    write.commit().await?;
    Ok(answers(batch, &inserted, &existing, now, false))
}

/// Each event of `batch` with its store, in order.
fn rows_of(batch: &[Submission]) -> Vec<(i64, &Prepared)> {
    batch.iter().flat_map(|s| s.events.iter().map(move |event| (s.store_id, event))).collect()
}

/// Inserts `rows` (a repeated id is left alone) and finds the originals of the repeated ones.
async fn insert(write: &mut Tx<'_>, rows: &[(i64, &Prepared)], now: i64) -> Result<(Stored, Originals), StorageError> {
    let mut inserted: Stored = HashMap::new();
    let mut existing: Originals = HashMap::new();
    with_tx!(write, |tx| {
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
    Ok((inserted, existing))
}
