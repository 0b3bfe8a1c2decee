//! The files a round produces and takes back: the facts of the
//! consolidated report (laid out as .docx and .xlsx by the web layer), the
//! period sheet a focal point fills, and its upload. Every download is
//! written to the audit trail.

use super::reports::task_name;
use super::rounds::{round, sheet_round};
use super::tasks::refused_confidential;
use super::{AppError, Caller};
use crate::app::AppState;
use chrono::Datelike;

use crate::domain::auto_figure::AutoSource;
use crate::domain::direction::Direction;
use crate::domain::plan::Plan;
use crate::domain::reminder::Escalation;
use crate::domain::report::{
    Completeness, ReportError, ReportStatus, TargetFigureDraft, TaskStatus, TaskUpdateDraft,
};
use crate::domain::round::{Consolidated, ReportView, Round};
use crate::domain::target::Target;
use crate::domain::task::Task;
use crate::domain::unit::Unit;
use crate::export::{self, BulkRow};
use crate::store::{BulkUpdate, OffTrackTarget, Store, TargetScope};

/// Everything the consolidated report of a round says, read at once.
pub struct RoundReport {
    pub round: Round,
    pub plan: Plan,
    pub issuer: Unit,
    /// The province above the issuing commune, the report's addressee.
    pub province: Option<Unit>,
    /// The accepted unit reports, the only ones the report counts.
    pub accepted: Vec<ReportView>,
    pub consolidated: Option<Consolidated>,
    pub completeness: Completeness,
    /// The plan's live tasks (not drafts, not marked not applicable).
    pub tasks: Vec<Task>,
    pub targets: Vec<Target>,
    /// The report's date when it has not been consolidated yet.
    pub today: chrono::NaiveDate,
    /// Targets fed by an automatic source (citizens' satisfaction,
    /// initiatives recognised): their source and the year's figure, which
    /// judge them instead of a unit's report.
    pub automatic: Vec<(i64, AutoSource, Option<f64>)>,
    /// The plan's targets whose trend misses their goal.
    pub off_track: Vec<OffTrackTarget>,
    /// Units that have not sent their report of the round.
    pub missing_units: Vec<String>,
    /// The plan's tasks escalated to the leaders and still not done, with
    /// their units' explanations.
    pub escalated: Vec<Escalation>,
    /// The leaders' directions on the plan and its tasks, with answers.
    pub directions: Vec<Direction>,
}

