//! What the engine keeps from one step to the next, counted: a test can
//! check that none of it grows with the work it has processed (a backlog
//! retried for hours must not leave a trace per entity in memory). Each step
//! holds its claimed batch only while it runs.

use super::Engine;

/// The sizes of everything the engine keeps between steps.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetainedSizes {
    /// Cached store connections (one per store that had work).
    pub connections: usize,
    /// Stores whose last API usage save is remembered (to save it at most every few seconds).
    pub usage_saves: usize,
    /// Object describes cached, over every cached connection.
    pub described_objects: usize,
}

impl Engine {
    /// Counts what the engine keeps between steps (for tests).
    #[doc(hidden)]
    pub async fn retained_sizes(&self) -> RetainedSizes {
        self.shared.connections.retained_sizes().await
    }
}
