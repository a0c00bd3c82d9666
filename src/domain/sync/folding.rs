//! Folding, pure: given one store's received events in sequence order and
//! the stored entities their aliases already name, decide which entities to
//! create, which to update, which to merge into which, which aliases to add
//! and which entity each event was applied to. Storage reads the inputs in a
//! few set-based queries and writes the plan back in a few multi-row
//! statements; nothing here does I/O.
//!
//! The rules: an event's aliases find its entity; none found makes a new
//! entity named by its first alias; two or more found (a payment that came
//! before the order linking it to its cart) are merged into the oldest, which
//! keeps every alias, record and event of the others. Facts merge
//! order-independently, so folding a batch at once, event by event or split
//! anywhere gives the same entities.

use std::collections::HashMap;

use super::entity::{EntityFacts, Routed};

/// A received event, routed to the entities it touches.
#[derive(Debug, Clone)]
pub struct RoutedEvent {
    pub seq: i64,
    pub routes: Vec<Routed>,
}

/// An entity as storage holds it before the fold.
#[derive(Debug, Clone)]
pub struct StoredEntity {
    pub id: i64,
    pub facts: EntityFacts,
    pub event_count: i64,
}

/// An entity the plan names: a stored one, or the `n`th it creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityRef {
    Stored(i64),
    Created(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreatedEntity {
    /// Its first alias; unique among the created entities.
    pub label: String,
    pub facts: EntityFacts,
    pub event_count: i64,
}

/// A stored entity with new facts (all of them) and its new event count.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdatedEntity {
    pub id: i64,
    pub facts: EntityFacts,
    pub event_count: i64,
}

/// A stored entity joined into an older stored one, which takes its aliases, records and events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Merge {
    pub from: i64,
    pub into: i64,
}

/// What one fold writes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FoldPlan {
    pub created: Vec<CreatedEntity>,
    pub updated: Vec<UpdatedEntity>,
    pub merges: Vec<Merge>,
    /// Aliases new to the store, with the entity each names.
    pub aliases: Vec<(String, EntityRef)>,
    /// Each event's sequence number and the (first) entity it was applied to.
    pub applied: Vec<(i64, Option<EntityRef>)>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FoldError {
    /// An alias names an entity that was not handed in (or is merged away).
    #[error("alias {alias:?} names entity {id}, which is not a live entity")]
    UnknownEntity { alias: String, id: i64 },
}

/// Every distinct alias the events name, for storage to look up.
pub fn aliases_named(events: &[RoutedEvent]) -> Vec<String> {
    let mut aliases: Vec<String> =
        events.iter().flat_map(|event| &event.routes).flat_map(|route| route.aliases.iter().cloned()).collect();
    aliases.sort_unstable();
    aliases.dedup();
    aliases
}

/// One entity while the plan is made. Slots of stored entities come first, in id order, so a lower
/// slot is always the older entity.
#[derive(Debug)]
struct Slot {
    stored: Option<i64>,
    /// A created entity's name (its first alias); unused for stored ones.
    label: String,
    facts: EntityFacts,
    event_count: i64,
    merged_into: Option<usize>,
    touched: bool,
}

