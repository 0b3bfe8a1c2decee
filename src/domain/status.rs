//! Where a task and a target stand on a given day, as the dashboards show
//! it to leaders.
//!
//! # Task states
//!
//! The rules are applied in this order; the first that fits wins:
//!
//! 1. The task does not apply to the unit → **Không áp dụng**.
//! 2. The latest accepted report says *Tạm dừng* → **Tạm dừng**.
//! 3. The latest report says *Hoàn thành*: **Hoàn thành đúng hạn** when
//!    the first report that said so was sent by the end of the due day (or
//!    the task has no due date), otherwise **Hoàn thành quá hạn**. A report
//!    that already says *Hoàn thành quá hạn* stays so. Units repeat "done"
//!    every period after finishing; the repetition changes nothing.
//!    For a recurring task (every year, every quarter …) a completion only
//!    counts for the occurrence its round belongs to: once the next
//!    occurrence starts, the task is judged afresh as not yet done, and the
//!    old completion counts as no report for the new occurrence.
//! 4. Otherwise, for a task with a due date (the final date of a one-off
//!    task, or the next occurrence of a recurring one): past the due date →
//!    **Quá hạn**; at most [`DUE_SOON_WORKING_DAYS`] working days left
//!    (holidays and make-up Saturdays counted by the work calendar) →
//!    **Sắp đến hạn**.
//! 5. Otherwise **Chưa triển khai** when nothing or only "chưa triển khai"
//!    was reported, and **Đang thực hiện** when work was reported. Tasks
//!    without a due date ("Thường xuyên", unreadable deadlines) end here.
//!
//! Rules 3 and 4 are [`progress`], the one task rule: the dashboards'
//! counters (`domain::rollup`), the lists and warnings read from them and
//! `theodoi gen` all use it. A recurring task rolls over to its next
//! occurrence the day after each due date, so it is never "Quá hạn"; a
//! missed occurrence shows up in the report timeliness figures instead.
//! Each occurrence counts for its own period. Reports sent after the day
//! asked are ignored, since they did not exist yet.
//!
//! # Targets
//!
//! A figure is compared with the goal for its year ([`Target::goal_for`]).
//! [`trajectory`] fits a straight line (least squares) through a target's
//! history and warns when that trend, carried to 31 December of a goal
//! year, would miss the goal.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::domain::calendar::WorkCalendar;
use crate::domain::deadline::{Deadline, DeadlineKind};
use crate::domain::goal::{Comparator, Goal};
use crate::domain::period::{PeriodKind, ReportingPeriod, last_day_of_month};
use crate::domain::report::{TaskStatus, end_of_day_ms, vietnam_date};
use crate::domain::target::Target;

/// Where a task stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskState {
    NotStarted,
    OnTrack,
    DueSoon,
    Overdue,
    DoneOnTime,
    DoneLate,
    Suspended,
    NotApplicable,
}

impl TaskState {
    pub const ALL: [TaskState; 8] = [
        TaskState::NotStarted,
        TaskState::OnTrack,
        TaskState::DueSoon,
        TaskState::Overdue,
        TaskState::DoneOnTime,
        TaskState::DoneLate,
        TaskState::Suspended,
        TaskState::NotApplicable,
    ];

    /// The stable machine name, equal to the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskState::NotStarted => "not_started",
            TaskState::OnTrack => "on_track",
            TaskState::DueSoon => "due_soon",
            TaskState::Overdue => "overdue",
            TaskState::DoneOnTime => "done_on_time",
            TaskState::DoneLate => "done_late",
            TaskState::Suspended => "suspended",
            TaskState::NotApplicable => "not_applicable",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            TaskState::NotStarted => "Chưa triển khai",
            TaskState::OnTrack => "Đang thực hiện",
            TaskState::DueSoon => "Sắp đến hạn",
            TaskState::Overdue => "Quá hạn",
            TaskState::DoneOnTime => "Hoàn thành đúng hạn",
            TaskState::DoneLate => "Hoàn thành quá hạn",
            TaskState::Suspended => "Tạm dừng",
            TaskState::NotApplicable => "Không áp dụng",
        }
    }

    /// States that need a leader's attention now.
    pub fn is_problem(self) -> bool {
        matches!(self, TaskState::Overdue | TaskState::DueSoon)
    }
}

