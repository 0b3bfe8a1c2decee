//! Tasks over the API.

use axum::extract::State;
use axum::http::StatusCode;

use super::dto::{ListOut, ListParams, MentionIn, TaskIn, TaskOut};
use super::report_dto::{DeadlineIn, NotApplicableIn, SplitIn};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::access::{manageable_plan, manageable_task, readable_task, units_of_plan};
use crate::domain::deadline::Deadline;
use crate::domain::plan::Plan;
use crate::domain::report::TaskStatus;
use crate::domain::task::{TaskDraft, UnitMention};
use crate::domain::valid::Valid;
use crate::store::{Page, StoreError, TaskFilter};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::session::{ApiAuth, ClientIp};

#[utoipa::path(get, path = "/api/tasks", tag = "tasks", params(ListParams),
    responses((status = 200, body = ListOut<TaskOut>), (status = 401, body = ErrorBody)))]
pub async fn list_tasks(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<ApiJson<ListOut<TaskOut>>, ApiError> {
    if let Some(status) = q.status.as_deref()
        && status != "none"
        && TaskStatus::parse(status).is_none()
    {
        return Err(AppError::BadRequest(format!("Tình trạng không hợp lệ: {status}")).into());
    }
    let due_by = q
        .due_by
        .as_deref()
        .map(|d| crate::web::forms::parse_date(d, "due_by"))
        .transpose()?;
    let filter = TaskFilter {
        within_path: Some(auth.principal.read_path.clone()),
        plan_id: q.plan_id,
        unit_id: q.unit_id,
        query: q.q,
        deadline_kind: q.deadline_kind,
        status: q.status,
        group: q.group,
        due_by,
        state: None,
    };
    let listing = state
        .store
        .tasks(&filter, Page::new(q.page, q.per_page))
        .await?;
    Ok(ApiJson(ListOut::from_listing(listing, TaskOut::from)))
}

#[utoipa::path(get, path = "/api/tasks/{id}", tag = "tasks", params(("id" = i64, Path)),
    responses((status = 200, body = TaskOut), (status = 404, body = ErrorBody)))]
