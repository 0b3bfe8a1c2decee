//! Reviews over a span of periods: the quarterly briefing (giao ban quý),
//! the six-month and yearly reviews (sơ kết 6 tháng, tổng kết năm), and the
//! mid-term and end-of-term reports of the 2026–2030 term (sơ kết giữa
//! nhiệm kỳ, tổng kết nhiệm kỳ).
//!
//! A review is cut into columns — the months of a quarter, the quarters of
//! a half year or a year, the years of the term — and each task and target
//! gets one cell a column from the accepted reports of the rounds whose
//! period lies inside that column. Nothing is made up: a column with no
//! accepted answer is [`TaskCell::Missing`] / [`FigureCell::Missing`], never
//! zero. The review's totals are built from the columns, so they always
//! equal the sum of the periods:
//!
//! - a task counts as completed in the first column in which an accepted
//!   report says it is done (later "done" answers do not count it again),
//!   so the tasks completed over the span are the sum of each column's;
//! - a target counted in events (sáng kiến, lượt, hồ sơ …) adds its columns
//!   up; a level (a percentage, a score, a rank) is not added, and the span
//!   shows its latest figure.
//!
//! Inside one column a target counted in events takes the figures of one
//! kind of round only — the coarsest that reported (a year's round over its
//! quarters, quarters over months) — so a month is never counted twice.

use chrono::NaiveDate;

use super::period::{PeriodKind, ReportingPeriod};
use super::report::TaskStatus;
use super::text::fold_vietnamese;

/// The 2026–2030 term the plans run over (nhiệm kỳ Đại hội 2025–2030, the
/// plans' 2030 horizon), and the year its mid-term review closes.
pub const TERM_START: i32 = 2026;
pub const MID_TERM_END: i32 = 2028;
pub const TERM_END: i32 = 2030;

/// Which review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewKind {
    /// The quarterly briefing, quarter 1–4.
    Quarter(u32),
    /// The six-month review, half 1 (the usual "sơ kết 6 tháng") or 2.
    HalfYear(u32),
    Year,
    MidTerm,
    EndOfTerm,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("Loại báo cáo “{0}” không hợp lệ: quarter, half_year, year, mid_term hoặc end_of_term")]
    Kind(String),
    #[error("Quý phải từ 1 đến 4")]
    Quarter,
    #[error("Nửa năm phải là 1 (6 tháng đầu năm) hoặc 2 (6 tháng cuối năm)")]
    Half,
    #[error("Năm phải từ {TERM_START} đến {TERM_END}")]
    Year,
}

impl ReviewKind {
    /// The kind as a URL names it (`quarter`, `half_year`, `year`,
    /// `mid_term`, `end_of_term`), with the quarter or half it needs.
    pub fn parse(
        kind: &str,
        quarter: Option<u32>,
        half: Option<u32>,
    ) -> Result<ReviewKind, ReviewError> {
        match kind.trim() {
            "quarter" => match quarter {
                Some(q @ 1..=4) => Ok(ReviewKind::Quarter(q)),
                _ => Err(ReviewError::Quarter),
            },
            "half_year" => match half.unwrap_or(1) {
                h @ 1..=2 => Ok(ReviewKind::HalfYear(h)),
                _ => Err(ReviewError::Half),
            },
            "year" => Ok(ReviewKind::Year),
            "mid_term" => Ok(ReviewKind::MidTerm),
            "end_of_term" => Ok(ReviewKind::EndOfTerm),
            other => Err(ReviewError::Kind(other.chars().take(40).collect())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ReviewKind::Quarter(_) => "quarter",
            ReviewKind::HalfYear(_) => "half_year",
            ReviewKind::Year => "year",
            ReviewKind::MidTerm => "mid_term",
            ReviewKind::EndOfTerm => "end_of_term",
        }
    }
}

/// A review's span and its columns, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewSpan {
    pub kind: ReviewKind,
    pub columns: Vec<ReportingPeriod>,
}

impl ReviewSpan {
    /// The span of `kind` in `year` (the year is that of the quarter, half
    /// or year; the term's reviews have their own years and ignore it).
    pub fn new(kind: ReviewKind, year: i32) -> Result<ReviewSpan, ReviewError> {
        let in_term = |y: i32| (TERM_START..=TERM_END).contains(&y);
        let years = |last: i32| -> Vec<ReportingPeriod> {
            (TERM_START..=last)
                .filter_map(ReportingPeriod::year)
                .collect()
        };
        let columns = match kind {
            ReviewKind::Quarter(q) if in_term(year) => (q * 3 - 2..=q * 3)
                .filter_map(|m| ReportingPeriod::month(year, m))
                .collect(),
            ReviewKind::HalfYear(h) if in_term(year) => (h * 2 - 1..=h * 2)
                .filter_map(|q| ReportingPeriod::quarter(year, q))
                .collect(),
            ReviewKind::Year if in_term(year) => {
                ReportingPeriod::periods_of(PeriodKind::Quarterly, year)
            }
            ReviewKind::MidTerm => years(MID_TERM_END),
            ReviewKind::EndOfTerm => years(TERM_END),
            _ => return Err(ReviewError::Year),
        };
        if columns.is_empty() {
            return Err(ReviewError::Year);
        }
        Ok(ReviewSpan { kind, columns })
    }

