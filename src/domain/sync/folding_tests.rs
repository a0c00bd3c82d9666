//! The fold planner against a store simulated in memory: what one batch
//! plans, and that folding the same events at once, one by one or in any
//! split, and in any order, ends with the same entities.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::*;
use crate::domain::lifecycle::fixtures::{at, checkout, date, facts, jane, money, paid, placed, shipped, status};
use crate::domain::lifecycle::{LifecycleEvent, fixtures};
use crate::domain::sync::entity::route;
use crate::domain::sync::event::{CustomerSave, EventPayload, ProductSave};

fn routed(seq: i64, payload: EventPayload) -> RoutedEvent {
    RoutedEvent { seq, routes: route(&payload) }
}

fn sale(seq: i64, event: LifecycleEvent) -> RoutedEvent {
    routed(seq, EventPayload::Lifecycle(event))
}

fn sale_facts(events: &[LifecycleEvent]) -> EntityFacts {
    EntityFacts::Sale(Box::new(facts(events)))
}

/// A store's entity tables, in memory, written the way storage writes a plan.
#[derive(Default)]
struct Simulated {
    next_id: i64,
    /// id → (facts, event count, merged)
    entities: BTreeMap<i64, (EntityFacts, i64, bool)>,
    aliases: HashMap<String, i64>,
    applied: BTreeMap<i64, Option<i64>>,
}

impl Simulated {
    fn fold(&mut self, events: &[RoutedEvent]) -> FoldPlan {
        let known: HashMap<String, i64> = aliases_named(events)
            .into_iter()
            .filter_map(|alias| Some((alias.clone(), *self.aliases.get(&alias)?)))
            .collect();
        let ids: BTreeSet<i64> = known.values().copied().collect();
        let stored = ids
            .iter()
            .map(|id| {
                let (facts, event_count, _) = self.entities[id].clone();
                StoredEntity { id: *id, facts, event_count }
            })
            .collect();
        let plan = plan_fold(events, &known, stored).expect("a plan");
        self.write(&plan);
        plan
    }

    fn write(&mut self, plan: &FoldPlan) {
        let mut created = Vec::new();
        for entity in &plan.created {
            self.next_id += 1;
            self.entities.insert(self.next_id, (entity.facts.clone(), entity.event_count, false));
            created.push(self.next_id);
        }
        let id = |entity: EntityRef| match entity {
            EntityRef::Stored(id) => id,
            EntityRef::Created(n) => created[n],
        };
        for merge in &plan.merges {
            for target in self.aliases.values_mut().filter(|target| **target == merge.from) {
                *target = merge.into;
            }
            self.entities.get_mut(&merge.from).expect("merged entity").2 = true;
        }
        for entity in &plan.updated {
            self.entities.insert(entity.id, (entity.facts.clone(), entity.event_count, false));
        }
        for (alias, entity) in &plan.aliases {
            self.aliases.entry(alias.clone()).or_insert(id(*entity));
        }
        for (seq, entity) in &plan.applied {
            self.applied.insert(*seq, entity.map(id));
        }
    }

    /// Live entities by their sorted aliases: facts and event count.
    fn live(&self) -> BTreeMap<Vec<String>, (EntityFacts, i64)> {
        let mut by_entity: BTreeMap<i64, Vec<String>> = BTreeMap::new();
        for (alias, id) in &self.aliases {
            by_entity.entry(*id).or_default().push(alias.clone());
        }
        by_entity
            .into_iter()
            .map(|(id, mut aliases)| {
                aliases.sort();
                let (facts, count, merged) = &self.entities[&id];
                assert!(!merged, "aliases name only live entities");
                (aliases, (facts.clone(), *count))
            })
            .collect()
    }
}

