//! A unit's history over the API: split, move, dissolve, and the list of
//! what happened to a unit.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::dto::UnitOut;
use super::{ApiJson, ApiPath};
use crate::actions::unit_history;
use crate::domain::unit_history::{EventKind, EventLink, NewUnit};
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::forms::parse_date;
use crate::web::session::{ApiAuth, ClientIp};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitUnitIn {
    /// The new units, two at least, each with a name and an optional code.
    pub into: Vec<NewUnit>,
    /// The day the split takes effect (`YYYY-MM-DD`, today at the latest).
    pub effective_on: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SplitUnitOut {
    /// The unit split, now ended.
    pub unit: UnitOut,
    /// The units made from it.
    pub into: Vec<UnitOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveUnitIn {
    /// The new parent.
    pub parent_id: i64,
    /// The day the move takes effect (`YYYY-MM-DD`, today at the latest).
    pub effective_on: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DissolveUnitIn {
    /// The day the unit ends (`YYYY-MM-DD`, today at the latest).
    pub effective_on: String,
}

/// One event of a unit's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitEventOut {
    pub id: i64,
    pub kind: EventKind,
    /// The unit it happened to.
    pub unit_id: i64,
    pub unit_name: String,
    pub effective_on: String,
    pub name_before: Option<String>,
    pub name_after: Option<String>,
    /// The other units it names, with their part.
    pub links: Vec<EventLink>,
    /// The event in words, as seen from the unit asked about.
    pub text: String,
    pub actor_id: Option<i64>,
    /// When it was recorded (epoch ms).
    pub at: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitHistoryOut {
    pub unit_id: i64,
    pub name: String,
    pub events: Vec<UnitEventOut>,
}

#[utoipa::path(post, path = "/api/units/{id}/split", tag = "units", params(("id" = i64, Path)), request_body = SplitUnitIn,
    responses((status = 200, body = SplitUnitOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn split_unit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<SplitUnitIn>,
) -> Result<ApiJson<SplitUnitOut>, ApiError> {
    let effective_on = parse_date(&input.effective_on, "effective_on")?;
    let caller = auth.caller(&ip);
    let made = unit_history::split_unit(&state, &caller, id, input.into, effective_on).await?;
    let (unit, _) = unit_history::unit_history(&state, &auth.principal, id).await?;
    Ok(ApiJson(SplitUnitOut {
        unit: unit.into(),
        into: made.into_iter().map(UnitOut::from).collect(),
    }))
}

#[utoipa::path(post, path = "/api/units/{id}/move", tag = "units", params(("id" = i64, Path)), request_body = MoveUnitIn,
    responses((status = 200, body = UnitOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn move_unit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<MoveUnitIn>,
) -> Result<ApiJson<UnitOut>, ApiError> {
    let effective_on = parse_date(&input.effective_on, "effective_on")?;
    let unit =
        unit_history::move_unit(&state, &auth.caller(&ip), id, input.parent_id, effective_on)
            .await?;
    Ok(ApiJson(unit.into()))
}

#[utoipa::path(post, path = "/api/units/{id}/dissolve", tag = "units", params(("id" = i64, Path)), request_body = DissolveUnitIn,
    responses((status = 200, body = UnitOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn dissolve_unit(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ip: ClientIp,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<DissolveUnitIn>,
) -> Result<ApiJson<UnitOut>, ApiError> {
    let effective_on = parse_date(&input.effective_on, "effective_on")?;
    let unit = unit_history::dissolve_unit(&state, &auth.caller(&ip), id, effective_on).await?;
    Ok(ApiJson(unit.into()))
}

#[utoipa::path(get, path = "/api/units/{id}/history", tag = "units", params(("id" = i64, Path)),
    responses((status = 200, body = UnitHistoryOut), (status = 404, body = ErrorBody)))]
pub async fn history(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<UnitHistoryOut>, ApiError> {
    let (unit, events) = unit_history::unit_history(&state, &auth.principal, id).await?;
    Ok(ApiJson(UnitHistoryOut {
        unit_id: unit.id,
        name: unit.name,
        events: events
            .into_iter()
            .map(|e| UnitEventOut {
                text: e.describe_vi(unit.id),
                id: e.id,
                kind: e.kind,
                unit_id: e.unit_id,
                unit_name: e.unit_name,
                effective_on: e.effective_on.to_string(),
                name_before: e.name_before,
                name_after: e.name_after,
                links: e.links,
                actor_id: e.actor_id,
                at: e.at,
            })
            .collect(),
    }))
}
