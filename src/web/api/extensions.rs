//! Extension and adjustment over the API: the lead unit asks for a new
//! deadline or a changed product (`POST /api/tasks/{id}/extensions`), the
//! assigning level decides (`POST /api/extensions/{id}/decision`); a task's
//! deadlines (the original and every later one) and requests are listed by
//! `GET /api/tasks/{id}/extensions`.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiJson, ApiPath};
use crate::actions::extensions;
use crate::domain::extension::{DeadlineStep, ExtensionRequest};
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::session::{ApiAuth, ClientIp};

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionOut {
    pub id: i64,
    pub task_id: i64,
    /// The deadline when it was asked, and the one asked for.
    pub deadline_was: String,
    pub deadline_asked: Option<String>,
    pub product_was: Option<String>,
    pub product_asked: Option<String>,
    pub reason: String,
    pub asked_by: String,
    pub asked_at: i64,
    /// `pending`, `approved` or `refused`.
    pub state: String,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub decision_note: Option<String>,
    pub version: i64,
}

impl From<ExtensionRequest> for ExtensionOut {
    fn from(x: ExtensionRequest) -> Self {
        ExtensionOut {
            id: x.id,
            task_id: x.task_id,
            deadline_was: x.deadline_was,
            deadline_asked: x.deadline_asked,
            product_was: x.product_was,
            product_asked: x.product_asked,
            reason: x.reason,
            asked_by: x.asked_by,
            asked_at: x.asked_at,
            state: x.state.as_str().to_string(),
            decided_by: x.decided_by,
            decided_at: x.decided_at,
            decision_note: x.decision_note,
            version: x.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeadlineStepOut {
    pub deadline: String,
    /// When it came into force (epoch ms); none for the original.
    pub since: Option<i64>,
    pub reason: Option<String>,
}

impl From<DeadlineStep> for DeadlineStepOut {
    fn from(s: DeadlineStep) -> Self {
        let (since, reason) = s
            .since
            .map_or((None, None), |(at, why)| (Some(at), Some(why)));
        DeadlineStepOut {
            deadline: s.deadline,
            since,
            reason,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskExtensionsOut {
    /// The original deadline first, then each one that replaced it; the
    /// last is in force.
    pub deadlines: Vec<DeadlineStepOut>,
    /// Every request, oldest first.
    pub requests: Vec<ExtensionOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionIn {
    /// The deadline asked for, in the plans' words ("Tháng 9/2026").
    pub deadline: Option<String>,
    /// The product asked for instead of the current one.
    pub product: Option<String>,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionDecisionIn {
    /// `approve` or `refuse`.
    pub decision: String,
    /// Required to refuse.
    pub note: Option<String>,
    /// The request's version as read.
    pub version: i64,
}

#[utoipa::path(post, path = "/api/tasks/{id}/extensions", tag = "tasks", params(("id" = i64, Path)),
    request_body = ExtensionIn,
    responses((status = 201, body = ExtensionOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn ask(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ExtensionIn>,
) -> Result<(StatusCode, ApiJson<ExtensionOut>), ApiError> {
    let asked = extensions::ask(
        &state,
        &auth.caller(&ip),
        id,
        input.deadline.as_deref(),
        input.product.as_deref(),
        &input.reason,
    )
    .await?;
    Ok((StatusCode::CREATED, ApiJson(asked.into())))
}

#[utoipa::path(get, path = "/api/tasks/{id}/extensions", tag = "tasks", params(("id" = i64, Path)),
    responses((status = 200, body = TaskExtensionsOut), (status = 404, body = ErrorBody)))]
pub async fn of_task(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<TaskExtensionsOut>, ApiError> {
    let p = &auth.principal;
    let deadlines = extensions::deadlines_of(&state, p, id).await?;
    let requests = extensions::of_task(&state, p, id).await?;
    Ok(ApiJson(TaskExtensionsOut {
        deadlines: deadlines.into_iter().map(DeadlineStepOut::from).collect(),
        requests: requests.into_iter().map(ExtensionOut::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/extensions/{id}/decision", tag = "tasks", params(("id" = i64, Path)),
    request_body = ExtensionDecisionIn,
    responses((status = 200, body = ExtensionOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ExtensionDecisionIn>,
) -> Result<ApiJson<ExtensionOut>, ApiError> {
    let decided = extensions::decide(
        &state,
        &auth.caller(&ip),
        id,
        input.version,
        &input.decision,
        input.note.as_deref(),
    )
    .await?;
    Ok(ApiJson(decided.into()))
}
