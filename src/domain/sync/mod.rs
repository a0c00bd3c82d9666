//! The Sync API's domain, pure: validated events ([`event`]), the entities they
//! accumulate into ([`entity`]), the Salesforce writes an entity calls for
//! ([`records`]), the state machine of an entity's job ([`job_state`]) and
//! what a failed attempt means for it ([`retry`]). The opportunity rules
//! themselves live in `domain::lifecycle`.

pub mod entity;
pub mod event;
pub mod folding;
pub mod job_state;
pub mod records;
pub mod retry;

pub use entity::{EntityFacts, EntityKind, Routed, customer_alias, product_alias, route};
pub use event::{ContentDigest, CustomerSave, EventId, EventKind, EventPayload, NewEvent, ProductSave};
pub use job_state::{EntityState, Outcome, RecordedError};
pub use records::{EntityPlan, WAITING_FOR_BUYER, planned, planned_for_org, product_operation};
pub use retry::{Failure, RetryRules};
