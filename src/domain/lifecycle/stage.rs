//! Which StageName an Opportunity has, given the facts (DESIGN.md §3).
//!
//! Candidates: the abandoned-cart stage (checkout seen), the draft stage (an
//! order exists), the converted stage (paid, conversion on) and the stages
//! mapped from every store status seen. The most advanced progress stage
//! applies unless a mapped status stage overrides it (the most recent status
//! with a stage wins). Once any candidate is closed the result is closed: an
//! open choice falls back to the most recent closed status stage, else the
//! first closed progress stage. So growing facts never reopen an Opportunity.

use super::facts::LifecycleFacts;
use crate::domain::settings::{OrderStatusRule, StoreSettings};
use std::collections::BTreeSet;

/// The org's closed StageNames (the engine reads them from OpportunityStage).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClosedStages(BTreeSet<String>);

impl ClosedStages {
    /// Exactly the given stage names.
    pub fn new<S: Into<String>>(stages: impl IntoIterator<Item = S>) -> Self {
        Self(stages.into_iter().map(Into::into).collect())
    }

    /// A guess without the org: the converted stage and every stage the
    /// settings name that starts with "Closed".
    pub fn defaults(settings: &StoreSettings) -> Self {
        let mapped = settings.order_status_map.iter().filter_map(|rule| rule.opportunity_stage.as_ref());
        let named = [&settings.abandoned_cart_stage, &settings.draft_stage].into_iter().chain(mapped);
        let closed = named.map(|stage| stage.as_str()).filter(|stage| stage.starts_with("Closed"));
        Self::new(closed.chain([settings.convert_opportunity.converted_stage.as_str()]))
    }

    /// Whether `stage` closes an Opportunity.
    pub fn contains(&self, stage: &str) -> bool {
        self.0.contains(stage)
    }
}

/// The rule for a store status (store statuses match case-insensitively).
pub(super) fn status_rule<'a>(settings: &'a StoreSettings, status: &str) -> Option<&'a OrderStatusRule> {
    settings.order_status_map.iter().find(|rule| rule.store_status.eq_ignore_ascii_case(status))
}

/// Whether the facts convert the Opportunity: paid, with conversion on.
pub(super) fn is_converted(settings: &StoreSettings, facts: &LifecycleFacts) -> bool {
    settings.convert_opportunity.enabled && facts.payment().is_some()
}

/// The StageName the facts give, or `None` before any checkout or order fact.
pub fn stage(settings: &StoreSettings, facts: &LifecycleFacts, closed: &ClosedStages) -> Option<String> {
    let progress: Vec<&str> = [
        (is_converted(settings, facts), settings.convert_opportunity.converted_stage.as_str()),
        (facts.order_id().is_some(), settings.draft_stage.as_str()),
        (facts.checkout_at().is_some(), settings.abandoned_cart_stage.as_str()),
    ]
    .into_iter()
    .filter_map(|(applies, stage)| applies.then_some(stage))
    .collect();
    let mapped: Vec<&str> = facts
        .statuses_newest_first()
        .into_iter()
        .filter_map(|(status, _)| status_rule(settings, status)?.opportunity_stage.as_ref())
        .map(|stage| stage.as_str())
        .collect();
    let chosen = mapped.first().or(progress.first())?;
    if closed.contains(chosen) {
        return Some((*chosen).to_owned());
    }
    let first_closed = mapped.iter().chain(&progress).find(|stage| closed.contains(stage));
    Some(first_closed.unwrap_or(chosen).to_string())
}
