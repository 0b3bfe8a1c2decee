//! Targets over the API.

use crate::web::params::checked_page;
use axum::extract::State;
use axum::http::StatusCode;

use super::dto::{ListOut, ListParams, TargetIn, TargetOut, external_change, with_current};
use super::tasks::mention_inputs;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::access::readable_target;
use crate::actions::targets::{self, TargetInput, TargetQuery};
use crate::domain::goal::{Direction, Goal};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::session::{ApiAuth, ClientIp};

#[utoipa::path(get, path = "/api/targets", tag = "targets", params(ListParams),
    responses((status = 200, body = ListOut<TargetOut>), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_targets(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<ApiJson<ListOut<TargetOut>>, ApiError> {
    let query = TargetQuery {
        plan_id: q.plan_id,
        unit_id: q.unit_id,
        query: q.q,
    };
    let page = checked_page(q.page, q.per_page)?;
    let listing = targets::list_targets(&state, &auth.principal, query, page).await?;
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

/// A target as the API sends it, its goals and direction read.
fn target_input(input: TargetIn) -> Result<TargetInput, AppError> {
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
    Ok(TargetInput {
        external: external_change(input.external)?,
        plan_id: input.plan_id,
        reference: input.reference,
        group_path: input.group,
        name: input.name,
        measure_unit: input.unit,
        lead: mention_inputs(input.lead),
        goals,
        note: input.note,
        direction,
    })
}

#[utoipa::path(post, path = "/api/targets", tag = "targets", request_body = TargetIn,
    responses((status = 201, body = TargetOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_target(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiJson(input): ApiJson<TargetIn>,
) -> Result<(StatusCode, ApiJson<TargetOut>), ApiError> {
    let input = target_input(input)?;
    let target = targets::create_target(&state, &auth.caller(&ip), input).await?;
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
    let version = input
        .version
        .ok_or_else(|| AppError::Invalid("Thiếu phiên bản (version) của bản ghi".into()))?;
    let input = target_input(input)?;
    let caller = auth.caller(&ip);
    let result = targets::update_target(&state, &caller, id, version, input).await;
    let current = async {
        readable_target(&state, &auth.principal, id)
            .await
            .map(TargetOut::from)
    };
    Ok(ApiJson(with_current(result, current).await?.into()))
}