pub async fn get_task(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<TaskOut>, ApiError> {
    Ok(ApiJson(
        readable_task(&state, &auth.principal, id).await?.into(),
    ))
}

/// Resolves `{unit_id}` / `{name}` pairs against the plan's own units.
pub async fn mentions(
    state: &AppState,
    plan: &Plan,
    input: Vec<MentionIn>,
) -> Result<Vec<UnitMention>, AppError> {
    if input.is_empty() {
        return Ok(Vec::new());
    }
    let units = units_of_plan(state, plan).await?;
    let mut out = Vec::new();
    for m in input {
        match (m.unit_id, m.name) {
            (Some(id), name) => {
                let unit = units.iter().find(|u| u.id == id).ok_or_else(|| {
                    AppError::Invalid(format!("Đơn vị {id} không thuộc phạm vi kế hoạch"))
                })?;
                out.push(UnitMention {
                    name: name
                        .filter(|n| !n.trim().is_empty())
                        .unwrap_or_else(|| unit.name.clone()),
                    unit_id: Some(id),
                });
            }
            (None, Some(name)) if !name.trim().is_empty() => out.push(UnitMention {
                name,
                unit_id: None,
            }),
            _ => {
                return Err(AppError::Invalid(
                    "Mỗi đơn vị cần có unit_id hoặc name".into(),
                ));
            }
        }
    }
    Ok(out)
}

async fn draft_from(
    state: &AppState,
    plan: &Plan,
    input: TaskIn,
) -> Result<Valid<TaskDraft>, AppError> {
    TaskDraft {
        reference: input.reference,
        group_path: input.group,
        title: input.title,
        lead: mentions(state, plan, input.lead).await?,
        support: mentions(state, plan, input.support).await?,
        product: input.product,
        deadline: Deadline::parse(input.deadline.as_deref().unwrap_or("")),
        funding: input.funding,
        legal_basis: input.basis,
        parent_task_id: input.parent_task_id,
        draft: input.draft,
    }
    .validate()
    .map_err(AppError::invalid)
}

#[utoipa::path(post, path = "/api/tasks", tag = "tasks", request_body = TaskIn,
    responses((status = 201, body = TaskOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_task(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiJson(input): ApiJson<TaskIn>,
) -> Result<(StatusCode, ApiJson<TaskOut>), ApiError> {
    let plan_id = input
        .plan_id
        .ok_or_else(|| AppError::Invalid("Thiếu kế hoạch (plan_id)".into()))?;
    let plan = manageable_plan(&state, &auth.principal, plan_id).await?;
    if let Some(parent) = input.parent_task_id {
        readable_task(&state, &auth.principal, parent).await?;
    }
    let draft = draft_from(&state, &plan, input).await?;
    let task = state
        .store
        .create_task(plan_id, draft, &auth.actor(&ip))
        .await?;
    Ok((StatusCode::CREATED, ApiJson(task.into())))
}

#[utoipa::path(put, path = "/api/tasks/{id}", tag = "tasks", params(("id" = i64, Path)), request_body = TaskIn,
    responses((status = 200, body = TaskOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_task(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<TaskIn>,
) -> Result<ApiJson<TaskOut>, ApiError> {
    let task = manageable_task(&state, &auth.principal, id).await?;
    if input.plan_id.is_some_and(|p| p != task.plan_id) {
        return Err(
            AppError::Invalid("Không thể chuyển nhiệm vụ sang kế hoạch khác".into()).into(),
        );
    }
    let version = input
        .version
        .ok_or_else(|| AppError::Invalid("Thiếu phiên bản (version) của bản ghi".into()))?;
    if let Some(parent) = input.parent_task_id {
        readable_task(&state, &auth.principal, parent).await?;
    }
    let plan = manageable_plan(&state, &auth.principal, task.plan_id).await?;
    let draft = draft_from(&state, &plan, input).await?;
    match state
        .store
        .update_task(id, version, draft, &auth.actor(&ip))
        .await
    {
        Ok(t) => Ok(ApiJson(t.into())),
        Err(StoreError::Conflict { .. }) => {
            let current = state.store.task(id).await?.map(TaskOut::from);
            Err(AppError::Conflict {
                current: current.and_then(|c| serde_json::to_value(c).ok()),
            }
            .into())
        }
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(post, path = "/api/tasks/{id}/deadline", tag = "tasks", params(("id" = i64, Path)), request_body = DeadlineIn,
    responses((status = 200, body = TaskOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn change_deadline(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<DeadlineIn>,
) -> Result<ApiJson<TaskOut>, ApiError> {
    manageable_task(&state, &auth.principal, id).await?;
    let deadline = Deadline::parse(&input.deadline);
    if deadline.text().is_empty() || input.reason.trim().is_empty() {
        return Err(AppError::Invalid("Cần thời hạn mới và lý do thay đổi".into()).into());
    }
    let task = state
        .store
        .change_deadline(id, deadline, input.reason.trim(), &auth.actor(&ip))
        .await?;
    Ok(ApiJson(task.into()))
}

#[utoipa::path(post, path = "/api/tasks/{id}/not-applicable", tag = "tasks", params(("id" = i64, Path)), request_body = NotApplicableIn,
    responses((status = 200, body = TaskOut), (status = 403, body = ErrorBody)))]
pub async fn set_not_applicable(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<NotApplicableIn>,
) -> Result<ApiJson<TaskOut>, ApiError> {
    manageable_task(&state, &auth.principal, id).await?;
    let reason = input
        .reason
        .map(|r| r.trim().to_string())
        .filter(|r| !r.is_empty());
    let task = state
        .store
        .set_not_applicable(id, reason.as_deref(), &auth.actor(&ip))
        .await?;
    Ok(ApiJson(task.into()))
}

#[utoipa::path(post, path = "/api/tasks/{id}/split", tag = "tasks", params(("id" = i64, Path)), request_body = SplitIn,
    responses((status = 201, body = [TaskOut]), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn split_task(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SplitIn>,
) -> Result<(StatusCode, ApiJson<Vec<TaskOut>>), ApiError> {
    let task = manageable_task(&state, &auth.principal, id).await?;
    let allowed: Vec<i64> = state
        .store
        .plans_implementing(task.plan_id)
        .await?
        .iter()
        .map(|p| p.id)
        .collect();
    if input.plan_ids.is_empty() || input.plan_ids.iter().any(|p| !allowed.contains(p)) {
        return Err(
            AppError::Invalid("Chỉ giao được cho kế hoạch triển khai kế hoạch này".into()).into(),
        );
    }
    let created = state
        .store
        .split_task(id, &input.plan_ids, &auth.actor(&ip))
        .await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(created.into_iter().map(TaskOut::from).collect()),
    ))
}
