//! Loading a record on behalf of a user: found and readable, or 404 (so a
//! user cannot probe what exists in other communes); readable but not
//! theirs to change, 403. Pages and the API both go through here.

use crate::actions::AppError;
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::feedback::Feedback;
use crate::domain::initiative::Initiative;
use crate::domain::plan::Plan;
use crate::domain::target::Target;
use crate::domain::task::Task;
use crate::domain::unit::Unit;

pub async fn readable_unit(state: &AppState, p: &Principal, id: i64) -> Result<Unit, AppError> {
    match state.store.unit(id).await? {
        Some(u) if p.can_read(&u.path) => Ok(u),
        _ => Err(AppError::NotFound),
    }
}

pub async fn administrable_unit(
    state: &AppState,
    p: &Principal,
    id: i64,
) -> Result<Unit, AppError> {
    let unit = readable_unit(state, p, id).await?;
    if p.can_administer(&unit.path) {
        Ok(unit)
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn readable_plan(state: &AppState, p: &Principal, id: i64) -> Result<Plan, AppError> {
    match state.store.plan(id).await? {
        Some(plan) if p.can_read(&plan.issuer_path) => Ok(plan),
        _ => Err(AppError::NotFound),
    }
}

pub async fn manageable_plan(state: &AppState, p: &Principal, id: i64) -> Result<Plan, AppError> {
    let plan = readable_plan(state, p, id).await?;
    if p.can_manage(&plan.issuer_path) {
        Ok(plan)
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn readable_task(state: &AppState, p: &Principal, id: i64) -> Result<Task, AppError> {
    match state.store.task(id).await? {
        Some(t) if p.can_read(&t.scope_path) => Ok(t),
        _ => Err(AppError::NotFound),
    }
}

pub async fn manageable_task(state: &AppState, p: &Principal, id: i64) -> Result<Task, AppError> {
    let task = readable_task(state, p, id).await?;
    if p.can_manage(&task.scope_path) {
        Ok(task)
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn readable_target(state: &AppState, p: &Principal, id: i64) -> Result<Target, AppError> {
    match state.store.target(id).await? {
        Some(t) if p.can_read(&t.scope_path) => Ok(t),
        _ => Err(AppError::NotFound),
    }
}

pub async fn manageable_target(
    state: &AppState,
    p: &Principal,
    id: i64,
) -> Result<Target, AppError> {
    let target = readable_target(state, p, id).await?;
    if p.can_manage(&target.scope_path) {
        Ok(target)
    } else {
        Err(AppError::Forbidden)
    }
}

/// The units a plan may name as lead or support: its issuer's subtree.
pub async fn units_of_plan(state: &AppState, plan: &Plan) -> Result<Vec<Unit>, AppError> {
    Ok(state.store.subtree(&plan.issuer_path).await?)
}

/// Units where the user may issue plans: the levels they manage.
pub async fn issuers_for(state: &AppState, p: &Principal) -> Result<Vec<Unit>, AppError> {
    let units = state.store.subtree(&p.unit_path).await?;
    Ok(units
        .into_iter()
        .filter(|u| u.kind.is_level() && p.can_manage(&u.path))
        .collect())
}

/// Feedback the user may see: its commune's managers, leaders and viewers,
/// and the unit it is assigned to; anyone else gets a 404.
pub async fn visible_feedback(
    state: &AppState,
    p: &Principal,
    id: i64,
) -> Result<Feedback, AppError> {
    match state.store.feedback(id).await? {
        Some(f) if p.can_view_feedback(&f.commune_path, f.assigned_unit_path.as_deref()) => Ok(f),
        _ => Err(AppError::NotFound),
    }
}

/// An initiative, readable by anyone who reads its commune.
pub async fn readable_initiative(
    state: &AppState,
    p: &Principal,
    id: i64,
) -> Result<Initiative, AppError> {
    match state.store.initiative(id).await? {
        Some(i) if p.can_read(&i.commune_path) => Ok(i),
        _ => Err(AppError::NotFound),
    }
}

/// An initiative the user may score: readable (else 404) and on its
/// council (else 403, like any record the user may read but not change).
pub async fn scorable_initiative(
    state: &AppState,
    p: &Principal,
    id: i64,
) -> Result<Initiative, AppError> {
    let i = readable_initiative(state, p, id).await?;
    let reviews = state.store.reviews_of(id).await?;
    if reviews.iter().any(|r| r.reviewer_id == p.user_id) {
        Ok(i)
    } else {
        Err(AppError::Forbidden)
    }
}
