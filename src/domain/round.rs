//! Reporting rounds and the unit reports in them, as the store keeps them
//! and the pages and API show them: a round of a plan for one period, each
//! unit's report in it, and the items a unit reports (task updates and
//! target figures, with evidence).

use chrono::NaiveDate;

use crate::domain::evidence::Evidence;
use crate::domain::period::PeriodKind;
use crate::domain::report::{
    ReportStatus, TargetFigureDraft, TaskStatus, TaskUpdateDraft, target_answered, task_answered,
};
use crate::domain::target::Target;
use crate::domain::task::Task;

#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    pub id: i64,
    pub plan_id: i64,
    pub plan_title: String,
    /// Path of the plan's issuer: access to the round follows it.
    pub scope_path: String,
    pub province_id: Option<i64>,
    pub commune_id: Option<i64>,
    pub period_key: String,
    pub kind: PeriodKind,
    pub title: Option<String>,
    pub unit_due_on: NaiveDate,
    pub consolidated_due_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnitReport {
    pub id: i64,
    pub round_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub unit_path: String,
    pub status: ReportStatus,
    pub difficulties: Option<String>,
    pub recommendations: Option<String>,
    pub first_submitted_at: Option<i64>,
    pub submitted_at: Option<i64>,
    pub reviewed_at: Option<i64>,
    pub review_comment: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskUpdate {
    pub id: i64,
    pub task_id: i64,
    pub status: Option<TaskStatus>,
    pub percent: Option<u8>,
    pub result: Option<String>,
    pub suspend_reason: Option<String>,
    pub nothing_this_period: bool,
    pub review_comment: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetFigure {
    pub id: i64,
    pub target_id: i64,
    pub value: Option<f64>,
    pub source: Option<String>,
    pub no_data_reason: Option<String>,
    pub nothing_this_period: bool,
    pub review_comment: Option<String>,
    pub version: i64,
}

/// One task of a unit's report: the task, whether the unit leads it, what
/// was reported, and the evidence.
#[derive(Debug, Clone)]
pub struct TaskItem {
    pub task: Task,
    pub leads: bool,
    pub update: Option<TaskUpdate>,
    pub evidence: Vec<Evidence>,
}

#[derive(Debug, Clone)]
pub struct TargetItem {
    pub target: Target,
    pub figure: Option<TargetFigure>,
}

/// A unit's report with everything on it.
#[derive(Debug, Clone)]
pub struct ReportView {
    pub round: Round,
    pub report: UnitReport,
    pub tasks: Vec<TaskItem>,
    pub targets: Vec<TargetItem>,
}

/// An item comment from the reviewer.
#[derive(Debug, Clone)]
pub enum ItemComment {
    Task(i64, String),
    Target(i64, String),
}

/// The commune's consolidated report of a round: `consolidated`, then
/// `approved` by a leader.
#[derive(Debug, Clone, PartialEq)]
pub struct Consolidated {
    pub round_id: i64,
    pub status: String,
    pub number: Option<String>,
    pub consolidated_at: Option<i64>,
    pub approved_at: Option<i64>,
    pub approved_by: Option<i64>,
    pub version: i64,
}

/// An item of a report the unit has not answered yet.
#[derive(Debug, Clone, PartialEq)]
pub enum Unanswered {
    /// A task, by its number in the plan (or its title when it has none).
    Task(i64, String),
    Target(i64, String),
}

impl TaskItem {
    pub fn is_answered(&self) -> bool {
        let u = self.update.as_ref();
        task_answered(
            u.and_then(|u| u.status),
            u.and_then(|u| u.result.as_deref()),
            self.evidence.len(),
            u.is_some_and(|u| u.nothing_this_period),
            self.task.confidential,
        )
    }
}

impl TargetItem {
    pub fn is_answered(&self) -> bool {
        let f = self.figure.as_ref();
        target_answered(
            f.and_then(|f| f.value),
            f.and_then(|f| f.source.as_deref()),
            f.and_then(|f| f.no_data_reason.as_deref()),
            f.is_some_and(|f| f.nothing_this_period),
        )
    }
}

impl ReportView {
    /// The report as it is after a save that wrote `report` and these
    /// items (each replacing the item of the same task or target).
    pub fn with_saved(
        mut self,
        report: UnitReport,
        tasks: Vec<TaskUpdate>,
        figures: Vec<TargetFigure>,
    ) -> ReportView {
        self.report = report;
        for update in tasks {
            if let Some(item) = self.tasks.iter_mut().find(|i| i.task.id == update.task_id) {
                item.update = Some(update);
            }
        }
        for figure in figures {
            if let Some(item) = self
                .targets
                .iter_mut()
                .find(|i| i.target.id == figure.target_id)
            {
                item.figure = Some(figure);
            }
        }
        self
    }

    /// The items still to answer before the report may be sent.
    pub fn unanswered(&self) -> Vec<Unanswered> {
        self.unanswered_after(&[], &[], &[])
    }

    /// The items still to answer once these edits are saved and this
    /// evidence attached (task ids, one per piece): what a submission is
    /// checked against, before anything is written.
    pub fn unanswered_after(
        &self,
        tasks: &[(i64, &TaskUpdateDraft)],
        targets: &[(i64, &TargetFigureDraft)],
        evidence_for: &[i64],
    ) -> Vec<Unanswered> {
        let task_items = self.tasks.iter().filter_map(|i| {
            let id = i.task.id;
            let evidence = i.evidence.len() + evidence_for.iter().filter(|t| **t == id).count();
            let answered = match tasks.iter().find(|(t, _)| *t == id) {
                Some((_, d)) => task_answered(
                    d.status,
                    d.result.as_deref(),
                    evidence,
                    d.nothing_this_period,
                    i.task.confidential,
                ),
                None => {
                    let u = i.update.as_ref();
                    task_answered(
                        u.and_then(|u| u.status),
                        u.and_then(|u| u.result.as_deref()),
                        evidence,
                        u.is_some_and(|u| u.nothing_this_period),
                        i.task.confidential,
                    )
                }
            };
            let name = || {
                i.task
                    .reference
                    .clone()
                    .unwrap_or_else(|| i.task.title.clone())
            };
            (!answered).then(|| Unanswered::Task(id, name()))
        });
        let target_items = self.targets.iter().filter_map(|i| {
            let answered = match targets.iter().find(|(t, _)| *t == i.target.id) {
                Some((_, d)) => target_answered(
                    d.value,
                    d.source.as_deref(),
                    d.no_data_reason.as_deref(),
                    d.nothing_this_period,
                ),
                None => i.is_answered(),
            };
            (!answered).then(|| Unanswered::Target(i.target.id, i.target.name.clone()))
        });
        task_items.chain(target_items).collect()
    }
}

impl From<&TaskUpdate> for TaskUpdateDraft {
    /// What is stored, as the draft that would store it again.
    fn from(u: &TaskUpdate) -> TaskUpdateDraft {
        TaskUpdateDraft {
            status: u.status,
            percent: u.percent,
            result: u.result.clone(),
            suspend_reason: u.suspend_reason.clone(),
            nothing_this_period: u.nothing_this_period,
        }
    }
}

impl From<&TargetFigure> for TargetFigureDraft {
    fn from(f: &TargetFigure) -> TargetFigureDraft {
        TargetFigureDraft {
            value: f.value,
            source: f.source.clone(),
            no_data_reason: f.no_data_reason.clone(),
            nothing_this_period: f.nothing_this_period,
        }
    }
}
