//! The API's shapes for reporting.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::domain::report::{Completeness, Timeliness};
use crate::domain::round::{ReportView, Round, UnitReport};
use crate::web::labels::{evidence_label, round_label};

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundOut {
    pub id: i64,
    pub plan_id: i64,
    /// `2026-07`, `2026-Q3`, `2026-H1`, `2026-9M`, `2026`, or an ad-hoc range.
    pub period: String,
    pub kind: String,
    pub label: String,
    pub unit_due_on: String,
    pub consolidated_due_on: String,
}

impl From<&Round> for RoundOut {
    fn from(r: &Round) -> Self {
        RoundOut {
            id: r.id,
            plan_id: r.plan_id,
            period: r.period_key.clone(),
            kind: r.kind.as_str().to_string(),
            label: round_label(r),
            unit_due_on: r.unit_due_on.to_string(),
            consolidated_due_on: r.consolidated_due_on.to_string(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CompletenessOut {
    pub expected: i64,
    pub on_time: i64,
    pub late: i64,
    pub missing: i64,
    pub not_due: i64,
    /// Percent of expected reports received.
    pub received_rate: f64,
    /// Percent of expected reports received on time.
    pub on_time_rate: f64,
}

impl From<Completeness> for CompletenessOut {
    fn from(c: Completeness) -> Self {
        CompletenessOut {
            expected: c.expected,
            on_time: c.on_time,
            late: c.late,
            missing: c.missing,
            not_due: c.not_due,
            received_rate: c.received_rate(),
            on_time_rate: c.on_time_rate(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitReportOut {
    pub id: i64,
    pub round_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    /// `pending`, `draft`, `submitted`, `returned` or `accepted`.
    pub status: String,
    /// `on_time`, `late`, `missing` or `not_due`.
    pub timeliness: String,
    pub difficulties: Option<String>,
    pub recommendations: Option<String>,
    pub review_comment: Option<String>,
    pub version: i64,
}

pub fn timeliness_code(t: Timeliness) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl UnitReportOut {
    pub fn new(r: &UnitReport, t: Timeliness) -> UnitReportOut {
        UnitReportOut {
            id: r.id,
            round_id: r.round_id,
            unit_id: r.unit_id,
            unit_name: r.unit_name.clone(),
            status: r.status.as_str().to_string(),
            timeliness: timeliness_code(t),
            difficulties: r.difficulties.clone(),
            recommendations: r.recommendations.clone(),
            review_comment: r.review_comment.clone(),
            version: r.version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDetailOut {
    pub round: RoundOut,
    pub completeness: CompletenessOut,
    pub reports: Vec<UnitReportOut>,
    /// `consolidated` or `approved` once the focal point has consolidated.
    pub consolidated: Option<String>,
    /// Units that have not sent their report: the consolidated report
    /// names them.
    pub missing_units: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceOut {
    pub id: i64,
    /// `file`, `document` or `link`.
    pub kind: String,
    pub description: String,
    pub sha256: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskItemOut {
    pub task_id: i64,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub title: String,
    /// True when the unit leads the task, false when it supports it.
    pub leads: bool,
    pub status: Option<String>,
    pub percent: Option<u8>,
    pub result: Option<String>,
    pub suspend_reason: Option<String>,
    pub nothing_this_period: bool,
    /// Whether the item is answered (a report is sent only when all are).
    pub answered: bool,
    pub review_comment: Option<String>,
    /// 0 until the item is first saved.
    pub version: i64,
    pub evidence: Vec<EvidenceOut>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetItemOut {
    pub target_id: i64,
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    pub name: String,
    pub value: Option<f64>,
    pub source: Option<String>,
    pub no_data_reason: Option<String>,
    pub nothing_this_period: bool,
    pub answered: bool,
    pub review_comment: Option<String>,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportOut {
    pub report: UnitReportOut,
    pub round: RoundOut,
    pub tasks: Vec<TaskItemOut>,
    pub targets: Vec<TargetItemOut>,
}

impl ReportOut {
    pub fn new(v: &ReportView, t: Timeliness) -> ReportOut {
        ReportOut {
            report: UnitReportOut::new(&v.report, t),
            round: RoundOut::from(&v.round),
            tasks: v
                .tasks
                .iter()
                .map(|i| {
                    let u = i.update.as_ref();
                    TaskItemOut {
                        task_id: i.task.id,
                        reference: i.task.reference.clone(),
                        title: i.task.title.clone(),
                        leads: i.leads,
                        status: u.and_then(|u| u.status).map(|s| s.as_str().to_string()),
                        percent: u.and_then(|u| u.percent),
                        result: u.and_then(|u| u.result.clone()),
                        suspend_reason: u.and_then(|u| u.suspend_reason.clone()),
                        nothing_this_period: u.is_some_and(|u| u.nothing_this_period),
                        answered: i.is_answered(),
                        review_comment: u.and_then(|u| u.review_comment.clone()),
                        version: u.map(|u| u.version).unwrap_or(0),
                        evidence: i
                            .evidence
                            .iter()
                            .map(|e| EvidenceOut {
                                id: e.id,
                                kind: e.kind.clone(),
                                description: evidence_label(e),
                                sha256: e.blob_sha256.clone(),
                                url: e.url.clone(),
                            })
                            .collect(),
                    }
                })
                .collect(),
            targets: v
                .targets
                .iter()
                .map(|i| {
                    let f = i.figure.as_ref();
                    TargetItemOut {
                        target_id: i.target.id,
                        reference: i.target.reference.clone(),
                        name: i.target.name.clone(),
                        value: f.and_then(|f| f.value),
                        source: f.and_then(|f| f.source.clone()),
                        no_data_reason: f.and_then(|f| f.no_data_reason.clone()),
                        nothing_this_period: f.is_some_and(|f| f.nothing_this_period),
                        answered: i.is_answered(),
                        review_comment: f.and_then(|f| f.review_comment.clone()),
                        version: f.map(|f| f.version).unwrap_or(0),
                    }
                })
                .collect(),
        }
    }
}

/// A task item of a save. A field left out (or null) keeps its value; an
/// empty string clears a text or the status.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskItemIn {
    pub task_id: i64,
    /// The item's version as read (0 if never saved).
    pub version: i64,
    /// `not_started`, `in_progress`, `done`, `done_late` or `suspended`.
    pub status: Option<String>,
    pub percent: Option<u8>,
    pub result: Option<String>,
    pub suspend_reason: Option<String>,
    /// "Không phát sinh trong kỳ": nothing happened on the task this
    /// period, which answers the item.
    pub nothing_this_period: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetItemIn {
    pub target_id: i64,
    pub version: i64,
    pub value: Option<f64>,
    pub source: Option<String>,
    /// Why there is no figure yet; answers the item without a value.
    pub no_data_reason: Option<String>,
    /// "Không phát sinh trong kỳ".
    pub nothing_this_period: Option<bool>,
}

/// A save of a report: only the items and notes named change; a field left
/// out (or null) keeps its value, an empty string clears a text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportIn {
    #[serde(default)]
    pub tasks: Vec<TaskItemIn>,
    #[serde(default)]
    pub targets: Vec<TargetItemIn>,
    pub difficulties: Option<String>,
    pub recommendations: Option<String>,
    /// Answers to the leaders' directions to the unit (see
    /// `GET /api/reports/{id}`'s `directions`).
    #[serde(default)]
    pub directions: Vec<DirectionAnswerIn>,
    /// Submit after saving; a submitted report is locked.
    #[serde(default)]
    pub submit: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DirectionAnswerIn {
    pub direction_id: i64,
    pub answer: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemCommentIn {
    pub task_id: Option<i64>,
    pub target_id: Option<i64>,
    pub comment: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewIn {
    /// `accept` or `return`.
    pub decision: String,
    pub comment: Option<String>,
    #[serde(default)]
    pub items: Vec<ItemCommentIn>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EvidenceIn {
    pub task_id: i64,
    /// An issued document's number and symbol (`15/QĐ-UBND`)…
    pub number: Option<String>,
    /// …and its ISO date.
    pub date: Option<String>,
    /// Or a link (http or https).
    pub url: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AdHocRoundIn {
    pub plan_id: i64,
    pub title: String,
    /// ISO date by which units report.
    pub due: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsolidateIn {
    pub number: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeadlineIn {
    pub deadline: String,
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotApplicableIn {
    /// Why the task does not apply; null to apply it again.
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitIn {
    /// Plans implementing the task's plan.
    pub plan_ids: Vec<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneCompletenessOut {
    pub commune_id: i64,
    pub commune_name: String,
    pub completeness: CompletenessOut,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompletenessParams {
    /// First due date counted (ISO); default the first of this month.
    pub from: Option<String>,
    /// Last due date counted (ISO); default today.
    pub to: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundParams {
    pub plan_id: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MyReportsParams {
    /// Only the reports still to be typed or sent again (`pending`,
    /// `draft`, `returned`).
    pub editable: Option<bool>,
}

/// One of the caller's unit reports, with its round: what a unit has to
/// fill in, newest due date first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyReportOut {
    pub report: UnitReportOut,
    pub round: RoundOut,
    pub plan_title: String,
}

/// One commune's consolidated report of a province round.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneReportOut {
    pub commune_id: i64,
    pub commune_name: String,
    pub plan_id: i64,
    /// The commune's round of the same period, if it has opened it.
    pub round_id: Option<i64>,
    /// The commune's consolidation day.
    pub due_on: String,
    /// `on_time`, `late`, `missing`, `waiting` (not due yet) or `returned`.
    pub state: String,
    pub state_label: String,
    /// `consolidated`, `approved` or `returned`; none when never consolidated.
    pub status: Option<String>,
    pub number: Option<String>,
    /// When it was last consolidated, epoch milliseconds.
    pub consolidated_at: Option<i64>,
    /// Why the province sent it back.
    pub return_reason: Option<String>,
}

/// A province round with its communes' consolidated reports.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommuneReportsOut {
    pub round: RoundOut,
    pub on_time: usize,
    pub late: usize,
    pub missing: usize,
    pub waiting: usize,
    pub returned: usize,
    pub communes: Vec<CommuneReportOut>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnIn {
    /// Why the consolidated report goes back to the commune.
    pub reason: String,
}

/// A commune's copy of a split task.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChildTaskOut {
    pub task_id: i64,
    pub plan_id: i64,
    pub commune_id: i64,
    pub commune_name: String,
    /// The status of its last accepted update, if any.
    pub status: Option<String>,
    /// Its share done, 0 to 100 (a done task counts 100).
    pub percent: u8,
    pub not_applicable: bool,
}

/// A split task with its communes' copies and its progress rolled up.
#[derive(Debug, Serialize, ToSchema)]
pub struct SplitProgressOut {
    pub task_id: i64,
    /// Copies that count (not marked not applicable), every commune's.
    pub communes: usize,
    pub done: usize,
    /// The mean share done of the copies that count.
    pub percent: Option<u8>,
    /// `not_started`, `in_progress` or `done`, rolled up.
    pub status: Option<String>,
    pub children: Vec<ChildTaskOut>,
}
