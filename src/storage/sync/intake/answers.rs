//! The intake's answers: how each event of a committed batch was taken.

use std::collections::HashMap;

use super::{Ack, IntakeError, Originals, Stored, Submission};
use crate::storage::StorageError;

/// Each event's ack; within one batch, the first of two equal ids is the original.
pub(super) fn answers(
    batch: &[Submission],
    inserted: &Stored,
    existing: &Originals,
    now: i64,
    folded: bool,
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
                        Ok(ack(false, sequence, now, folded))
                    }
                    Some(hash) if *hash == event.hash => Ok(ack(true, sequence, now, folded)),
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