/// An accepted report's word on a task: with the deadline, the only input
/// of the task rule ([`progress`]). A task's updates are handed over oldest
/// first, in the order of their rounds' due dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AcceptedUpdate {
    pub status: TaskStatus,
    /// The due date of the report's round. It places the report in an
    /// occurrence of a recurring task: a report speaks for its round's
    /// period even when it is sent after that occurrence's due date.
    pub round_due_on: NaiveDate,
    /// When the report was first sent (epoch milliseconds): a completion is
    /// on time when the report that first said so was sent by the end of
    /// the due day. `None` only for records loaded without it; such a
    /// report is taken as on time, sent on its round's due date.
    pub first_submitted_at: Option<i64>,
}

impl AcceptedUpdate {
    /// The day the report came into existence, in Vietnam.
    pub fn sent_on(&self) -> NaiveDate {
        self.first_submitted_at
            .map_or(self.round_due_on, vietnam_date)
    }
}

/// How a done task was done. Stored in `task_facts.done` under these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DoneTiming {
    OnTime,
    Late,
}

impl DoneTiming {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            DoneTiming::OnTime => "on_time",
            DoneTiming::Late => "late",
        }
    }

    pub fn parse(s: &str) -> Option<DoneTiming> {
        [DoneTiming::OnTime, DoneTiming::Late]
            .into_iter()
            .find(|t| t.as_str() == s)
    }
}

/// Where a task's work stands on a day, before the calendar says whether
/// that is late or soon: the due date it answers to, and whether it is done
/// for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// See [`due_date_for`].
    pub due: Option<NaiveDate>,
    /// Done for the occurrence due on `due` (one-off and undated tasks
    /// have one occurrence), and whether on time.
    pub done: Option<DoneTiming>,
}

/// The task rule, shared by [`task_state`], the dashboards' counters
/// (`domain::rollup`), the lists and warnings read from them, and
/// `theodoi gen`.
///
/// - The task answers to the due date of [`due_date_for`] on `on`: the
///   final date of a one-off task, the next occurrence of a recurring one,
///   none for ongoing and unreadable deadlines.
/// - It is done when the latest accepted update says *Hoàn thành* (or
///   *Hoàn thành quá hạn*). For a recurring task that update must belong
///   to the current occurrence: its round falls due after the previous
///   occurrence. A completion of an earlier occurrence counts for nothing
///   now: each occurrence counts for its own period.
/// - Units keep reporting a finished task as done every period, so whether
///   it was done on time is decided by the first update of the occurrence
///   that said done: late when it said *Hoàn thành quá hạn* or was first
///   sent after the end of the due day, otherwise on time (always on time
///   without a due date).
pub fn progress(deadline: &Deadline, updates: &[AcceptedUpdate], on: NaiveDate) -> Progress {
    progress_judged(deadline, &[], updates, on)
}

/// A deadline a task had before, in force until `until` (epoch
/// milliseconds), when a change (a focal point's, or an approved
/// extension) replaced it.
#[derive(Debug, Clone, PartialEq)]
pub struct EarlierDeadline {
    pub until: i64,
    pub deadline: Deadline,
}

/// [`progress`], with the deadlines the task had before (oldest first): a
/// completion is on time or late by the deadline in force when the report
/// that first said done was sent, so an extension approved before the
/// work makes it on time, and one approved (or a deadline changed) after
/// it changes nothing. A recurring deadline in force then is judged by the
/// occurrence the task answers to now.
pub fn progress_judged(
    deadline: &Deadline,
    earlier: &[EarlierDeadline],
    updates: &[AcceptedUpdate],
    on: NaiveDate,
) -> Progress {
    let due = due_date_for(deadline, on);
    let since = occurrence_opened_after(deadline, due);
    let in_occurrence = |u: &&AcceptedUpdate| since.is_none_or(|s| u.round_due_on > s);
    let done = match updates.last() {
        Some(latest) if latest.status.is_done() && in_occurrence(&latest) => {
            let first = updates
                .iter()
                .filter(in_occurrence)
                .find(|u| u.status.is_done())
                .unwrap_or(latest);
            let sent_late = match first.first_submitted_at {
                Some(at) => {
                    // The deadline in force when it was sent: the first
                    // earlier one not yet replaced then, or the current one.
                    let judged = match earlier.iter().find(|e| at < e.until) {
                        Some(e) => e.deadline.final_due_date().or(due),
                        None => due,
                    };
                    judged.is_some_and(|d| at > end_of_day_ms(d))
                }
                None => false,
            };
            Some(if first.status == TaskStatus::DoneLate || sent_late {
                DoneTiming::Late
            } else {
                DoneTiming::OnTime
            })
        }
        _ => None,
    };
    Progress { due, done }
}

