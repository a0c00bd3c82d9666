//! The opportunity lifecycle planner (DESIGN.md §3), pure and without I/O.
//!
//! Store events accumulate into [`LifecycleFacts`] (a join-semilattice, so
//! order and repeats do not matter); [`target`] derives the Salesforce records
//! the facts call for under the store's settings; [`plan`] turns the change
//! between the last written target and the new one into upserts by external
//! id (see [`keys`] for the key conventions).

mod event;
mod facts;
pub mod keys;
mod plan;
pub mod shipment_target;
pub mod shipments;
mod stage;
mod store_data;
mod target;

pub use event::{Customer, LifecycleEvent, LineItem, Money, Payment};
pub use facts::{Basket, LifecycleFacts};
pub use plan::{ParentRef, PlannedWrite, plan, plan_customer};
pub use shipments::{Shipment, ShippedLine, Tracking};
pub use stage::{ClosedStages, stage};
pub use store_data::{Address, AttributeValue, Attributes, CustomerProfile, LineDetails, OrderDetails};
pub use target::{
    ContactRoleTarget, CustomerTarget, DRAFT_ORDER_STATUS, OpportunityTarget, OrderItemTarget, OrderTarget, Target,
    close_date, target,
};

#[cfg(test)]
mod facts_tests;
#[cfg(test)]
pub(crate) mod fixtures;
#[cfg(test)]
mod plan_tests;
#[cfg(test)]
mod shipments_tests;
#[cfg(test)]
mod target_tests;
