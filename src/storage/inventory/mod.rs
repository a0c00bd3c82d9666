//! Inventory sync's tables: each SKU's latest level and what was last written
//! to Salesforce ([`levels`]), the UpdateInventory calls received, by event id
//! ([`levels`] too: a call is one transaction), each store's push lease and
//! backoff and the pushes made ([`runs`]), and the read side ([`status`]).

mod levels;
mod runs;
mod status;

pub use levels::{Accepted, LevelResult, LevelState};
pub use runs::PushRecord;
pub use status::{InventoryCounts, IssueRow};
