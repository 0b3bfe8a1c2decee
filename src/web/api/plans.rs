//! Plans over the API.

use axum::extract::State;
use axum::http::StatusCode;

use super::dto::{ListOut, ListParams, PlanIn, PlanOut};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::access::{manageable_plan, readable_plan, readable_unit};
use crate::domain::period::PeriodKind;
use crate::domain::plan::{PlanDraft, ReportingRegime};
use crate::domain::valid::Valid;
use crate::store::{Page, PlanFilter, StoreError};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::forms::parse_date;
use crate::web::session::{ApiAuth, ClientIp};

#[utoipa::path(get, path = "/api/plans", tag = "plans", params(ListParams),
    responses((status = 200, body = ListOut<PlanOut>), (status = 401, body = ErrorBody)))]
pub async fn list_plans(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<ApiJson<ListOut<PlanOut>>, ApiError> {
    let filter = PlanFilter {
        within_path: Some(auth.principal.read_path.clone()),
        issuer_unit_id: q.unit_id,
        query: q.q,
    };
    let listing = state
        .store
        .plans(&filter, Page::new(q.page, q.per_page))
        .await?;
    Ok(ApiJson(ListOut::from_listing(listing, PlanOut::from)))
}

#[utoipa::path(get, path = "/api/plans/{id}", tag = "plans", params(("id" = i64, Path)),
    responses((status = 200, body = PlanOut), (status = 404, body = ErrorBody)))]
pub async fn get_plan(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<PlanOut>, ApiError> {
    Ok(ApiJson(
        readable_plan(&state, &auth.principal, id).await?.into(),
    ))
}

/// Reads a plan from the API: pure, so the fuzzer calls it too.
pub fn draft_from(input: PlanIn) -> Result<Valid<PlanDraft>, AppError> {
    let issued_on = input
        .date
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(|d| parse_date(d, "Ngày ban hành (date)"))
        .transpose()?;
    let regime = match input.reporting {
        None => ReportingRegime::default(),
        Some(r) => {
            let mut periods = Vec::new();
            for name in &r.periods {
                let kind = PeriodKind::parse(name)
                    .ok_or_else(|| AppError::Invalid(format!("Kỳ báo cáo không hợp lệ: {name}")))?;
                periods.push(kind);
            }
            ReportingRegime {
                periods,
                unit_due_day: r.unit_due_day,
                consolidated_due_day: r.consolidated_due_day,
            }
        }
    };
    PlanDraft {
        issuer_unit_id: input.issuer_unit_id,
        number: input.number,
        issued_on,
        place: input.place,
        title: input.title,
        basis: input.basis,
        implements: input.implements,
        regime,
    }
    .validate()
    .map_err(AppError::invalid)
}

#[utoipa::path(post, path = "/api/plans", tag = "plans", request_body = PlanIn,
    responses((status = 201, body = PlanOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_plan(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiJson(input): ApiJson<PlanIn>,
) -> Result<(StatusCode, ApiJson<PlanOut>), ApiError> {
    let p = &auth.principal;
    let issuer = readable_unit(&state, p, input.issuer_unit_id).await?;
    if !p.can_manage(&issuer.path) || !issuer.kind.is_level() {
        return Err(AppError::Forbidden.into());
    }
    for parent in &input.implements {
        readable_plan(&state, p, *parent).await?;
    }
    let draft = draft_from(input)?;
    let plan = state.store.create_plan(draft, &auth.actor(&ip)).await?;
    Ok((StatusCode::CREATED, ApiJson(plan.into())))
}

#[utoipa::path(put, path = "/api/plans/{id}", tag = "plans", params(("id" = i64, Path)), request_body = PlanIn,
    responses((status = 200, body = PlanOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_plan(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(mut input): ApiJson<PlanIn>,
) -> Result<ApiJson<PlanOut>, ApiError> {
    let p = &auth.principal;
    let plan = manageable_plan(&state, p, id).await?;
    let version = input
        .version
        .ok_or_else(|| AppError::Invalid("Thiếu phiên bản (version) của bản ghi".into()))?;
    for parent in &input.implements {
        readable_plan(&state, p, *parent).await?;
    }
    input.issuer_unit_id = plan.issuer_unit_id;
    let draft = draft_from(input)?;
    match state
        .store
        .update_plan(id, version, draft, &auth.actor(&ip))
        .await
    {
        Ok(plan) => Ok(ApiJson(plan.into())),
        Err(StoreError::Conflict { .. }) => {
            let current = state.store.plan(id).await?.map(PlanOut::from);
            Err(AppError::Conflict {
                current: current.and_then(|c| serde_json::to_value(c).ok()),
            }
            .into())
        }
        Err(e) => Err(e.into()),
    }
}
