//! The Sync API's domain, pure: validated events ([`event`]), the entities they
//! accumulate into ([`entity`]) and the Salesforce writes an entity calls for
//! ([`records`]). The opportunity rules themselves live in `domain::lifecycle`.

pub mod entity;
pub mod event;
pub mod folding;
pub mod records;

pub use entity::{EntityFacts, EntityKind, Routed, customer_alias, product_alias, route};
pub use event::{ContentDigest, CustomerSave, EventId, EventKind, EventPayload, NewEvent, ProductSave};
pub use records::{Planned, WAITING_FOR_BUYER, planned, product_operation};
