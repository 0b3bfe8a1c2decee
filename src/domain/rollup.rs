//! The dashboards' counters ("rollups"): what each task, target and report
//! adds to which counter of its commune, province and the nation. The store
//! keeps them current in the same transaction as every change
//! (`store/rollups.rs`), `theodoi gen` computes them while generating, and
//! both use the rules here, so there is one definition of each.
//!
//! A counter is a metric and a bucket; the pairs are stored in the
//! `rollups` table and in backups under these exact names:
//!
//! | metric | bucket | counts |
//! |---|---|---|
//! | `tasks` | empty | live tasks (not drafts, not marked not applicable) |
//! | `tasks_open_due` | `YYYY-MM-DD` | live tasks not done, by the due date they answer to |
//! | `tasks_open_ongoing` | empty | live tasks not done that have no due date |
//! | `tasks_done_on_time`, `tasks_done_late` | empty | live tasks done |
//! | `tasks_status` | a status, or `none` | live tasks by their latest accepted status |
//! | `tasks_open_updated` | `YYYY-MM` | live tasks not done, by the due month of the round of their latest accepted update |
//! | `targets_met`, `targets_not_met`, `targets_no_data` | `YYYY` | targets, per goal year |
//! | `reports_expected`, `reports_on_time`, `reports_late` | `YYYY-MM` | unit reports, by due month |
//!
//! Whether a task is done and which date it answers to come from the one
//! task rule, [`crate::domain::status::progress`]. A recurring task counts
//! once, for the occurrence it answers to on the day its fact was computed:
//! open with that occurrence's due date, or done for it. Each occurrence
//! counts for its own period: the day after an occurrence's due date the
//! store moves the task on to the next one (`Store::roll_over_recurring_tasks`),
//! so a recurring task is never counted overdue, and a completion of last
//! quarter does not count as done this quarter.
//!
//! Every counter of a record is a pure function of the record's stored
//! fact, so the store can take a record's old contribution back and add
//! the new one ([`Counts::change`]), and the counters always equal a
//! recount from the records.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};

use crate::domain::deadline::Deadline;
use crate::domain::report::{TaskStatus, Timeliness, timeliness};
use crate::domain::status::{
    AcceptedUpdate, DoneTiming, EarlierDeadline, TargetState, progress_judged,
};

/// What a counter counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Metric {
    Tasks,
    TasksOpenDue,
    TasksOpenOngoing,
    TasksDoneOnTime,
    TasksDoneLate,
    TasksStatus,
    TasksOpenUpdated,
    TargetsMet,
    TargetsNotMet,
    TargetsNoData,
    ReportsExpected,
    ReportsOnTime,
    ReportsLate,
    TasksFirstDone,
}

impl Metric {
    pub const ALL: [Metric; 14] = [
        Metric::Tasks,
        Metric::TasksOpenDue,
        Metric::TasksOpenOngoing,
        Metric::TasksDoneOnTime,
        Metric::TasksDoneLate,
        Metric::TasksStatus,
        Metric::TasksOpenUpdated,
        Metric::TargetsMet,
        Metric::TargetsNotMet,
        Metric::TargetsNoData,
        Metric::ReportsExpected,
        Metric::ReportsOnTime,
        Metric::ReportsLate,
        Metric::TasksFirstDone,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Tasks => "tasks",
            Metric::TasksOpenDue => "tasks_open_due",
            Metric::TasksOpenOngoing => "tasks_open_ongoing",
            Metric::TasksDoneOnTime => "tasks_done_on_time",
            Metric::TasksDoneLate => "tasks_done_late",
            Metric::TasksStatus => "tasks_status",
            Metric::TasksOpenUpdated => "tasks_open_updated",
            Metric::TargetsMet => "targets_met",
            Metric::TargetsNotMet => "targets_not_met",
            Metric::TargetsNoData => "targets_no_data",
            Metric::ReportsExpected => "reports_expected",
            Metric::ReportsOnTime => "reports_on_time",
            Metric::ReportsLate => "reports_late",
            Metric::TasksFirstDone => "tasks_first_done",
        }
    }

    pub fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

