//! Units over the API.

use axum::extract::State;
use axum::http::StatusCode;

use super::dto::{ListOut, ListParams, UnitIn, UnitOut};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::actions::access::{administrable_unit, readable_unit};
use crate::domain::unit::UnitDraft;
use crate::store::{Page, UnitFilter};
use crate::web::AppState;
use crate::web::error::{ApiError, AppError, ErrorBody};
use crate::web::session::{ApiAuth, ClientIp};

#[utoipa::path(get, path = "/api/units", tag = "units", params(ListParams),
    responses((status = 200, body = ListOut<UnitOut>), (status = 401, body = ErrorBody)))]
pub async fn list_units(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiQuery(q): ApiQuery<ListParams>,
) -> Result<ApiJson<ListOut<UnitOut>>, ApiError> {
    let filter = UnitFilter {
        within_path: Some(auth.principal.read_path.clone()),
        parent_id: q.parent_id,
        kind: None,
        query: q.q,
    };
    let listing = state
        .store
        .units(&filter, Page::new(q.page, q.per_page))
        .await?;
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

#[utoipa::path(post, path = "/api/units", tag = "units", request_body = UnitIn,
    responses((status = 201, body = UnitOut), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiJson(input): ApiJson<UnitIn>,
) -> Result<(StatusCode, ApiJson<UnitOut>), ApiError> {
    let parent_id = input
        .parent_id
        .ok_or_else(|| AppError::Invalid("Thiếu đơn vị cấp trên (parent_id)".into()))?;
    let parent = administrable_unit(&state, &auth.principal, parent_id).await?;
    let draft = UnitDraft {
        parent_id: Some(parent.id),
        kind: input.kind,
        name: input.name,
        aliases: input.aliases,
        side: input.side,
    }
    .validate(Some(parent.kind))
    .map_err(AppError::invalid)?;
    let unit = state.store.create_unit(draft, &auth.actor(&ip)).await?;
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
    let unit = administrable_unit(&state, &auth.principal, id).await?;
    let version = input
        .version
        .ok_or_else(|| AppError::Invalid("Thiếu phiên bản (version) của bản ghi".into()))?;
    let parent_kind = match unit.parent_id {
        Some(pid) => state.store.unit(pid).await?.map(|p| p.kind),
        None => None,
    };
    let draft = UnitDraft {
        parent_id: unit.parent_id,
        kind: input.kind,
        name: input.name,
        aliases: input.aliases,
        side: input.side,
    }
    .validate(parent_kind)
    .map_err(AppError::invalid)?;
    match state
        .store
        .update_unit(id, version, draft, &auth.actor(&ip))
        .await
    {
        Ok(u) => Ok(ApiJson(u.into())),
        Err(crate::store::StoreError::Conflict { .. }) => {
            let current = state.store.unit(id).await?.map(UnitOut::from);
            Err(AppError::Conflict {
                current: current.and_then(|c| serde_json::to_value(c).ok()),
            }
            .into())
        }
        Err(e) => Err(e.into()),
    }
}
