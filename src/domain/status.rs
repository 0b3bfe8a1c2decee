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
mod tests {

    #[test]
    fn a_badge_follows_the_counted_fact() {
        let d = |day| NaiveDate::from_ymd_opt(2026, 3, day).expect("date");
        let (today, soon) = (d(10), d(19));
        assert_eq!(
            badge(true, Some(d(9)), None, today, soon),
            Some(Badge::Overdue)
        );
        assert_eq!(
            badge(true, Some(d(10)), None, today, soon),
            Some(Badge::DueSoon)
        );
        assert_eq!(
            badge(true, Some(d(19)), None, today, soon),
            Some(Badge::DueSoon)
        );
        assert_eq!(badge(true, Some(d(20)), None, today, soon), None);
        assert_eq!(badge(true, None, None, today, soon), None);
        assert_eq!(
            badge(true, Some(d(1)), Some("late"), today, soon),
            Some(Badge::DoneLate)
        );
        assert_eq!(
            badge(true, Some(d(1)), Some("on_time"), today, soon),
            Some(Badge::DoneOnTime)
        );
        assert_eq!(badge(false, Some(d(1)), None, today, soon), None);
        assert_eq!(Badge::Overdue.label_vi(), "Quá hạn");
    }

    use super::*;
    use crate::domain::goal::Direction;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    /// An update of a round due on the day given, sent at noon that day.
    fn update(status: TaskStatus, y: i32, m: u32, day: u32) -> AcceptedUpdate {
        AcceptedUpdate {
            status,
            round_due_on: d(y, m, day),
            first_submitted_at: Some(end_of_day_ms(d(y, m, day)) - 12 * 3_600_000),
        }
    }

    fn state(deadline: &Deadline, latest: Option<&AcceptedUpdate>, on: NaiveDate) -> TaskState {
        states(
            deadline,
            latest.map(std::slice::from_ref).unwrap_or_default(),
            on,
        )
    }

    fn states(deadline: &Deadline, updates: &[AcceptedUpdate], on: NaiveDate) -> TaskState {
        let facts = TaskFacts {
            deadline,
            not_applicable: false,
            updates,
        };
        task_state(&facts, on, &WorkCalendar::vietnam())
    }

    #[test]
    fn names_and_labels_are_stable() {
        for s in TaskState::ALL {
            let json = serde_json::to_value(s).expect("serialise");
            assert_eq!(json, serde_json::json!(s.as_str()));
            assert!(!s.label_vi().is_empty());
        }
        let problems: Vec<_> = TaskState::ALL
            .into_iter()
            .filter(|s| s.is_problem())
            .collect();
        assert_eq!(problems, [TaskState::DueSoon, TaskState::Overdue]);
        for s in TargetState::ALL {
            let json = serde_json::to_value(s).expect("serialise");
            assert_eq!(json, serde_json::json!(s.as_str()));
            assert_eq!(TargetState::parse(s.as_str()), Some(s));
        }
        for t in [DoneTiming::OnTime, DoneTiming::Late] {
            assert_eq!(DoneTiming::parse(t.as_str()), Some(t));
        }
        assert_eq!(TargetState::NotMet.label_vi(), "Chưa đạt");
    }

    #[test]
    fn not_applicable_and_suspended_win() {
        let deadline = Deadline::parse("Trước ngày 30/6/2026");
        let done = update(TaskStatus::Done, 2026, 6, 1);
        let facts = TaskFacts {
            deadline: &deadline,
            not_applicable: true,
            updates: std::slice::from_ref(&done),
        };
        let cal = WorkCalendar::vietnam();
        assert_eq!(
            task_state(&facts, d(2026, 7, 1), &cal),
            TaskState::NotApplicable
        );
        let paused = update(TaskStatus::Suspended, 2026, 3, 1);
        assert_eq!(
            state(&deadline, Some(&paused), d(2026, 8, 1)),
            TaskState::Suspended
        );
    }