    pub fn start(&self) -> NaiveDate {
        self.columns.first().map_or(NaiveDate::MIN, |c| c.start())
    }

    pub fn end(&self) -> NaiveDate {
        self.columns.last().map_or(NaiveDate::MAX, |c| c.end())
    }

    /// The year whose goals judge the targets: the span's last.
    pub fn end_year(&self) -> i32 {
        self.columns
            .last()
            .map_or(TERM_END, ReportingPeriod::year_number)
    }

    /// The span in words: `quý II năm 2026`, `6 tháng đầu năm 2026`,
    /// `năm 2026`, `giai đoạn 2026 - 2028`, `giai đoạn 2026 - 2030`.
    pub fn label_vi(&self) -> String {
        let year = self.columns.first().map_or(TERM_START, |c| c.year_number());
        match self.kind {
            ReviewKind::Quarter(q) => {
                let roman = ["I", "II", "III", "IV"];
                let q = usize::try_from(q).unwrap_or(1).clamp(1, 4);
                format!("quý {} năm {year}", roman[q - 1])
            }
            ReviewKind::HalfYear(1) => format!("6 tháng đầu năm {year}"),
            ReviewKind::HalfYear(_) => format!("6 tháng cuối năm {year}"),
            ReviewKind::Year => format!("năm {year}"),
            ReviewKind::MidTerm | ReviewKind::EndOfTerm => {
                format!("giai đoạn {TERM_START} - {}", self.end_year())
            }
        }
    }

    /// The column a period lies wholly inside, if any.
    pub fn column_of(&self, period: &ReportingPeriod) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.start() <= period.start() && period.end() <= c.end())
    }
}

/// One task's answer in one unit's accepted report of one round.
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedTask {
    pub round_id: i64,
    pub period: ReportingPeriod,
    pub task_id: i64,
    /// The unit that answered leads the task (its word comes first).
    pub leads: bool,
    pub status: Option<TaskStatus>,
    pub percent: Option<u8>,
    pub result: Option<String>,
    pub nothing_this_period: bool,
}

/// One target's figure in one unit's accepted report of one round (or an
/// automatic source's figure for the period).
#[derive(Debug, Clone, PartialEq)]
pub struct AcceptedFigure {
    pub round_id: i64,
    pub period: ReportingPeriod,
    pub target_id: i64,
    pub value: Option<f64>,
    pub nothing_this_period: bool,
}

/// What a column says of a task.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskCell {
    /// No accepted report answered the task in this column.
    Missing,
    /// Answered «Không phát sinh trong kỳ».
    Nothing,
    Reported {
        status: Option<TaskStatus>,
        percent: Option<u8>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskReview {
    pub task_id: i64,
    pub cells: Vec<TaskCell>,
    /// The column in which an accepted report first said done.
    pub done_in: Option<usize>,
    /// The latest reported cell over the span, and its result.
    pub last: Option<TaskCell>,
    pub result: Option<String>,
}

/// Whether a target's figures add up over periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accumulation {
    /// Counted in events (initiatives, visits, files): the span is the sum.
    Sum,
    /// A level (a percentage, a score, a rank, an index): the latest counts.
    Latest,
}

/// Units of measure that name a level, not a count of events.
const LEVEL_UNITS: [&str; 8] = [
    "%", "diem", "thu bac", "thu hang", "xep hang", "chi so", "ty le", "top",
];

impl Accumulation {
    /// A target's accumulation from its unit of measure: levels for `%`,
    /// `Điểm`, `Thứ bậc`, an index or a rate (and when no unit is given,
    /// since adding up an unknown quantity could invent a figure); a sum
    /// for anything counted.
    pub fn of_unit(measure_unit: Option<&str>) -> Accumulation {
        let Some(unit) = measure_unit
            .map(fold_vietnamese)
            .filter(|u| !u.trim().is_empty())
        else {
            return Accumulation::Latest;
        };
        if LEVEL_UNITS.iter().any(|l| unit.contains(l)) {
            Accumulation::Latest
        } else {
            Accumulation::Sum
        }
    }
}

