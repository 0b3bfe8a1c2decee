//! Reporting rounds and the unit reports in them, as the store keeps them
//! and the pages and API show them: a round of a plan for one period, each
//! unit's report in it, and the items a unit reports (task updates and
//! target figures, with evidence).

use chrono::NaiveDate;

use crate::domain::evidence::Evidence;
use crate::domain::period::PeriodKind;
use crate::domain::report::{ReportStatus, TaskStatus};
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
    pub review_comment: Option<String>,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetFigure {
    pub id: i64,
    pub target_id: i64,
    pub value: Option<f64>,
    pub source: Option<String>,
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