#[test]
fn a_first_event_creates_its_entity_under_every_alias() {
    let plan = Simulated::default().fold(&[sale(1, placed(at(2, 10)))]);
    assert_eq!(plan.created.len(), 1);
    assert_eq!(plan.created[0].label, "cart:77");
    assert_eq!(plan.created[0].event_count, 1);
    let aliases: Vec<&str> = plan.aliases.iter().map(|(alias, _)| alias.as_str()).collect();
    assert_eq!(aliases, ["cart:77", "order:100000123"]);
    assert!(plan.aliases.iter().all(|(_, entity)| *entity == EntityRef::Created(0)));
    assert_eq!(plan.applied, [(1, Some(EntityRef::Created(0)))]);
    assert!(plan.updated.is_empty() && plan.merges.is_empty());
}

#[test]
fn a_whole_sale_in_one_batch_is_one_entity_with_all_its_facts() {
    let events = fixtures::whole_sale();
    let batch: Vec<RoutedEvent> = events.iter().cloned().zip(1..).map(|(event, seq)| sale(seq, event)).collect();
    let plan = Simulated::default().fold(&batch);
    assert_eq!(plan.created.len(), 1, "{plan:#?}");
    assert_eq!(plan.created[0].facts, sale_facts(&events));
    assert_eq!(plan.created[0].event_count, 4);
    assert!(plan.applied.iter().all(|(_, entity)| *entity == Some(EntityRef::Created(0))));
}

#[test]
fn a_stored_entity_named_again_is_updated_not_recreated() {
    let mut store = Simulated::default();
    store.fold(&[sale(1, checkout(at(1, 9)))]);
    let plan = store.fold(&[sale(2, placed(at(2, 10)))]);
    assert!(plan.created.is_empty());
    assert_eq!(plan.updated.len(), 1);
    assert_eq!(plan.updated[0].event_count, 2);
    assert_eq!(plan.updated[0].facts, sale_facts(&[checkout(at(1, 9)), placed(at(2, 10))]));
    assert_eq!(plan.aliases, [("order:100000123".to_owned(), EntityRef::Stored(1))], "only the new alias");
    assert_eq!(plan.applied, [(2, Some(EntityRef::Stored(1)))]);
}

#[test]
fn a_payment_before_its_order_is_merged_into_the_older_sale() {
    let mut store = Simulated::default();
    store.fold(&[sale(1, checkout(at(1, 9)))]);
    store.fold(&[sale(2, paid(at(3, 11), date(3, 4)))]);
    let plan = store.fold(&[sale(3, placed(at(2, 10)))]);
    assert_eq!(plan.merges, [Merge { from: 2, into: 1 }]);
    assert_eq!(plan.updated.len(), 1, "{plan:#?}");
    assert_eq!(plan.updated[0].id, 1);
    assert_eq!(plan.updated[0].event_count, 3);
    let all = [checkout(at(1, 9)), paid(at(3, 11), date(3, 4)), placed(at(2, 10))];
    assert_eq!(plan.updated[0].facts, sale_facts(&all));
    assert!(plan.created.is_empty() && plan.aliases.is_empty());
    assert_eq!(store.live().len(), 1);
}

#[test]
fn an_alias_naming_an_entity_not_handed_in_is_an_error() {
    let known = HashMap::from([("cart:77".to_owned(), 5)]);
    let error = plan_fold(&[sale(1, checkout(at(1, 9)))], &known, Vec::new()).expect_err("refused");
    assert_eq!(error, FoldError::UnknownEntity { alias: "cart:77".into(), id: 5 });
}