/// What a column says of a target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FigureCell {
    Missing,
    Nothing,
    Value(f64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetReview {
    pub target_id: i64,
    pub accumulation: Accumulation,
    pub cells: Vec<FigureCell>,
    /// The sum of the columns' figures, or the latest, as the target adds
    /// up; `None` when no column has a figure.
    pub total: Option<f64>,
    /// Columns without any accepted figure.
    pub missing: Vec<usize>,
}

/// Coarser rounds first when a column has several kinds; nine months and
/// ad hoc last, since they overlap the others.
fn coarseness(kind: PeriodKind) -> u8 {
    match kind {
        PeriodKind::Yearly => 5,
        PeriodKind::HalfYearly => 4,
        PeriodKind::Quarterly => 3,
        PeriodKind::Monthly => 2,
        PeriodKind::NineMonths => 1,
        PeriodKind::AdHoc => 0,
    }
}

/// Orders answers so the last is the one a column shows: the latest
/// period, then the coarser round, then the lead unit's word.
fn task_rank(item: &AcceptedTask) -> (NaiveDate, u8, i64, bool) {
    (
        item.period.end(),
        coarseness(item.period.kind()),
        item.round_id,
        item.leads,
    )
}

/// Each task's cells over the span, from the accepted answers (answers
/// outside the span are left out).
pub fn review_tasks(
    span: &ReviewSpan,
    task_ids: &[i64],
    items: &[AcceptedTask],
) -> Vec<TaskReview> {
    task_ids
        .iter()
        .map(|&task_id| {
            let mut mine: Vec<(usize, &AcceptedTask)> = items
                .iter()
                .filter(|i| i.task_id == task_id)
                .filter_map(|i| span.column_of(&i.period).map(|c| (c, i)))
                .collect();
            mine.sort_by_key(|(_, i)| task_rank(i));
            let mut cells = vec![TaskCell::Missing; span.columns.len()];
            for (column, item) in &mine {
                cells[*column] = task_cell(item);
            }
            let done_in = mine
                .iter()
                .filter(|(_, i)| i.status.is_some_and(TaskStatus::is_done))
                .map(|(c, _)| *c)
                .min();
            let last = mine.last().map(|(_, i)| task_cell(i));
            let result = mine
                .iter()
                .rev()
                .find_map(|(_, i)| i.result.clone().filter(|r| !r.trim().is_empty()));
            TaskReview {
                task_id,
                cells,
                done_in,
                last,
                result,
            }
        })
        .collect()
}

fn task_cell(item: &AcceptedTask) -> TaskCell {
    if item.nothing_this_period && item.status.is_none() {
        TaskCell::Nothing
    } else {
        TaskCell::Reported {
            status: item.status,
            percent: item.percent,
        }
    }
}

/// Each target's cells and total over the span.
pub fn review_targets(
    span: &ReviewSpan,
    targets: &[(i64, Accumulation)],
    items: &[AcceptedFigure],
) -> Vec<TargetReview> {
    targets
        .iter()
        .map(|&(target_id, accumulation)| {
            let cells: Vec<FigureCell> = (0..span.columns.len())
                .map(|column| {
                    let inside: Vec<&AcceptedFigure> = items
                        .iter()
                        .filter(|i| i.target_id == target_id)
                        .filter(|i| span.column_of(&i.period) == Some(column))
                        .collect();
                    figure_cell(&inside, accumulation)
                })
                .collect();
            let values: Vec<f64> = cells
                .iter()
                .filter_map(|c| match c {
                    FigureCell::Value(v) => Some(*v),
                    _ => None,
                })
                .collect();
            let total = match accumulation {
                _ if values.is_empty() => None,
                Accumulation::Sum => Some(values.iter().sum()),
                Accumulation::Latest => values.last().copied(),
            };
            let missing = cells
                .iter()
                .enumerate()
                .filter(|(_, c)| **c == FigureCell::Missing)
                .map(|(i, _)| i)
                .collect();
            TargetReview {
                target_id,
                accumulation,
                cells,
                total,
                missing,
            }
        })
        .collect()
}

/// One column's cell from the figures of the rounds inside it: one figure
/// a round (the first with a value); then the sum over the coarsest kind
/// of round, or the latest.
fn figure_cell(inside: &[&AcceptedFigure], accumulation: Accumulation) -> FigureCell {
    if inside.is_empty() {
        return FigureCell::Missing;
    }
    let mut per_round: Vec<(&ReportingPeriod, i64, f64)> = Vec::new();
    for item in inside {
        let Some(value) = item.value else { continue };
        if !per_round.iter().any(|(_, r, _)| *r == item.round_id) {
            per_round.push((&item.period, item.round_id, value));
        }
    }
    let Some(coarsest) = per_round.iter().map(|(p, _, _)| coarseness(p.kind())).max() else {
        return FigureCell::Nothing;
    };
    match accumulation {
        Accumulation::Sum => FigureCell::Value(
            per_round
                .iter()
                .filter(|(p, _, _)| coarseness(p.kind()) == coarsest)
                .map(|(_, _, v)| v)
                .sum(),
        ),
        Accumulation::Latest => per_round
            .iter()
            .max_by_key(|(p, r, _)| (p.end(), coarseness(p.kind()), *r))
            .map_or(FigureCell::Nothing, |(_, _, v)| FigureCell::Value(*v)),
    }
}

/// Tasks completed in each column, and over the span (their sum).
pub fn completed_per_column(span: &ReviewSpan, tasks: &[TaskReview]) -> Vec<usize> {
    (0..span.columns.len())
        .map(|c| tasks.iter().filter(|t| t.done_in == Some(c)).count())
        .collect()
}

#[cfg(test)]
#[path = "review_tests.rs"]
mod tests;
