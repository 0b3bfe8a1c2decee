//! Reporting rounds as the focal point and leaders follow them: a plan's
//! rounds, who reported in one (on time, late, not at all), ad-hoc
//! requests, consolidation and the leader's approval.

use chrono::{Datelike, NaiveDate};

use super::access::{manageable_plan, readable_plan};
use super::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::period::ReportingPeriod;
use crate::domain::report::{Completeness, ReportStatus, Timeliness};
use crate::domain::round::{Consolidated, Round, UnitReport};

/// A round the principal follows (its plan's commune and above); 404
/// otherwise.
pub async fn round(state: &AppState, principal: &Principal, id: i64) -> Result<Round, AppError> {
    let round = state.store.round(id).await?.ok_or(AppError::NotFound)?;
    if !principal.can_follow_round(&round.scope_path) {
        return Err(AppError::NotFound);
    }
    Ok(round)
}

/// A round the principal reviews: followed (else 404) and its focal
/// point's (else 403).
async fn reviewable_round(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<Round, AppError> {
    let round = round(state, principal, id).await?;
    if !principal.can_review(&round.scope_path) {
        return Err(AppError::Forbidden);
    }
    Ok(round)
}

/// A round with who reported in it, and its consolidated report if any.
pub struct RoundDetail {
    pub round: Round,
    pub completeness: Completeness,
    pub reports: Vec<(UnitReport, Timeliness)>,
    pub consolidated: Option<Consolidated>,
}

impl RoundDetail {
    /// Units that have not sent their report (never submitted).
    pub fn missing_units(&self) -> Vec<String> {
        self.reports
            .iter()
            .filter(|(r, _)| r.first_submitted_at.is_none())
            .map(|(r, _)| r.unit_name.clone())
            .collect()
    }

    pub fn accepted(&self) -> usize {
        self.reports
            .iter()
            .filter(|(r, _)| r.status == ReportStatus::Accepted)
            .count()
    }
}

pub async fn detail(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<RoundDetail, AppError> {
    let round = round(state, principal, id).await?;
    detail_of(state, round).await
}

async fn detail_of(state: &AppState, round: Round) -> Result<RoundDetail, AppError> {
    let (completeness, reports) = state.store.round_completeness(round.id).await?;
    let consolidated = state.store.consolidated(round.id).await?;
    Ok(RoundDetail {
        round,
        completeness,
        reports,
        consolidated,
    })
}

/// A plan's rounds, newest first, this period's opened if the hourly job
/// has not yet.
pub async fn rounds_of_plan(
    state: &AppState,
    principal: &Principal,
    plan_id: i64,
) -> Result<Vec<Round>, AppError> {
    let plan = readable_plan(state, principal, plan_id).await?;
    let store = &state.store;
    store
        .open_current_rounds_of(plan.id, store.clock().today())
        .await?;
    Ok(store.rounds_of_plan(plan.id).await?)
}

/// How many recent rounds of each plan the reports page lists.
const RECENT_ROUNDS: usize = 6;

/// The recent rounds the principal follows, with who reported: the focal
/// point's and leaders' side of the reports page.
pub async fn followed_rounds(
    state: &AppState,
    principal: &Principal,
) -> Result<Vec<(Round, Completeness)>, AppError> {
    let store = &state.store;
    let plans = store
        .open_current_rounds_within(&principal.read_path, store.clock().today())
        .await?;
    let mut out = Vec::new();
    for plan in plans
        .iter()
        .filter(|p| principal.can_follow_round(&p.issuer_path))
    {
        for round in store
            .rounds_of_plan(plan.id)
            .await?
            .into_iter()
            .take(RECENT_ROUNDS)
        {
            let (c, _) = store.round_completeness(round.id).await?;
            out.push((round, c));
        }
    }
    Ok(out)
}

/// An ad-hoc request for a report, with its own due date.
pub struct AdHocRequest {
    pub plan_id: i64,
    pub title: String,
    pub due: NaiveDate,
}

pub async fn open_ad_hoc(
    state: &AppState,
    caller: &Caller<'_>,
    request: AdHocRequest,
) -> Result<Round, AppError> {
    let plan = manageable_plan(state, caller.principal, request.plan_id).await?;
    let title = request.title.trim().to_string();
    if title.is_empty() {
        return Err(AppError::Invalid("Hãy nêu nội dung cần báo cáo".into()));
    }
    let today = state.store.clock().today();
    let period = ReportingPeriod::ad_hoc(today, request.due)
        .ok_or_else(|| AppError::Invalid("Hạn báo cáo không được ở quá khứ".into()))?;
    Ok(state
        .store
        .open_round(
            plan.id,
            period,
            Some(title),
            Some(request.due),
            &caller.actor,
        )
        .await?)
}

/// The focal point assembles the consolidated report from the accepted
/// unit reports, with the number it will be issued under.
pub async fn consolidate(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    number: Option<String>,
) -> Result<RoundDetail, AppError> {
    let round = reviewable_round(state, caller.principal, id).await?;
    state
        .store
        .consolidate_round(id, number, &caller.actor)
        .await?;
    detail_of(state, round).await
}

/// A leader approves the consolidated report.
pub async fn approve(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
) -> Result<RoundDetail, AppError> {
    let round = round(state, caller.principal, id).await?;
    if !caller.principal.can_approve(&round.scope_path) {
        return Err(AppError::Forbidden);
    }
    state.store.approve_round(id, &caller.actor).await?;
    detail_of(state, round).await
}

/// Completeness per commune inside the principal's subtree for rounds due
/// in `[from, to]`; by default this month so far.
pub async fn completeness_by_commune(
    state: &AppState,
    principal: &Principal,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Vec<(i64, String, Completeness)>, AppError> {
    let today = state.store.clock().today();
    let from = from.unwrap_or_else(|| today.with_day(1).unwrap_or(today));
    let to = to.unwrap_or(today);
    Ok(state
        .store
        .completeness_by_commune(&principal.read_path, from, to)
        .await?)
}

/// A round the focal point may download the period sheet of, or upload it
/// back to.
pub async fn sheet_round(
    state: &AppState,
    principal: &Principal,
    id: i64,
) -> Result<Round, AppError> {
    reviewable_round(state, principal, id).await
}
