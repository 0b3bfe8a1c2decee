//! The reviews over the term of a plan (giao ban quý, sơ kết 6 tháng,
//! tổng kết năm, sơ kết giữa nhiệm kỳ, tổng kết nhiệm kỳ): the facts,
//! read from the accepted reports of the span and added up by
//! `domain::review`; laid out as .docx and .xlsx by the web layer. The same
//! people as a round's consolidated report may have them, and every
//! download is recorded.

use super::exports::live_tasks;
use super::{AppError, Caller};
use crate::app::AppState;
use crate::domain::plan::Plan;
use crate::domain::review::{
    AcceptedFigure, Accumulation, ReviewKind, ReviewSpan, TargetReview, TaskReview,
    completed_per_column, review_targets, review_tasks,
};
use crate::domain::target::Target;
use crate::domain::task::Task;
use crate::domain::unit::Unit;

/// Everything a review says, read at once.
pub struct ReviewFacts {
    pub plan: Plan,
    pub issuer: Unit,
    /// The province above the issuing commune.
    pub province: Option<Unit>,
    pub span: ReviewSpan,
    /// The plan's live tasks and its targets, in the plan's order, and
    /// their reviews in the same order.
    pub tasks: Vec<Task>,
    pub targets: Vec<Target>,
    pub task_reviews: Vec<TaskReview>,
    pub target_reviews: Vec<TargetReview>,
    /// Tasks completed in each period of the span.
    pub completed: Vec<usize>,
    pub today: chrono::NaiveDate,
}

/// The review of a plan over `kind`'s span in `year`, for whoever follows
/// its rounds (else 404, as a round's report); the download (`format`) is
/// recorded.
pub async fn plan_review(
    state: &AppState,
    caller: &Caller<'_>,
    plan_id: i64,
    kind: ReviewKind,
    year: i32,
    format: &str,
) -> Result<ReviewFacts, AppError> {
    let plan = super::access::readable_plan(state, caller.principal, plan_id).await?;
    if !caller.principal.can_follow_round(&plan.issuer_path) {
        return Err(AppError::NotFound);
    }
    let span = ReviewSpan::new(kind, year).map_err(|e| AppError::Invalid(e.to_string()))?;
    let store = &state.store;
    let issuer = store
        .unit(plan.issuer_unit_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let province = match issuer.province_id.filter(|p| *p != issuer.id) {
        Some(id) => store.unit(id).await?,
        None => None,
    };
    let tasks = live_tasks(store, plan.id).await?;
    let targets = store.targets_of_plan(plan.id).await?;
    // A round is due within its period's last month; a month's margin
    // takes in a regime with a later day, and the review keeps only the
    // periods inside its columns.
    let to = span.end() + chrono::Days::new(31);
    let mut answers = Vec::new();
    for (unit_id, mut answer) in store
        .accepted_task_answers(plan.id, span.start(), to)
        .await?
    {
        answer.leads = tasks
            .iter()
            .any(|t| t.id == answer.task_id && t.lead.iter().any(|m| m.unit_id == Some(unit_id)));
        answers.push(answer);
    }
    let task_ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    let task_reviews = review_tasks(&span, &task_ids, &answers);
    let figures = figures(state, &span, &targets, plan.id, to).await?;
    let accumulations: Vec<(i64, Accumulation)> = targets
        .iter()
        .map(|t| (t.id, Accumulation::of_unit(t.measure_unit.as_deref())))
        .collect();
    let target_reviews = review_targets(&span, &accumulations, &figures);
    let completed = completed_per_column(&span, &task_reviews);
    store
        .record_export(
            &caller.actor,
            "plan",
            plan.id,
            &format!("review_{}_{format}", kind.as_str()),
        )
        .await?;
    Ok(ReviewFacts {
        today: store.clock().today(),
        plan,
        issuer,
        province,
        span,
        tasks,
        targets,
        task_reviews,
        target_reviews,
        completed,
    })
}

/// The accepted figures of the span; a target fed by an automatic source
/// (citizens' satisfaction, initiatives recognised) by that source's figure
/// of each period instead, as the consolidated report judges it.
async fn figures(
    state: &AppState,
    span: &ReviewSpan,
    targets: &[Target],
    plan_id: i64,
    to: chrono::NaiveDate,
) -> Result<Vec<AcceptedFigure>, AppError> {
    let store = &state.store;
    let mut figures = store
        .accepted_target_figures(plan_id, span.start(), to)
        .await?;
    for t in targets {
        if store.target_source(t.id).await?.is_none() {
            continue;
        }
        figures.retain(|f| f.target_id != t.id);
        for (i, column) in span.columns.iter().enumerate() {
            let figure = store.auto_figure(t.id, &column.key()).await?;
            if let Some(value) = figure.and_then(|f| f.value) {
                figures.push(AcceptedFigure {
                    // Not a round: one figure of its own a column.
                    round_id: -1 - i64::try_from(i).unwrap_or(0),
                    period: *column,
                    target_id: t.id,
                    value: Some(value),
                    nothing_this_period: false,
                });
            }
        }
    }
    Ok(figures)
}
