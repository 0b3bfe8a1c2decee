//! Exchange with other systems over the API: a record by its external id,
//! and the full export of a unit's subtree as JSON.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::dto::{PlanOut, TargetOut, TaskOut, UnitOut};
use super::{ApiJson, ApiPath};
use crate::actions::exchange::{self, ExportFormat, ExternalRecord};
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::session::{ApiAuth, ClientIp};

/// The record found, exactly as `GET /api/{kind}s/{id}` returns it.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum ExternalRecordOut {
    Unit(UnitOut),
    Plan(PlanOut),
    Task(TaskOut),
    Target(TargetOut),
}

#[utoipa::path(get, path = "/api/external/{kind}/{source}/{id}", tag = "exchange",
    params(("kind" = String, Path, description = "`unit`, `plan`, `task` or `target`"),
           ("source" = String, Path, description = "the other system, e.g. `vbdh-quoc-gia`"),
           ("id" = String, Path, description = "its id there, e.g. `KH-2025-0012`")),
    responses((status = 200, body = ExternalRecordOut), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn find_by_external(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath((kind, source, id)): ApiPath<(String, String, String)>,
) -> Result<ApiJson<ExternalRecordOut>, ApiError> {
    let record = exchange::find_by_external(&state, &auth.principal, &kind, &source, &id).await?;
    Ok(ApiJson(match record {
        ExternalRecord::Unit(u) => ExternalRecordOut::Unit(u.into()),
        ExternalRecord::Plan(p) => ExternalRecordOut::Plan(p.into()),
        ExternalRecord::Task(t) => ExternalRecordOut::Task(t.into()),
        ExternalRecord::Target(t) => ExternalRecordOut::Target(t.into()),
    }))
}

#[utoipa::path(get, path = "/api/units/{id}/export.json", tag = "exchange", params(("id" = i64, Path)),
    responses((status = 200, description = "`{unit, exported_at, units, plans, tasks, targets, figures, counts}`", content_type = "application/json"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn export_json(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
) -> Result<Response, ApiError> {
    let (_, bytes) =
        exchange::export_unit(&state, &auth.caller(&ip), id, ExportFormat::Json).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        bytes,
    )
        .into_response())
}
