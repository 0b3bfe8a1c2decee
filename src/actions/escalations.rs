//! Tasks escalated to the leaders (see `domain::reminder`): who may read
//! them, and the lead unit's explanation.

use super::access::readable_task;
use super::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::reminder::{Escalation, validate_explanation};

/// How many escalations a list shows at most.
const LISTED: i64 = 200;

/// Escalations of tasks in the person's scope, newest first; `open_only`
/// keeps those whose task is still not done.
pub async fn list(
    state: &AppState,
    p: &Principal,
    open_only: bool,
) -> Result<Vec<Escalation>, AppError> {
    Ok(state
        .store
        .escalations_within(&p.read_path, open_only, LISTED)
        .await?)
}

/// The escalations of one task the person may read.
pub async fn of_task(
    state: &AppState,
    p: &Principal,
    task_id: i64,
) -> Result<Vec<Escalation>, AppError> {
    readable_task(state, p, task_id).await?;
    Ok(state.store.escalations_of_task(task_id).await?)
}

/// Whether the person may write the explanation: someone who reports for
/// the lead unit (its reporter, or a focal point above it).
pub fn may_explain(p: &Principal, e: &Escalation) -> bool {
    p.can_report_for(&e.lead_unit_path)
}

/// One escalation the person may read (its task's plan or its lead unit
/// in their scope), or 404.
pub async fn readable(state: &AppState, p: &Principal, id: i64) -> Result<Escalation, AppError> {
    match state.store.escalation(id).await? {
        Some(e) if p.can_read(&e.scope_path) || p.can_read(&e.lead_unit_path) => Ok(e),
        _ => Err(AppError::NotFound),
    }
}

/// The lead unit's explanation of why its task is late.
pub async fn explain(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    version: i64,
    text: &str,
) -> Result<Escalation, AppError> {
    let p = caller.principal;
    let escalation = readable(state, p, id).await?;
    if !may_explain(p, &escalation) {
        return Err(AppError::Forbidden);
    }
    let text = validate_explanation(text).map_err(AppError::invalid)?;
    Ok(state
        .store
        .explain_escalation(id, version, text, &caller.actor)
        .await?)
}
