//! Finding records by SKU: REST queries `WHERE match_field IN (...)` for a
//! few SKUs, one Bulk 2.0 query of every matchable record for many (the
//! choice is `domain::inventory::lookup_plan`'s, by calls). Matching is exact;
//! when several records carry one SKU the first (by Id) is used.

use std::collections::{HashMap, HashSet};

use crate::domain::inventory::{LookupPlan, lookup_plan};
use crate::domain::settings::Inventory;
use crate::salesforce::bulk::{JobKind, PollPolicy};
use crate::salesforce::soql::{Literal, Soql};
use crate::salesforce::{Client, Error, ErrorClass};

use super::write::wait_for_job;

/// The SOQL text besides the SKUs, for chunking.
fn fixed_chars(settings: &Inventory) -> usize {
    40 + settings.object.as_str().len() + 2 * settings.match_field.as_str().len()
}

fn bad_name(error: impl std::fmt::Display) -> Error {
    Error::new("INVALID_FIELD", error.to_string(), None).with_class(ErrorClass::Config)
}

/// The record Id of each of `skus` that has one; `calls` counts the requests.
pub(super) async fn find(
    client: &Client,
    settings: &Inventory,
    skus: &[String],
    poll: &PollPolicy,
    calls: &mut i64,
) -> Result<HashMap<String, String>, Error> {
    let (object, field) = (settings.object.as_str(), settings.match_field.as_str());
    let wanted: HashSet<&str> = skus.iter().map(String::as_str).collect();
    let mut pairs: Vec<(String, String)> = Vec::new();
    match lookup_plan(skus, fixed_chars(settings)) {
        None => return Ok(HashMap::new()),
        Some(LookupPlan::Chunks(chunks)) => {
            for chunk in chunks {
                let values: Vec<Literal> = chunk.into_iter().map(Literal::Str).collect();
                let soql =
                    Soql::select(&["Id", field], object).and_then(|q| q.where_in(field, &values)).map_err(bad_name)?;
                let mut pager = client.query_stream(&soql.build(), false);
                loop {
                    let Some(records) = pager.next_page().await? else { break };
                    *calls += 1;
                    for record in records {
                        let text = |name: &str| record.get(name).and_then(|v| v.as_str()).map(str::to_owned);
                        if let (Some(id), Some(sku)) = (text("Id"), text(field)) {
                            pairs.push((sku, id));
                        }
                    }
                }
            }
        }
        Some(LookupPlan::BulkQuery) => {
            let soql = Soql::select(&["Id", field], object)
                .and_then(|q| q.where_op(field, "!=", Literal::Null))
                .map_err(bad_name)?;
            let job = client.bulk_create_query(&soql.build(), false).await?;
            *calls += 1;
            let job = wait_for_job(client, JobKind::Query, &job.id, skus.len(), poll, calls).await?;
            if let Some(error) = job.job_error() {
                return Err(error);
            }
            let mut pager = client.bulk_query_results(&job.id, None);
            while let Some(rows) = pager.next_page().await? {
                *calls += 1;
                for row in rows {
                    if let (Some(id), Some(sku)) = (row.get("Id"), row.get(field))
                        && wanted.contains(sku)
                    {
                        pairs.push((sku.to_owned(), id.to_owned()));
                    }
                }
            }
        }
    }
    pairs.sort();
    let mut found = HashMap::with_capacity(pairs.len());
    for (sku, id) in pairs {
        if wanted.contains(sku.as_str()) {
            found.entry(sku).or_insert(id);
        }
    }
    Ok(found)
}
