//! Directions (ý kiến chỉ đạo): a leader of the level writes one on a task,
//! a plan or a unit; the unit that must act is told at once and answers in
//! its next report (see `reports::save_together`).

use super::access::{readable_plan, readable_task, readable_unit};
use super::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::{Principal, Role};
use crate::domain::direction::{Direction, DirectionError, DirectionSubject, validate_direction};
use crate::store::{NewDirection, NewNotification};

/// Who a direction is about and where it sits.
struct Addressee {
    /// The path a leader must be above to give it.
    scope_path: String,
    unit_id: i64,
    province_id: Option<i64>,
    commune_id: Option<i64>,
    link: String,
}

async fn addressee(
    state: &AppState,
    p: &Principal,
    subject: DirectionSubject,
) -> Result<Addressee, AppError> {
    Ok(match subject {
        DirectionSubject::Task(id) => {
            let task = readable_task(state, p, id).await?;
            let plan = readable_plan(state, p, task.plan_id).await?;
            let unit_id = task
                .lead
                .iter()
                .find_map(|m| m.unit_id)
                .ok_or_else(|| AppError::invalid(DirectionError::NoUnit))?;
            Addressee {
                scope_path: task.scope_path,
                unit_id,
                province_id: plan.province_id,
                commune_id: plan.commune_id,
                link: format!("/tasks/{id}"),
            }
        }
        DirectionSubject::Plan(id) => {
            let plan = readable_plan(state, p, id).await?;
            Addressee {
                scope_path: plan.issuer_path,
                unit_id: plan.issuer_unit_id,
                province_id: plan.province_id,
                commune_id: plan.commune_id,
                link: format!("/plans/{id}"),
            }
        }
        DirectionSubject::Unit(id) => {
            let unit = readable_unit(state, p, id).await?;
            Addressee {
                scope_path: unit.path,
                unit_id: unit.id,
                province_id: unit.province_id,
                commune_id: unit.commune_id,
                link: format!("/units/{id}"),
            }
        }
    })
}

/// Whether the person may give directions on what sits at `scope_path`:
/// a leader of that level or above.
pub fn may_direct(p: &Principal, scope_path: &str) -> bool {
    p.can_approve(scope_path)
}

/// A leader's direction: kept, and told to the unit's reporters and focal
/// point in the same transaction.
pub async fn give(
    state: &AppState,
    caller: &Caller<'_>,
    subject: DirectionSubject,
    body: &str,
) -> Result<Direction, AppError> {
    let p = caller.principal;
    let to = addressee(state, p, subject).await?;
    if !may_direct(p, &to.scope_path) {
        return Err(AppError::Forbidden);
    }
    let body = validate_direction(body).map_err(AppError::invalid)?;
    let mut people: Vec<i64> = Vec::new();
    let mut add = |ids: Vec<(i64, Option<String>)>| {
        for (id, _) in ids {
            if !people.contains(&id) {
                people.push(id);
            }
        }
    };
    add(state.store.users_at(to.unit_id, Role::UnitReporter).await?);
    add(state.store.users_at(to.unit_id, Role::FocalPoint).await?);
    if let Some(commune) = to.commune_id {
        add(state.store.users_at(commune, Role::FocalPoint).await?);
    }
    let short: String = body.chars().take(200).collect();
    let message = format!("Ý kiến chỉ đạo của {}: {short}", p.full_name);
    let notify: Vec<NewNotification> = people
        .into_iter()
        .map(|user_id| NewNotification {
            user_id,
            province_id: to.province_id,
            commune_id: to.commune_id,
            event_key: String::new(),
            kind: "direction",
            message: message.clone(),
            link: Some(to.link.clone()),
        })
        .collect();
    let direction = NewDirection {
        subject,
        unit_id: to.unit_id,
        province_id: to.province_id,
        commune_id: to.commune_id,
        body,
    };
    Ok(state
        .store
        .give_direction(direction, &notify, &caller.actor)
        .await?)
}

/// The directions about a task the person may read.
pub async fn of_task(
    state: &AppState,
    p: &Principal,
    task_id: i64,
) -> Result<Vec<Direction>, AppError> {
    readable_task(state, p, task_id).await?;
    Ok(state.store.directions_of_task(task_id).await?)
}

/// The directions about a plan and its tasks.
pub async fn of_plan(
    state: &AppState,
    p: &Principal,
    plan_id: i64,
) -> Result<Vec<Direction>, AppError> {
    readable_plan(state, p, plan_id).await?;
    Ok(state.store.directions_of_plan(plan_id).await?)
}

/// The directions a unit must answer or has answered, for someone who may
/// read the unit.
pub async fn for_unit(
    state: &AppState,
    p: &Principal,
    unit_id: i64,
) -> Result<Vec<Direction>, AppError> {
    readable_unit(state, p, unit_id).await?;
    Ok(state.store.directions_for_unit(unit_id).await?)
}

/// Directions a unit must answer: not answered yet, or answered in
/// `report_id` (still open to change with it).
pub async fn to_answer_in(
    state: &AppState,
    unit_id: i64,
    report_id: i64,
) -> Result<Vec<Direction>, AppError> {
    Ok(state
        .store
        .directions_for_unit(unit_id)
        .await?
        .into_iter()
        .filter(|d| d.answered_at.is_none() || d.answer_report_id == Some(report_id))
        .collect())
}
