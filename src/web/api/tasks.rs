//! Tasks over the API.

use crate::web::params::checked_page;
use axum::extract::State;
use axum::http::StatusCode;

use super::dto::{ListOut, ListParams, MentionIn, TaskIn, TaskOut, external_change, with_current};
use super::report_dto::{ChildTaskOut, DeadlineIn, NotApplicableIn, SplitIn, SplitProgressOut};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::access::readable_task;
use crate::actions::cascade;
use crate::actions::tasks::{self, Origin, TaskInput, TaskQuery};
use crate::domain::cascade::ChildProgress;
use crate::domain::deadline::Deadline;
use crate::domain::report::TaskStatus;
use crate::domain::task::MentionInput;
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::session::{ApiAuth, ClientIp};

#[utoipa::path(get, path = "/api/tasks", tag = "tasks", params(ListParams),
    responses((status = 200, body = ListOut<TaskOut>), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
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
    let query = TaskQuery {
        within: None,
        plan_id: q.plan_id,
        unit_id: q.unit_id,
        query: q.q,
        deadline_kind: q.deadline_kind,
        status: q.status,
        group: q.group,
        due_by,
        state: None,
    };
    let page = checked_page(q.page, q.per_page)?;
    let listing = tasks::list_tasks(&state, &auth.principal, query, page).await?;
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

/// `{unit_id, name}` pairs as sent; the action resolves them against the
/// plan's units.
pub(super) fn mention_inputs(input: Vec<MentionIn>) -> Vec<MentionInput> {
    input
        .into_iter()
        .map(|m| MentionInput {
            unit_id: m.unit_id,
            name: m.name,
        })
        .collect()
}

/// A task as the API sends it: every field, its parent and draft flag too.
fn task_input(input: TaskIn) -> Result<TaskInput, AppError> {
    Ok(TaskInput {
        external: external_change(input.external)?,
        plan_id: input.plan_id,
        reference: input.reference,
        group_path: input.group,
        title: input.title,
        lead: mention_inputs(input.lead),
        support: mention_inputs(input.support),
        responsible: input.responsible_user_id,
        product: input.product,
        deadline: Deadline::parse(input.deadline.as_deref().unwrap_or("")),
        funding: input.funding,
        legal_basis: input.basis,
        confidential: input.confidential,
        origin: Origin::Given {
            parent_task_id: input.parent_task_id,
            draft: input.draft,
        },
    })
}

#[utoipa::path(post, path = "/api/tasks", tag = "tasks", request_body = TaskIn,
    responses((status = 201, body = TaskOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_task(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiJson(input): ApiJson<TaskIn>,
) -> Result<(StatusCode, ApiJson<TaskOut>), ApiError> {
    let task = tasks::create_task(&state, &auth.caller(&ip), task_input(input)?).await?;
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
    let version = input
        .version
        .ok_or_else(|| AppError::Invalid("Thiếu phiên bản (version) của bản ghi".into()))?;
    let caller = auth.caller(&ip);
    let result = tasks::update_task(&state, &caller, id, version, task_input(input)?).await;
    let current = async {
        readable_task(&state, &auth.principal, id)
            .await
            .map(TaskOut::from)
    };
    Ok(ApiJson(with_current(result, current).await?.into()))
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
    let caller = auth.caller(&ip);
    let task = tasks::change_deadline(&state, &caller, id, &input.deadline, &input.reason).await?;
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
    // A reason marks the task not applicable; none (or a blank one)
    // applies it again.
    let reason = input.reason.filter(|r| !r.trim().is_empty());
    let applies = reason.is_none();
    let caller = auth.caller(&ip);
    let task = tasks::set_applicability(&state, &caller, id, applies, reason.as_deref()).await?;
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
    let created = tasks::split_task(&state, &auth.caller(&ip), id, &input.plan_ids).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(created.into_iter().map(TaskOut::from).collect()),
    ))
}

#[utoipa::path(get, path = "/api/tasks/{id}/communes", tag = "tasks", params(("id" = i64, Path)),
    responses((status = 200, body = SplitProgressOut), (status = 404, body = ErrorBody)))]
pub async fn split_progress(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<SplitProgressOut>, ApiError> {
    let split = cascade::split_progress(&state, &auth.principal, id).await?;
    Ok(ApiJson(SplitProgressOut {
        task_id: split.task.id,
        communes: split.progress.communes,
        done: split.progress.done,
        percent: split.progress.percent,
        status: split.progress.status.map(|s| s.as_str().to_string()),
        children: split
            .children
            .into_iter()
            .map(|c| ChildTaskOut {
                task_id: c.task_id,
                plan_id: c.plan_id,
                commune_id: c.unit_id,
                commune_name: c.unit_name,
                status: c.status.map(|s| s.as_str().to_string()),
                percent: ChildProgress {
                    status: c.status,
                    percent: c.percent,
                    not_applicable: c.not_applicable,
                }
                .percent_done(),
                not_applicable: c.not_applicable,
            })
            .collect(),
    }))
}
