//! Tasks: the searchable list, one task with its history, and the form.

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::Layout;
use super::views::{TaskRow, UnitOption, mentions, task_rows, unit_options};
use crate::actions::access::{
    manageable_plan, manageable_task, readable_plan, readable_task, units_of_plan,
};
use crate::domain::deadline::Deadline;
use crate::domain::plan::Plan;
use crate::domain::task::{Task, TaskDraft, UnitMention};
use crate::domain::unit::Unit;
use crate::domain::valid::Valid;
use crate::store::{AuditEntry, Page, StateFilter, TaskFilter};
use crate::web::AppState;
use crate::web::error::{AppError, PageError};
use crate::web::forms::FormPairs;
use crate::web::session::{Auth, ClientIp, PageAuth};

#[derive(Deserialize)]
pub struct TaskQuery {
    q: Option<String>,
    status: Option<String>,
    due_by: Option<String>,
    /// A level unit whose tasks to list (a dashboard's drill-down).
    within: Option<i64>,
    /// `overdue`, `due_soon`, `done_on_time` or `done_late`.
    state: Option<String>,
    unit_id: Option<String>,
    page: Option<u32>,
}

#[derive(Template, WebTemplate)]
#[template(path = "tasks.html")]
pub struct TasksPage {
    layout: Layout,
    q: String,
    statuses: Vec<(String, &'static str, bool)>,
    due_by: String,
    units: Vec<UnitOption>,
    tasks: Vec<TaskRow>,
    total: i64,
    page: u32,
    pages: u32,
}

pub async fn list_tasks(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Query(q): Query<TaskQuery>,
) -> Result<TasksPage, PageError> {
    let p = &auth.principal;
    let unit_id = q.unit_id.as_deref().and_then(|s| s.parse::<i64>().ok());
    let within_path = match q.within {
        Some(id) => {
            crate::actions::access::readable_unit(&state, p, id)
                .await?
                .path
        }
        None => p.read_path.clone(),
    };
    let today = state.store.clock().today();
    let task_state = match q.state.as_deref() {
        None | Some("") => None,
        Some("overdue") => Some(StateFilter::Overdue(today)),
        Some("due_soon") => {
            let cal = state.store.work_calendar().await?;
            Some(StateFilter::DueBetween(
                today,
                crate::domain::status::due_soon_until(today, &cal),
            ))
        }
        Some("done_on_time") => Some(StateFilter::DoneOnTime),
        Some("done_late") => Some(StateFilter::DoneLate),
        Some(_) => return Err(AppError::BadRequest("Tình trạng không hợp lệ".into()).into()),
    };
    let filter = TaskFilter {
        within_path: Some(within_path),
        state: task_state,
        query: q.q.clone(),
        unit_id,
        status: q.status.clone().filter(|s| !s.is_empty()),
        due_by: q
            .due_by
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| crate::web::forms::parse_date(d, "Hạn"))
            .transpose()?,
        ..TaskFilter::default()
    };
    let listing = state
        .store
        .tasks(&filter, Page::new(q.page, Some(50)))
        .await?;
    let units = state.store.subtree(&p.read_path).await?;
    let selected: Vec<i64> = unit_id.into_iter().collect();
    let chosen = q.status.clone().unwrap_or_default();
    let mut statuses: Vec<(String, &'static str, bool)> = crate::domain::report::TaskStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_string(), s.label_vi(), chosen == s.as_str()))
        .collect();
    statuses.push((
        "none".into(),
        "Chưa có báo cáo được tiếp nhận",
        chosen == "none",
    ));
    Ok(TasksPage {
        layout: Layout::new("Nhiệm vụ", &auth),
        q: q.q.unwrap_or_default(),
        statuses,
        due_by: q.due_by.unwrap_or_default(),
        units: unit_options(&units, &selected),
        tasks: task_rows(&listing.items),
        total: listing.total,
        page: listing.page.page,
        pages: u32::try_from((listing.total + 49) / 50).unwrap_or(1).max(1),
    })
}

pub struct HistoryRow {
    pub at: String,
    pub who: String,
    pub action: String,
}

pub fn history_rows(entries: &[AuditEntry]) -> Vec<HistoryRow> {
    entries
        .iter()
        .map(|e| HistoryRow {
            at: chrono::DateTime::from_timestamp_millis(e.at)
                .map(|t| {
                    (t + chrono::Duration::hours(7))
                        .format("%d/%m/%Y %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            who: e.username.clone().unwrap_or_else(|| "hệ thống".into()),
            action: match e.action.as_str() {
                "create" => "Tạo mới".to_string(),
                "update" => "Cập nhật".to_string(),
                "import" => "Nhập từ văn bản".to_string(),
                "change_deadline" => "Đổi thời hạn".to_string(),
                "not_applicable" => "Đổi trạng thái áp dụng".to_string(),
                "split_task" => "Giao từ nhiệm vụ cấp trên".to_string(),
                "submit_feedback" => "Người dân gửi phản ánh".to_string(),
                "route_feedback" => "Chuyển xã, phường".to_string(),
                "assign_feedback" => "Giao đơn vị xử lý".to_string(),
                "answer_feedback" => "Trả lời".to_string(),
                "rate_feedback" => "Người dân đánh giá".to_string(),
                "erase_personal_data" => "Xóa thông tin cá nhân".to_string(),
                "name_reviewers" => "Cử thành viên hội đồng".to_string(),
                "score" => "Chấm điểm".to_string(),
                "decide" => "Quyết định công nhận".to_string(),
                "add_file" => "Thêm tệp".to_string(),
                "link_source" => "Liên kết số liệu tự động".to_string(),
                other => other.to_string(),
            },
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "task.html")]
pub struct TaskPage {
    layout: Layout,
    id: i64,
    plan_id: i64,
    plan_title: String,
    reference: String,
    group: Vec<String>,
    title: String,
    lead: String,
    support: String,
    product: String,
    deadline: String,
    deadline_kind: &'static str,
    due: String,
    funding: String,
    basis: String,
    draft: bool,
    history: Vec<HistoryRow>,
    can_manage: bool,
    not_applicable: Option<String>,
    parent: Option<(i64, String)>,
    children: Vec<(i64, String, String)>,
    split_targets: Vec<(i64, String)>,
}

pub async fn show_task(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<TaskPage, PageError> {
    let p = &auth.principal;
    let task = readable_task(&state, p, id).await?;
    let plan = readable_plan(&state, p, task.plan_id).await?;
    let history = state.store.audit_of("task", id).await?;
    let parent = match task.parent_task_id {
        Some(pid) => state
            .store
            .task(pid)
            .await?
            .filter(|t| p.can_read(&t.scope_path))
            .map(|t| (t.id, t.title)),
        None => None,
    };
    let mut children = Vec::new();
    let child_tasks = state.store.child_tasks(id).await?;
    let handed_to: Vec<i64> = child_tasks.iter().map(|c| c.plan_id).collect();
    for child in child_tasks {
        if p.can_read(&child.scope_path)
            && let Some(plan) = state.store.plan(child.plan_id).await?
        {
            let unit = state
                .store
                .unit(plan.issuer_unit_id)
                .await?
                .map(|u| u.name)
                .unwrap_or_default();
            children.push((child.id, unit, child.title));
        }
    }
    // Plans that implement this task's plan, where it can be handed down.
    let mut split_targets = Vec::new();
    if p.can_manage(&task.scope_path) {
        for child_plan in state.store.plans_implementing(task.plan_id).await? {
            if !handed_to.contains(&child_plan.id) {
                let unit = state
                    .store
                    .unit(child_plan.issuer_unit_id)
                    .await?
                    .map(|u| u.name)
                    .unwrap_or_default();
                split_targets.push((child_plan.id, format!("{unit} — {}", child_plan.title)));
            }
        }
    }
    Ok(TaskPage {
        layout: Layout::new(
            format!("Nhiệm vụ {}", task.reference.clone().unwrap_or_default()),
            &auth,
        ),
        id,
        plan_id: plan.id,
        plan_title: plan.title,
        reference: task.reference.clone().unwrap_or_default(),
        group: task.group_path.clone(),
        title: task.title.clone(),
        lead: mentions(&task.lead),
        support: mentions(&task.support),
        product: task.product.clone().unwrap_or_default(),
        deadline: task.deadline.label_vi(),
        deadline_kind: task.deadline.kind().label_vi(),
        due: task
            .deadline
            .final_due_date()
            .map(|d| d.format("%d/%m/%Y").to_string())
            .unwrap_or_default(),
        funding: task.funding.clone().unwrap_or_default(),
        basis: task.legal_basis.clone().unwrap_or_default(),
        draft: task.draft,
        history: history_rows(&history),
        can_manage: p.can_manage(&task.scope_path),
        not_applicable: task.not_applicable_reason.clone(),
        parent,
        children,
        split_targets,
    })
}

/// A changed deadline keeps the reason it changed for.
pub async fn change_deadline(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    manageable_task(&state, &auth.principal, id).await?;
    let f = FormPairs::parse(&body)?;
    let deadline = Deadline::parse(&f.text("deadline"));
    if deadline.text().is_empty() {
        return Err(AppError::Invalid("Hãy nhập thời hạn mới".into()).into());
    }
    let reason = f
        .optional("reason")
        .ok_or_else(|| AppError::Invalid("Hãy nêu lý do thay đổi thời hạn".into()))?;
    state
        .store
        .change_deadline(id, deadline, &reason, &auth.actor(&ip))
        .await?;
    Ok(Redirect::to(&format!("/tasks/{id}")).into_response())
}

pub async fn set_not_applicable(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    manageable_task(&state, &auth.principal, id).await?;
    let f = FormPairs::parse(&body)?;
    let reason = if f.text("applicable") == "1" {
        None
    } else {
        Some(
            f.optional("reason")
                .ok_or_else(|| AppError::Invalid("Hãy nêu lý do nhiệm vụ không áp dụng".into()))?,
        )
    };
    state
        .store
        .set_not_applicable(id, reason.as_deref(), &auth.actor(&ip))
        .await?;
    Ok(Redirect::to(&format!("/tasks/{id}")).into_response())
}

/// Hands a higher-level task down to the commune plans that implement its
/// plan, as draft tasks linked to it.
pub async fn split_task(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let task = manageable_task(&state, &auth.principal, id).await?;
    let f = FormPairs::parse(&body)?;
    let chosen = f.ids("plan", "Kế hoạch")?;
    if chosen.is_empty() {
        return Err(AppError::Invalid("Hãy chọn ít nhất một kế hoạch cấp dưới".into()).into());
    }
    let allowed: Vec<i64> = state
        .store
        .plans_implementing(task.plan_id)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    if chosen.iter().any(|c| !allowed.contains(c)) {
        return Err(
            AppError::Invalid("Chỉ giao được cho kế hoạch triển khai kế hoạch này".into()).into(),
        );
    }
    state
        .store
        .split_task(id, &chosen, &auth.actor(&ip))
        .await?;
    Ok(Redirect::to(&format!("/tasks/{id}")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "task_form.html")]
pub struct TaskForm {
    layout: Layout,
    action: String,
    plan_id: i64,
    plan_title: String,
    editing: bool,
    version: i64,
    reference: String,
    group: String,
    title: String,
    lead_units: Vec<UnitOption>,
    support_units: Vec<UnitOption>,
    lead_other: String,
    support_other: String,
    product: String,
    deadline: String,
    funding: String,
    basis: String,
    error: Option<String>,
}

fn ids_of(list: &[UnitMention]) -> Vec<i64> {
    list.iter().filter_map(|m| m.unit_id).collect()
}

fn unresolved(list: &[UnitMention]) -> String {
    list.iter()
        .filter(|m| m.unit_id.is_none())
        .map(|m| m.name.clone())
        .collect::<Vec<_>>()
        .join("\n")
}

impl TaskForm {
    fn new(auth: &Auth, plan: &Plan, units: &[Unit], task: Option<&Task>) -> TaskForm {
        let (lead, support) = match task {
            Some(t) => (ids_of(&t.lead), ids_of(&t.support)),
            None => (Vec::new(), Vec::new()),
        };
        TaskForm {
            layout: Layout::new("Nhiệm vụ", auth),
            action: match task {
                Some(t) => format!("/tasks/{}", t.id),
                None => format!("/plans/{}/tasks", plan.id),
            },
            plan_id: plan.id,
            plan_title: plan.title.clone(),
            editing: task.is_some(),
            version: task.map(|t| t.version).unwrap_or(0),
            reference: task.and_then(|t| t.reference.clone()).unwrap_or_default(),
            group: task.map(|t| t.group_path.join("\n")).unwrap_or_default(),
            title: task.map(|t| t.title.clone()).unwrap_or_default(),
            lead_units: unit_options(units, &lead),
            support_units: unit_options(units, &support),
            lead_other: task.map(|t| unresolved(&t.lead)).unwrap_or_default(),
            support_other: task.map(|t| unresolved(&t.support)).unwrap_or_default(),
            product: task.and_then(|t| t.product.clone()).unwrap_or_default(),
            deadline: task
                .map(|t| t.deadline.text().to_string())
                .unwrap_or_default(),
            funding: task.and_then(|t| t.funding.clone()).unwrap_or_default(),
            basis: task.and_then(|t| t.legal_basis.clone()).unwrap_or_default(),
            error: None,
        }
    }

    fn keep_typed(mut self, f: &FormPairs, units: &[Unit]) -> TaskForm {
        self.reference = f.text("ref");
        self.group = f.text("group");
        self.title = f.text("title");
        let lead = f.ids("lead", "Đơn vị").unwrap_or_default();
        let support = f.ids("support", "Đơn vị").unwrap_or_default();
        self.lead_units = unit_options(units, &lead);
        self.support_units = unit_options(units, &support);
        self.lead_other = f.text("lead_other");
        self.support_other = f.text("support_other");
        self.product = f.text("product");
        self.deadline = f.text("deadline");
        self.funding = f.text("funding");
        self.basis = f.text("basis");
        self
    }
}

/// Chosen units (by id, which must be among the plan's units) followed by
/// names typed in for bodies that are not units of the tree.
fn mentions_from(f: &FormPairs, field: &str, units: &[Unit]) -> Result<Vec<UnitMention>, AppError> {
    let mut out = Vec::new();
    for id in f.ids(field, "Đơn vị")? {
        let unit = units.iter().find(|u| u.id == id).ok_or_else(|| {
            AppError::Invalid("Đơn vị được chọn không thuộc phạm vi kế hoạch".into())
        })?;
        out.push(UnitMention::resolved(unit.name.clone(), unit.id));
    }
    for name in f.lines(&format!("{field}_other")) {
        out.push(UnitMention {
            name,
            unit_id: None,
        });
    }
    Ok(out)
}

fn draft_from(
    f: &FormPairs,
    units: &[Unit],
    existing: Option<&Task>,
) -> Result<Valid<TaskDraft>, AppError> {
    TaskDraft {
        reference: f.optional("ref"),
        group_path: f.lines("group"),
        title: f.text("title"),
        lead: mentions_from(f, "lead", units)?,
        support: mentions_from(f, "support", units)?,
        product: f.optional("product"),
        deadline: Deadline::parse(&f.text("deadline")),
        funding: f.optional("funding"),
        legal_basis: f.optional("basis"),
        parent_task_id: existing.and_then(|t| t.parent_task_id),
        draft: existing.is_some_and(|t| t.draft) && f.optional("confirm").is_none(),
    }
    .validate()
    .map_err(AppError::invalid)
}

pub async fn new_task(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(plan_id): Path<i64>,
) -> Result<TaskForm, PageError> {
    let plan = manageable_plan(&state, &auth.principal, plan_id).await?;
    let units = units_of_plan(&state, &plan).await?;
    Ok(TaskForm::new(&auth, &plan, &units, None))
}

pub async fn create_task(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(plan_id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let plan = manageable_plan(&state, &auth.principal, plan_id).await?;
    let units = units_of_plan(&state, &plan).await?;
    let f = FormPairs::parse(&body)?;
    let result = match draft_from(&f, &units, None) {
        Ok(draft) => state
            .store
            .create_task(plan_id, draft, &auth.actor(&ip))
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(task) => Ok(Redirect::to(&format!("/tasks/{}", task.id)).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let mut form = TaskForm::new(&auth, &plan, &units, None).keep_typed(&f, &units);
            form.error = Some(e.to_string());
            Ok((e.status(), form).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn edit_task(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    Path(id): Path<i64>,
) -> Result<TaskForm, PageError> {
    let task = manageable_task(&state, &auth.principal, id).await?;
    let plan = readable_plan(&state, &auth.principal, task.plan_id).await?;
    let units = units_of_plan(&state, &plan).await?;
    Ok(TaskForm::new(&auth, &plan, &units, Some(&task)))
}

pub async fn update_task(
    State(state): State<AppState>,
    PageAuth(auth): PageAuth,
    ip: ClientIp,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, PageError> {
    let task = manageable_task(&state, &auth.principal, id).await?;
    let plan = readable_plan(&state, &auth.principal, task.plan_id).await?;
    let units = units_of_plan(&state, &plan).await?;
    let f = FormPairs::parse(&body)?;
    let version = f.version()?;
    let result = match draft_from(&f, &units, Some(&task)) {
        Ok(draft) => state
            .store
            .update_task(id, version, draft, &auth.actor(&ip))
            .await
            .map_err(AppError::from),
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/tasks/{id}")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let mut form = TaskForm::new(&auth, &plan, &units, Some(&task)).keep_typed(&f, &units);
            form.version = version;
            form.error = Some(e.to_string());
            Ok((e.status(), form).into_response())
        }
        Err(e @ AppError::Conflict { .. }) => {
            // Show what is stored now; the person re-applies their change.
            let mut form = TaskForm::new(&auth, &plan, &units, Some(&task));
            form.error = Some(e.to_string());
            Ok((e.status(), form).into_response())
        }
        Err(e) => Err(e.into()),
    }
}
