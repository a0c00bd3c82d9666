//! The configuration audit as a paged list, shared by the admin's
//! `ListAuditEntries` (any store) and the store's own `ListConfigAudit`.

use crate::pb;
use crate::storage::{AuditEntry, Storage};

use super::{ApiError, paging, timestamp};

/// One page of store `code`'s audit, newest first, and the next page's token.
pub(super) async fn page(
    storage: &Storage,
    code: &str,
    page_size: i32,
    page_token: &str,
) -> Result<(Vec<pb::AuditEntry>, String), ApiError> {
    let size = paging::page_size(page_size)?;
    let before = match paging::decode_token(page_token)? {
        key if key.is_empty() => None,
        key => Some(key.parse::<i64>().map_err(|_| ApiError::invalid("page_token", "not a page token of this list"))?),
    };
    // One extra row tells whether another page follows.
    let mut rows = storage.audit_page(code, before, size + 1).await?;
    let more = rows.len() > usize::try_from(size).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    let next_page_token = match rows.last() {
        Some((id, _)) if more => paging::encode_token(&id.to_string()),
        _ => String::new(),
    };
    Ok((rows.into_iter().map(|(_, entry)| entry_to_proto(entry)).collect(), next_page_token))
}

fn entry_to_proto(entry: AuditEntry) -> pb::AuditEntry {
    pb::AuditEntry {
        actor: entry.actor,
        action: entry.action,
        fields: entry.fields,
        time: Some(timestamp(entry.at_millis)),
    }
}
