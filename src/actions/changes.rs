//! The change feed for the systems around Theo Dõi: every change to the
//! shared records in the caller's scope, oldest first, resumable from a
//! cursor and paged.

use crate::actions::AppError;
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::account::AuditScope;
use crate::store::AuditEntry;

/// Changes on a page when the caller does not say.
pub const DEFAULT_LIMIT: u32 = 100;
/// Most changes on a page.
pub const MAX_LIMIT: u32 = 1000;

/// One page of the feed.
pub struct ChangePage {
    pub changes: Vec<AuditEntry>,
    /// The cursor to ask from next: the last change's, or the one given.
    pub next: String,
    /// Whether more changes follow now.
    pub more: bool,
}

/// The changes after `since` (none: from the start) in the caller's
/// scope: the province or commune of the caller's unit, or everything at
/// the nation.
pub async fn changes(
    state: &AppState,
    principal: &Principal,
    since: Option<&str>,
    limit: Option<u32>,
) -> Result<ChangePage, AppError> {
    let since = match since.map(str::trim).filter(|s| !s.is_empty()) {
        None => 0,
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| AppError::BadRequest(format!("Con trỏ since không hợp lệ: {text}")))?,
    };
    let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let unit = state
        .store
        .unit(principal.unit_id)
        .await?
        .ok_or(AppError::Forbidden)?;
    let scope = AuditScope::for_unit(unit.province_id, unit.commune_id);
    let (changes, more) = state.store.changes(scope, since, limit).await?;
    let next = changes.last().map(|c| c.id).unwrap_or(since).to_string();
    Ok(ChangePage {
        changes,
        next,
        more,
    })
}
