//! What a person does with tasks, for the pages and the API alike: list
//! and read them, create and change them, change a deadline with its
//! reason, mark one not applicable, and hand a higher-level task down to
//! the plans that implement its plan.

use chrono::NaiveDate;

use crate::actions::access::{
    manageable_plan, manageable_task, readable_plan, readable_task, readable_unit,
};
use crate::actions::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::deadline::Deadline;
use crate::domain::external::ExternalChange;
use crate::domain::plan::Plan;
use crate::domain::six_clear;
use crate::domain::status::{Badge, badge, due_soon_until};
use crate::domain::task::{
    Applicability, DeadlineChange, MentionInput, Task, TaskDraft, TaskError, resolve_mentions,
};
use crate::domain::unit::Unit;
use crate::domain::valid::Valid;
use crate::store::{
    AuditEntry, Change, Listing, Page, StateFilter, TaskFilter, TaskReportLine, TaskStanding,
};

/// Where a task stands against its deadline, as a list may be narrowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Overdue,
    /// Due within [`DUE_SOON_WORKING_DAYS`] working days.
    DueSoon,
    DoneOnTime,
    DoneLate,
}

impl TaskState {
    pub fn parse(name: &str) -> Option<TaskState> {
        match name {
            "overdue" => Some(TaskState::Overdue),
            "due_soon" => Some(TaskState::DueSoon),
            "done_on_time" => Some(TaskState::DoneOnTime),
            "done_late" => Some(TaskState::DoneLate),
            _ => None,
        }
    }
}

/// Which tasks to list; never more than the caller may read.
#[derive(Debug, Default)]
pub struct TaskQuery {
    /// A unit whose subtree's tasks to list (a dashboard's drill-down);
    /// without it, all the caller may read.
    pub within: Option<i64>,
    pub plan_id: Option<i64>,
    /// Tasks this unit leads or supports.
    pub unit_id: Option<i64>,
    pub query: Option<String>,
    pub deadline_kind: Option<String>,
    /// The latest accepted status (`done`, …), or `none`.
    pub status: Option<String>,
    pub group: Option<String>,
    pub due_by: Option<NaiveDate>,
    pub state: Option<TaskState>,
}

pub async fn list_tasks(
    state: &AppState,
    principal: &Principal,
    q: TaskQuery,
    page: Page,
) -> Result<Listing<Task>, AppError> {
    let within_path = match q.within {
        Some(id) => readable_unit(state, principal, id).await?.path,
        None => principal.read_path.clone(),
    };
    let task_state = match q.state {
        None => None,
        Some(TaskState::Overdue) => Some(StateFilter::Overdue(state.store.clock().today())),
        Some(TaskState::DueSoon) => {
            let today = state.store.clock().today();
            let calendar = state.store.work_calendar().await?;
            // The same window the dashboard's figure counts.
            Some(StateFilter::DueBetween(
                today,
                crate::domain::status::due_soon_until(today, &calendar),
            ))
        }
        Some(TaskState::DoneOnTime) => Some(StateFilter::DoneOnTime),
        Some(TaskState::DoneLate) => Some(StateFilter::DoneLate),
    };
    let filter = TaskFilter {
        within_path: Some(within_path),
        plan_id: q.plan_id,
        unit_id: q.unit_id,
        query: q.query,
        deadline_kind: q.deadline_kind,
        status: q.status,
        group: q.group,
        due_by: q.due_by,
        state: task_state,
    };
    Ok(state.store.tasks(&filter, page).await?)
}

/// One task as its page shows it, with what surrounds it.
pub struct TaskDetails {
    pub task: Task,
    pub plan: Plan,
    pub history: Vec<AuditEntry>,
    /// The higher-level task it carries out, if the caller may read it.
    pub parent: Option<Task>,
    /// The lower-level tasks that carry it out and the caller may read,
    /// each with the name of the unit that issued its plan.
    pub children: Vec<(Task, String)>,
    /// For a caller who manages it: the plans it may still be handed down
    /// to, each with the name of the unit that issued it.
    pub split_choices: Vec<(Plan, String)>,
    pub can_manage: bool,
    /// The responsible person's name and unit ("rõ người"), if named.
    pub responsible: Option<String>,
}