impl fmt::Display for Metric {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A calendar month: the bucket of the report counters, stored `YYYY-MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Option<Month> {
        (1..=12).contains(&month).then_some(Month { year, month })
    }

    /// The month `date` falls in.
    pub fn of(date: NaiveDate) -> Month {
        Month {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn previous(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// Reads the stored `YYYY-MM` form.
    pub fn parse(s: &str) -> Option<Month> {
        let (year, month) = s.split_once('-')?;
        Month::new(year.parse().ok()?, month.parse().ok()?)
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// One counter: a metric with its bucket, typed, so that a misspelt metric
/// or a bucket of the wrong shape does not compile. The order (metric,
/// then bucket) is the order counters are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Counter {
    Tasks,
    TasksOpenDue(NaiveDate),
    TasksOpenOngoing,
    TasksDoneOnTime,
    TasksDoneLate,
    /// `None`: never reported (stored as `none`).
    TasksStatus(Option<TaskStatus>),
    /// An open task by the due month of the round of its latest accepted
    /// update: the update rate ("chưa cập nhật") is read from these.
    TasksOpenUpdated(Month),
    TargetsMet(i32),
    TargetsNotMet(i32),
    TargetsNoData(i32),
    ReportsExpected(Month),
    ReportsOnTime(Month),
    ReportsLate(Month),
    /// A task by the due month of the round it was first reported done in
    /// (accepted): the dashboards' "tasks done" trend is read from these.
    TasksFirstDone(Month),
}

impl Counter {
    pub fn metric(self) -> Metric {
        match self {
            Counter::Tasks => Metric::Tasks,
            Counter::TasksOpenDue(_) => Metric::TasksOpenDue,
            Counter::TasksOpenOngoing => Metric::TasksOpenOngoing,
            Counter::TasksDoneOnTime => Metric::TasksDoneOnTime,
            Counter::TasksDoneLate => Metric::TasksDoneLate,
            Counter::TasksStatus(_) => Metric::TasksStatus,
            Counter::TasksOpenUpdated(_) => Metric::TasksOpenUpdated,
            Counter::TargetsMet(_) => Metric::TargetsMet,
            Counter::TargetsNotMet(_) => Metric::TargetsNotMet,
            Counter::TargetsNoData(_) => Metric::TargetsNoData,
            Counter::ReportsExpected(_) => Metric::ReportsExpected,
            Counter::ReportsOnTime(_) => Metric::ReportsOnTime,
            Counter::ReportsLate(_) => Metric::ReportsLate,
            Counter::TasksFirstDone(_) => Metric::TasksFirstDone,
        }
    }

    /// The stored bucket.
    pub fn bucket(self) -> String {
        match self {
            Counter::Tasks
            | Counter::TasksOpenOngoing
            | Counter::TasksDoneOnTime
            | Counter::TasksDoneLate => String::new(),
            Counter::TasksOpenDue(d) => d.format("%Y-%m-%d").to_string(),
            Counter::TasksStatus(s) => s.map_or("none", TaskStatus::as_str).to_string(),
            Counter::TargetsMet(y) | Counter::TargetsNotMet(y) | Counter::TargetsNoData(y) => {
                y.to_string()
            }
            Counter::ReportsExpected(m)
            | Counter::ReportsOnTime(m)
            | Counter::ReportsLate(m)
            | Counter::TasksOpenUpdated(m)
            | Counter::TasksFirstDone(m) => m.to_string(),
        }
    }

    /// Reads a stored pair back. Only the exact form [`Counter::bucket`]
    /// writes is accepted, so whatever is read writes back unchanged.
    pub fn parse(metric: &str, bucket: &str) -> Option<Counter> {
        let date = || NaiveDate::parse_from_str(bucket, "%Y-%m-%d").ok();
        let year = || bucket.parse::<i32>().ok();
        let month = || Month::parse(bucket);
        let counter = match Metric::parse(metric)? {
            Metric::Tasks => Counter::Tasks,
            Metric::TasksOpenDue => Counter::TasksOpenDue(date()?),
            Metric::TasksOpenOngoing => Counter::TasksOpenOngoing,
            Metric::TasksDoneOnTime => Counter::TasksDoneOnTime,
            Metric::TasksDoneLate => Counter::TasksDoneLate,
            Metric::TasksStatus if bucket == "none" => Counter::TasksStatus(None),
            Metric::TasksStatus => Counter::TasksStatus(Some(TaskStatus::parse(bucket)?)),
            Metric::TasksOpenUpdated => Counter::TasksOpenUpdated(month()?),
            Metric::TargetsMet => Counter::TargetsMet(year()?),
            Metric::TargetsNotMet => Counter::TargetsNotMet(year()?),
            Metric::TargetsNoData => Counter::TargetsNoData(year()?),
            Metric::ReportsExpected => Counter::ReportsExpected(month()?),
            Metric::ReportsOnTime => Counter::ReportsOnTime(month()?),
            Metric::ReportsLate => Counter::ReportsLate(month()?),
            Metric::TasksFirstDone => Counter::TasksFirstDone(month()?),
        };
        (counter.bucket() == bucket).then_some(counter)
    }
}

/// What the store remembers of a task between changes (`task_facts`), so
/// that a change can take the task's old contribution back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaskFact {
    /// Neither a draft nor marked not applicable.
    pub live: bool,
    pub due_on: Option<NaiveDate>,
    pub done: Option<DoneTiming>,
    /// The latest accepted status, whatever occurrence it was for.
    pub status: Option<TaskStatus>,
    /// The due month of the round of the latest accepted update.
    pub last_update: Option<Month>,
    /// The due month of the earliest round an accepted update said it was
    /// done in (on time or late), whatever it says now.
    pub first_done: Option<Month>,
}

impl TaskFact {
    /// A task's fact on `on`, by the task rule, from its accepted updates
    /// (oldest first).
    pub fn of(
        live: bool,
        deadline: &Deadline,
        updates: &[AcceptedUpdate],
        on: NaiveDate,
    ) -> TaskFact {
        TaskFact::judged(live, deadline, &[], updates, on)
    }

    /// As [`TaskFact::of`], with the deadlines the task had before its
    /// current one (oldest first): a completion is judged against the
    /// deadline in force when it was sent ([`progress_judged`]).
    pub fn judged(
        live: bool,
        deadline: &Deadline,
        earlier: &[EarlierDeadline],
        updates: &[AcceptedUpdate],
        on: NaiveDate,
    ) -> TaskFact {
        let p = progress_judged(deadline, earlier, updates, on);
        TaskFact {
            live,
            due_on: p.due,
            done: p.done,
            status: updates.last().map(|u| u.status),
            last_update: updates.last().map(|u| Month::of(u.round_due_on)),
            first_done: updates
                .iter()
                .filter(|u| matches!(u.status, TaskStatus::Done | TaskStatus::DoneLate))
                .map(|u| Month::of(u.round_due_on))
                .min(),
        }
    }

    /// The counters the task adds one to: nothing unless live; then the
    /// task itself, its latest status, and where it stands.
    pub fn counters(&self) -> Vec<Counter> {
        if !self.live {
            return Vec::new();
        }
        let stands = match (self.done, self.due_on) {
            (Some(DoneTiming::OnTime), _) => Counter::TasksDoneOnTime,
            (Some(DoneTiming::Late), _) => Counter::TasksDoneLate,
            (None, Some(due)) => Counter::TasksOpenDue(due),
            (None, None) => Counter::TasksOpenOngoing,
        };
        let mut out = vec![Counter::Tasks, Counter::TasksStatus(self.status), stands];
        if let (None, Some(month)) = (self.done, self.last_update) {
            out.push(Counter::TasksOpenUpdated(month));
        }
        if let Some(month) = self.first_done {
            out.push(Counter::TasksFirstDone(month));
        }
        out
    }
}

/// The counter a target adds one to for one goal year.
pub fn target_counter(state: TargetState, year: i32) -> Counter {
    match state {
        TargetState::Met => Counter::TargetsMet(year),
        TargetState::NotMet => Counter::TargetsNotMet(year),
        TargetState::NoData => Counter::TargetsNoData(year),
    }
}

/// The counter a unit report adds one to when its round opens.
pub fn report_expected(due: NaiveDate) -> Counter {
    Counter::ReportsExpected(Month::of(due))
}

/// The counter a unit report adds one to when first sent: on time when
/// sent by the end of its due day (see [`timeliness`]).
pub fn report_received(due: NaiveDate, first_submitted_at: i64) -> Counter {
    match timeliness(Some(first_submitted_at), due, first_submitted_at) {
        Timeliness::OnTime => Counter::ReportsOnTime(Month::of(due)),
        _ => Counter::ReportsLate(Month::of(due)),
    }
}

/// The level units a record rolls up to, from its plan issuer's path
/// (`/nation/province/commune/…`), each with its parent: the nation, its
/// province and its commune, never deeper.
pub fn levels(path: &str) -> Vec<(i64, Option<i64>)> {
    let ids: Vec<i64> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .take(3)
        .collect();
    ids.iter()
        .enumerate()
        .map(|(i, id)| (*id, i.checked_sub(1).map(|p| ids[p])))
        .collect()
}

/// Counter values, or changes to them, of one unit; kept sorted by metric
/// then bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts(BTreeMap<Counter, i64>);

impl Counts {
    /// The change from a record's old contribution to its new one: one
    /// taken from each counter before, one added to each after; counters
    /// in both cancel out.
    pub fn change(before: &[Counter], after: &[Counter]) -> Counts {
        let mut out = Counts::default();
        for c in before {
            out.add(*c, -1);
        }
        for c in after {
            out.add(*c, 1);
        }
        out
    }

    /// Adds `n` to a counter; a counter that comes back to zero is dropped.
    pub fn add(&mut self, counter: Counter, n: i64) {
        let value = self.0.entry(counter).or_insert(0);
        *value += n;
        if *value == 0 {
            self.0.remove(&counter);
        }
    }

    /// A level's counters are the sum of its children's.
    pub fn merge(&mut self, other: &Counts) {
        for (c, n) in other.iter() {
            self.add(c, n);
        }
    }

    pub fn get(&self, counter: Counter) -> i64 {
        self.0.get(&counter).copied().unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The non-zero counters, in order.
    pub fn iter(&self) -> impl Iterator<Item = (Counter, i64)> + '_ {
        self.0.iter().map(|(c, n)| (*c, *n))
    }
}

/// The counters of one unit, as a dashboard reads them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rollup {
    pub unit_id: i64,
    pub rows: Vec<(Counter, i64)>,
    /// When the counters last moved (epoch ms).
    pub updated_at: Option<i64>,
}

impl Rollup {
    pub fn get(&self, counter: Counter) -> i64 {
        self.sum(|c| c == counter)
    }

    /// The total of the counters `keep` accepts.
    pub fn sum(&self, keep: impl Fn(Counter) -> bool) -> i64 {
        self.rows
            .iter()
            .filter(|(c, _)| keep(*c))
            .map(|(_, v)| *v)
            .sum()
    }

    /// Open tasks due on a date in `[from, to]`.
    pub fn open_due_between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        self.sum(|c| matches!(c, Counter::TasksOpenDue(d) if d >= from && d <= to))
    }

    /// Open tasks whose due date has passed.
    pub fn overdue(&self, today: NaiveDate) -> i64 {
        self.sum(|c| matches!(c, Counter::TasksOpenDue(d) if d < today))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::end_of_day_ms;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("valid test date")
    }

    fn month(y: i32, m: u32) -> Month {
        Month::new(y, m).expect("valid month")
    }

    #[test]
    fn stored_names_are_kept_exactly() {
        let stored = [
            (Counter::Tasks, "tasks", ""),
            (
                Counter::TasksOpenDue(d(2026, 7, 31)),
                "tasks_open_due",
                "2026-07-31",
            ),
            (Counter::TasksOpenOngoing, "tasks_open_ongoing", ""),
            (Counter::TasksDoneOnTime, "tasks_done_on_time", ""),
            (Counter::TasksDoneLate, "tasks_done_late", ""),
            (Counter::TasksStatus(None), "tasks_status", "none"),
            (
                Counter::TasksStatus(Some(TaskStatus::DoneLate)),
                "tasks_status",
                "done_late",
            ),
            (Counter::TargetsMet(2026), "targets_met", "2026"),
            (Counter::TargetsNotMet(2030), "targets_not_met", "2030"),
            (Counter::TargetsNoData(2026), "targets_no_data", "2026"),
            (
                Counter::ReportsExpected(month(2026, 3)),
                "reports_expected",
                "2026-03",
            ),
            (
                Counter::ReportsOnTime(month(2026, 12)),
                "reports_on_time",
                "2026-12",
            ),
            (
                Counter::ReportsLate(month(2027, 1)),
                "reports_late",
                "2027-01",
            ),
        ];
        for (counter, metric, bucket) in stored {
            assert_eq!(counter.metric().as_str(), metric);
            assert_eq!(counter.bucket(), bucket);
            assert_eq!(Counter::parse(metric, bucket), Some(counter));
        }
        for m in Metric::ALL {
            assert_eq!(Metric::parse(m.as_str()), Some(m));
        }
    }

    #[test]
    fn unknown_or_misshapen_pairs_are_refused() {
        assert_eq!(Counter::parse("task", ""), None);
        assert_eq!(Counter::parse("tasks_open_due", "31/07/2026"), None);
        assert_eq!(Counter::parse("tasks_status", "finished"), None);
        assert_eq!(Counter::parse("targets_met", "+2026"), None);
        assert_eq!(Counter::parse("reports_late", "2026-3"), None);
        assert_eq!(Counter::parse("reports_late", "2026-13"), None);
        assert_eq!(Counter::parse("tasks", "x"), None);
    }

    #[test]
    fn a_task_contributes_by_its_state() {
        let open = TaskFact {
            live: true,
            due_on: Some(d(2026, 7, 31)),
            done: None,
            status: None,
            last_update: None,
            first_done: None,
        };
        assert_eq!(
            open.counters(),
            vec![
                Counter::Tasks,
                Counter::TasksStatus(None),
                Counter::TasksOpenDue(d(2026, 7, 31))
            ]
        );
        let dead = TaskFact {
            live: false,
            ..open
        };
        assert!(dead.counters().is_empty());
        let done = TaskFact {
            done: Some(DoneTiming::Late),
            status: Some(TaskStatus::DoneLate),
            ..open
        };
        assert!(done.counters().contains(&Counter::TasksDoneLate));
        // A task first done in a month counts there for the trend, whatever
        // it says now; a task that is not live counts nowhere.
        let first_done = TaskFact {
            first_done: Some(month(2026, 5)),
            ..open
        };
        assert!(
            first_done
                .counters()
                .contains(&Counter::TasksFirstDone(month(2026, 5)))
        );
        assert!(
            TaskFact {
                live: false,
                ..first_done
            }
            .counters()
            .is_empty()
        );
        let ongoing = TaskFact {
            due_on: None,
            ..open
        };
        assert!(ongoing.counters().contains(&Counter::TasksOpenOngoing));
        // An open task counts by the month of its latest update; a done
        // one needs no more updates and is not counted there.
        let updated = TaskFact {
            last_update: Some(month(2026, 6)),
            ..open
        };
        assert!(
            updated
                .counters()
                .contains(&Counter::TasksOpenUpdated(month(2026, 6)))
        );
        let done_updated = TaskFact {
            done: Some(DoneTiming::OnTime),
            ..updated
        };
        assert!(
            !done_updated
                .counters()
                .iter()
                .any(|c| matches!(c, Counter::TasksOpenUpdated(_)))
        );
        assert_eq!(
            Counter::parse("tasks_open_updated", "2026-06"),
            Some(Counter::TasksOpenUpdated(month(2026, 6)))
        );
    }

    #[test]
    fn a_completion_is_judged_by_the_deadline_in_force_when_it_was_sent() {
        use crate::domain::status::EarlierDeadline;
        // Due 30/6, extended on 20/6 to 31/7; done on 15/7: on time.
        let now = Deadline::parse("Tháng 7/2026");
        let extended_on = end_of_day_ms(d(2026, 6, 20));
        let earlier = [EarlierDeadline {
            until: extended_on,
            deadline: Deadline::parse("Tháng 6/2026"),
        }];
        let done = [sent(TaskStatus::Done, d(2026, 7, 15), d(2026, 7, 15))];
        let fact = TaskFact::judged(true, &now, &earlier, &done, d(2026, 8, 1));
        assert_eq!(fact.done, Some(DoneTiming::OnTime));
        // The same change made after the work was sent changes nothing:
        // it was late by the deadline in force then.
        let after = [EarlierDeadline {
            until: end_of_day_ms(d(2026, 7, 20)),
            ..earlier[0].clone()
        }];
        let fact = TaskFact::judged(true, &now, &after, &done, d(2026, 8, 1));
        assert_eq!(fact.done, Some(DoneTiming::Late));
        // Without history, the current deadline judges.
        assert_eq!(
            TaskFact::of(true, &now, &done, d(2026, 8, 1)).done,
            Some(DoneTiming::OnTime)
        );
    }

    fn sent(status: TaskStatus, round_due: NaiveDate, at: NaiveDate) -> AcceptedUpdate {
        AcceptedUpdate {
            status,
            round_due_on: round_due,
            first_submitted_at: Some(end_of_day_ms(at) - 3_600_000),
        }
    }

    #[test]
    fn a_one_off_task_s_fact_follows_its_first_report_of_done() {
        let deadline = Deadline::parse("Quý I/2026");
        let history = [
            sent(TaskStatus::InProgress, d(2026, 2, 15), d(2026, 2, 14)),
            sent(TaskStatus::Done, d(2026, 3, 15), d(2026, 3, 14)),
            sent(TaskStatus::Done, d(2026, 4, 15), d(2026, 4, 14)),
        ];
        let fact = TaskFact::of(true, &deadline, &history, d(2026, 5, 1));
        assert_eq!(
            fact,
            TaskFact {
                live: true,
                due_on: Some(d(2026, 3, 31)),
                done: Some(DoneTiming::OnTime),
                status: Some(TaskStatus::Done),
                last_update: Some(month(2026, 4)),
                first_done: Some(month(2026, 3)),
            }
        );
        let late = [sent(TaskStatus::Done, d(2026, 4, 15), d(2026, 4, 14))];
        let fact = TaskFact::of(true, &deadline, &late, d(2026, 5, 1));
        assert_eq!(fact.done, Some(DoneTiming::Late));
        // A one-off task's fact does not depend on the day it is computed.
        assert_eq!(fact, TaskFact::of(true, &deadline, &late, d(2031, 1, 1)));
    }

    #[test]
    fn a_recurring_task_counts_for_the_occurrence_of_the_day() {
        let deadline = Deadline::parse("Hằng quý");
        let history = [sent(TaskStatus::Done, d(2026, 3, 15), d(2026, 3, 12))];
        // During the first quarter: done on time for it.
        let q1 = TaskFact::of(true, &deadline, &history, d(2026, 3, 20));
        assert_eq!(q1.due_on, Some(d(2026, 3, 31)));
        assert!(q1.counters().contains(&Counter::TasksDoneOnTime));
        // From 1 April: open again, due at the end of the second quarter;
        // the status counter still shows what was last reported.
        let q2 = TaskFact::of(true, &deadline, &history, d(2026, 4, 1));
        assert_eq!(
            q2.counters(),
            vec![
                Counter::Tasks,
                Counter::TasksStatus(Some(TaskStatus::Done)),
                Counter::TasksOpenDue(d(2026, 6, 30)),
                Counter::TasksOpenUpdated(month(2026, 3)),
                Counter::TasksFirstDone(month(2026, 3))
            ]
        );
        // Moving on takes the old counters back and adds the new ones.
        let change = Counts::change(&q1.counters(), &q2.counters());
        assert_eq!(
            change.iter().collect::<Vec<_>>(),
            vec![
                (Counter::TasksOpenDue(d(2026, 6, 30)), 1),
                (Counter::TasksDoneOnTime, -1),
                (Counter::TasksOpenUpdated(month(2026, 3)), 1)
            ]
        );
        // A yearly task: each year's occurrence in turn.
        let yearly = Deadline::parse("Tháng 11 hằng năm");
        let done_2026 = [sent(TaskStatus::Done, d(2026, 11, 15), d(2026, 11, 10))];
        let fact = TaskFact::of(true, &yearly, &done_2026, d(2026, 11, 30));
        assert_eq!(fact.done, Some(DoneTiming::OnTime));
        let fact = TaskFact::of(true, &yearly, &done_2026, d(2026, 12, 1));
        assert_eq!((fact.due_on, fact.done), (Some(d(2027, 11, 30)), None));
    }

    #[test]
    fn targets_and_reports_have_their_counters() {
        assert_eq!(
            target_counter(TargetState::NotMet, 2030),
            Counter::TargetsNotMet(2030)
        );
        let due = d(2026, 3, 15);
        assert_eq!(
            report_expected(due),
            Counter::ReportsExpected(month(2026, 3))
        );
        assert_eq!(
            report_received(due, end_of_day_ms(due)),
            Counter::ReportsOnTime(month(2026, 3))
        );
        assert_eq!(
            report_received(due, end_of_day_ms(due) + 1),
            Counter::ReportsLate(month(2026, 3))
        );
    }

    #[test]
    fn a_path_rolls_up_to_its_levels() {
        assert_eq!(
            levels("/1/5/9/"),
            vec![(1, None), (5, Some(1)), (9, Some(5))]
        );
        assert_eq!(levels("/1/5/"), vec![(1, None), (5, Some(1))]);
        assert_eq!(
            levels("/1/5/9/12/"),
            vec![(1, None), (5, Some(1)), (9, Some(5))]
        );
    }

    #[test]
    fn counts_add_up_and_drop_zeros() {
        let mut a = Counts::change(&[Counter::Tasks], &[Counter::Tasks, Counter::TasksDoneLate]);
        assert_eq!(
            a.iter().collect::<Vec<_>>(),
            vec![(Counter::TasksDoneLate, 1)]
        );
        let b = Counts::change(&[Counter::TasksDoneLate], &[]);
        a.merge(&b);
        assert!(a.is_empty());
        assert_eq!(Month::of(d(2026, 1, 9)).previous(), month(2025, 12));
        assert_eq!(month(2025, 12).next(), month(2026, 1));
        assert_eq!(month(2026, 3).next(), month(2026, 4));
    }

    #[test]
    fn a_rollup_sums_open_tasks_by_due_date() {
        let r = Rollup {
            unit_id: 1,
            rows: vec![
                (Counter::TasksOpenDue(d(2026, 2, 28)), 2),
                (Counter::TasksOpenDue(d(2026, 3, 13)), 1),
                (Counter::TasksDoneOnTime, 4),
            ],
            updated_at: None,
        };
        assert_eq!(r.overdue(d(2026, 3, 10)), 2);
        assert_eq!(r.open_due_between(d(2026, 3, 10), d(2026, 3, 13)), 1);
        assert_eq!(r.get(Counter::TasksDoneOnTime), 4);
        assert_eq!(r.get(Counter::TasksDoneLate), 0);
    }
}