    #[test]
    fn one_off_task_over_time() {
        let deadline = Deadline::parse("Tháng 6/2026");
        let started = update(TaskStatus::InProgress, 2026, 3, 10);
        let not_started = update(TaskStatus::NotStarted, 2026, 3, 10);
        assert_eq!(state(&deadline, None, d(2026, 3, 1)), TaskState::NotStarted);
        assert_eq!(
            state(&deadline, Some(&not_started), d(2026, 4, 1)),
            TaskState::NotStarted
        );
        assert_eq!(
            state(&deadline, Some(&started), d(2026, 4, 1)),
            TaskState::OnTrack
        );
        // Tue 30/6 is due; Fri 19/6 leaves 7 working days, Thu 18/6 leaves 8.
        assert_eq!(
            state(&deadline, Some(&started), d(2026, 6, 18)),
            TaskState::OnTrack
        );
        assert_eq!(
            state(&deadline, Some(&started), d(2026, 6, 19)),
            TaskState::DueSoon
        );
        assert_eq!(state(&deadline, None, d(2026, 6, 30)), TaskState::DueSoon);
        assert_eq!(
            state(&deadline, Some(&started), d(2026, 7, 1)),
            TaskState::Overdue
        );
        let done = update(TaskStatus::Done, 2026, 6, 29);
        assert_eq!(
            state(&deadline, Some(&done), d(2026, 7, 1)),
            TaskState::DoneOnTime
        );
        let late = update(TaskStatus::Done, 2026, 7, 3);
        assert_eq!(
            state(&deadline, Some(&late), d(2026, 7, 2)),
            TaskState::Overdue,
            "report not yet made"
        );
        assert_eq!(
            state(&deadline, Some(&late), d(2026, 7, 3)),
            TaskState::DoneLate
        );
        let marked_late = update(TaskStatus::DoneLate, 2026, 6, 1);
        assert_eq!(
            state(&deadline, Some(&marked_late), d(2026, 6, 2)),
            TaskState::DoneLate
        );
    }

    #[test]
    fn due_soon_counts_working_days_across_tet_2026() {
        let deadline = Deadline::parse("Trước ngày 25/02/2026");
        let started = update(TaskStatus::InProgress, 2026, 1, 15);
        // Fri 6/2: 8 working days left (9–13/2, 23–25/2) → still on track.
        assert_eq!(
            state(&deadline, Some(&started), d(2026, 2, 6)),
            TaskState::OnTrack
        );
        // Mon 9/2: 16 calendar days before, but only 7 working days.
        assert_eq!(
            state(&deadline, Some(&started), d(2026, 2, 9)),
            TaskState::DueSoon
        );
        assert_eq!(
            state(&deadline, Some(&started), d(2026, 2, 18)),
            TaskState::DueSoon
        );
        assert_eq!(
            state(&deadline, Some(&started), d(2026, 2, 26)),
            TaskState::Overdue
        );
    }

    #[test]
    fn ongoing_and_unknown_tasks_have_no_due_date() {
        for text in ["Thường xuyên", "khi có yêu cầu của cấp trên"] {
            let deadline = Deadline::parse(text);
            assert_eq!(due_date_for(&deadline, d(2026, 5, 1)), None, "{text}");
            let started = update(TaskStatus::InProgress, 2026, 1, 1);
            let done = update(TaskStatus::Done, 2030, 1, 1);
            assert_eq!(state(&deadline, None, d(2040, 1, 1)), TaskState::NotStarted);
            assert_eq!(
                state(&deadline, Some(&started), d(2040, 1, 1)),
                TaskState::OnTrack
            );
            assert_eq!(
                state(&deadline, Some(&done), d(2040, 1, 1)),
                TaskState::DoneOnTime
            );
        }
    }

