//! The figures of a dashboard, computed from a unit's rollup counters,
//! today and the working-day calendar: what is late, what will be late,
//! targets met, reports on time, and the score. Pure, so the pages, the API
//! and the tests compute them the same way.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::calendar::WorkCalendar;
use crate::domain::report::TaskStatus;
use crate::domain::rollup::{Counter, Month, Rollup};
use crate::domain::score::Score;
use crate::domain::standing::{RankCounts, RankWindow, standing};
use crate::domain::status::due_soon_until;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskFigures {
    pub total: i64,
    /// Not done and past their due date.
    pub overdue: i64,
    /// Not done, due within 7 working days.
    pub due_soon: i64,
    /// Not done, due later, or with no due date.
    pub open_later: i64,
    pub done_on_time: i64,
    pub done_late: i64,
    /// Done (on time or late) over the total, in percent; `None` without
    /// tasks.
    pub completion_rate: Option<f64>,
    /// "Chưa cập nhật": not done, and no accepted update for a round due
    /// in the last reporting period (last month) or since.
    pub not_updated: i64,
    /// Tasks not "chưa cập nhật" (done, or updated in the last reporting
    /// period or since) over the total, in percent; `None` without tasks.
    pub update_rate: Option<f64>,
    /// By latest accepted status: `none`, `not_started`, `in_progress`,
    /// `done`, `done_late`, `suspended`.
    pub by_status: Vec<(String, i64)>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetFigures {
    pub year: i32,
    pub met: i64,
    pub not_met: i64,
    pub no_data: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReportFigures {
    /// `YYYY-MM` of the due month counted.
    pub month: String,
    pub expected: i64,
    pub on_time: i64,
    pub late: i64,
    /// Expected but not received (only once the month's due date passed).
    pub missing: i64,
}

/// How many months the dashboards' trend covers.
pub const TREND_MONTHS: usize = 12;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figures {
    pub tasks: TaskFigures,
    pub targets: TargetFigures,
    /// This month's reports and last month's.
    pub reports: Vec<ReportFigures>,
    /// The last twelve months' reports, oldest first: the trend.
    pub trend: Vec<ReportFigures>,
    #[schema(value_type = Object)]
    pub score: Score,
    /// When the counters last moved (epoch ms), the figures' "as of".
    pub as_of: Option<i64>,
}

/// The buckets [`figures`] reads on a day: every task counter, the target
/// counters of this year, and the report counters of the trend's twelve
/// months and of this year's months up to this one. A dashboard reads only
/// these rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketsUsed {
    pub target_year: i32,
    /// First and last month of the report counters read (`YYYY-MM`).
    pub report_months: (Month, Month),
    /// The last reporting period (last month): an open task whose latest
    /// update's round fell due in it or later is up to date.
    pub updated_since: Month,
    /// First and last month of the "tasks done" trend.
    pub done_months: (Month, Month),
}

impl BucketsUsed {
    pub fn on(today: NaiveDate) -> BucketsUsed {
        let this_month = Month::of(today);
        let january = Month::new(today.year(), 1).unwrap_or(this_month);
        let (trend_start, _) = trend_months(today);
        BucketsUsed {
            target_year: today.year(),
            report_months: (january.min(trend_start), this_month),
            updated_since: this_month.previous(),
            done_months: (trend_start, this_month),
        }
    }

    /// Whether a counter is one of those read.
    pub fn keeps(&self, counter: Counter) -> bool {
        match counter {
            Counter::TargetsMet(y) | Counter::TargetsNotMet(y) | Counter::TargetsNoData(y) => {
                y == self.target_year
            }
            Counter::ReportsExpected(m) | Counter::ReportsOnTime(m) | Counter::ReportsLate(m) => {
                self.report_months.0 <= m && m <= self.report_months.1
            }
            Counter::TasksOpenUpdated(m) => m >= self.updated_since,
            Counter::TasksFirstDone(m) => self.done_months.0 <= m && m <= self.done_months.1,
            _ => true,
        }
    }
}

pub fn figures(r: &Rollup, today: NaiveDate, cal: &WorkCalendar) -> Figures {
    let counts = RankCounts::of(r, &RankWindow::on(today));
    let standing = standing(&counts);
    let due_soon = r.open_due_between(today, due_soon_until(today, cal));
    let open_due_total = r.sum(|c| matches!(c, Counter::TasksOpenDue(_)));
    let ongoing = r.get(Counter::TasksOpenOngoing);
    let mut by_status: Vec<(String, i64)> = std::iter::once(None)
        .chain(TaskStatus::ALL.into_iter().map(Some))
        .map(|s| {
            let counter = Counter::TasksStatus(s);
            (counter.bucket(), r.get(counter))
        })
        .collect();
    by_status.retain(|(_, n)| *n > 0);
    let targets = TargetFigures {
        year: today.year(),
        met: counts.targets_met,
        not_met: counts.targets_not_met,
        no_data: counts.targets_no_data,
    };
    let this_month = Month::of(today);
    let month_figures = |m: Month| {
        let expected = r.get(Counter::ReportsExpected(m));
        let on_time = r.get(Counter::ReportsOnTime(m));
        let late = r.get(Counter::ReportsLate(m));
        // Reports are due by the middle of the month at the latest; a
        // past month's gap is missing, this month's is not yet.
        let past = m < this_month;
        ReportFigures {
            month: m.to_string(),
            expected,
            on_time,
            late,
            missing: if past {
                (expected - on_time - late).max(0)
            } else {
                0
            },
        }
    };
    let reports = [this_month, this_month.previous()]
        .into_iter()
        .map(month_figures)
        .collect();
    let mut months = vec![this_month];
    for _ in 1..TREND_MONTHS {
        let earlier = months[months.len() - 1].previous();
        months.push(earlier);
    }
    let trend = months.into_iter().rev().map(month_figures).collect();
    Figures {
        tasks: TaskFigures {
            total: counts.tasks,
            completion_rate: standing.completion_rate,
            not_updated: standing.not_updated,
            update_rate: standing.update_rate,
            overdue: counts.overdue,
            due_soon,
            open_later: (open_due_total - counts.overdue - due_soon).max(0) + ongoing,
            done_on_time: counts.done_on_time,
            done_late: counts.done_late,
            by_status,
        },
        targets,
        reports,
        trend,
        // The score counts the year so far.
        score: standing.score,
        as_of: r.updated_at,
    }
}

/// One month of the "tasks done" trend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct DoneMonth {
    /// `YYYY-MM`.
    pub month: String,
    /// Tasks first reported done in a round due this month.
    pub done: i64,
    /// Tasks first reported done by the end of this month.
    pub done_so_far: i64,
}

