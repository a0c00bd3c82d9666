//! What is specific to each flow, kept apart from the engine's core (lease →
//! plan → look up → send → record, in [`super::step`], [`super::store_batch`],
//! [`super::send`]). One module per flow: [`customers`] (Accounts and
//! Contacts, adopting a Contact the org already has by email), [`products`]
//! (Product2 and its PricebookEntries, written before the batch's graphs,
//! with [`pricebook_entries`]) and [`sales`] (Opportunities and Orders, whose
//! order lines need their products), with [`shipments`] (the shipment fields
//! of a sale's Order, checked against the org's field lengths first, through
//! [`check_writes`]). The core calls the flows only through
//! [`Flow`] (chosen by the entity's [`EntityKind`]) and [`BatchFlows`].
//!
//! # Adding a flow (a shipment, inventory, …)
//!
//! 1. Domain: a variant of `EntityKind`/`EntityFacts` and its folding
//!    (`domain::sync`), and the writes its facts call for: an arm in
//!    `domain::sync::records::planned_by_default_keys` returning
//!    [`EntityPlan::Write`] with the records as [`crate::domain::lifecycle::PlannedWrite`]s
//!    (upserts by external id, parents first) or [`EntityPlan::Waiting`].
//! 2. Engine: a module here (`flows/shipments.rs`) and one arm in
//!    [`Flow::of`]. A flow whose records are plain upserts needs nothing
//!    else: the core looks up what was written before, turns the writes into
//!    composite subrequests, packs them into graphs, sends them and records the
//!    outcome. A flow that must read or write the org before its graphs are
//!    sent (as products do) adds a step to [`BatchFlows::start`] (extra keys
//!    to load) and/or [`BatchFlows::prepare`]; one whose entity is fully
//!    written by that step answers in [`BatchFlows::settled`].

mod customers;
mod pricebook_entries;
mod products;
mod sales;
mod shipments;

use std::collections::HashMap;

use crate::domain::lifecycle::ClosedStages;
use crate::domain::sync::{EntityFacts, EntityKind, EntityPlan, planned_for_org};
use crate::domain::write_plan::entity_writes::Unresolved;
use crate::salesforce::{Error, ErrorClass};
use crate::storage::sync::WrittenRecord;

use super::Shared;
use super::connections::StoreConnection;
use super::store_batch::{Finished, Work};
use super::subrequests::Records;

/// The flow an entity belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Flow {
    Customers,
    Products,
    Sales,
}

impl Flow {
    /// The flow of an entity of `kind`: the one registration a new flow adds.
    pub(super) fn of(kind: EntityKind) -> Self {
        match kind {
            EntityKind::Customer => Self::Customers,
            EntityKind::Product => Self::Products,
            EntityKind::Sale => Self::Sales,
        }
    }

    /// The writes `facts` call for now (the rules are the domain's, see
    /// `domain::sync::records`), each by its object's external-id field.
    pub(super) fn plan(self, connection: &StoreConnection, facts: &EntityFacts, closed: &ClosedStages) -> EntityPlan {
        match self {
            Self::Customers | Self::Products | Self::Sales => {
                let org = super::org_facts::known(connection);
                planned_for_org(&connection.settings, &connection.code, facts, closed, &org)
            }
        }
    }
}

/// Before anything is looked up: the flows' checks of the planned writes
/// against the org. A sale whose shipment values do not fit their Order
/// fields fails (into `finished`); see [`shipments`]. Returns the rest.
pub(super) async fn check_writes(
    shared: &Shared,
    connection: &StoreConnection,
    work: Vec<Work>,
    finished: &mut Vec<Finished>,
) -> Vec<Work> {
    shipments::check(shared, connection, work, finished).await
}

/// Once sent: a sale written as far as it can be, whose shipments still wait
/// for their Order (created only when paid), is left waiting rather than synced.
pub(super) fn hold_back(connection: &StoreConnection, finished: &mut [Finished]) {
    shipments::hold_back(connection, finished);
}

/// What the flows learn and make for one store's batch before its graphs are sent.
#[derive(Debug, Default)]
pub(super) struct BatchFlows {
    /// The products the batch needs and the price books, when it needs any.
    products: Option<products::Needed>,
    /// Products that could not be ensured, by key.
    product_errors: HashMap<String, Error>,
}

impl BatchFlows {
    /// Before the records written earlier are loaded: what the flows must
    /// know of the org first (the price book), and the extra keys to load.
    pub(super) async fn start(connection: &StoreConnection, work: &[Work]) -> Result<(Self, Vec<String>), Error> {
        let products = products::needed(connection, work).await?;
        let keys = products.as_ref().map(products::Needed::keys).unwrap_or_default();
        Ok((Self { products, product_errors: HashMap::new() }, keys))
    }

    /// Once the known `records` are loaded: each flow's own reads and writes
    /// before the batch is sent (found records are added to `records`, products
    /// written for several entities to `shared_records`). Returns the records
    /// to remember before anything is sent (Contacts adopted by email).
    pub(super) async fn prepare(
        &mut self,
        connection: &StoreConnection,
        work: &[Work],
        records: &mut Records,
        shared_records: &mut Vec<WrittenRecord>,
    ) -> Result<Vec<WrittenRecord>, Error> {
        let adopted = customers::adopt_by_email(connection, work, records).await?;
        if let Some(needed) = &self.products {
            let ensured = products::ensure_needed(connection, needed, records).await;
            shared_records.extend(ensured.written);
            self.product_errors = ensured.failed;
        }
        Ok(adopted)
    }

    /// The price book the writes name (empty when the batch needs none).
    pub(super) fn pricebook(&self) -> &str {
        self.products.as_ref().map(products::Needed::pricebook).unwrap_or_default()
    }

    /// The result of an entity its flow already wrote in [`Self::prepare`]
    /// (a product), with the error that decided it; `None`: send its writes.
    pub(super) fn settled(
        &self,
        shared: &Shared,
        connection: &StoreConnection,
        work: &Work,
        records: &Records,
    ) -> Option<(Finished, Option<Error>)> {
        match Flow::of(work.entity.facts.kind()) {
            Flow::Products => products::settled(shared, connection, work, records, self),
            Flow::Customers | Flow::Sales => None,
        }
    }

    /// Why an entity's writes could not be made: usually a product that
    /// failed, so its error is reported rather than the symptom.
    pub(super) fn unresolved(&self, unresolved: Unresolved) -> Error {
        self.product_errors
            .values()
            .next()
            .cloned()
            .unwrap_or_else(|| Error::new("PRICEBOOK_ENTRY_MISSING", unresolved.0, None).with_class(ErrorClass::Config))
    }
}