/// Two sales (one paid before its order, with shipments before and after the
/// order), a customer saved twice, two products.
fn mixed_events() -> Vec<EventPayload> {
    let second_sale = |event: LifecycleEvent| match event {
        LifecycleEvent::OrderPaid { payment, at, .. } => {
            LifecycleEvent::OrderPaid { order_id: "200".into(), payment, at }
        }
        LifecycleEvent::OrderPlaced { items, total, status, at, customer, details, .. } => {
            LifecycleEvent::OrderPlaced {
                order_id: "200".into(),
                cart_id: None,
                customer,
                items,
                total,
                status,
                at,
                details,
            }
        }
        LifecycleEvent::Shipped { shipment, at, .. } => {
            LifecycleEvent::Shipped { order_id: "200".into(), shipment, at }
        }
        other => other,
    };
    let save = |first_name: &str, hour| {
        let customer = crate::domain::lifecycle::Customer { first_name: first_name.into(), ..jane() };
        EventPayload::Customer(CustomerSave { customer, at: at(1, hour) })
    };
    let product = |sku: &str, hour| ProductSave {
        sku: sku.into(),
        name: format!("Product {sku}"),
        price: money(100),
        active: true,
        at: at(1, hour),
    };
    vec![
        // A shipment before its order is placed; another for the second sale after.
        EventPayload::Lifecycle(shipped("S1", 6, 9, &[("1Z1", "UPS")], &[("WB-01", 1.0)])),
        EventPayload::Lifecycle(paid(at(3, 11), date(3, 4))),
        EventPayload::Lifecycle(checkout(at(1, 9))),
        save("Jane", 8),
        EventPayload::Lifecycle(second_sale(paid(at(3, 12), date(3, 5)))),
        EventPayload::Products(vec![product("A", 9), product("B", 9)]),
        EventPayload::Lifecycle(placed(at(2, 10))),
        save("Janet", 9),
        EventPayload::Lifecycle(second_sale(placed(at(2, 11)))),
        EventPayload::Lifecycle(status("complete", at(5, 12))),
        EventPayload::Products(vec![product("A", 10)]),
        EventPayload::Lifecycle(second_sale(shipped("S9", 7, 9, &[("JD9", "DHL")], &[]))),
        EventPayload::Lifecycle(shipped("S2", 7, 10, &[("1Z2", "UPS")], &[("MUG-2", 2.0)])),
    ]
}

fn fold_in_batches(events: &[EventPayload], batch: usize) -> BTreeMap<Vec<String>, (EntityFacts, i64)> {
    let routed: Vec<RoutedEvent> = events.iter().cloned().zip(1..).map(|(event, seq)| routed(seq, event)).collect();
    let mut store = Simulated::default();
    for chunk in routed.chunks(batch) {
        store.fold(chunk);
    }
    assert_eq!(store.applied.len(), events.len(), "every event applied once");
    assert!(store.applied.values().all(Option::is_some));
    store.live()
}

#[test]
fn folding_at_once_one_by_one_or_in_any_split_gives_the_same_entities() {
    let events = mixed_events();
    let at_once = fold_in_batches(&events, events.len());
    let names: Vec<Vec<String>> = at_once.keys().cloned().collect();
    let expected: [&[&str]; 5] =
        [&["cart:77", "order:100000123"], &["customer:42"], &["order:200"], &["product:A"], &["product:B"]];
    let expected: Vec<Vec<String>> = expected.iter().map(|a| a.iter().map(|s| s.to_string()).collect()).collect();
    assert_eq!(names, expected);
    assert_eq!(at_once[&vec!["cart:77".to_owned(), "order:100000123".to_owned()]].1, 6);
    for batch in 1..events.len() {
        assert_eq!(fold_in_batches(&events, batch), at_once, "batches of {batch}");
    }
}

#[test]
fn folding_in_any_order_gives_the_same_entities() {
    let events = mixed_events();
    let expected = fold_in_batches(&events, events.len());
    // Rotations and reversals of the whole stream, each folded at once and one by one.
    for shift in 0..events.len() {
        let mut order = events.clone();
        order.rotate_left(shift);
        for stream in [order.clone(), order.into_iter().rev().collect()] {
            assert_eq!(fold_in_batches(&stream, stream.len()), expected, "shift {shift}");
            assert_eq!(fold_in_batches(&stream, 1), expected, "shift {shift}, one by one");
            assert_eq!(fold_in_batches(&stream, 3), expected, "shift {shift}, by three");
        }
    }
}