/// The facts of a round's consolidated report, for anyone who follows the
/// round; the download (`format`: `docx`, `xlsx`) is recorded.
pub async fn round_report(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    format: &str,
) -> Result<RoundReport, AppError> {
    let round = round(state, caller.principal, id).await?;
    let store = &state.store;
    let plan = store.plan(round.plan_id).await?.ok_or(AppError::NotFound)?;
    let issuer = store
        .unit(plan.issuer_unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let province = match issuer.province_id.filter(|p| *p != issuer.id) {
        Some(id) => store.unit(id).await?,
        None => None,
    };
    let accepted = views_of(store, &round, true).await?;
    let consolidated = store.consolidated(round.id).await?;
    let (completeness, _) = store.round_completeness(round.id).await?;
    let tasks = live_tasks(store, plan.id).await?;
    let targets = store.targets_of_plan(plan.id).await?;
    let automatic = automatic_figures(store, &targets, round.unit_due_on.year()).await?;
    let off_track = store
        .off_track_targets(TargetScope::within(&issuer), OFF_TRACK_LISTED)
        .await?
        .into_iter()
        .filter(|t| t.plan_id == plan.id)
        .collect();
    let escalated = store
        .escalations_within(&issuer.path, true, ESCALATIONS_LISTED)
        .await?
        .into_iter()
        .filter(|e| tasks.iter().any(|t| t.id == e.task_id))
        .collect();
    let directions = store.directions_of_plan(plan.id).await?;
    let missing_units = store
        .reports_of_round(round.id)
        .await?
        .into_iter()
        .filter(|r| r.first_submitted_at.is_none())
        .map(|r| r.unit_name)
        .collect();
    store
        .record_export(&caller.actor, "round", id, format)
        .await?;
    Ok(RoundReport {
        today: store.clock().today(),
        automatic,
        off_track,
        missing_units,
        escalated,
        directions,
        round,
        plan,
        issuer,
        province,
        accepted,
        consolidated,
        completeness,
        tasks,
        targets,
    })
}

/// Most off-track targets a consolidated report lists.
const OFF_TRACK_LISTED: i64 = 200;
/// Escalated tasks a consolidated report lists at most.
const ESCALATIONS_LISTED: i64 = 500;

/// The year's figure of each target linked to an automatic source.
async fn automatic_figures(
    store: &Store,
    targets: &[Target],
    year: i32,
) -> Result<Vec<(i64, AutoSource, Option<f64>)>, AppError> {
    let mut out = Vec::new();
    for t in targets {
        if let Some(source) = store.target_source(t.id).await? {
            let figure = store.auto_figure(t.id, &format!("{year:04}")).await?;
            out.push((t.id, source, figure.and_then(|f| f.value)));
        }
    }
    Ok(out)
}

/// What the period sheet is filled from: every report of the round, as
/// typed so far.
pub struct SheetFacts {
    pub round: Round,
    pub views: Vec<ReportView>,
    pub tasks: Vec<Task>,
    pub targets: Vec<Target>,
}

/// The facts of a round's period sheet, for its focal point; the download
/// is recorded.
pub async fn period_sheet(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
) -> Result<SheetFacts, AppError> {
    let round = sheet_round(state, caller.principal, id).await?;
    let store = &state.store;
    let views = views_of(store, &round, false).await?;
    let tasks = live_tasks(store, round.plan_id).await?;
    let targets = store.targets_of_plan(round.plan_id).await?;
    store
        .record_export(&caller.actor, "round", id, "sheet")
        .await?;
    Ok(SheetFacts {
        round,
        views,
        tasks,
        targets,
    })
}

/// A filled period sheet: every row is checked before anything is stored;
/// one bad row refuses the whole file and is named. Returns the number of
/// rows applied.
pub async fn upload_sheet(
    state: &AppState,
    caller: &Caller<'_>,
    id: i64,
    bytes: &[u8],
) -> Result<usize, AppError> {
    let round = sheet_round(state, caller.principal, id).await?;
    let rows = export::parse_period_sheet(bytes, &round.period_key)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let updates = bulk_updates(rows)?;
    refuse_confidential_rows(state, caller, &updates).await?;
    Ok(state
        .store
        .apply_bulk(round.id, updates, &caller.actor)
        .await?)
}

/// A sheet row giving a result for a confidential task ("mật") is refused
/// like the same result typed into the report: the row named, the attempt
/// audited, nothing stored.
async fn refuse_confidential_rows(
    state: &AppState,
    caller: &Caller<'_>,
    updates: &[BulkUpdate],
) -> Result<(), AppError> {
    for update in updates {
        let BulkUpdate::Task {
            row,
            task_id,
            draft,
        } = update
        else {
            continue;
        };
        if draft.result.as_deref().is_none_or(|r| r.trim().is_empty()) {
            continue;
        }
        let Some(task) = state.store.task(*task_id).await? else {
            continue;
        };
        if !task.confidential {
            continue;
        }
        let refusal = ReportError::ConfidentialContent(task_name(&task));
        let message = format!("Dòng {row}: {refusal}");
        let plan = state
            .store
            .plan(task.plan_id)
            .await?
            .ok_or(AppError::NotFound)?;
        refused_confidential(state, caller, &plan, Some(task.id), &message).await?;
        return Err(AppError::Invalid(message));
    }
    Ok(())
}

/// The reports of a round with their items, only the accepted ones when
/// asked.
async fn views_of(
    store: &Store,
    round: &Round,
    accepted_only: bool,
) -> Result<Vec<ReportView>, AppError> {
    let mut views = Vec::new();
    for r in store.reports_of_round(round.id).await? {
        if accepted_only && r.status != ReportStatus::Accepted {
            continue;
        }
        if let Some(v) = store.report_view(r.id).await? {
            views.push(v);
        }
    }
    Ok(views)
}

pub(super) async fn live_tasks(store: &Store, plan_id: i64) -> Result<Vec<Task>, AppError> {
    Ok(store
        .tasks_of_plan(plan_id)
        .await?
        .into_iter()
        .filter(|t| !t.draft && t.not_applicable_reason.is_none())
        .collect())
}

/// Turns sheet rows into validated domain drafts, naming the first bad row.
pub fn bulk_updates(rows: Vec<BulkRow>) -> Result<Vec<BulkUpdate>, AppError> {
    rows.into_iter().map(bulk_update).collect()
}

fn bulk_update(row: BulkRow) -> Result<BulkUpdate, AppError> {
    match row {
        BulkRow::Task {
            row,
            id,
            status,
            percent,
            result,
        } => {
            let status = TaskStatus::parse_any(&status).ok_or_else(|| {
                AppError::Invalid(format!("Dòng {row}: tình trạng “{status}” không hợp lệ"))
            })?;
            let draft = TaskUpdateDraft {
                status: Some(status),
                percent,
                result: Some(result),
                suspend_reason: None,
                nothing_this_period: false,
            }
            .validate()
            .map_err(|e| AppError::Invalid(format!("Dòng {row}: {e}")))?;
            Ok(BulkUpdate::Task {
                row,
                task_id: id,
                draft,
            })
        }
        BulkRow::Target {
            row,
            id,
            value,
            source,
        } => {
            let draft = TargetFigureDraft {
                value,
                source: Some(source),
                no_data_reason: None,
                nothing_this_period: false,
            }
            .validate()
            .map_err(|e| AppError::Invalid(format!("Dòng {row}: {e}")))?;
            Ok(BulkUpdate::Target {
                row,
                target_id: id,
                draft,
            })
        }
    }
}