/// Plans folding `events` (one store's, in sequence order). `known` maps each alias the store
/// already has (at least those [`aliases_named`] lists) to its entity; `stored` holds those entities.
pub fn plan_fold(
    events: &[RoutedEvent],
    known: &HashMap<String, i64>,
    mut stored: Vec<StoredEntity>,
) -> Result<FoldPlan, FoldError> {
    stored.sort_by_key(|entity| entity.id);
    let mut slots: Vec<Slot> = Vec::with_capacity(stored.len() + events.len());
    let mut slot_of_id = HashMap::with_capacity(stored.len());
    for entity in stored {
        slot_of_id.insert(entity.id, slots.len());
        slots.push(Slot {
            stored: Some(entity.id),
            label: String::new(),
            facts: entity.facts,
            event_count: entity.event_count,
            merged_into: None,
            touched: false,
        });
    }
    let mut names: HashMap<String, usize> = HashMap::new();
    let mut new_aliases: Vec<String> = Vec::new();
    let mut applied = Vec::with_capacity(events.len());
    for event in events {
        let mut first = None;
        for route in &event.routes {
            let mut found = Vec::new();
            for alias in &route.aliases {
                let slot = match names.get(alias) {
                    Some(&slot) => Some(slot),
                    None => match known.get(alias) {
                        Some(id) => Some(
                            *slot_of_id
                                .get(id)
                                .ok_or_else(|| FoldError::UnknownEntity { alias: alias.clone(), id: *id })?,
                        ),
                        None => None,
                    },
                };
                if let Some(slot) = slot {
                    found.push(resolve(&slots, slot));
                }
            }
            found.sort_unstable();
            found.dedup();
            let target = match found.split_first() {
                None => {
                    slots.push(Slot {
                        stored: None,
                        label: route.aliases.first().cloned().unwrap_or_default(),
                        facts: route.facts.clone(),
                        event_count: 0,
                        merged_into: None,
                        touched: true,
                    });
                    slots.len() - 1
                }
                Some((&target, others)) => {
                    for &other in others {
                        let theirs = slots[other].facts.clone();
                        slots[target].facts.merge(&theirs);
                        slots[target].event_count += slots[other].event_count;
                        slots[other].merged_into = Some(target);
                    }
                    slots[target].facts.merge(&route.facts);
                    target
                }
            };
            slots[target].event_count += 1;
            slots[target].touched = true;
            for alias in &route.aliases {
                if !names.contains_key(alias) && !known.contains_key(alias) {
                    new_aliases.push(alias.clone());
                }
                names.insert(alias.clone(), target);
            }
            first.get_or_insert(target);
        }
        applied.push((event.seq, first));
    }
    Ok(finish(slots, new_aliases, &names, applied))
}

/// Follows merges to the entity that survives.
fn resolve(slots: &[Slot], mut slot: usize) -> usize {
    while let Some(next) = slots[slot].merged_into {
        slot = next;
    }
    slot
}

/// Turns the slots into the plan: created entities numbered in creation order, every reference resolved.
/// The slots are consumed, so their facts move into the plan uncopied.
fn finish(
    slots: Vec<Slot>,
    new_aliases: Vec<String>,
    names: &HashMap<String, usize>,
    applied: Vec<(i64, Option<usize>)>,
) -> FoldPlan {
    let mut refs: Vec<Option<EntityRef>> = vec![None; slots.len()];
    let mut created = 0;
    for (index, slot) in slots.iter().enumerate() {
        if slot.merged_into.is_some() {
            continue;
        }
        refs[index] = Some(match slot.stored {
            Some(id) => EntityRef::Stored(id),
            None => {
                created += 1;
                EntityRef::Created(created - 1)
            }
        });
    }
    let final_refs: Vec<Option<EntityRef>> = (0..slots.len()).map(|slot| refs[resolve(&slots, slot)]).collect();
    let mut plan = FoldPlan::default();
    for (index, slot) in slots.into_iter().enumerate() {
        match (slot.merged_into, slot.stored) {
            (None, Some(id)) if slot.touched => {
                plan.updated.push(UpdatedEntity { id, facts: slot.facts, event_count: slot.event_count })
            }
            (None, Some(_)) => {}
            (None, None) => {
                plan.created.push(CreatedEntity { label: slot.label, facts: slot.facts, event_count: slot.event_count })
            }
            // The survivor is older than every stored entity merged into it, so it is stored too.
            (Some(_), Some(from)) => {
                if let Some(EntityRef::Stored(into)) = final_refs[index] {
                    plan.merges.push(Merge { from, into });
                }
            }
            (Some(_), None) => {}
        }
    }
    plan.aliases = new_aliases
        .into_iter()
        .filter_map(|alias| {
            let entity = final_refs[*names.get(&alias)?]?;
            Some((alias, entity))
        })
        .collect();
    plan.applied = applied.into_iter().map(|(seq, slot)| (seq, slot.and_then(|slot| final_refs[slot]))).collect();
    plan
}

#[cfg(test)]
#[path = "folding_tests.rs"]
mod tests;