/// The last twelve months of tasks done, oldest first, ending this month,
/// from the counters of each task's first completion (the month of the
/// round it was first reported done in); `before` is how many were first
/// done before the first of those months, where the running total starts.
pub fn done_trend(r: &Rollup, before: i64, today: NaiveDate) -> Vec<DoneMonth> {
    let (first, _) = trend_months(today);
    let mut month = first;
    let mut so_far = before;
    let mut out = Vec::with_capacity(TREND_MONTHS);
    while out.len() < TREND_MONTHS {
        let done = r.get(Counter::TasksFirstDone(month));
        so_far += done;
        out.push(DoneMonth {
            month: month.to_string(),
            done,
            done_so_far: so_far,
        });
        month = month.next();
    }
    out
}

/// The first and last month of the twelve a trend shows, ending this one.
pub fn trend_months(today: NaiveDate) -> (Month, Month) {
    let this_month = Month::of(today);
    let first = (1..TREND_MONTHS).fold(this_month, |m, _| m.previous());
    (first, this_month)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::standing::percent;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn rollup(rows: &[(Counter, i64)]) -> Rollup {
        Rollup {
            unit_id: 1,
            rows: rows.to_vec(),
            updated_at: Some(5),
        }
    }

    fn month(y: i32, m: u32) -> Month {
        Month::new(y, m).expect("valid month")
    }

    #[test]
    fn open_tasks_split_into_overdue_due_soon_and_later() {
        let r = rollup(&[
            (Counter::Tasks, 10),
            (Counter::TasksOpenDue(d(2026, 2, 28)), 2),
            (Counter::TasksOpenDue(d(2026, 3, 13)), 1),
            (Counter::TasksOpenDue(d(2026, 6, 30)), 3),
            (Counter::TasksOpenOngoing, 1),
            (Counter::TasksDoneOnTime, 2),
            (Counter::TasksDoneLate, 1),
        ]);
        let f = figures(&r, d(2026, 3, 10), &WorkCalendar::vietnam());
        assert_eq!(f.tasks.overdue, 2);
        assert_eq!(f.tasks.due_soon, 1);
        assert_eq!(f.tasks.open_later, 4);
        assert_eq!(f.as_of, Some(5));
    }

    #[test]
    fn the_buckets_read_give_the_same_figures_as_every_bucket() {
        let mut rows = Vec::new();
        for y in 2024..=2027 {
            for m in 1..=12 {
                rows.push((Counter::ReportsExpected(month(y, m)), 10));
                rows.push((Counter::ReportsOnTime(month(y, m)), 3));
                rows.push((Counter::ReportsLate(month(y, m)), 2));
            }
            rows.push((Counter::TargetsMet(y), 4));
            rows.push((Counter::TargetsNotMet(y), 1));
            rows.push((Counter::TargetsNoData(y), 2));
        }
        rows.push((Counter::TasksOpenDue(d(2020, 1, 1)), 5));
        rows.push((Counter::TasksOpenDue(d(2026, 1, 20)), 2));
        rows.push((Counter::TasksOpenDue(d(2031, 1, 1)), 1));
        rows.push((Counter::TasksDoneOnTime, 3));
        rows.push((Counter::Tasks, 12));
        for m in 1..=12 {
            rows.push((Counter::TasksOpenUpdated(month(2026, m)), 1));
            rows.push((Counter::TasksOpenUpdated(month(2025, m)), 1));
        }
        let all = rollup(&rows);
        let cal = WorkCalendar::default();
        for today in [d(2026, 1, 10), d(2026, 7, 31), d(2027, 12, 31)] {
            let used = BucketsUsed::on(today);
            let kept = Rollup {
                rows: rows
                    .iter()
                    .filter(|(c, _)| used.keeps(*c))
                    .cloned()
                    .collect(),
                ..all.clone()
            };
            assert!(kept.rows.len() < rows.len());
            let (a, b) = (figures(&all, today, &cal), figures(&kept, today, &cal));
            assert_eq!(
                serde_json::to_value(&a).expect("json"),
                serde_json::to_value(&b).expect("json"),
                "{today}"
            );
        }
        assert_eq!(
            BucketsUsed::on(d(2026, 1, 10)).report_months,
            (month(2025, 2), month(2026, 1))
        );
    }

    #[test]
    fn tasks_not_updated_in_the_last_period_lower_the_update_rate() {
        // 10 tasks: 2 done, 8 open; of the open, 3 updated last month, 1
        // this month, 2 two months ago, 2 never: 4 "chưa cập nhật".
        let r = rollup(&[
            (Counter::Tasks, 10),
            (Counter::TasksDoneOnTime, 1),
            (Counter::TasksDoneLate, 1),
            (Counter::TasksOpenDue(d(2026, 12, 31)), 8),
            (Counter::TasksOpenUpdated(month(2026, 2)), 3),
            (Counter::TasksOpenUpdated(month(2026, 3)), 1),
            (Counter::TasksOpenUpdated(month(2026, 1)), 2),
        ]);
        let f = figures(&r, d(2026, 3, 10), &WorkCalendar::vietnam());
        assert_eq!(f.tasks.not_updated, 4);
        assert_eq!(f.tasks.update_rate, Some(60.0));
        assert_eq!(f.tasks.completion_rate, Some(20.0));
        let none = figures(&rollup(&[]), d(2026, 3, 10), &WorkCalendar::vietnam());
        assert_eq!(
            (none.tasks.update_rate, none.tasks.completion_rate),
            (None, None)
        );
        assert_eq!(percent(2, 3), Some(66.7));
    }

    #[test]
    fn past_months_count_missing_reports() {
        let r = rollup(&[
            (Counter::ReportsExpected(month(2026, 2)), 4),
            (Counter::ReportsOnTime(month(2026, 2)), 2),
            (Counter::ReportsLate(month(2026, 2)), 1),
            (Counter::ReportsExpected(month(2026, 3)), 4),
            (Counter::ReportsOnTime(month(2026, 3)), 1),
        ]);
        let f = figures(&r, d(2026, 3, 10), &WorkCalendar::vietnam());
        assert_eq!(f.reports[0].missing, 0, "this month is not over");
        assert_eq!(f.reports[1].missing, 1);
        // The trend: twelve months, oldest first, ending this month.
        assert_eq!(f.trend.len(), TREND_MONTHS);
        assert_eq!(f.trend[11].month, "2026-03");
        assert_eq!(f.trend[10].on_time, 2);
        assert_eq!(f.trend[0].month, "2025-04");
        assert_eq!(f.score.parts.len(), 3);
    }

    #[test]
    fn statuses_keep_their_stored_names_and_order() {
        let r = rollup(&[
            (Counter::TasksStatus(Some(TaskStatus::Suspended)), 1),
            (Counter::TasksStatus(None), 3),
            (Counter::TasksStatus(Some(TaskStatus::Done)), 2),
        ]);
        let f = figures(&r, d(2026, 3, 10), &WorkCalendar::vietnam());
        assert_eq!(
            f.tasks.by_status,
            vec![
                ("none".to_string(), 3),
                ("done".to_string(), 2),
                ("suspended".to_string(), 1)
            ]
        );
    }

    #[test]
    fn a_due_date_on_the_weekend_after_the_seventh_working_day_is_due_soon() {
        // Wed 20/5/2026: seven working days take us to Fri 29/5.
        let r = rollup(&[(Counter::TasksOpenDue(d(2026, 5, 31)), 1)]);
        let f = figures(&r, d(2026, 5, 20), &WorkCalendar::vietnam());
        assert_eq!((f.tasks.due_soon, f.tasks.open_later), (1, 0));
        let f = figures(&r, d(2026, 5, 19), &WorkCalendar::vietnam());
        assert_eq!((f.tasks.due_soon, f.tasks.open_later), (0, 1));
    }

    #[test]
    fn the_done_trend_counts_each_month_and_carries_the_earlier_ones() {
        let m = |y, mo| Month::new(y, mo).expect("month");
        // 4 first done before the window (given), 3 in June 2025 and 3 in
        // March 2026 within it; what is done now does not matter.
        let r = rollup(&[
            (Counter::TasksFirstDone(m(2025, 6)), 3),
            (Counter::TasksFirstDone(m(2026, 3)), 3),
            (Counter::TasksDoneOnTime, 1),
        ]);
        let t = done_trend(&r, 4, d(2026, 3, 10));
        assert_eq!(t.len(), TREND_MONTHS);
        assert_eq!(t[0].month, "2025-04");
        assert_eq!((t[0].done, t[0].done_so_far), (0, 4));
        assert_eq!((t[2].done, t[2].done_so_far), (3, 7));
        assert_eq!(t[11].month, "2026-03");
        assert_eq!((t[11].done, t[11].done_so_far), (3, 10));
        // Only the window's months are read from the store.
        let used = BucketsUsed::on(d(2026, 3, 10));
        assert!(used.keeps(Counter::TasksFirstDone(m(2025, 4))));
        assert!(!used.keeps(Counter::TasksFirstDone(m(2025, 3))));
    }
}