    #[test]
    fn due_dates_of_recurring_deadlines() {
        let yearly = Deadline::parse("Tháng 11 hằng năm");
        assert_eq!(due_date_for(&yearly, d(2026, 5, 1)), Some(d(2026, 11, 30)));
        assert_eq!(
            due_date_for(&yearly, d(2026, 11, 30)),
            Some(d(2026, 11, 30))
        );
        assert_eq!(due_date_for(&yearly, d(2026, 12, 1)), Some(d(2027, 11, 30)));
        let from_2027 = Deadline::parse("Từ năm 2027 trở đi");
        assert_eq!(
            due_date_for(&from_2027, d(2026, 1, 1)),
            Some(d(2027, 12, 31))
        );
        let periodic = Deadline::parse("Quý, 6 tháng, 9 tháng, năm");
        assert_eq!(due_date_for(&periodic, d(2026, 5, 1)), Some(d(2026, 6, 30)));
        assert_eq!(
            due_date_for(&periodic, d(2026, 10, 1)),
            Some(d(2026, 12, 31))
        );
        assert_eq!(due_date_for(&periodic, d(2027, 1, 1)), Some(d(2027, 3, 31)));
        let one_off = Deadline::parse("Quý III/2026");
        assert_eq!(due_date_for(&one_off, d(2027, 1, 1)), Some(d(2026, 9, 30)));
    }

    #[test]
    fn yearly_task_is_done_only_for_its_occurrence() {
        let deadline = Deadline::parse("Hằng năm");
        let done = update(TaskStatus::Done, 2026, 12, 10);
        // Done in December 2026 for the 2026 occurrence.
        assert_eq!(
            state(&deadline, Some(&done), d(2026, 12, 15)),
            TaskState::DoneOnTime
        );
        // The 2027 occurrence starts the day after 31/12/2026: not done yet.
        assert_eq!(
            state(&deadline, Some(&done), d(2027, 1, 5)),
            TaskState::NotStarted
        );
        assert_eq!(
            state(&deadline, Some(&done), d(2027, 12, 24)),
            TaskState::DueSoon
        );
        let in_progress = update(TaskStatus::InProgress, 2027, 3, 1);
        assert_eq!(
            state(&deadline, Some(&in_progress), d(2027, 6, 1)),
            TaskState::OnTrack
        );
        let late = update(TaskStatus::DoneLate, 2026, 12, 10);
        assert_eq!(
            state(&deadline, Some(&late), d(2027, 1, 5)),
            TaskState::NotStarted
        );
    }

    #[test]
    fn quarterly_task_rolls_over_each_quarter() {
        let deadline = Deadline::parse("Hằng quý");
        let done = update(TaskStatus::Done, 2026, 3, 20);
        assert_eq!(
            state(&deadline, Some(&done), d(2026, 3, 25)),
            TaskState::DoneOnTime
        );
        assert_eq!(
            state(&deadline, Some(&done), d(2026, 3, 31)),
            TaskState::DoneOnTime
        );
        assert_eq!(
            state(&deadline, Some(&done), d(2026, 4, 1)),
            TaskState::NotStarted
        );
        // 7 working days before Tue 30/6 is Fri 19/6.
        assert_eq!(
            state(&deadline, Some(&done), d(2026, 6, 19)),
            TaskState::DueSoon
        );
        let again = update(TaskStatus::Done, 2026, 6, 22);
        assert_eq!(
            state(&deadline, Some(&again), d(2026, 6, 30)),
            TaskState::DoneOnTime
        );
    }