/// What [`task_state`] needs to know about one task for one unit.
#[derive(Debug, Clone, Copy)]
pub struct TaskFacts<'a> {
    pub deadline: &'a Deadline,
    pub not_applicable: bool,
    /// Every accepted update of the task, oldest first.
    pub updates: &'a [AcceptedUpdate],
}

/// "Sắp đến hạn" starts this many working days before the due date.
pub const DUE_SOON_WORKING_DAYS: i64 = 7;

/// The last due date that is "Sắp đến hạn" on `today`: a task due between
/// `today` and this date (both included) has at most
/// [`DUE_SOON_WORKING_DAYS`] working days left. A due date on the weekend
/// or holiday after the last of those days still counts, since no working
/// day separates it from them. The dashboards, the drill-down lists and
/// the warnings all ask this function.
pub fn due_soon_until(today: NaiveDate, cal: &WorkCalendar) -> NaiveDate {
    let first_too_far = cal.add_working_days(today, DUE_SOON_WORKING_DAYS + 1);
    first_too_far.pred_opt().unwrap_or(first_too_far)
}

/// The mark a task carries in lists: overdue, due soon, or done (on time
/// or late); none for a task not yet near its date or not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Badge {
    Overdue,
    DueSoon,
    DoneOnTime,
    DoneLate,
}

impl Badge {
    pub fn label_vi(self) -> &'static str {
        match self {
            Badge::Overdue => "Quá hạn",
            Badge::DueSoon => "Sắp đến hạn",
            Badge::DoneOnTime => "Hoàn thành đúng hạn",
            Badge::DoneLate => "Hoàn thành trễ hạn",
        }
    }

    /// The class the pages colour it by.
    pub fn class(self) -> &'static str {
        match self {
            Badge::Overdue => "bad",
            Badge::DueSoon => "warn",
            Badge::DoneOnTime => "good",
            Badge::DoneLate => "late",
        }
    }
}

/// A task's badge from its counted fact: `live` (counted), the due date it
/// answers to, and `done` (`on_time`/`late`) — the same facts the
/// dashboards count, so a list and a dashboard never disagree.
pub fn badge(
    live: bool,
    due_on: Option<NaiveDate>,
    done: Option<&str>,
    today: NaiveDate,
    soon_until: NaiveDate,
) -> Option<Badge> {
    if !live {
        return None;
    }
    match (done, due_on) {
        (Some("on_time"), _) => Some(Badge::DoneOnTime),
        (Some(_), _) => Some(Badge::DoneLate),
        (None, Some(d)) if d < today => Some(Badge::Overdue),
        (None, Some(d)) if d <= soon_until => Some(Badge::DueSoon),
        _ => None,
    }
}

/// The state of a task on `on` (see the module documentation for the rules).
pub fn task_state(f: &TaskFacts, on: NaiveDate, cal: &WorkCalendar) -> TaskState {
    if f.not_applicable {
        return TaskState::NotApplicable;
    }
    // A report sent after `on` did not exist yet.
    let known: Vec<AcceptedUpdate> = f
        .updates
        .iter()
        .filter(|u| u.sent_on() <= on)
        .copied()
        .collect();
    let latest = known.last().map(|u| u.status);
    if latest == Some(TaskStatus::Suspended) {
        return TaskState::Suspended;
    }
    let p = progress(f.deadline, &known, on);
    match p.done {
        Some(DoneTiming::OnTime) => return TaskState::DoneOnTime,
        Some(DoneTiming::Late) => return TaskState::DoneLate,
        None => {}
    }
    if let Some(d) = p.due {
        if on > d {
            return TaskState::Overdue;
        }
        if d <= due_soon_until(on, cal) {
            return TaskState::DueSoon;
        }
    }
    // A completion of an earlier occurrence says nothing of this one.
    match latest {
        Some(TaskStatus::InProgress) => TaskState::OnTrack,
        _ => TaskState::NotStarted,
    }
}

