//! What a unit is ranked by: its score and the task rates shown beside it,
//! from a handful of sums of its counters. A level's dashboard ranks every
//! unit below it (97 communes of a province, 34 provinces of the nation);
//! those units' full figures are never shown there, so their counters are
//! read already summed ([`RankCounts`]) instead of month by month, and
//! their own dashboards take the same sums from their full counters
//! ([`RankCounts::of`]), so a rank and the unit's own page always agree.

use chrono::{Datelike, NaiveDate};

use crate::domain::rollup::{Counter, Month, Rollup};
use crate::domain::score::{Score, ScoreInputs, score};

/// The buckets the sums cover on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RankWindow {
    /// Open tasks due before this day are overdue.
    pub today: NaiveDate,
    /// The year whose targets count.
    pub year: i32,
    /// The score counts the year's reports so far: January to this month.
    pub report_months: (Month, Month),
    /// The last reporting period (last month): an open task whose latest
    /// update's round fell due in it or later is up to date.
    pub updated_since: Month,
}

impl RankWindow {
    pub fn on(today: NaiveDate) -> RankWindow {
        let this_month = Month::of(today);
        RankWindow {
            today,
            year: today.year(),
            report_months: (
                Month::new(today.year(), 1).unwrap_or(this_month),
                this_month,
            ),
            updated_since: this_month.previous(),
        }
    }
}

/// A unit's counters summed over a [`RankWindow`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RankCounts {
    pub tasks: i64,
    pub done_on_time: i64,
    pub done_late: i64,
    /// Open tasks due before today.
    pub overdue: i64,
    /// Open tasks updated in the last reporting period or since.
    pub open_updated: i64,
    pub targets_met: i64,
    pub targets_not_met: i64,
    pub targets_no_data: i64,
    pub reports_expected: i64,
    pub reports_on_time: i64,
    pub reports_late: i64,
}

impl RankCounts {
    /// The sums, from every counter of a unit.
    pub fn of(r: &Rollup, w: &RankWindow) -> RankCounts {
        let in_year = |m: Month| w.report_months.0 <= m && m <= w.report_months.1;
        RankCounts {
            tasks: r.get(Counter::Tasks),
            done_on_time: r.get(Counter::TasksDoneOnTime),
            done_late: r.get(Counter::TasksDoneLate),
            overdue: r.overdue(w.today),
            open_updated: r
                .sum(|c| matches!(c, Counter::TasksOpenUpdated(m) if m >= w.updated_since)),
            targets_met: r.get(Counter::TargetsMet(w.year)),
            targets_not_met: r.get(Counter::TargetsNotMet(w.year)),
            targets_no_data: r.get(Counter::TargetsNoData(w.year)),
            reports_expected: r.sum(|c| matches!(c, Counter::ReportsExpected(m) if in_year(m))),
            reports_on_time: r.sum(|c| matches!(c, Counter::ReportsOnTime(m) if in_year(m))),
            reports_late: r.sum(|c| matches!(c, Counter::ReportsLate(m) if in_year(m))),
        }
    }
}

/// A unit's place in a ranking: its score and task rates.
#[derive(Debug, Clone, PartialEq)]
pub struct Standing {
    pub score: Score,
    pub overdue: i64,
    /// Done (on time or late) over the total, in percent.
    pub completion_rate: Option<f64>,
    /// "Chưa cập nhật": not done, and not updated in the last period.
    pub not_updated: i64,
    /// Tasks not "chưa cập nhật" over the total, in percent.
    pub update_rate: Option<f64>,
}

pub fn standing(c: &RankCounts) -> Standing {
    let done = c.done_on_time + c.done_late;
    let not_updated = (c.tasks - done - c.open_updated).max(0);
    Standing {
        score: score(&ScoreInputs {
            tasks_due: done + c.overdue,
            tasks_done_on_time: c.done_on_time,
            tasks_done_late: c.done_late,
            targets_with_goal: c.targets_met + c.targets_not_met + c.targets_no_data,
            targets_met: c.targets_met,
            reports_expected: c.reports_expected,
            reports_on_time: c.reports_on_time,
            reports_late: c.reports_late,
        }),
        overdue: c.overdue,
        completion_rate: percent(done, c.tasks),
        not_updated,
        update_rate: percent(c.tasks - not_updated, c.tasks),
    }
}

/// `part` over `whole` in percent, to one decimal; `None` over nothing.
pub fn percent(part: i64, whole: i64) -> Option<f64> {
    if whole <= 0 {
        return None;
    }
    let share = part as f64 * 100.0 / whole as f64;
    Some((share * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn month(y: i32, m: u32) -> Month {
        Month::new(y, m).expect("month")
    }

    #[test]
    fn the_window_is_the_year_so_far_and_last_month_on() {
        let w = RankWindow::on(d(2026, 3, 10));
        assert_eq!(w.year, 2026);
        assert_eq!(w.report_months, (month(2026, 1), month(2026, 3)));
        assert_eq!(w.updated_since, month(2026, 2));
        let january = RankWindow::on(d(2027, 1, 5));
        assert_eq!(january.report_months, (month(2027, 1), month(2027, 1)));
        assert_eq!(january.updated_since, month(2026, 12));
    }

    #[test]
    fn the_sums_leave_out_what_falls_outside_the_window() {
        let r = Rollup {
            unit_id: 1,
            rows: vec![
                (Counter::Tasks, 10),
                (Counter::TasksDoneOnTime, 2),
                (Counter::TasksDoneLate, 1),
                (Counter::TasksOpenDue(d(2026, 3, 9)), 2),
                (Counter::TasksOpenDue(d(2026, 3, 10)), 4),
                (Counter::TasksOpenUpdated(month(2026, 1)), 3),
                (Counter::TasksOpenUpdated(month(2026, 2)), 1),
                (Counter::TasksOpenUpdated(month(2026, 3)), 1),
                (Counter::TargetsMet(2025), 9),
                (Counter::TargetsMet(2026), 2),
                (Counter::TargetsNoData(2026), 1),
                (Counter::ReportsExpected(month(2025, 12)), 7),
                (Counter::ReportsExpected(month(2026, 1)), 3),
                (Counter::ReportsExpected(month(2026, 3)), 3),
                (Counter::ReportsExpected(month(2026, 4)), 3),
                (Counter::ReportsOnTime(month(2026, 1)), 2),
                (Counter::ReportsLate(month(2026, 3)), 1),
            ],
            updated_at: None,
        };
        let c = RankCounts::of(&r, &RankWindow::on(d(2026, 3, 10)));
        assert_eq!(
            c,
            RankCounts {
                tasks: 10,
                done_on_time: 2,
                done_late: 1,
                overdue: 2,
                open_updated: 2,
                targets_met: 2,
                targets_not_met: 0,
                targets_no_data: 1,
                reports_expected: 6,
                reports_on_time: 2,
                reports_late: 1,
            }
        );
        let s = standing(&c);
        assert_eq!(s.overdue, 2);
        assert_eq!(s.completion_rate, Some(30.0));
        // 10 tasks, 3 done, 2 open ones updated since February.
        assert_eq!(s.not_updated, 5);
        assert_eq!(s.update_rate, Some(50.0));
    }

    #[test]
    fn nothing_counted_has_no_rates() {
        let s = standing(&RankCounts::default());
        assert_eq!(s.completion_rate, None);
        assert_eq!(s.update_rate, None);
        assert_eq!(s.not_updated, 0);
    }
}