    #[test]
    fn a_task_done_on_time_stays_on_time_when_reported_again_later() {
        let deadline = Deadline::parse("Tháng 6/2026");
        let history = [
            update(TaskStatus::InProgress, 2026, 4, 15),
            update(TaskStatus::Done, 2026, 5, 15),
            update(TaskStatus::Done, 2026, 6, 15),
            update(TaskStatus::Done, 2026, 7, 15),
        ];
        assert_eq!(
            states(&deadline, &history, d(2026, 8, 1)),
            TaskState::DoneOnTime
        );
        // First said done in July, after the due date: late for good.
        let late = [
            update(TaskStatus::InProgress, 2026, 6, 15),
            update(TaskStatus::Done, 2026, 7, 15),
            update(TaskStatus::Done, 2026, 8, 15),
        ];
        assert_eq!(states(&deadline, &late, d(2026, 9, 1)), TaskState::DoneLate);
        // Reopened by a later report: no longer done.
        let reopened = [
            update(TaskStatus::Done, 2026, 5, 15),
            update(TaskStatus::InProgress, 2026, 6, 10),
        ];
        assert_eq!(
            states(&deadline, &reopened, d(2026, 6, 22)),
            TaskState::DueSoon
        );
    }

    #[test]
    fn a_late_report_of_a_round_counts_for_its_round_s_occurrence() {
        let deadline = Deadline::parse("Hằng quý");
        // The March round (due 15/3) sent on 3/4: done for the first
        // quarter, but after its due date.
        let sent_late = AcceptedUpdate {
            status: TaskStatus::Done,
            round_due_on: d(2026, 3, 15),
            first_submitted_at: Some(end_of_day_ms(d(2026, 4, 3))),
        };
        let history = [sent_late];
        assert_eq!(
            progress(&deadline, &history, d(2026, 3, 31)),
            Progress {
                due: Some(d(2026, 3, 31)),
                done: Some(DoneTiming::Late)
            }
        );
        // By the time it was sent the second quarter had begun: the task
        // is open for it, and not overdue for the first.
        assert_eq!(
            progress(&deadline, &history, d(2026, 4, 3)),
            Progress {
                due: Some(d(2026, 6, 30)),
                done: None
            }
        );
        assert_eq!(
            states(&deadline, &history, d(2026, 4, 3)),
            TaskState::NotStarted
        );
        // The April round says done: done on time for the second quarter,
        // whatever the first quarter's report said.
        let history = [sent_late, update(TaskStatus::Done, 2026, 4, 15)];
        assert_eq!(
            progress(&deadline, &history, d(2026, 4, 20)).done,
            Some(DoneTiming::OnTime)
        );
    }

    #[test]
    fn a_recurring_task_is_never_overdue_and_undated_tasks_have_no_due_date() {
        let yearly = Deadline::parse("Tháng 11 hằng năm");
        for on in [
            d(2026, 12, 1),
            d(2027, 6, 30),
            d(2027, 11, 30),
            d(2028, 1, 1),
        ] {
            let p = progress(&yearly, &[], on);
            assert!(p.due.is_some_and(|due| due >= on), "{on}");
            assert_ne!(states(&yearly, &[], on), TaskState::Overdue);
        }
        let ongoing = Deadline::parse("Thường xuyên");
        let done = [update(TaskStatus::Done, 2026, 3, 15)];
        assert_eq!(
            progress(&ongoing, &done, d(2030, 1, 1)),
            Progress {
                due: None,
                done: Some(DoneTiming::OnTime)
            }
        );
    }

    #[test]
    fn due_soon_means_at_most_seven_working_days_left() {
        let cal = WorkCalendar::vietnam();
        // Wed 20/5/2026: the 7th working day after it is Fri 29/5, so a
        // task due Sunday 31/5 still has only 7 working days left.
        assert_eq!(due_soon_until(d(2026, 5, 20), &cal), d(2026, 5, 31));
        let deadline = Deadline::parse("Tháng 5/2026");
        assert_eq!(state(&deadline, None, d(2026, 5, 20)), TaskState::DueSoon);
        assert_eq!(
            state(&deadline, None, d(2026, 5, 19)),
            TaskState::NotStarted
        );
        // The window agrees with counting working days, across Tết too.
        let mut today = d(2026, 1, 1);
        while today < d(2026, 12, 31) {
            let until = due_soon_until(today, &cal);
            for ahead in 0..40 {
                let due = today + chrono::Duration::days(ahead);
                assert_eq!(
                    due <= until,
                    cal.working_days_between(today, due) <= DUE_SOON_WORKING_DAYS,
                    "{today} → {due}"
                );
            }
            today += chrono::Duration::days(1);
        }
    }