pub async fn task_details(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<TaskDetails, AppError> {
    let task = readable_task(state, principal, id).await?;
    let plan = readable_plan(state, principal, task.plan_id).await?;
    let history = state.store.audit_of("task", id).await?;
    let parent = match task.parent_task_id {
        Some(pid) => state
            .store
            .task(pid)
            .await?
            .filter(|t| principal.can_read(&t.scope_path)),
        None => None,
    };
    let child_tasks = state.store.child_tasks(id).await?;
    let handed_to: Vec<i64> = child_tasks.iter().map(|c| c.plan_id).collect();
    let mut children = Vec::new();
    for child in child_tasks {
        if principal.can_read(&child.scope_path)
            && let Some(child_plan) = state.store.plan(child.plan_id).await?
        {
            let issuer = unit_name(state, child_plan.issuer_unit_id).await?;
            children.push((child, issuer));
        }
    }
    let can_manage = principal.can_manage(&task.scope_path);
    let mut split_choices = Vec::new();
    if can_manage {
        for lower in plans_to_hand_down_to(state, &task).await? {
            if !handed_to.contains(&lower.id) {
                let issuer = unit_name(state, lower.issuer_unit_id).await?;
                split_choices.push((lower, issuer));
            }
        }
    }
    let responsible = match task.responsible_user_id {
        Some(uid) => state
            .store
            .user(uid)
            .await?
            .map(|u| format!("{} — {}", u.full_name, u.unit_name)),
        None => None,
    };
    Ok(TaskDetails {
        task,
        plan,
        responsible,
        history,
        parent,
        children,
        split_choices,
        can_manage,
    })
}

/// A task's standing with the badge it carries today.
pub struct Standing {
    pub standing: TaskStanding,
    pub badge: Option<Badge>,
}

/// The standing of each of these tasks (already read, so readable), in
/// their order; a task never reported stands with no status.
pub async fn standings(state: &AppState, tasks: &[Task]) -> Result<Vec<Standing>, AppError> {
    let store = &state.store;
    let ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let found = store.task_standings(&ids).await?;
    let today = store.clock().today();
    let soon = due_soon_until(today, &store.work_calendar().await?);
    Ok(ids
        .iter()
        .map(|id| {
            let standing = found
                .iter()
                .find(|s| s.task_id == *id)
                .cloned()
                .unwrap_or_else(|| TaskStanding {
                    task_id: *id,
                    ..TaskStanding::default()
                });
            let badge = badge(
                standing.live,
                standing.due_on,
                standing.done.as_deref(),
                today,
                soon,
            );
            Standing { standing, badge }
        })
        .collect())
}

/// Every report that named a task the principal reads, newest first.
pub async fn report_lines(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<Vec<TaskReportLine>, AppError> {
    let task = readable_task(state, principal, id).await?;
    Ok(state.store.task_report_lines(task.id).await?)
}

async fn unit_name(state: &AppState, id: i64) -> Result<String, AppError> {
    Ok(state
        .store
        .unit(id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default())
}

/// The plans a task may be handed down to: those that implement its plan.
async fn plans_to_hand_down_to(state: &AppState, task: &Task) -> Result<Vec<Plan>, AppError> {
    Ok(state.store.plans_implementing(task.plan_id).await?)
}

/// Where a task comes from (the higher-level task it carries out) and
/// whether it is still a draft read from a plan's narrative.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// As stored, except that `confirm` ends the draft: the page's form
    /// shows neither field. A new task has no parent and is live unless
    /// `as_draft` keeps it a draft.
    Kept { confirm: bool, as_draft: bool },
    /// As given: the API sends both.
    Given {
        parent_task_id: Option<i64>,
        draft: bool,
    },
}

/// A task as a person sends it, before it is checked.
#[derive(Debug, Clone)]
pub struct TaskInput {
    /// Required to create; on a change, a plan other than the task's own is
    /// refused, since a task never moves.
    pub plan_id: Option<i64>,
    pub reference: Option<String>,
    pub group_path: Vec<String>,
    pub title: String,
    pub lead: Vec<MentionInput>,
    pub support: Vec<MentionInput>,
    /// The responsible person ("rõ người"), an active account of a lead
    /// unit: `None` keeps what the task has (a new one has none).
    pub responsible: Option<Option<i64>>,
    pub product: Option<String>,
    pub deadline: Deadline,
    pub funding: Option<String>,
    pub legal_basis: Option<String>,
    /// "Mật": `None` keeps what the task is (a new one is not).
    pub confidential: Option<bool>,
    pub origin: Origin,
    /// Its id in another system: left as it is, set, or cleared.
    pub external: ExternalChange,
}

pub async fn create_task(
    state: &AppState,
    caller: &Caller<'_>,
    input: TaskInput,
) -> Result<Task, AppError> {
    let plan_id = input
        .plan_id
        .ok_or_else(|| AppError::Invalid("Thiếu kế hoạch (plan_id)".into()))?;
    let plan = manageable_plan(state, caller.principal, plan_id).await?;
    let external = input.external.apply(None);
    let draft = draft_of(state, caller, &plan, None, input).await?;
    Ok(state
        .store
        .create_task_with_external(plan.id, draft, external.as_ref(), &caller.actor)
        .await?)
}

/// Changes a task read at `version`; a task changed since is a conflict.
pub async fn update_task(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    version: i64,
    input: TaskInput,
) -> Result<Task, AppError> {
    let task = manageable_task(state, caller.principal, id).await?;
    if input.plan_id.is_some_and(|p| p != task.plan_id) {
        return Err(AppError::Invalid(
            "Không thể chuyển nhiệm vụ sang kế hoạch khác".into(),
        ));
    }
    let plan = readable_plan(state, caller.principal, task.plan_id).await?;
    let external = input.external.clone();
    let draft = draft_of(state, caller, &plan, Some(&task), input).await?;
    Ok(state
        .store
        .update_task_with_external(id, version, draft, &external, &caller.actor)
        .await?)
}

const LINK_KEPT: &str = "Nhiệm vụ này được giao từ nhiệm vụ cấp trên; không thể đổi nhiệm vụ \
     cấp trên (parent_task_id) khi sửa nhiệm vụ: hãy bỏ trống hoặc gửi đúng nhiệm vụ hiện tại";

async fn draft_of(
    state: &AppState,
    caller: &Caller<'_>,
    plan: &Plan,
    existing: Option<&Task>,
    input: TaskInput,
) -> Result<Valid<TaskDraft>, AppError> {
    let (parent_task_id, draft) = match input.origin {
        Origin::Kept { confirm, as_draft } => (
            existing.and_then(|t| t.parent_task_id),
            match existing {
                Some(t) => t.draft && !confirm,
                None => as_draft,
            },
        ),
        Origin::Given {
            parent_task_id,
            draft,
        } => {
            let kept = existing.and_then(|t| t.parent_task_id);
            let parent = match (kept, parent_task_id) {
                // A task handed down keeps its link to the task it carries
                // out: editing it (the commune, who may not even read the
                // province's task) neither drops nor changes the link.
                (Some(kept), None) => Some(kept),
                (Some(kept), Some(given)) if given == kept => Some(kept),
                (Some(_), Some(_)) => return Err(AppError::Invalid(LINK_KEPT.into())),
                (None, Some(given)) => {
                    readable_task(state, caller.principal, given).await?;
                    Some(given)
                }
                (None, None) => None,
            };
            (parent, draft)
        }
    };
    let was_confidential = existing.is_some_and(|t| t.confidential);
    let confidential = input.confidential.unwrap_or(was_confidential);
    let units = units_named(state, plan, &[&input.lead, &input.support]).await?;
    let lead = resolve_mentions(input.lead, &units).map_err(AppError::invalid)?;
    let responsible_user_id = match input.responsible {
        Some(given) => given,
        None => existing.and_then(|t| t.responsible_user_id),
    };
    let draft = TaskDraft {
        reference: input.reference,
        group_path: input.group_path,
        title: input.title,
        lead,
        support: resolve_mentions(input.support, &units).map_err(AppError::invalid)?,
        responsible_user_id,
        product: input.product,
        deadline: input.deadline,
        funding: input.funding,
        legal_basis: input.legal_basis,
        parent_task_id,
        draft,
        confidential,
    };
    // Marking a task confidential takes off the content it had; content
    // typed into a confidential task is refused.
    let draft = if confidential && !was_confidential && existing.is_some() {
        draft.without_content()
    } else {
        draft
    };
    match draft.validate() {
        Ok(valid) => {
            if let Some(id) = valid.responsible_user_id {
                check_responsible(state, id, &valid.lead).await?;
            }
            // A live task has all of the "6 rõ"; a draft may lack them.
            six_clear::check_live(
                valid.draft,
                &six_clear::facts_of_draft(&valid, Some(plan.issuer_unit_id)),
            )
            .map_err(AppError::invalid)?;
            Ok(valid)
        }
        Err(e @ TaskError::ConfidentialContent(_)) => {
            refused_confidential(state, caller, plan, existing.map(|t| t.id), &e).await?;
            Err(AppError::invalid(e))
        }
        Err(e) => Err(AppError::invalid(e)),
    }
}

const NOT_RESPONSIBLE: &str =
    "Người phụ trách phải là tài khoản đang hoạt động của đơn vị chủ trì nhiệm vụ";

/// A responsible person is an active account of one of the lead units.
async fn check_responsible(
    state: &AppState,
    user_id: i64,
    lead: &[crate::domain::task::UnitMention],
) -> Result<(), AppError> {
    let fits = state
        .store
        .user(user_id)
        .await?
        .is_some_and(|u| u.active && lead.iter().any(|m| m.unit_id == Some(u.unit_id)));
    if fits {
        Ok(())
    } else {
        Err(AppError::Invalid(NOT_RESPONSIBLE.into()))
    }
}

/// Content offered for a confidential task is refused, and the attempt
/// kept in the audit trail (what was offered, never the content).
pub(crate) async fn refused_confidential(
    state: &AppState,
    caller: &Caller<'_>,
    plan: &Plan,
    task_id: Option<i64>,
    refusal: &impl std::fmt::Display,
) -> Result<(), AppError> {
    let change = Change {
        action: "refuse_confidential_content",
        entity: "task",
        entity_id: task_id,
        province_id: plan.province_id,
        commune_id: plan.commune_id,
        before: None,
        after: Some(serde_json::json!({ "refused": refusal.to_string() })),
    };
    Ok(state.store.record_refusal(&caller.actor, change).await?)
}

/// The units a plan may name, read only when a mention names one by id:
/// a name alone needs no lookup.
pub(crate) async fn units_named(
    state: &AppState,
    plan: &Plan,
    lists: &[&[MentionInput]],
) -> Result<Vec<Unit>, AppError> {
    if lists
        .iter()
        .flat_map(|l| l.iter())
        .any(|m| m.unit_id.is_some())
    {
        crate::actions::access::units_of_plan(state, plan).await
    } else {
        Ok(Vec::new())
    }
}

/// A new deadline, kept with the reason it changed.
pub async fn change_deadline(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    deadline: &str,
    reason: &str,
) -> Result<Task, AppError> {
    manageable_task(state, caller.principal, id).await?;
    let change = DeadlineChange::parse(deadline, reason).map_err(AppError::invalid)?;
    Ok(state
        .store
        .change_deadline(id, change.deadline, &change.reason, &caller.actor)
        .await?)
}

/// Marks a task not applicable to its plan's unit (with why), or
/// applicable again.
pub async fn set_applicability(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    applies: bool,
    reason: Option<&str>,
) -> Result<Task, AppError> {
    manageable_task(state, caller.principal, id).await?;
    let applicability = Applicability::parse(applies, reason).map_err(AppError::invalid)?;
    Ok(state
        .store
        .set_not_applicable(id, applicability.reason(), &caller.actor)
        .await?)
}

/// Hands a higher-level task down to plans that implement its plan, as
/// draft tasks linked to it; a plan that already has one is skipped.
pub async fn split_task(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    plan_ids: &[i64],
) -> Result<Vec<Task>, AppError> {
    let task = manageable_task(state, caller.principal, id).await?;
    if plan_ids.is_empty() {
        return Err(AppError::Invalid(
            "Hãy chọn ít nhất một kế hoạch cấp dưới".into(),
        ));
    }
    let allowed: Vec<i64> = plans_to_hand_down_to(state, &task)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    if plan_ids.iter().any(|c| !allowed.contains(c)) {
        return Err(AppError::Invalid(
            "Chỉ giao được cho kế hoạch triển khai kế hoạch này".into(),
        ));
    }
    Ok(state.store.split_task(id, plan_ids, &caller.actor).await?)
}
