//! Initiatives over the API (registration, council, scores, decision, the
//! public list) and the automatic source of a target with its figures.

use axum::extract::State;
use axum::http::StatusCode;

use super::feedback_dto::*;
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::access::{
    manageable_target, readable_initiative, readable_target, scorable_initiative,
};
use crate::domain::auto_figure::AutoSource;
use crate::domain::initiative::{
    Decision, InitiativeDraft, InitiativeStatus, Scores, average_total,
};
use crate::store::{InitiativeFilter, Page};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::forms::parse_date;
use crate::web::pages::initiatives::{MAX_FILE_BYTES, MAX_FILES};
use crate::web::session::{ApiAuth, Auth, ClientIp};

async fn detail(state: &AppState, auth: &Auth, id: i64) -> Result<InitiativeDetailOut, AppError> {
    let i = readable_initiative(state, &auth.principal, id).await?;
    let reviews = state.store.reviews_of(id).await?;
    let scored: Vec<Scores> = reviews.iter().filter_map(|r| r.scores).collect();
    Ok(InitiativeDetailOut {
        initiative: InitiativeOut::from(&i),
        criteria: criteria(),
        reviews: reviews.iter().map(ReviewOut::from).collect(),
        average_total: average_total(&scored),
    })
}

fn status_param(s: Option<&str>) -> Result<Option<InitiativeStatus>, AppError> {
    s.map(|s| {
        InitiativeStatus::parse(s)
            .ok_or_else(|| AppError::BadRequest(format!("Tình trạng không hợp lệ: {s}")))
    })
    .transpose()
}

#[utoipa::path(get, path = "/api/public/initiatives", tag = "public", security(()), params(PublicListParams),
    responses((status = 200, body = [InitiativeOut])))]
pub async fn public_list(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<PublicListParams>,
) -> Result<ApiJson<Vec<InitiativeOut>>, ApiError> {
    let list = state
        .store
        .initiatives(
            &InitiativeFilter {
                status: Some(InitiativeStatus::Recognised),
                commune_id: q.commune_id,
                ..InitiativeFilter::default()
            },
            Page::new(q.page, Some(50)),
        )
        .await?;
    Ok(ApiJson(
        list.items.iter().map(InitiativeOut::from).collect(),
    ))
}

#[utoipa::path(get, path = "/api/initiatives", tag = "initiatives", params(InitiativeParams),
    responses((status = 200, body = [InitiativeOut]), (status = 401, body = ErrorBody)))]
pub async fn list(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<InitiativeParams>,
) -> Result<ApiJson<Vec<InitiativeOut>>, ApiError> {
    let list = state
        .store
        .initiatives(
            &InitiativeFilter {
                within_path: Some(auth.principal.read_path.clone()),
                status: status_param(q.status.as_deref())?,
                query: q.q,
                ..InitiativeFilter::default()
            },
            Page::new(q.page, Some(100)),
        )
        .await?;
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
    let p = &auth.principal;
    let unit = match state.store.unit(input.unit_id).await? {
        Some(u) if p.can_read(&u.path) => u,
        _ => return Err(AppError::NotFound.into()),
    };
    if unit.commune_id.is_none() || !p.can_register_initiative(&unit.path) {
        return Err(AppError::Forbidden.into());
    }
    let draft = InitiativeDraft {
        unit_id: unit.id,
        title: input.title,
        authors: input.authors,
        problem: input.problem,
        solution: input.solution,
        benefit: input.benefit,
    }
    .validate()
    .map_err(AppError::invalid)?;
    let files = attachments(input.attachments, MAX_FILES, MAX_FILE_BYTES)?;
    let i = state
        .store
        .create_initiative(draft, &unit, files, &auth.actor(&ip))
        .await?;
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
    let i = readable_initiative(&state, &auth.principal, id).await?;
    if !auth.principal.can_manage(&i.commune_path) {
        return Err(AppError::Forbidden.into());
    }
    if input.user_ids.is_empty() {
        return Err(AppError::Invalid("Hãy chọn ít nhất một thành viên hội đồng".into()).into());
    }
    state
        .store
        .name_reviewers(id, &input.user_ids, &auth.actor(&ip))
        .await?;
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
    scorable_initiative(&state, &auth.principal, id).await?;
    let scores = Scores::validate([
        input.novelty,
        input.applicability,
        input.effectiveness,
        input.scalability,
    ])
    .map_err(AppError::invalid)?;
    state
        .store
        .score_initiative(
            id,
            auth.principal.user_id,
            scores,
            input.comment,
            &auth.actor(&ip),
        )
        .await?;
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
    let i = readable_initiative(&state, &auth.principal, id).await?;
    if !auth.principal.can_decide_initiative(&i.commune_path) {
        return Err(AppError::Forbidden.into());
    }
    let scored = state
        .store
        .reviews_of(id)
        .await?
        .iter()
        .filter(|r| r.scores.is_some())
        .count();
    let decision = Decision::validate(
        input.recognised,
        Some(input.number),
        Some(parse_date(&input.date, "Ngày quyết định (date)")?),
        input.note,
        i.status,
        scored,
    )
    .map_err(AppError::invalid)?;
    state
        .store
        .decide_initiative(id, decision, input.version, &auth.actor(&ip))
        .await?;
    Ok(ApiJson(detail(&state, &auth, id).await?))
}

async fn source_out(state: &AppState, target_id: i64) -> Result<TargetSourceOut, AppError> {
    Ok(TargetSourceOut {
        target_id,
        source: state
            .store
            .target_source(target_id)
            .await?
            .map(|s| s.as_str().to_string()),
        figures: state
            .store
            .auto_figures_of(target_id)
            .await?
            .iter()
            .map(AutoFigureOut::from)
            .collect(),
    })
}

#[utoipa::path(get, path = "/api/targets/{id}/auto-figures", tag = "targets", params(("id" = i64, Path)),
    responses((status = 200, body = TargetSourceOut), (status = 404, body = ErrorBody)))]
pub async fn auto_figures(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<TargetSourceOut>, ApiError> {
    readable_target(&state, &auth.principal, id).await?;
    Ok(ApiJson(source_out(&state, id).await?))
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
    manageable_target(&state, &auth.principal, id).await?;
    let source = input
        .source
        .as_deref()
        .map(|s| {
            AutoSource::parse(s)
                .ok_or_else(|| AppError::Invalid(format!("Nguồn số liệu không hợp lệ: {s}")))
        })
        .transpose()?;
    state
        .store
        .link_target_source(id, source, &auth.actor(&ip))
        .await?;
    Ok(ApiJson(source_out(&state, id).await?))
}
