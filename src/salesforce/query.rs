//! SOQL results page by page: [`QueryPager`] runs `/query` (or `/queryAll`,
//! which also returns deleted and archived rows) and follows `nextRecordsUrl`
//! verbatim, one API call per page, so callers can process large results
//! without holding them all in memory.

use serde_json::Value;

use super::client::{Call, Client};
use super::error::Error;

/// A query read one page at a time; see [`Client::query_stream`].
#[derive(Debug)]
pub struct QueryPager<'a> {
    client: &'a Client,
    /// The next call to make; `None` once the last page was read.
    next: Option<Call>,
    total_size: Option<u64>,
    pages: u64,
}

impl Client {
    /// Starts a query without sending anything yet. With `all_rows` it uses
    /// `queryAll`, which includes deleted and archived records.
    pub fn query_stream(&self, soql: &str, all_rows: bool) -> QueryPager<'_> {
        let resource = if all_rows { "queryAll" } else { "query" };
        QueryPager { client: self, next: Some(Call::get(resource).with_query("q", soql)), total_size: None, pages: 0 }
    }
}

impl QueryPager<'_> {
    /// The next page of records, or `None` when the query is exhausted. A page
    /// may be empty only if Salesforce sends an empty page. After an error the
    /// same page can be asked for again (a cursor lives ~15 minutes).
    pub async fn next_page(&mut self) -> Result<Option<Vec<Value>>, Error> {
        let Some(call) = self.next.clone() else { return Ok(None) };
        let mut body = self.client.send(&call).await?.body;
        let bad = |message: &str| Error::bad_response(200, message);
        let next = match body.get("nextRecordsUrl").and_then(Value::as_str) {
            Some(url) if url == call.path => return Err(bad("the query cursor did not advance")),
            Some(url) => Some(Call::get(url.to_owned())),
            None if body.get("done").and_then(Value::as_bool) == Some(false) => {
                return Err(bad("done is false but nextRecordsUrl is missing"));
            }
            None => None,
        };
        let total_size = body.get("totalSize").and_then(Value::as_u64);
        let Some(Value::Array(records)) = body.get_mut("records").map(Value::take) else {
            return Err(bad("a query page without a records array"));
        };
        self.total_size = total_size.or(self.total_size);
        self.pages += 1;
        self.next = next;
        Ok(Some(records))
    }

    /// Every remaining record, in order.
    pub async fn collect_all(mut self) -> Result<Vec<Value>, Error> {
        let mut all = Vec::new();
        while let Some(page) = self.next_page().await? {
            all.extend(page);
        }
        Ok(all)
    }

    /// `totalSize` of the query (all matching rows, not the page), once a page was read.
    pub fn total_size(&self) -> Option<u64> {
        self.total_size
    }

    /// Pages read so far (each one API call).
    pub fn pages_read(&self) -> u64 {
        self.pages
    }

    /// Whether the last page was read.
    pub fn is_done(&self) -> bool {
        self.next.is_none()
    }
}