    fn target(unit: &str, goals: Vec<Goal>) -> Target {
        let direction = goals
            .first()
            .map_or(Direction::HigherIsBetter, |g| g.direction());
        Target {
            id: 1,
            plan_id: 1,
            scope_path: "/1/".to_string(),
            reference: None,
            group_path: Vec::new(),
            position: 0,
            name: "Tỷ lệ hồ sơ trực tuyến".to_string(),
            measure_unit: Some(unit.to_string()),
            lead: Vec::new(),
            goals,
            note: None,
            direction,
            version: 1,
        }
    }

    fn goal(text: &str, year: i32) -> Goal {
        Goal::parse(text, Some(year)).expect("valid goal")
    }

    fn m(y: i32, mo: u32, day: u32, value: f64) -> Measure {
        Measure {
            on: d(y, mo, day),
            value,
        }
    }

    #[test]
    fn target_state_compares_with_the_year_goal() {
        let t = target("%", vec![goal("≥ 60", 2026), goal("≥ 80", 2030)]);
        assert_eq!(target_state(&t, 2026, Some(65.0)), TargetState::Met);
        assert_eq!(target_state(&t, 2026, Some(55.0)), TargetState::NotMet);
        assert_eq!(target_state(&t, 2028, Some(70.0)), TargetState::NotMet);
        assert_eq!(target_state(&t, 2026, None), TargetState::NoData);
        assert_eq!(target_state(&t, 2026, Some(f64::NAN)), TargetState::NoData);
        assert_eq!(target_state(&t, 2031, Some(90.0)), TargetState::NoData);
    }

    #[test]
    fn rising_series_that_reaches_the_goal_gives_no_warning() {
        let t = target("%", vec![goal("≥ 60", 2026), goal("≥ 80", 2030)]);
        let history = [
            m(2025, 1, 1, 40.0),
            m(2025, 7, 1, 50.0),
            m(2026, 1, 1, 60.0),
        ];
        assert!(trajectory(&t, &history, d(2026, 2, 1)).is_empty());
    }

    #[test]
    fn flat_series_warns_with_the_projected_value() {
        let t = target("%", vec![goal("≥ 60", 2026), goal("≥ 80", 2030)]);
        let history = [
            m(2025, 6, 30, 71.0),
            m(2025, 12, 31, 71.6),
            m(2026, 3, 31, 71.3),
        ];
        let warnings = trajectory(&t, &history, d(2026, 4, 1));
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        let w = &warnings[0];
        assert_eq!(w.year, 2030);
        assert_eq!(w.goal.value, 80.0);
        // Least squares: slope 0.4/183 per day over 1 Jul–31 Dec, projected on.
        assert!(w.projected > 73.0 && w.projected < 76.0, "{}", w.projected);
        assert!(
            w.message
                .starts_with("Với tốc độ hiện nay, đến cuối năm 2030 chỉ đạt khoảng 7")
        );
        assert!(w.message.ends_with("(mục tiêu ≥ 80)"), "{}", w.message);

        let exact = [m(2025, 1, 1, 71.3), m(2026, 1, 1, 71.3)];
        let warnings = trajectory(&t, &exact, d(2026, 4, 1));
        assert_eq!(warnings.len(), 1);
        assert!((warnings[0].projected - 71.3).abs() < 1e-9);
        assert_eq!(
            warnings[0].message,
            "Với tốc độ hiện nay, đến cuối năm 2030 chỉ đạt khoảng 71,3 (mục tiêu ≥ 80)"
        );
        // Past goal years are not projected: from 2027 on only 2030 counts.
        let falling = [m(2025, 1, 1, 50.0), m(2026, 1, 1, 40.0)];
        let years: Vec<i32> = trajectory(&t, &falling, d(2027, 1, 1))
            .iter()
            .map(|w| w.year)
            .collect();
        assert_eq!(years, [2030]);
        let all: Vec<i32> = trajectory(&t, &falling, d(2026, 1, 1))
            .iter()
            .map(|w| w.year)
            .collect();
        assert_eq!(all, [2026, 2030]);
    }

