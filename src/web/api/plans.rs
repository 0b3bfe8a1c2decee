//! Plans over the API.

use crate::web::params::checked_page;
use axum::extract::State;
use axum::http::StatusCode;

use super::dto::{ListOut, ListParams, PlanIn, PlanOut, external_change, with_current};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::access::readable_plan;
use crate::actions::plans::{self, PlanInput, PlanQuery};
use crate::domain::period::PeriodKind;
use crate::domain::plan::ReportingRegime;
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::forms::parse_date;
use crate::web::session::{ApiAuth, ClientIp};

#[utoipa::path(get, path = "/api/plans", tag = "plans", params(ListParams),
    responses((status = 200, body = ListOut<PlanOut>), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_plans(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<ApiJson<ListOut<PlanOut>>, ApiError> {
    let query = PlanQuery {
        issuer_unit_id: q.unit_id,
        query: q.q,
    };
    let page = checked_page(q.page, q.per_page)?;
    let listing = plans::list_plans(&state, &auth.principal, query, page).await?;
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

/// Reads a plan as the API sends it (its date and period names); pure, so
/// the fuzzer calls it too. Without `reporting`, the usual regime.
pub fn plan_input(input: PlanIn) -> Result<PlanInput, AppError> {
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
    Ok(PlanInput {
        external: external_change(input.external)?,
        number: input.number,
        issued_on,
        place: input.place,
        title: input.title,
        basis: input.basis,
        implements: Some(input.implements),
        regime,
    })
}

#[utoipa::path(post, path = "/api/plans", tag = "plans", request_body = PlanIn,
    responses((status = 201, body = PlanOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_plan(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiJson(input): ApiJson<PlanIn>,
) -> Result<(StatusCode, ApiJson<PlanOut>), ApiError> {
    let issuer_id = input.issuer_unit_id;
    let input = plan_input(input)?;
    let plan = plans::create_plan(&state, &auth.caller(&ip), issuer_id, input).await?;
    Ok((StatusCode::CREATED, ApiJson(plan.into())))
}

#[utoipa::path(put, path = "/api/plans/{id}", tag = "plans", params(("id" = i64, Path)), request_body = PlanIn,
    responses((status = 200, body = PlanOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_plan(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<PlanIn>,
) -> Result<ApiJson<PlanOut>, ApiError> {
    let version = input
        .version
        .ok_or_else(|| AppError::Invalid("Thiếu phiên bản (version) của bản ghi".into()))?;
    // The issuer sent is ignored: a plan's issuer never changes.
    let input = plan_input(input)?;
    let caller = auth.caller(&ip);
    let result = plans::update_plan(&state, &caller, id, version, input).await;
    let current = async {
        readable_plan(&state, &auth.principal, id)
            .await
            .map(PlanOut::from)
    };
    Ok(ApiJson(with_current(result, current).await?.into()))
}
