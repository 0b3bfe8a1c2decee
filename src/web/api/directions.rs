//! Directions (ý kiến chỉ đạo) over the API: a leader gives one on a task,
//! a plan or a unit; they are listed by what they are about. A unit answers
//! in its report (`PUT /api/reports/{id}`, `directions`).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery};
use crate::actions::directions;
use crate::domain::direction::{Direction, DirectionSubject};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::session::{ApiAuth, ClientIp};

#[derive(Debug, Serialize, ToSchema)]
pub struct DirectionOut {
    pub id: i64,
    /// `task`, `plan` or `unit`.
    pub subject: String,
    pub subject_id: i64,
    /// What it is about, in words.
    pub about: String,
    /// The unit that must answer.
    pub unit_id: i64,
    pub unit_name: String,
    pub body: String,
    pub given_by: String,
    pub given_at: i64,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    /// The report the answer was given in.
    pub answer_report_id: Option<i64>,
}

impl From<Direction> for DirectionOut {
    fn from(d: Direction) -> Self {
        DirectionOut {
            id: d.id,
            subject: d.subject.kind().to_string(),
            subject_id: d.subject.id(),
            about: d.about,
            unit_id: d.unit_id,
            unit_name: d.unit_name,
            body: d.body,
            given_by: d.given_by,
            given_at: d.given_at,
            answer: d.answer,
            answered_by: d.answered_by,
            answered_at: d.answered_at,
            answer_report_id: d.answer_report_id,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectionIn {
    /// `task`, `plan` or `unit`.
    pub subject: String,
    pub subject_id: i64,
    pub body: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DirectionParams {
    pub task_id: Option<i64>,
    pub plan_id: Option<i64>,
    /// The unit that must answer.
    pub unit_id: Option<i64>,
}

#[utoipa::path(post, path = "/api/directions", tag = "tasks", request_body = DirectionIn,
    responses((status = 201, body = DirectionOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn give(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiJson(input): ApiJson<DirectionIn>,
) -> Result<(StatusCode, ApiJson<DirectionOut>), ApiError> {
    let subject = DirectionSubject::parse(&input.subject, input.subject_id)
        .ok_or_else(|| AppError::Invalid("subject phải là task, plan hoặc unit".into()))?;
    let given = directions::give(&state, &auth.caller(&ip), subject, &input.body).await?;
    Ok((StatusCode::CREATED, ApiJson(given.into())))
}

#[utoipa::path(get, path = "/api/directions", tag = "tasks", params(DirectionParams),
    responses((status = 200, body = Vec<DirectionOut>), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<DirectionParams>,
) -> Result<ApiJson<Vec<DirectionOut>>, ApiError> {
    let p = &auth.principal;
    let found = match (q.task_id, q.plan_id, q.unit_id) {
        (Some(id), None, None) => directions::of_task(&state, p, id).await?,
        (None, Some(id), None) => directions::of_plan(&state, p, id).await?,
        (None, None, Some(id)) => directions::for_unit(&state, p, id).await?,
        _ => {
            return Err(
                AppError::Invalid("Cần đúng một trong task_id, plan_id, unit_id".into()).into(),
            );
        }
    };
    Ok(ApiJson(found.into_iter().map(DirectionOut::from).collect()))
}