    #[test]
    fn percentages_are_clamped() {
        let t = target("%", vec![goal("≥ 100", 2030)]);
        let steep = [m(2025, 1, 1, 50.0), m(2026, 1, 1, 90.0)];
        assert!(trajectory(&t, &steep, d(2026, 1, 1)).is_empty());
        let t = target("%", vec![goal("≥ 10", 2030)]);
        let falling = [m(2025, 1, 1, 50.0), m(2026, 1, 1, 20.0)];
        let w = trajectory(&t, &falling, d(2026, 1, 1));
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].projected, 0.0);
    }

    #[test]
    fn single_point_or_same_day_gives_no_warning() {
        let t = target("%", vec![goal("≥ 80", 2030)]);
        assert!(trajectory(&t, &[m(2026, 1, 1, 10.0)], d(2026, 1, 1)).is_empty());
        assert!(trajectory(&t, &[], d(2026, 1, 1)).is_empty());
        let same_day = [m(2026, 1, 1, 10.0), m(2026, 1, 1, 12.0)];
        assert!(trajectory(&t, &same_day, d(2026, 1, 1)).is_empty());
        let with_nan = [m(2025, 1, 1, f64::NAN), m(2026, 1, 1, 12.0)];
        assert!(trajectory(&t, &with_nan, d(2026, 1, 1)).is_empty());
    }

    #[test]
    fn lower_is_better_targets() {
        // A rank that improves from 40th to 30th a year reaches Top 20 by 2030.
        let t = target("hạng", vec![goal("Top 20", 2030)]);
        let improving = [m(2025, 12, 31, 40.0), m(2026, 12, 31, 30.0)];
        assert!(trajectory(&t, &improving, d(2027, 1, 1)).is_empty());
        let stuck = [m(2025, 12, 31, 40.0), m(2026, 12, 31, 39.0)];
        let w = trajectory(&t, &stuck, d(2027, 1, 1));
        assert_eq!(w.len(), 1);
        assert!((w[0].projected - 35.0).abs() < 0.1, "{}", w[0].projected);
        assert!(
            w[0].message.contains("chỉ xếp hạng khoảng 35"),
            "{}",
            w[0].message
        );
        // Falling far below 1 still counts as rank 1, which is in the top 20.
        let steep = [m(2025, 12, 31, 40.0), m(2026, 12, 31, 10.0)];
        assert!(trajectory(&t, &steep, d(2027, 1, 1)).is_empty());

        let t = target("%", vec![goal("≤ 5", 2030)]);
        let high = [m(2025, 1, 1, 12.0), m(2026, 1, 1, 11.5)];
        let w = trajectory(&t, &high, d(2026, 1, 1));
        assert_eq!(w.len(), 1);
        assert!(
            w[0].message.contains("vẫn ở mức khoảng"),
            "{}",
            w[0].message
        );
        let low = [m(2025, 1, 1, 12.0), m(2026, 1, 1, 8.0)];
        assert!(trajectory(&t, &low, d(2026, 1, 1)).is_empty());
    }

    #[test]
    fn vietnamese_number_format() {
        assert_eq!(format_vi(71.3), "71,3");
        assert_eq!(format_vi(80.0), "80");
        assert_eq!(format_vi(1.05), "1,05");
        assert_eq!(format_vi(-0.001), "0");
    }
}
