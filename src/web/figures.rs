//! The figures of a dashboard, computed from a unit's rollup counters and
//! the working-day calendar: what is late, what will be late, targets met,
//! reports on time, and the score. Shared by the pages and the API.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use utoipa::ToSchema;

use crate::domain::calendar::WorkCalendar;
use crate::domain::score::{Score, ScoreInputs, score};
use crate::domain::status::DUE_SOON_WORKING_DAYS;
use crate::store::Rollup;

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

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Figures {
    pub tasks: TaskFigures,
    pub targets: TargetFigures,
    /// This month's reports and last month's.
    pub reports: Vec<ReportFigures>,
    #[schema(value_type = Object)]
    pub score: Score,
    /// When the counters last moved (epoch ms), the figures' "as of".
    pub as_of: Option<i64>,
}

fn month_key(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

fn previous_month(d: NaiveDate) -> NaiveDate {
    let first = d.with_day(1).unwrap_or(d);
    first.pred_opt().unwrap_or(first)
}

pub fn figures(r: &Rollup, today: NaiveDate, cal: &WorkCalendar) -> Figures {
    let soon = cal.add_working_days(today, DUE_SOON_WORKING_DAYS);
    let overdue = r.overdue(today);
    let due_soon = r.open_due_between(today, soon);
    let open_due_total = r.sum("tasks_open_due", |_| true);
    let ongoing = r.get("tasks_open_ongoing", "");
    let done_on_time = r.get("tasks_done_on_time", "");
    let done_late = r.get("tasks_done_late", "");
    let mut by_status: Vec<(String, i64)> = [
        "none",
        "not_started",
        "in_progress",
        "done",
        "done_late",
        "suspended",
    ]
    .iter()
    .map(|s| (s.to_string(), r.get("tasks_status", s)))
    .collect();
    by_status.retain(|(_, n)| *n > 0);
    let year = today.year();
    let y = year.to_string();
    let targets = TargetFigures {
        year,
        met: r.get("targets_met", &y),
        not_met: r.get("targets_not_met", &y),
        no_data: r.get("targets_no_data", &y),
    };
    let reports = [today, previous_month(today)]
        .iter()
        .map(|d| {
            let m = month_key(*d);
            let expected = r.get("reports_expected", &m);
            let on_time = r.get("reports_on_time", &m);
            let late = r.get("reports_late", &m);
            // Reports are due by the middle of the month at the latest; a
            // past month's gap is missing, this month's is not yet.
            let past = m < month_key(today);
            ReportFigures {
                month: m,
                expected,
                on_time,
                late,
                missing: if past {
                    (expected - on_time - late).max(0)
                } else {
                    0
                },
            }
        })
        .collect();
    // The score counts the year so far.
    let this_year = |b: &str| b.starts_with(&y) && b <= month_key(today).as_str();
    let inputs = ScoreInputs {
        tasks_due: done_on_time + done_late + overdue,
        tasks_done_on_time: done_on_time,
        tasks_done_late: done_late,
        targets_with_goal: targets.met + targets.not_met + targets.no_data,
        targets_met: targets.met,
        reports_expected: r.sum("reports_expected", this_year),
        reports_on_time: r.sum("reports_on_time", this_year),
        reports_late: r.sum("reports_late", this_year),
    };
    Figures {
        tasks: TaskFigures {
            total: r.get("tasks", ""),
            overdue,
            due_soon,
            open_later: (open_due_total - overdue - due_soon).max(0) + ongoing,
            done_on_time,
            done_late,
            by_status,
        },
        targets,
        reports,
        score: score(&inputs),
        as_of: r.updated_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    fn rollup(rows: &[(&str, &str, i64)]) -> Rollup {
        Rollup {
            unit_id: 1,
            rows: rows
                .iter()
                .map(|(m, b, v)| (m.to_string(), b.to_string(), *v))
                .collect(),
            updated_at: Some(5),
        }
    }

    #[test]
    fn open_tasks_split_into_overdue_due_soon_and_later() {
        let r = rollup(&[
            ("tasks", "", 10),
            ("tasks_open_due", "2026-02-28", 2),
            ("tasks_open_due", "2026-03-13", 1),
            ("tasks_open_due", "2026-06-30", 3),
            ("tasks_open_ongoing", "", 1),
            ("tasks_done_on_time", "", 2),
            ("tasks_done_late", "", 1),
        ]);
        let f = figures(&r, d(2026, 3, 10), &WorkCalendar::vietnam());
        assert_eq!(f.tasks.overdue, 2);
        assert_eq!(f.tasks.due_soon, 1);
        assert_eq!(f.tasks.open_later, 4);
        assert_eq!(f.as_of, Some(5));
    }

    #[test]
    fn past_months_count_missing_reports() {
        let r = rollup(&[
            ("reports_expected", "2026-02", 4),
            ("reports_on_time", "2026-02", 2),
            ("reports_late", "2026-02", 1),
            ("reports_expected", "2026-03", 4),
            ("reports_on_time", "2026-03", 1),
        ]);
        let f = figures(&r, d(2026, 3, 10), &WorkCalendar::vietnam());
        assert_eq!(f.reports[0].missing, 0, "this month is not over");
        assert_eq!(f.reports[1].missing, 1);
        assert_eq!(f.score.parts.len(), 3);
    }
}
