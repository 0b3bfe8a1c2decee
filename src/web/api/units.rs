//! Units over the API.

use crate::web::params::checked_page;
use axum::extract::State;
use axum::http::StatusCode;

use super::dto::{
    ChangeOut, ChangeParams, ChangesOut, ListOut, ListParams, MergeIn, RenameIn, UnitIn,
    UnitNamesOut, UnitOut, external_change, with_current,
};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::access::readable_unit;
use crate::actions::units::{self, UnitInput, UnitQuery};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::forms::parse_date;
use crate::web::session::{ApiAuth, ClientIp};

#[utoipa::path(get, path = "/api/units", tag = "units", params(ListParams),
    responses((status = 200, body = ListOut<UnitOut>), (status = 401, body = ErrorBody), (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn list_units(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<ApiJson<ListOut<UnitOut>>, ApiError> {
    let query = UnitQuery {
        parent_id: q.parent_id,
        query: q.q,
    };
    let page = checked_page(q.page, q.per_page)?;
    let listing = units::list_units(&state, &auth.principal, query, page).await?;
    Ok(ApiJson(ListOut::from_listing(listing, UnitOut::from)))
}

#[utoipa::path(get, path = "/api/units/{id}", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = UnitOut), (status = 404, body = ErrorBody)))]
pub async fn get_unit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<UnitOut>, ApiError> {
    Ok(ApiJson(
        readable_unit(&state, &auth.principal, id).await?.into(),
    ))
}

fn unit_input(input: UnitIn) -> Result<UnitInput, AppError> {
    Ok(UnitInput {
        external: external_change(input.external)?,
        parent_id: input.parent_id,
        kind: input.kind,
        name: input.name,
        aliases: input.aliases,
        side: input.side,
    })
}

#[utoipa::path(post, path = "/api/units", tag = "units", request_body = UnitIn,
    responses((status = 201, body = UnitOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiJson(input): ApiJson<UnitIn>,
) -> Result<(StatusCode, ApiJson<UnitOut>), ApiError> {
    let unit = units::create_unit(&state, &auth.caller(&ip), unit_input(input)?).await?;
    Ok((StatusCode::CREATED, ApiJson(unit.into())))
}

#[utoipa::path(put, path = "/api/units/{id}", tag = "units", params(("id" = i64, Path)), request_body = UnitIn,
    responses((status = 200, body = UnitOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_unit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<UnitIn>,
) -> Result<ApiJson<UnitOut>, ApiError> {
    let version = input
        .version
        .ok_or_else(|| AppError::Invalid("Thiếu phiên bản (version) của bản ghi".into()))?;
    // A parent other than the unit's own is refused: a unit never moves by
    // being edited.
    let caller = auth.caller(&ip);
    let result = units::update_unit(&state, &caller, id, version, unit_input(input)?).await;
    let current = async {
        readable_unit(&state, &auth.principal, id)
            .await
            .map(UnitOut::from)
    };
    Ok(ApiJson(with_current(result, current).await?.into()))
}

#[utoipa::path(post, path = "/api/units/{id}/rename", tag = "units", params(("id" = i64, Path)), request_body = RenameIn,
    responses((status = 200, body = UnitOut), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn rename_unit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<RenameIn>,
) -> Result<ApiJson<UnitOut>, ApiError> {
    let effective_on = parse_date(&input.effective_on, "effective_on")?;
    let caller = auth.caller(&ip);
    let result = units::rename_unit(
        &state,
        &caller,
        id,
        input.version,
        &input.name,
        effective_on,
    )
    .await;
    let current = async {
        readable_unit(&state, &auth.principal, id)
            .await
            .map(UnitOut::from)
    };
    Ok(ApiJson(with_current(result, current).await?.into()))
}

#[utoipa::path(get, path = "/api/units/{id}/names", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = UnitNamesOut), (status = 404, body = ErrorBody)))]
pub async fn unit_names(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<UnitNamesOut>, ApiError> {
    let (unit, former) = units::former_names(&state, &auth.principal, id).await?;
    Ok(ApiJson(UnitNamesOut {
        unit_id: unit.id,
        name: unit.name,
        former,
    }))
}

#[utoipa::path(post, path = "/api/units/{id}/merge", tag = "units", params(("id" = i64, Path)), request_body = MergeIn,
    responses((status = 200, body = UnitOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn merge_units(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<MergeIn>,
) -> Result<ApiJson<UnitOut>, ApiError> {
    let effective_on = parse_date(&input.effective_on, "effective_on")?;
    let unit =
        units::merge_units(&state, &auth.caller(&ip), id, &input.sources, effective_on).await?;
    Ok(ApiJson(unit.into()))
}

#[utoipa::path(get, path = "/api/changes", tag = "units", params(ChangeParams),
    responses((status = 200, body = ChangesOut), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
pub async fn changes(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ChangeParams>,
) -> Result<ApiJson<ChangesOut>, ApiError> {
    let page =
        crate::actions::changes::changes(&state, &auth.principal, q.since.as_deref(), q.limit)
            .await?;
    Ok(ApiJson(ChangesOut {
        changes: page
            .changes
            .into_iter()
            .map(|c| ChangeOut {
                cursor: c.id.to_string(),
                at: c.at,
                action: c.action,
                entity: c.entity,
                entity_id: c.entity_id,
                province_id: c.province_id,
                commune_id: c.commune_id,
                data: c
                    .after
                    .as_deref()
                    .and_then(|a| serde_json::from_str(a).ok())
                    .unwrap_or(serde_json::Value::Null),
            })
            .collect(),
        next: page.next,
        more: page.more,
    }))
}
