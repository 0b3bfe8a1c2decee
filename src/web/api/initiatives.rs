//! Initiatives over the API (registration, council, scores, decision, the
//! public list) and the automatic source of a target with its figures.
//! The rules are in `actions::initiatives`; these handlers read JSON and
//! shape the answer.

use crate::web::params::checked_page;
use axum::extract::State;
use axum::http::StatusCode;

use super::feedback_dto::*;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::initiatives::{self, DecisionInput, InitiativeView, NewInitiative, ScoreInput};
use crate::domain::attachment::AttachedTo;
use crate::domain::auto_figure::AutoSource;
use crate::domain::initiative::{InitiativeDraft, InitiativeStatus};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::forms::parse_date;
use crate::web::session::{ApiAuth, Auth, ClientIp};

fn detail_of(view: &InitiativeView) -> InitiativeDetailOut {
    InitiativeDetailOut {
        initiative: InitiativeOut::from(&view.initiative),
        criteria: criteria(),
        reviews: view.reviews.iter().map(ReviewOut::from).collect(),
        average_total: view.average(),
    }
}

/// The initiative as the user now reads it, after a change.
async fn detail(state: &AppState, auth: &Auth, id: i64) -> Result<InitiativeDetailOut, AppError> {
    Ok(detail_of(
        &initiatives::get(state, &auth.principal, id).await?,
    ))
}

fn status_param(s: Option<&str>) -> Result<Option<InitiativeStatus>, AppError> {
    s.map(|s| {
        InitiativeStatus::parse(s)
            .ok_or_else(|| AppError::BadRequest(format!("Tình trạng không hợp lệ: {s}")))
    })
    .transpose()
}

#[utoipa::path(get, path = "/api/public/initiatives", tag = "public", security(()), params(PublicListParams),
    responses((status = 200, body = [InitiativeOut]), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn public_list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PublicListParams>,
) -> Result<ApiJson<Vec<InitiativeOut>>, ApiError> {
    let list =
        initiatives::recognised(&state, q.commune_id, checked_page(q.page, Some(50))?).await?;
    Ok(ApiJson(
        list.items.iter().map(InitiativeOut::from).collect(),
    ))
}

#[utoipa::path(get, path = "/api/initiatives", tag = "initiatives", params(InitiativeParams),
    responses((status = 200, body = [InitiativeOut]), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<InitiativeParams>,
) -> Result<ApiJson<Vec<InitiativeOut>>, ApiError> {
    let status = status_param(q.status.as_deref())?;
    checked_page(q.page, None)?;
    let list = initiatives::list(&state, &auth.principal, status, q.q, q.page).await?;
    Ok(ApiJson(
        list.items.iter().map(InitiativeOut::from).collect(),
    ))
}

#[utoipa::path(post, path = "/api/initiatives", tag = "initiatives", request_body = InitiativeIn,
    responses((status = 201, body = InitiativeDetailOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiJson(input): ApiJson<InitiativeIn>,
) -> Result<(StatusCode, ApiJson<InitiativeDetailOut>), ApiError> {
    let draft = InitiativeDraft {
        unit_id: input.unit_id,
        title: input.title,
        authors: input.authors,
        problem: input.problem,
        solution: input.solution,
        benefit: input.benefit,
    };
    let files = attachments(input.attachments, AttachedTo::Initiative);
    let i = initiatives::create(&state, &auth.caller(&ip), NewInitiative { draft, files }).await?;
    Ok((
        StatusCode::CREATED,
        ApiJson(detail(&state, &auth, i.id).await?),
    ))
}

#[utoipa::path(get, path = "/api/initiatives/{id}", tag = "initiatives", params(("id" = i64, Path)),
    responses((status = 200, body = InitiativeDetailOut), (status = 404, body = ErrorBody)))]
pub async fn get_one(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<InitiativeDetailOut>, ApiError> {
    Ok(ApiJson(detail(&state, &auth, id).await?))
}

#[utoipa::path(post, path = "/api/initiatives/{id}/reviewers", tag = "initiatives", params(("id" = i64, Path)), request_body = ReviewersIn,
    responses((status = 200, body = InitiativeDetailOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn reviewers(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ReviewersIn>,
) -> Result<ApiJson<InitiativeDetailOut>, ApiError> {
    initiatives::name_reviewers(&state, &auth.caller(&ip), id, Ok(input.user_ids)).await?;
    Ok(ApiJson(detail(&state, &auth, id).await?))
}

#[utoipa::path(post, path = "/api/initiatives/{id}/score", tag = "initiatives", params(("id" = i64, Path)), request_body = ScoreIn,
    responses((status = 200, body = InitiativeDetailOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn score(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ScoreIn>,
) -> Result<ApiJson<InitiativeDetailOut>, ApiError> {
    let input = ScoreInput {
        points: [
            input.novelty,
            input.applicability,
            input.effectiveness,
            input.scalability,
        ],
        comment: input.comment,
    };
    initiatives::score(&state, &auth.caller(&ip), id, Ok(input)).await?;
    Ok(ApiJson(detail(&state, &auth, id).await?))
}

#[utoipa::path(post, path = "/api/initiatives/{id}/decision", tag = "initiatives", params(("id" = i64, Path)), request_body = DecisionIn,
    responses((status = 200, body = InitiativeDetailOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn decide(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<DecisionIn>,
) -> Result<ApiJson<InitiativeDetailOut>, ApiError> {
    let input = parse_date(&input.date, "Ngày quyết định (date)").map(|date| DecisionInput {
        recognised: input.recognised,
        number: Some(input.number),
        date: Some(date),
        note: input.note,
        version: input.version,
    });
    initiatives::decide(&state, &auth.caller(&ip), id, input).await?;
    Ok(ApiJson(detail(&state, &auth, id).await?))
}

#[utoipa::path(get, path = "/api/targets/{id}/auto-figures", tag = "targets", params(("id" = i64, Path)),
    responses((status = 200, body = TargetSourceOut), (status = 404, body = ErrorBody)))]
pub async fn auto_figures(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<TargetSourceOut>, ApiError> {
    let source = initiatives::target_source(&state, &auth.principal, id).await?;
    Ok(ApiJson(TargetSourceOut::from(&source)))
}

#[utoipa::path(put, path = "/api/targets/{id}/source", tag = "targets", params(("id" = i64, Path)), request_body = SourceIn,
    responses((status = 200, body = TargetSourceOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link_source(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SourceIn>,
) -> Result<ApiJson<TargetSourceOut>, ApiError> {
    let source = input
        .source
        .as_deref()
        .map(|s| {
            AutoSource::parse(s)
                .ok_or_else(|| AppError::Invalid(format!("Nguồn số liệu không hợp lệ: {s}")))
        })
        .transpose();
    let linked = initiatives::link_target_source(&state, &auth.caller(&ip), id, source).await?;
    Ok(ApiJson(TargetSourceOut::from(&linked)))
}
