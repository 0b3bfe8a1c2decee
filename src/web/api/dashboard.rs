//! Dashboard figures over the API: the same numbers as the pages.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::{ApiJson, ApiPath};
use crate::actions::dashboard;
use crate::domain::figures::Figures;
use crate::web::AppState;
use crate::web::error::{ApiError, ErrorBody};
use crate::web::session::ApiAuth;

#[derive(Debug, Serialize, ToSchema)]
pub struct RankOut {
    pub rank: u32,
    pub unit_id: i64,
    pub name: String,
    pub score: f64,
    pub overdue: i64,
    /// Tasks done over tasks counted, in percent.
    pub completion_rate: Option<f64>,
    /// Tasks not "chưa cập nhật" over tasks counted, in percent.
    pub update_rate: Option<f64>,
    /// Tasks with no update in the last reporting period.
    pub not_updated: i64,
    /// The score's parts, so a rank can be explained.
    #[schema(value_type = Vec<Object>)]
    pub parts: serde_json::Value,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashboardOut {
    pub unit_id: i64,
    pub name: String,
    pub kind: String,
    pub figures: Figures,
    /// The level units below, ranked by score.
    pub ranking: Vec<RankOut>,
    /// Targets in scope whose trend, carried to 31 December, misses the
    /// year's goal (at most 20).
    pub trajectory_warnings: Vec<TrajectoryOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrajectoryOut {
    pub target_id: i64,
    pub name: String,
    pub year: i32,
    /// The trend's value on 31 December of `year`.
    pub projected: Option<f64>,
    pub warning: String,
}

#[utoipa::path(get, path = "/api/dashboard/{id}", tag = "monitoring", params(("id" = i64, Path, description = "A commune, province or the nation")),
    responses((status = 200, body = DashboardOut), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn dashboard(
    State(state): State<AppState>,
    ApiAuth(auth): ApiAuth,
    ApiPath(id): ApiPath<i64>,
) -> Result<ApiJson<DashboardOut>, ApiError> {
    let d = dashboard::dashboard(&state, &auth.principal, id).await?;
    Ok(ApiJson(DashboardOut {
        unit_id: d.unit.id,
        name: d.unit.name.clone(),
        kind: d.unit.kind.as_str().to_string(),
        figures: d.figures,
        ranking: d
            .ranking
            .into_iter()
            .map(|r| RankOut {
                rank: r.rank,
                unit_id: r.unit_id,
                name: r.name,
                score: r.standing.score.total,
                overdue: r.standing.overdue,
                completion_rate: r.standing.completion_rate,
                update_rate: r.standing.update_rate,
                not_updated: r.standing.not_updated,
                parts: serde_json::to_value(&r.standing.score.parts).unwrap_or_default(),
            })
            .collect(),
        trajectory_warnings: d
            .off_track
            .into_iter()
            .map(|t| TrajectoryOut {
                target_id: t.target_id,
                name: t.name,
                year: t.year,
                projected: t.projected,
                warning: t.warning,
            })
            .collect(),
    }))
}
