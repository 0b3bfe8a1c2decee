//! The province–commune loop, for the pages and the API alike: a province
//! focal point sees, per round, which communes sent their consolidated
//! report by their consolidation day and can send one back; a province task
//! handed down to communes shows each copy's progress and rolls it up.

use chrono::NaiveDate;

use super::access::readable_task;
use super::rounds::round;
use super::{AppError, Caller};
use crate::app::AppState;
use crate::domain::access::Principal;
use crate::domain::cascade::{ChildProgress, CommuneReportState, SplitProgress, roll_up};
use crate::domain::round::Round;
use crate::domain::task::Task;
use crate::store::{ChildTask, CommuneRound};

/// One commune's consolidated report of the round, as the province sees it.
pub struct CommuneReport {
    pub commune: CommuneRound,
    /// Its consolidation day: its own round's, or, when it has not opened
    /// the round, the day the province expects its lower levels' reports.
    pub due_on: NaiveDate,
    pub state: CommuneReportState,
}

/// A province round with each commune's consolidated report of the same
/// period.
pub struct CommuneReports {
    pub round: Round,
    pub communes: Vec<CommuneReport>,
}

/// For a round the caller follows: the plans implementing its plan that
/// the caller may read, each with the state of its consolidated report.
pub async fn commune_reports(
    state: &AppState,
    principal: &Principal,
    round_id: i64,
) -> Result<CommuneReports, AppError> {
    let round = round(state, principal, round_id).await?;
    let today = state.store.clock().today();
    let communes = state
        .store
        .commune_rounds(round.plan_id, &round.period_key)
        .await?
        .into_iter()
        .filter(|c| principal.can_read(&c.unit_path))
        .map(|commune| {
            let due_on = commune.consolidated_due_on.unwrap_or(round.unit_due_on);
            let state = CommuneReportState::of(
                commune.status.as_deref(),
                commune.consolidated_at,
                due_on,
                today,
            );
            CommuneReport {
                commune,
                due_on,
                state,
            }
        })
        .collect();
    Ok(CommuneReports { round, communes })
}

/// The province sends a commune's consolidated report (of round
/// `round_id`, the commune's) back with why. Only a focal point or
/// administrator of a level above the commune may: the commune itself may
/// not.
pub async fn return_commune_report(
    state: &AppState,
    caller: &Caller<'_>,
    round_id: i64,
    reason: &str,
) -> Result<(), AppError> {
    let round = round(state, caller.principal, round_id).await?;
    if !caller.principal.can_return_consolidated(&round.scope_path) {
        return Err(AppError::Forbidden);
    }
    let reason = crate::domain::text::normalize_spaces(reason);
    if reason.is_empty() {
        return Err(AppError::Invalid(
            "Hãy ghi lý do trả lại báo cáo tổng hợp".into(),
        ));
    }
    state
        .store
        .return_consolidated(round_id, &reason, &caller.actor)
        .await?;
    Ok(())
}

/// A task handed down to communes: each copy the caller may read, and the
/// progress rolled up from every copy.
pub struct SplitTask {
    pub task: Task,
    pub children: Vec<ChildTask>,
    pub progress: SplitProgress,
}

pub async fn split_progress(
    state: &AppState,
    principal: &Principal,
    task_id: i64,
) -> Result<SplitTask, AppError> {
    let task = readable_task(state, principal, task_id).await?;
    let all = state.store.child_progress(task_id).await?;
    let progress = roll_up(
        &all.iter()
            .map(|c| ChildProgress {
                status: c.status,
                percent: c.percent,
                not_applicable: c.not_applicable,
            })
            .collect::<Vec<_>>(),
    );
    let children = all
        .into_iter()
        .filter(|c| principal.can_read(&c.unit_path))
        .collect();
    Ok(SplitTask {
        task,
        children,
        progress,
    })
}