/// The date the task is next due on or after `on`: the final date of a
/// one-off deadline (even when already past), the next occurrence of a
/// yearly or periodic one, and `None` for ongoing and unreadable ones.
pub fn due_date_for(deadline: &Deadline, on: NaiveDate) -> Option<NaiveDate> {
    match deadline.kind() {
        kind if kind.is_one_off() => deadline.final_due_date(),
        DeadlineKind::Yearly | DeadlineKind::Periodic => [on.year(), on.year().checked_add(1)?]
            .into_iter()
            .flat_map(|y| occurrences(deadline, y))
            .filter(|d| *d >= on)
            .min(),
        _ => None,
    }
}

/// Whether a recurring deadline's occurrences roll over, one after another.
pub fn is_recurring(kind: DeadlineKind) -> bool {
    matches!(kind, DeadlineKind::Yearly | DeadlineKind::Periodic)
}

/// For a recurring task due on `due`: the occurrence before it, after which
/// the window of `due` opens. `None` for one-off and undated tasks, which
/// have a single occurrence, and for a first occurrence.
fn occurrence_opened_after(deadline: &Deadline, due: Option<NaiveDate>) -> Option<NaiveDate> {
    let due = due.filter(|_| is_recurring(deadline.kind()))?;
    [due.year().checked_sub(1)?, due.year()]
        .into_iter()
        .flat_map(|y| occurrences(deadline, y))
        .filter(|d| *d < due)
        .max()
}

/// Due dates of a recurring deadline within one calendar year.
fn occurrences(deadline: &Deadline, year: i32) -> Vec<NaiveDate> {
    match deadline.kind() {
        DeadlineKind::Yearly => {
            let started = deadline.start().is_none_or(|s| s.year() <= year);
            deadline
                .yearly_month()
                .filter(|_| started)
                .and_then(|m| last_day_of_month(year, m))
                .into_iter()
                .collect()
        }
        DeadlineKind::Periodic => deadline
            .periodic_kinds()
            .iter()
            .filter(|k| **k != PeriodKind::AdHoc)
            .flat_map(|k| ReportingPeriod::periods_of(*k, year))
            .map(|p| p.end())
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether a target's figure meets its goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetState {
    Met,
    NotMet,
    NoData,
}

impl TargetState {
    pub const ALL: [TargetState; 3] = [TargetState::Met, TargetState::NotMet, TargetState::NoData];

    /// Reads the machine name back (`target_facts.state` stores it).
    pub fn parse(s: &str) -> Option<TargetState> {
        TargetState::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// The stable machine name, equal to the serde form.
    pub fn as_str(self) -> &'static str {
        match self {
            TargetState::Met => "met",
            TargetState::NotMet => "not_met",
            TargetState::NoData => "no_data",
        }
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            TargetState::Met => "Đạt",
            TargetState::NotMet => "Chưa đạt",
            TargetState::NoData => "Chưa có số liệu",
        }
    }
}

/// Compares `value` with the target's goal for `year`. No figure, a
/// non-finite figure or no goal for the year gives `NoData`: nothing can
/// be judged.
pub fn target_state(target: &Target, year: i32, value: Option<f64>) -> TargetState {
    match target.goal_for(year) {
        Some(goal) => goal_state(goal, value),
        None => TargetState::NoData,
    }
}

/// Compares `value` with one goal: the rule the dashboards' counters count
/// each goal year by. No figure or a non-finite one gives `NoData`.
pub fn goal_state(goal: &Goal, value: Option<f64>) -> TargetState {
    match value.filter(|v| v.is_finite()) {
        Some(v) if goal.is_met_by(v) => TargetState::Met,
        Some(_) => TargetState::NotMet,
        None => TargetState::NoData,
    }
}

/// A point of a target's history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Measure {
    pub on: NaiveDate,
    pub value: f64,
}

/// A goal that the current trend would miss.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrajectoryWarning {
    pub year: i32,
    pub goal: Goal,
    /// The trend's value on 31 December of `year`.
    pub projected: f64,
    pub message: String,
}

/// Warns, for each goal year from today's year on, when the least-squares
/// trend of `history` projected to 31 December of that year misses the
/// goal. Fewer than two usable points (finite values on at least two
/// different dates) give no trend and no warning. Goals without a year have
/// no horizon to project to and are skipped.
///
/// Percentages (a measure unit containing `%`) are clamped to 0–100 and
/// ranks of a `Top N` goal to at least 1, because a straight line happily
/// runs past what the figure can be.
pub fn trajectory(
    target: &Target,
    history: &[Measure],
    today: NaiveDate,
) -> Vec<TrajectoryWarning> {
    trajectory_of(
        &target.goals,
        target.measure_unit.as_deref(),
        history,
        today,
    )
}

