//! Bulk API 2.0 query jobs: create (`query` or `queryAll`), wait, then read
//! the result CSV a page at a time, following `Sforce-Locator` until it is
//! the literal `null`.

use reqwest::Method;
use serde_json::json;

use super::{CsvRow, JobInfo, JobKind, PollPolicy, rows};
use crate::salesforce::client::{Call, Client};
use crate::salesforce::error::Error;

impl Client {
    /// Creates a query job; `all_rows` uses `queryAll` (deleted and archived rows too).
    pub async fn bulk_create_query(&self, soql: &str, all_rows: bool) -> Result<JobInfo, Error> {
        let operation = if all_rows { "queryAll" } else { "query" };
        let body = json!({ "operation": operation, "query": soql, "contentType": "CSV",
                           "columnDelimiter": "COMMA", "lineEnding": "LF" });
        JobInfo::parse(&self.send(&Call::write(Method::POST, "jobs/query", body, false)).await?.body)
    }

    /// Reads a finished query job's results, `max_records` rows per page when set.
    pub fn bulk_query_results(&self, job_id: &str, max_records: Option<u32>) -> BulkQueryPager<'_> {
        BulkQueryPager { client: self, job_id: job_id.to_owned(), max_records, locator: None, done: false }
    }

    /// The whole query: create, wait, read every page. A `Failed` or `Aborted` job is an error.
    pub async fn bulk_query(
        &self,
        soql: &str,
        all_rows: bool,
        poll: &PollPolicy,
        max_records: Option<u32>,
    ) -> Result<Vec<CsvRow>, Error> {
        let job = self.bulk_create_query(soql, all_rows).await?;
        let job = self.bulk_wait(JobKind::Query, &job.id, poll).await?;
        if let Some(error) = job.job_error() {
            return Err(error);
        }
        let mut pager = self.bulk_query_results(&job.id, max_records);
        let mut all = Vec::new();
        while let Some(page) = pager.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }
}

/// A query job's results read a page at a time, following `Sforce-Locator`
/// until it is the literal `null`.
#[derive(Debug)]
pub struct BulkQueryPager<'a> {
    client: &'a Client,
    job_id: String,
    max_records: Option<u32>,
    locator: Option<String>,
    done: bool,
}

impl BulkQueryPager<'_> {
    /// The next page of rows, or `None` after the last one. After an error
    /// the same page can be asked for again.
    pub async fn next_page(&mut self) -> Result<Option<Vec<CsvRow>>, Error> {
        if self.done {
            return Ok(None);
        }
        let mut query = Vec::new();
        if let Some(max) = self.max_records {
            query.push(("maxRecords", max.to_string()));
        }
        if let Some(locator) = &self.locator {
            query.push(("locator", locator.clone()));
        }
        let path = format!("{}/results", JobKind::Query.path(&self.job_id));
        let reply = self.client.send_csv(Method::GET, &path, &query, None, true).await?;
        let rows = rows::read_table::<0>(&reply.text)?.into_iter().map(|(_, row)| row).collect();
        let next = reply.headers.get("sforce-locator").and_then(|v| v.to_str().ok()).map(str::trim);
        match next.filter(|l| !l.is_empty() && *l != "null") {
            Some(locator) if Some(locator) == self.locator.as_deref() => {
                return Err(Error::bad_response(200, "the result locator did not advance"));
            }
            Some(locator) => self.locator = Some(locator.to_owned()),
            None => self.done = true,
        }
        Ok(Some(rows))
    }
}
