//! Extension and adjustment (gia hạn, điều chỉnh): the lead unit's
//! reporter or focal point asks before the deadline passes; a focal point
//! or leader of the level that owns the plan approves or refuses (see
//! `domain::extension`). A request made too late is refused, changes
//! nothing and is audited.

use super::access::{readable_plan, readable_task};
use super::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::{Principal, Role};
use crate::domain::extension::{
    DeadlineStep, ExtensionAsk, ExtensionDecision, ExtensionError, ExtensionRequest,
    ExtensionState, check_in_time, deadline_history,
};
use crate::domain::task::Task;
use crate::store::{Change, NewExtension, NewNotification};

/// How many waiting requests a to-do list shows at most.
const LISTED: i64 = 200;

/// The path of the task's lead unit, if it has one on the tree.
async fn lead_path(state: &AppState, task: &Task) -> Result<Option<String>, AppError> {
    let Some(id) = task.lead.iter().find_map(|m| m.unit_id) else {
        return Ok(None);
    };
    Ok(state.store.unit(id).await?.map(|u| u.path))
}

/// Whether the person asks for the task's lead unit: its reporter, or a
/// focal point above it.
pub async fn may_ask(state: &AppState, p: &Principal, task: &Task) -> Result<bool, AppError> {
    Ok(lead_path(state, task)
        .await?
        .is_some_and(|path| p.can_report_for(&path)))
}

/// Whether the person decides requests on tasks of plans at `scope_path`:
/// a focal point (manager) or a leader of that level or above.
pub fn may_decide(p: &Principal, scope_path: &str) -> bool {
    p.can_manage(scope_path) || p.can_approve(scope_path)
}

/// Whether the person may decide this request: not their own.
pub fn may_decide_request(p: &Principal, x: &ExtensionRequest) -> bool {
    x.state == ExtensionState::Pending && x.asked_by_id != p.user_id && may_decide(p, &x.scope_path)
}

/// A lead unit's request for a new deadline or a changed product.
pub async fn ask(
    state: &AppState,
    caller: &Caller<'_>,
    task_id: i64,
    deadline: Option<&str>,
    product: Option<&str>,
    reason: &str,
) -> Result<ExtensionRequest, AppError> {
    let p = caller.principal;
    let task = readable_task(state, p, task_id).await?;
    if !may_ask(state, p, &task).await? {
        return Err(AppError::Forbidden);
    }
    let plan = readable_plan(state, p, task.plan_id).await?;
    let ask = ExtensionAsk::parse(deadline, product, reason, &task.deadline)
        .map_err(AppError::invalid)?;
    if task.confidential && ask.product.is_some() {
        return Err(AppError::Invalid(
            "Nhiệm vụ mật không đưa sản phẩm lên hệ thống".into(),
        ));
    }
    let clock = state.store.clock();
    if let Err(late) = check_in_time(&task.deadline, clock.today(), clock.now_ms()) {
        let refused = Change {
            action: "refuse_late_extension",
            entity: "task",
            entity_id: Some(task_id),
            province_id: plan.province_id,
            commune_id: plan.commune_id,
            before: None,
            after: Some(serde_json::json!({ "refused": late.to_string(),
                "deadline": ask.deadline.as_ref().map(|c| c.deadline.text().to_string()),
                "reason": ask.reason })),
        };
        state.store.record_refusal(&caller.actor, refused).await?;
        return Err(AppError::invalid(late));
    }
    let mut people: Vec<i64> = Vec::new();
    for role in [Role::FocalPoint, Role::Leader] {
        for (id, _) in state.store.users_at(plan.issuer_unit_id, role).await? {
            if !people.contains(&id) && id != p.user_id {
                people.push(id);
            }
        }
    }
    let message = format!(
        "{} đề nghị gia hạn, điều chỉnh nhiệm vụ: {}",
        p.full_name,
        short(&task.title)
    );
    let notify = notifications(&people, &plan, task_id, &message);
    let new = NewExtension {
        task_id,
        province_id: plan.province_id,
        commune_id: plan.commune_id,
        deadline_was: task.deadline.text().to_string(),
        product_was: task.product.clone(),
        ask,
    };
    Ok(state
        .store
        .ask_extension(new, &notify, &caller.actor)
        .await?)
}

fn short(text: &str) -> String {
    text.chars().take(200).collect()
}

fn notifications(
    people: &[i64],
    plan: &crate::domain::plan::Plan,
    task_id: i64,
    message: &str,
) -> Vec<NewNotification> {
    people
        .iter()
        .map(|user_id| NewNotification {
            user_id: *user_id,
            province_id: plan.province_id,
            commune_id: plan.commune_id,
            event_key: String::new(),
            kind: "extension",
            message: message.to_string(),
            link: Some(format!("/tasks/{task_id}#extensions")),
        })
        .collect()
}

/// One request the person may read (its task's plan in their scope), or
/// 404.
pub async fn readable(
    state: &AppState,
    p: &Principal,
    id: i64,
) -> Result<ExtensionRequest, AppError> {
    match state.store.extension(id).await? {
        Some(x) if p.can_read(&x.scope_path) => Ok(x),
        _ => Err(AppError::NotFound),
    }
}

/// The assigning level approves (the new deadline and product apply) or
/// refuses (nothing changes); the one who asked is told.
pub async fn decide(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    version: i64,
    decision: &str,
    note: Option<&str>,
) -> Result<ExtensionRequest, AppError> {
    let p = caller.principal;
    let x = readable(state, p, id).await?;
    if !may_decide(p, &x.scope_path) || x.asked_by_id == p.user_id {
        return Err(AppError::Forbidden);
    }
    if x.state != ExtensionState::Pending {
        return Err(AppError::invalid(ExtensionError::AlreadyDecided));
    }
    let decision = ExtensionDecision::parse(decision, note).map_err(AppError::invalid)?;
    let plan = readable_plan(state, p, readable_task(state, p, x.task_id).await?.plan_id).await?;
    let message = format!(
        "Đề nghị gia hạn, điều chỉnh nhiệm vụ {}: {}",
        short(&x.task_title),
        decision.state().label_vi().to_lowercase()
    );
    let notify = notifications(&[x.asked_by_id], &plan, x.task_id, &message);
    Ok(state
        .store
        .decide_extension(id, version, &decision, &notify, &caller.actor)
        .await?)
}

/// The requests on a task, oldest first.
pub async fn of_task(
    state: &AppState,
    p: &Principal,
    task_id: i64,
) -> Result<Vec<ExtensionRequest>, AppError> {
    readable_task(state, p, task_id).await?;
    Ok(state.store.extensions_of_task(task_id).await?)
}

/// The original deadline and every later one.
pub async fn deadlines_of(
    state: &AppState,
    p: &Principal,
    task_id: i64,
) -> Result<Vec<DeadlineStep>, AppError> {
    let task = readable_task(state, p, task_id).await?;
    let changes = state.store.deadline_changes_of(task_id).await?;
    Ok(deadline_history(task.deadline.text(), &changes))
}

/// Requests waiting for this person's decision.
pub async fn to_decide(state: &AppState, p: &Principal) -> Result<Vec<ExtensionRequest>, AppError> {
    if !(p.has(Role::FocalPoint) || p.has(Role::Leader) || p.has(Role::Administrator)) {
        return Ok(Vec::new());
    }
    Ok(state
        .store
        .pending_extensions_within(&p.unit_path, LISTED)
        .await?
        .into_iter()
        .filter(|x| may_decide_request(p, x))
        .collect())
}
