//! Tasks escalated to the leaders, and the lead unit's explanation, over
//! the API.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::dto::with_current;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::escalations;
use crate::domain::reminder::Escalation;
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::session::{ApiAuth, ClientIp};

/// A task that went to the leaders of the level that assigned it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EscalationOut {
    pub id: i64,
    pub task_id: i64,
    pub task_reference: Option<String>,
    pub task_title: String,
    /// The deadline it missed (YYYY-MM-DD).
    pub due_on: String,
    pub lead_unit_id: i64,
    pub lead_unit_name: String,
    /// The unit whose leaders were told.
    pub level_unit_id: i64,
    pub escalated_on: String,
    /// Reminders sent without accepted progress when it went up.
    pub reminders: i64,
    /// The lead unit's explanation (giải trình), once written.
    pub explanation: Option<String>,
    pub explained_at: Option<i64>,
    pub explained_by: Option<String>,
    pub version: i64,
}

impl From<Escalation> for EscalationOut {
    fn from(e: Escalation) -> Self {
        EscalationOut {
            id: e.id,
            task_id: e.task_id,
            task_reference: e.task_reference,
            task_title: e.task_title,
            due_on: e.due_on.to_string(),
            lead_unit_id: e.lead_unit_id,
            lead_unit_name: e.lead_unit_name,
            level_unit_id: e.level_unit_id,
            escalated_on: e.escalated_on.to_string(),
            reminders: e.reminders,
            explanation: e.explanation,
            explained_at: e.explained_at,
            explained_by: e.explained_by_name,
            version: e.version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EscalationParams {
    /// Only those whose task is still not done (default true).
    pub open: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplanationIn {
    pub explanation: String,
    /// The escalation's version as read.
    pub version: i64,
}

#[utoipa::path(get, path = "/api/escalations", tag = "tasks", params(EscalationParams),
    responses((status = 200, body = Vec<EscalationOut>), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<EscalationParams>,
) -> Result<ApiJson<Vec<EscalationOut>>, ApiError> {
    let open_only = q.open.unwrap_or(true);
    let list = escalations::list(&state, &auth.principal, open_only).await?;
    Ok(ApiJson(list.into_iter().map(EscalationOut::from).collect()))
}

#[utoipa::path(post, path = "/api/escalations/{id}/explanation", tag = "tasks",
    params(("id" = i64, Path)), request_body = ExplanationIn,
    responses((status = 200, body = EscalationOut), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn explain(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ExplanationIn>,
) -> Result<ApiJson<EscalationOut>, ApiError> {
    let caller = auth.caller(&ip);
    let result = escalations::explain(&state, &caller, id, input.version, &input.explanation).await;
    let current = async {
        escalations::readable(&state, &auth.principal, id)
            .await
            .map(EscalationOut::from)
    };
    Ok(ApiJson(with_current(result, current).await?.into()))
}