/// [`trajectory`] from a target's goals and its measure unit alone, as the
/// counters keep them.
pub fn trajectory_of(
    goals: &[Goal],
    measure_unit: Option<&str>,
    history: &[Measure],
    today: NaiveDate,
) -> Vec<TrajectoryWarning> {
    let Some(trend) = Trend::fit(history) else {
        return Vec::new();
    };
    let percent = measure_unit.is_some_and(|u| u.contains('%'));
    let mut warnings = Vec::new();
    for goal in goals {
        let Some(year) = goal.year.filter(|y| *y >= today.year()) else {
            continue;
        };
        let Some(end) = NaiveDate::from_ymd_opt(year, 12, 31) else {
            continue;
        };
        let mut projected = trend.at(end);
        if percent {
            projected = projected.clamp(0.0, 100.0);
        }
        if goal.op == Comparator::Top {
            projected = projected.max(1.0);
        }
        if !projected.is_finite() || goal.is_met_by(projected) {
            continue;
        }
        warnings.push(TrajectoryWarning {
            year,
            goal: goal.clone(),
            projected,
            message: warning_message(year, goal, projected),
        });
    }
    warnings
}

/// A straight line `value = mean_y + slope × (days − mean_x)`, with days
/// counted from the first usable measure to keep the numbers small.
struct Trend {
    origin: NaiveDate,
    mean_x: f64,
    mean_y: f64,
    slope: f64,
}

impl Trend {
    fn fit(history: &[Measure]) -> Option<Trend> {
        let points: Vec<&Measure> = history.iter().filter(|m| m.value.is_finite()).collect();
        let origin = points.iter().map(|m| m.on).min()?;
        let xy: Vec<(f64, f64)> = points
            .iter()
            .map(|m| ((m.on - origin).num_days() as f64, m.value))
            .collect();
        if xy.len() < 2 {
            return None;
        }
        let n = xy.len() as f64;
        let mean_x = xy.iter().map(|p| p.0).sum::<f64>() / n;
        let mean_y = xy.iter().map(|p| p.1).sum::<f64>() / n;
        let sxx: f64 = xy.iter().map(|p| (p.0 - mean_x).powi(2)).sum();
        let sxy: f64 = xy.iter().map(|p| (p.0 - mean_x) * (p.1 - mean_y)).sum();
        // All points on one day: no direction can be read from them.
        if sxx <= 0.0 || !sxx.is_finite() || !sxy.is_finite() {
            return None;
        }
        Some(Trend {
            origin,
            mean_x,
            mean_y,
            slope: sxy / sxx,
        })
    }

    fn at(&self, day: NaiveDate) -> f64 {
        let x = (day - self.origin).num_days() as f64;
        self.mean_y + self.slope * (x - self.mean_x)
    }
}

fn warning_message(year: i32, goal: &Goal, projected: f64) -> String {
    let verb = match goal.op {
        Comparator::Ge | Comparator::Gt => "chỉ đạt khoảng",
        Comparator::Le | Comparator::Lt => "vẫn ở mức khoảng",
        Comparator::Eq => "đạt khoảng",
        Comparator::Top => "chỉ xếp hạng khoảng",
    };
    let goal_text = if goal.text.trim().is_empty() {
        let op = match goal.op {
            Comparator::Ge => "≥",
            Comparator::Gt => ">",
            Comparator::Le => "≤",
            Comparator::Lt => "<",
            Comparator::Eq => "=",
            Comparator::Top => "Top",
        };
        format!("{op} {}", format_vi(goal.value))
    } else {
        goal.text.trim().to_string()
    };
    format!(
        "Với tốc độ hiện nay, đến cuối năm {year} {verb} {} (mục tiêu {goal_text})",
        format_vi(projected)
    )
}

/// A number the Vietnamese way: decimal comma, one decimal for figures of
/// 10 and more, two below (ratios such as 1,05 need them), no trailing
/// zeros.
pub(crate) fn format_vi(value: f64) -> String {
    let decimals = if value.abs() >= 10.0 { 1 } else { 2 };
    let mut s = format!("{value:.decimals$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if s == "-0" {
        s = "0".to_string();
    }
    s.replace('.', ",")
}

#[cfg(test)]
mod tests;
