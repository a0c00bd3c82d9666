//! An ingest job's result files one at a time, for callers that read only
//! what they need: a `JobComplete` job whose `numberRecordsFailed` is 0 needs
//! no file at all, one with failures only `failedResults`.

use reqwest::Method;

use super::{FailedRow, JobKind, SuccessRow, parse_bulk_errors, rows};
use crate::salesforce::client::Client;
use crate::salesforce::error::Error;

impl Client {
    /// The rows a finished ingest job refused, each with Salesforce's error.
    pub async fn bulk_failed_results(&self, job_id: &str) -> Result<Vec<FailedRow>, Error> {
        let path = format!("{}/failedResults", JobKind::Ingest.path(job_id));
        let reply = self.send_csv(Method::GET, &path, &[], None, true).await?;
        Ok(rows::read_table::<2>(&reply.text)?
            .into_iter()
            .map(|([id, cell], row)| {
                let mut errors = parse_bulk_errors(&cell).into_iter();
                let error = errors.next().unwrap_or_else(|| Error::new("UNKNOWN", cell, Some(400)));
                FailedRow { id: Some(id).filter(|id| !id.is_empty()), error, more_errors: errors.collect(), row }
            })
            .collect())
    }

    /// The rows a finished ingest job wrote.
    pub async fn bulk_successful_results(&self, job_id: &str) -> Result<Vec<SuccessRow>, Error> {
        let path = format!("{}/successfulResults", JobKind::Ingest.path(job_id));
        let reply = self.send_csv(Method::GET, &path, &[], None, true).await?;
        Ok(rows::read_table::<2>(&reply.text)?
            .into_iter()
            .map(|([id, created], row)| SuccessRow { id, created: created.eq_ignore_ascii_case("true"), row })
            .collect())
    }
}
