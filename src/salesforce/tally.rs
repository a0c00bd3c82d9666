//! Counts the Salesforce requests a piece of work makes, by kind, so its log
//! line can say how many it took ([`counted`]). The count lives in the task
//! running the work; requests outside a [`counted`] scope are not tallied.

use std::cell::RefCell;
use std::future::Future;

tokio::task_local! {
    static TALLY: RefCell<Tally>;
}

/// Requests by kind (`composite_graph`, `query`, … see `crate::metrics::request_kind`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally(Vec<(&'static str, u64)>);

impl Tally {
    fn add(&mut self, kind: &'static str) {
        match self.0.iter_mut().find(|(known, _)| *known == kind) {
            Some((_, count)) => *count += 1,
            None => self.0.push((kind, 1)),
        }
    }

    /// Each kind with its count, in the order first seen.
    pub fn by_kind(&self) -> &[(&'static str, u64)] {
        &self.0
    }

    /// Requests of every kind.
    pub fn total(&self) -> u64 {
        self.0.iter().map(|(_, count)| count).sum()
    }
}

/// Runs `work`, counting the requests it makes.
pub async fn counted<F: Future>(work: F) -> (F::Output, Tally) {
    TALLY
        .scope(RefCell::new(Tally::default()), async {
            let output = work.await;
            let tally = TALLY.with(|tally| tally.take());
            (output, tally)
        })
        .await
}

/// Counts one request of `kind` in the current [`counted`] scope, if any.
pub(crate) fn note(kind: &'static str) {
    let _ = TALLY.try_with(|tally| tally.borrow_mut().add(kind));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn requests_are_counted_by_kind_within_the_scope_only() {
        note("query");
        let ((), tally) = counted(async {
            note("query");
            note("composite_graph");
            note("query");
        })
        .await;
        assert_eq!(tally.by_kind(), &[("query", 2), ("composite_graph", 1)]);
        assert_eq!(tally.total(), 3);
    }
}
