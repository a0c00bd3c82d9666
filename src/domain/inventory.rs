//! Inventory sync's pure rules: what a stock level is (a canonical decimal),
//! which level of a SKU wins (the latest as-of; a late older level changes
//! nothing), coalescing several levels of one SKU into one write, skipping a
//! level equal to the one last written, and choosing the cheapest Salesforce
//! path for a push (sObject Collections or a Bulk API 2.0 job; SOQL `IN`
//! chunks or a Bulk query to find records by SKU), counted in API calls.

use std::collections::HashMap;

/// Levels one UpdateInventory call may carry.
pub const MAX_LEVELS_PER_CALL: usize = 10_000;
/// Characters a SKU may have.
pub const MAX_SKU_CHARS: usize = 255;
/// Records per sObject Collections call.
pub const COLLECTION_SIZE: usize = 200;
/// Rows a REST query answers per page (Salesforce's default batch size).
pub const QUERY_PAGE_ROWS: usize = 2_000;
/// Characters of SOQL text allowed in one REST query (the GET URL limit of
/// 16,384 bytes is the tighter bound once the text is URL-encoded).
pub const SOQL_CHARS_PER_QUERY: usize = 12_000;
/// Calls of a Bulk 2.0 update job at best: create, upload, `UploadComplete`, one status poll.
pub const BULK_INGEST_CALLS: usize = 4;
/// Calls a Bulk 2.0 update job is expected to take: a job is seldom done at
/// its first poll, so one poll more than at best.
pub const BULK_INGEST_EXPECTED_CALLS: usize = BULK_INGEST_CALLS + 1;
/// Calls of a Bulk 2.0 query at best: create, one status poll, one result page.
pub const BULK_QUERY_CALLS: usize = 3;

const MAX_DECIMALS: usize = 6;
const MAX_DIGITS: usize = 15;

/// A stock level as canonical decimal text: no `+`, no leading zeros, no
/// trailing fractional zeros, no `-0` (`"012.50"` → `"12.5"`), so equal
/// quantities compare equal as text.
pub fn parse_quantity(raw: &str) -> Result<String, String> {
    let text = raw.trim();
    let bad = || format!("must be a decimal number such as \"12\" or \"12.5\" (got {text:?})");
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    if whole.is_empty() && fraction.is_empty() || !whole.chars().chain(fraction.chars()).all(|c| c.is_ascii_digit()) {
        return Err(bad());
    }
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    if fraction.len() > MAX_DECIMALS {
        return Err(format!("has more than {MAX_DECIMALS} decimal places"));
    }
    if whole.len() + fraction.len() > MAX_DIGITS {
        return Err(format!("has more than {MAX_DIGITS} significant digits"));
    }
    let mut canonical = String::with_capacity(text.len());
    if negative && !(whole.is_empty() && fraction.is_empty()) {
        canonical.push('-');
    }
    canonical.push_str(if whole.is_empty() { "0" } else { whole });
    if !fraction.is_empty() {
        canonical.push('.');
        canonical.push_str(fraction);
    }
    Ok(canonical)
}

/// One SKU's level at a moment (quantity canonical, as-of in Unix milliseconds).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    pub sku: String,
    pub quantity: String,
    pub as_of: i64,
}

/// One level per SKU: the one with the latest as-of (on a tie, the later in
/// the list, as the store sent it last). Sorted by SKU.
pub fn coalesce(levels: Vec<Level>) -> Vec<Level> {
    let mut latest: HashMap<String, Level> = HashMap::with_capacity(levels.len());
    for level in levels {
        match latest.get(&level.sku) {
            Some(held) if held.as_of > level.as_of => {}
            _ => {
                latest.insert(level.sku.clone(), level);
            }
        }
    }
    let mut out: Vec<Level> = latest.into_values().collect();
    out.sort_by(|a, b| a.sku.cmp(&b.sku));
    out
}

/// Whether a level received now replaces the one held: only a later as-of does.
pub fn replaces(held_as_of: Option<i64>, incoming_as_of: i64) -> bool {
    held_as_of.is_none_or(|held| incoming_as_of > held)
}

/// A pending level, with what forcesync knows of its record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub sku: String,
    pub quantity: String,
    pub as_of: i64,
    /// Write even if equal to what was written (a full snapshot).
    pub forced: bool,
    pub written: Option<String>,
    pub record_id: Option<String>,
}

