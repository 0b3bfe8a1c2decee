//! The province–commune loop: whether each commune sent its consolidated
//! report of a round by its consolidation day, and how a province task
//! handed down to communes progresses as theirs do.

use chrono::NaiveDate;
use serde::Serialize;

use crate::domain::report::{TaskStatus, vietnam_date};

/// Where a commune's consolidated report of a round stands, as the
/// province sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CommuneReportState {
    /// Consolidated on or before the consolidation day.
    OnTime,
    /// Consolidated after it.
    Late,
    /// Nothing consolidated, and the day has passed.
    Missing,
    /// Nothing consolidated yet, and the day has not passed.
    Waiting,
    /// Sent back by the province; the commune consolidates it again.
    Returned,
}

impl CommuneReportState {
    pub fn label_vi(self) -> &'static str {
        match self {
            CommuneReportState::OnTime => "Đúng hạn",
            CommuneReportState::Late => "Trễ hạn",
            CommuneReportState::Missing => "Chưa gửi (quá hạn)",
            CommuneReportState::Waiting => "Chưa đến hạn",
            CommuneReportState::Returned => "Đã trả lại",
        }
    }

    /// The commune's consolidated report, read from its status (`None`
    /// when it has none) and when it was last consolidated.
    pub fn of(
        status: Option<&str>,
        consolidated_at_ms: Option<i64>,
        due_on: NaiveDate,
        today: NaiveDate,
    ) -> CommuneReportState {
        match (status, consolidated_at_ms) {
            (Some("returned"), _) => CommuneReportState::Returned,
            (Some(_), Some(at)) if vietnam_date(at) <= due_on => CommuneReportState::OnTime,
            (Some(_), Some(_)) => CommuneReportState::Late,
            _ if today > due_on => CommuneReportState::Missing,
            _ => CommuneReportState::Waiting,
        }
    }
}

/// One commune's copy of a split task, as far as the province is concerned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChildProgress {
    /// The status of its last accepted update, if any.
    pub status: Option<TaskStatus>,
    /// The percent of its last accepted update that gave one.
    pub percent: Option<u8>,
    /// Marked not applicable to that commune: left out of the rollup.
    pub not_applicable: bool,
}

impl ChildProgress {
    /// Its share done, 0 to 100: a done task counts whole whatever percent
    /// it last gave, one without an update counts nothing.
    pub fn percent_done(&self) -> u8 {
        match (self.status, self.percent) {
            (Some(s), _) if s.is_done() => 100,
            (_, Some(p)) => p.min(100),
            _ => 0,
        }
    }
}

/// A split task's progress rolled up from its communes' copies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SplitProgress {
    /// Copies that count (not marked not applicable).
    pub communes: usize,
    /// Of those, done (on time or late).
    pub done: usize,
    /// The mean of their shares done, rounded to a whole percent; none when
    /// no copy counts.
    pub percent: Option<u8>,
    /// `not_started` while no copy has begun, `done` when every one is,
    /// `in_progress` between.
    pub status: Option<TaskStatus>,
}

/// Rolls a split task's progress up from its copies.
pub fn roll_up(children: &[ChildProgress]) -> SplitProgress {
    let counted: Vec<&ChildProgress> = children.iter().filter(|c| !c.not_applicable).collect();
    let communes = counted.len();
    let done = counted
        .iter()
        .filter(|c| c.status.is_some_and(TaskStatus::is_done))
        .count();
    if communes == 0 {
        return SplitProgress {
            communes,
            done,
            percent: None,
            status: None,
        };
    }
    let sum: u32 = counted.iter().map(|c| u32::from(c.percent_done())).sum();
    let percent = ((sum as f64) / (communes as f64)).round() as u8;
    let begun = counted
        .iter()
        .any(|c| c.percent_done() > 0 || c.status.is_some_and(|s| s != TaskStatus::NotStarted));
    let status = if done == communes {
        TaskStatus::Done
    } else if begun {
        TaskStatus::InProgress
    } else {
        TaskStatus::NotStarted
    };
    SplitProgress {
        communes,
        done,
        percent: Some(percent),
        status: Some(status),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    /// 09:00 in Vietnam on that day.
    fn ms(s: &str) -> i64 {
        day(s)
            .and_hms_opt(2, 0, 0)
            .expect("time")
            .and_utc()
            .timestamp_millis()
    }

    #[test]
    fn a_commune_report_is_on_time_by_its_day_late_after_missing_without() {
        let due = day("2026-03-18");
        let today = day("2026-03-20");
        let of = CommuneReportState::of;
        assert_eq!(
            of(Some("consolidated"), Some(ms("2026-03-18")), due, today),
            CommuneReportState::OnTime
        );
        assert_eq!(
            of(Some("approved"), Some(ms("2026-03-19")), due, today),
            CommuneReportState::Late
        );
        assert_eq!(of(None, None, due, today), CommuneReportState::Missing);
        assert_eq!(of(None, None, due, due), CommuneReportState::Waiting);
        assert_eq!(
            of(Some("returned"), Some(ms("2026-03-17")), due, today),
            CommuneReportState::Returned
        );
    }

    #[test]
    fn a_split_task_rolls_up_its_communes_shares() {
        let child = |status, percent| ChildProgress {
            status,
            percent,
            not_applicable: false,
        };
        let rolled = roll_up(&[
            child(Some(TaskStatus::Done), Some(80)),
            child(Some(TaskStatus::InProgress), Some(50)),
            child(None, None),
            ChildProgress {
                status: None,
                percent: None,
                not_applicable: true,
            },
        ]);
        assert_eq!(rolled.communes, 3);
        assert_eq!(rolled.done, 1);
        assert_eq!(rolled.percent, Some(50));
        assert_eq!(rolled.status, Some(TaskStatus::InProgress));
        let all_done = roll_up(&[
            child(Some(TaskStatus::Done), None),
            child(Some(TaskStatus::DoneLate), Some(100)),
        ]);
        assert_eq!(all_done.status, Some(TaskStatus::Done));
        assert_eq!(all_done.percent, Some(100));
        assert_eq!(
            roll_up(&[child(None, None)]).status,
            Some(TaskStatus::NotStarted)
        );
        assert_eq!(roll_up(&[]).percent, None);
    }
}
