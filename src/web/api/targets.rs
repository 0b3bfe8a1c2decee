//! Targets over the API.

use axum::extract::State;
use axum::http::StatusCode;

use super::dto::{ListOut, ListParams, TargetIn, TargetOut};
use super::tasks::mentions;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::access::{manageable_plan, manageable_target, readable_target};
use crate::domain::goal::{Direction, Goal};
use crate::domain::plan::Plan;
use crate::domain::target::TargetDraft;
use crate::domain::valid::Valid;
use crate::store::{Page, StoreError, TargetFilter};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::session::{ApiAuth, ClientIp};

#[utoipa::path(get, path = "/api/targets", tag = "targets", params(ListParams),
    responses((status = 200, body = ListOut<TargetOut>), (status = 401, body = ErrorBody)))]
pub async fn list_targets(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<ApiJson<ListOut<TargetOut>>, ApiError> {
    let filter = TargetFilter {
        within_path: Some(auth.principal.read_path.clone()),
        plan_id: q.plan_id,
        unit_id: q.unit_id,
        query: q.q,
    };
    let listing = state
        .store
        .targets(&filter, Page::new(q.page, q.per_page))
        .await?;
    Ok(ApiJson(ListOut::from_listing(listing, TargetOut::from)))
}

#[utoipa::path(get, path = "/api/targets/{id}", tag = "targets", params(("id" = i64, Path)),
    responses((status = 200, body = TargetOut), (status = 404, body = ErrorBody)))]
pub async fn get_target(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<TargetOut>, ApiError> {
    Ok(ApiJson(
        readable_target(&state, &auth.principal, id).await?.into(),
    ))
}

async fn draft_from(
    state: &AppState,
    plan: &Plan,
    input: TargetIn,
) -> Result<Valid<TargetDraft>, AppError> {
    let mut goals = Vec::new();
    for g in &input.goals {
        let goal = Goal::parse(&g.text, g.year)
            .ok_or_else(|| AppError::Invalid(format!("Không đọc được mục tiêu “{}”", g.text)))?;
        goals.push(goal);
    }
    let direction = match input.direction.as_deref() {
        None | Some("") => None,
        Some("higher_is_better") => Some(Direction::HigherIsBetter),
        Some("lower_is_better") => Some(Direction::LowerIsBetter),
        Some(other) => {
            return Err(AppError::Invalid(format!(
                "Chiều đánh giá không hợp lệ: {other}"
            )));
        }
    };
    TargetDraft {
        reference: input.reference,
        group_path: input.group,
        name: input.name,
        measure_unit: input.unit,
        lead: mentions(state, plan, input.lead).await?,
        goals,
        note: input.note,
        direction,
    }
    .validate()
    .map_err(AppError::invalid)
}

#[utoipa::path(post, path = "/api/targets", tag = "targets", request_body = TargetIn,
    responses((status = 201, body = TargetOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_target(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiJson(input): ApiJson<TargetIn>,
) -> Result<(StatusCode, ApiJson<TargetOut>), ApiError> {
    let plan_id = input
        .plan_id
        .ok_or_else(|| AppError::Invalid("Thiếu kế hoạch (plan_id)".into()))?;
    let plan = manageable_plan(&state, &auth.principal, plan_id).await?;
    let draft = draft_from(&state, &plan, input).await?;
    let target = state
        .store
        .create_target(plan_id, draft, &auth.actor(&ip))
        .await?;
    Ok((StatusCode::CREATED, ApiJson(target.into())))
}

#[utoipa::path(put, path = "/api/targets/{id}", tag = "targets", params(("id" = i64, Path)), request_body = TargetIn,
    responses((status = 200, body = TargetOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_target(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<TargetIn>,
) -> Result<ApiJson<TargetOut>, ApiError> {
    let target = manageable_target(&state, &auth.principal, id).await?;
    if input.plan_id.is_some_and(|p| p != target.plan_id) {
        return Err(
            AppError::Invalid("Không thể chuyển chỉ tiêu sang kế hoạch khác".into()).into(),
        );
    }
    let version = input
        .version
        .ok_or_else(|| AppError::Invalid("Thiếu phiên bản (version) của bản ghi".into()))?;
    let plan = manageable_plan(&state, &auth.principal, target.plan_id).await?;
    let draft = draft_from(&state, &plan, input).await?;
    match state
        .store
        .update_target(id, version, draft, &auth.actor(&ip))
        .await
    {
        Ok(t) => Ok(ApiJson(t.into())),
        Err(StoreError::Conflict { .. }) => {
            let current = state.store.target(id).await?.map(TargetOut::from);
            Err(AppError::Conflict {
                current: current.and_then(|c| serde_json::to_value(c).ok()),
            }
            .into())
        }
        Err(e) => Err(e.into()),
    }
}