/// What a push does with one pending level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Equal to the level last written to the record: no call.
    Unchanged,
    /// The record is not known yet: find it by SKU first.
    Lookup,
    /// Write to the known record.
    Write,
}

/// The action for one pending level.
pub fn action(level: &Pending) -> Action {
    match (&level.record_id, &level.written) {
        (None, _) => Action::Lookup,
        (Some(_), Some(written)) if *written == level.quantity && !level.forced => Action::Unchanged,
        (Some(_), _) => Action::Write,
    }
}

/// How a push's writes reach Salesforce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMethod {
    /// sObject Collections updates, 200 records per call.
    Collections,
    /// One Bulk API 2.0 update job.
    Bulk,
}

impl WriteMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Collections => "collections",
            Self::Bulk => "bulk",
        }
    }
}

/// Calls sObject Collections needs for `records`.
pub fn collection_calls(records: usize) -> usize {
    records.div_ceil(COLLECTION_SIZE)
}

/// The method with the fewest calls for `records` writes: collections while
/// they need no more calls than a Bulk job is expected to (up to 1,000
/// records; on a tie collections, which answer at once), else Bulk. Nothing
/// to write needs neither.
pub fn write_method(records: usize) -> Option<WriteMethod> {
    match records {
        0 => None,
        n if collection_calls(n) <= BULK_INGEST_EXPECTED_CALLS => Some(WriteMethod::Collections),
        _ => Some(WriteMethod::Bulk),
    }
}

/// How a push finds the records of SKUs it does not know yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupPlan {
    /// REST queries `WHERE match_field IN (...)`, one per chunk of SKUs.
    Chunks(Vec<Vec<String>>),
    /// One Bulk 2.0 query of every record with a match value.
    BulkQuery,
}

impl LookupPlan {
    /// Calls the plan makes at best.
    pub fn calls(&self) -> usize {
        match self {
            Self::Chunks(chunks) => chunks.len(),
            Self::BulkQuery => BULK_QUERY_CALLS,
        }
    }
}

/// SKUs in chunks that each fit one REST query's text and one result page.
pub fn sku_chunks(skus: &[String], fixed_chars: usize) -> Vec<Vec<String>> {
    let budget = SOQL_CHARS_PER_QUERY.saturating_sub(fixed_chars).max(1);
    let mut chunks: Vec<Vec<String>> = Vec::new();
    let (mut current, mut chars) = (Vec::new(), 0usize);
    for sku in skus {
        // Quoted, escaped (worst case doubles), a comma; URL encoding is in the budget.
        let cost = sku.len() * 2 + 3;
        if !current.is_empty() && (chars + cost > budget || current.len() == QUERY_PAGE_ROWS) {
            chunks.push(std::mem::take(&mut current));
            chars = 0;
        }
        chars += cost;
        current.push(sku.clone());
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// The lookup with the fewest calls for `skus`: `IN` chunks while they need
/// fewer calls than a Bulk query, else the Bulk query.
pub fn lookup_plan(skus: &[String], fixed_chars: usize) -> Option<LookupPlan> {
    if skus.is_empty() {
        return None;
    }
    let chunks = sku_chunks(skus, fixed_chars);
    Some(if chunks.len() < BULK_QUERY_CALLS { LookupPlan::Chunks(chunks) } else { LookupPlan::BulkQuery })
}

/// Whether a write's error says the record is gone (deleted, or never
/// visible): its remembered Id is forgotten and the SKU looked up again.
pub fn record_gone(code: &str) -> bool {
    matches!(code, "ENTITY_IS_DELETED" | "INVALID_CROSS_REFERENCE_KEY" | "NOT_FOUND" | "INVALID_ID_FIELD")
}

/// The fewest calls Salesforce's APIs allow for a push of `writes` levels
/// of which `lookups` need their record found (`fixed_chars`: the SOQL text
/// besides the SKUs): the cheaper lookup, then the cheaper of collections
/// and a Bulk job finished at its first poll.
pub fn floor_calls(writes: usize, lookups: &[String], fixed_chars: usize) -> usize {
    let lookup = lookup_plan(lookups, fixed_chars).map_or(0, |plan| plan.calls());
    let write = if writes == 0 { 0 } else { collection_calls(writes).min(BULK_INGEST_CALLS) };
    lookup + write
}

#[cfg(test)]
#[path = "inventory_tests.rs"]
mod tests;
