//! Periodic reporting rules: what a unit reports on a task, the life of a
//! unit's report (draft → submitted → accepted, or returned and reopened),
//! and whether it came in on time.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::domain::text::fold_vietnamese;
use crate::domain::valid::Valid;

/// Where a task stands, as the unit reports it. Ordered so counters keyed
/// by it sort the same way in every transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    NotStarted,
    InProgress,
    Done,
    DoneLate,
    Suspended,
}

impl TaskStatus {
    pub const ALL: [TaskStatus; 5] = [
        TaskStatus::NotStarted,
        TaskStatus::InProgress,
        TaskStatus::Done,
        TaskStatus::DoneLate,
        TaskStatus::Suspended,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "not_started",
            TaskStatus::InProgress => "in_progress",
            TaskStatus::Done => "done",
            TaskStatus::DoneLate => "done_late",
            TaskStatus::Suspended => "suspended",
        }
    }

    pub fn parse(s: &str) -> Option<TaskStatus> {
        TaskStatus::ALL.into_iter().find(|t| t.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            TaskStatus::NotStarted => "Chưa triển khai",
            TaskStatus::InProgress => "Đang thực hiện",
            TaskStatus::Done => "Hoàn thành",
            TaskStatus::DoneLate => "Hoàn thành quá hạn",
            TaskStatus::Suspended => "Tạm dừng",
        }
    }

    /// Reads the code or the Vietnamese label, with or without diacritics.
    pub fn parse_any(s: &str) -> Option<TaskStatus> {
        let folded = fold_vietnamese(s);
        TaskStatus::parse(s.trim()).or_else(|| {
            TaskStatus::ALL
                .into_iter()
                .find(|t| fold_vietnamese(t.label_vi()) == folded)
        })
    }

    pub fn is_done(self) -> bool {
        matches!(self, TaskStatus::Done | TaskStatus::DoneLate)
    }
}

/// The life of a unit's report in one round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Expected, nothing typed yet.
    Pending,
    Draft,
    Submitted,
    /// Sent back by the focal point; open again for its unit.
    Returned,
    /// Final.
    Accepted,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Pending => "pending",
            ReportStatus::Draft => "draft",
            ReportStatus::Submitted => "submitted",
            ReportStatus::Returned => "returned",
            ReportStatus::Accepted => "accepted",
        }
    }

    pub fn parse(s: &str) -> Option<ReportStatus> {
        [
            ReportStatus::Pending,
            ReportStatus::Draft,
            ReportStatus::Submitted,
            ReportStatus::Returned,
            ReportStatus::Accepted,
        ]
        .into_iter()
        .find(|r| r.as_str() == s)
    }

    pub fn label_vi(self) -> &'static str {
        match self {
            ReportStatus::Pending => "Chưa báo cáo",
            ReportStatus::Draft => "Đang soạn",
            ReportStatus::Submitted => "Đã gửi, chờ xem xét",
            ReportStatus::Returned => "Bị trả lại, cần bổ sung",
            ReportStatus::Accepted => "Đã tiếp nhận",
        }
    }

    /// A unit may type into its report only before it is submitted, or
    /// after it was returned.
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            ReportStatus::Pending | ReportStatus::Draft | ReportStatus::Returned
        )
    }

    pub fn after(self, action: ReportAction) -> Result<ReportStatus, ReportError> {
        use ReportAction::*;
        use ReportStatus::*;
        match (self, action) {
            (Pending | Draft | Returned, Save) => {
                Ok(if self == Returned { Returned } else { Draft })
            }
            (Pending | Draft | Returned, Submit) => Ok(Submitted),
            (Submitted, Accept) => Ok(Accepted),
            (Submitted, Return) => Ok(Returned),
            (Submitted | Accepted, Save | Submit) => Err(ReportError::Locked),
            (_, Accept | Return) => Err(ReportError::NotSubmitted),
        }
    }
}

/// A review's decision as a report action: a return needs a reason the
/// unit can act on; an acceptance may carry a remark.
pub fn review_action(accept: bool, comment: Option<&str>) -> Result<ReportAction, ReportError> {
    if accept {
        Ok(ReportAction::Accept)
    } else if comment.is_some_and(|c| !c.trim().is_empty()) {
        Ok(ReportAction::Return)
    } else {
        Err(ReportError::MissingReturnReason)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportAction {
    Save,
    Submit,
    Accept,
    Return,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportError {
    #[error(
        "Nhiệm vụ {0} là nhiệm vụ mật: không đưa kết quả, lý do hay minh chứng lên hệ thống; chỉ cập nhật tình trạng và tiến độ."
    )]
    ConfidentialContent(String),
    #[error("Báo cáo đã gửi nên không sửa được; nếu cần bổ sung, đề nghị đầu mối trả lại báo cáo")]
    Locked,
    #[error("Chỉ xem xét được báo cáo đã gửi")]
    NotSubmitted,
    #[error("Tiến độ phải là số từ 0 đến 100")]
    BadPercent,
    #[error("Nhiệm vụ tạm dừng cần nêu lý do")]
    MissingSuspendReason,
    #[error("Nội dung quá dài (tối đa {0} ký tự)")]
    TooLong(usize),
    #[error("Giá trị chỉ tiêu không hợp lệ")]
    BadValue,
    #[error("Khi trả lại báo cáo cần nêu lý do")]
    MissingReturnReason,
    #[error("Đã có số liệu thì không ghi lý do chưa có số liệu")]
    FigureAndNoData,
}

/// What a unit says about one task in one round.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TaskUpdateDraft {
    pub status: Option<TaskStatus>,
    pub percent: Option<u8>,
    pub result: Option<String>,
    pub suspend_reason: Option<String>,
    /// "Không phát sinh trong kỳ": nothing happened on the task this
    /// period, which is an answer.
    pub nothing_this_period: bool,
}

pub const MAX_TEXT: usize = 10_000;

impl TaskUpdateDraft {
    /// A finished task is 100% done; a suspended one says why.
    pub fn validate(mut self) -> Result<Valid<TaskUpdateDraft>, ReportError> {
        if self.percent.is_some_and(|p| p > 100) {
            return Err(ReportError::BadPercent);
        }
        self.result = clean(self.result)?;
        self.suspend_reason = clean(self.suspend_reason)?;
        match self.status {
            Some(s) if s.is_done() && self.percent.is_none() => self.percent = Some(100),
            Some(TaskStatus::Suspended) if self.suspend_reason.is_none() => {
                return Err(ReportError::MissingSuspendReason);
            }
            _ => {}
        }
        Ok(Valid::new(self))
    }

    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.percent.is_none()
            && self.result.is_none()
            && !self.nothing_this_period
    }
}

/// A measured value for a target in one round, and where it comes from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TargetFigureDraft {
    pub value: Option<f64>,
    pub source: Option<String>,
    /// "Chưa có số liệu": why there is no figure this period.
    pub no_data_reason: Option<String>,
    /// "Không phát sinh trong kỳ".
    pub nothing_this_period: bool,
}

impl TargetFigureDraft {
    pub fn validate(mut self) -> Result<Valid<TargetFigureDraft>, ReportError> {
        if self.value.is_some_and(|v| !v.is_finite()) {
            return Err(ReportError::BadValue);
        }
        self.source = clean(self.source)?;
        self.no_data_reason = clean(self.no_data_reason)?;
        if self.value.is_some() && self.no_data_reason.is_some() {
            return Err(ReportError::FigureAndNoData);
        }
        Ok(Valid::new(self))
    }
}

/// Whether a unit answered a task of its report: it said nothing happened
/// this period, or it gave a status — and, for a finished task, what was
/// produced (a result or evidence). A blank item, or "done" with nothing to
/// show for it, is not an answer, and a report with one is not received.
/// A confidential task ("mật") answers with its status alone: its results
/// and evidence stay off the system.
pub fn task_answered(
    status: Option<TaskStatus>,
    result: Option<&str>,
    evidence: usize,
    nothing_this_period: bool,
    confidential: bool,
) -> bool {
    if nothing_this_period {
        return true;
    }
    match status {
        None => false,
        Some(s) if s.is_done() => {
            confidential || result.is_some_and(|r| !r.trim().is_empty()) || evidence > 0
        }
        Some(_) => true,
    }
}

/// Whether a unit answered a target of its report: a figure with where it
/// comes from, or why there is none yet, or nothing this period.
pub fn target_answered(
    value: Option<f64>,
    source: Option<&str>,
    no_data_reason: Option<&str>,
    nothing_this_period: bool,
) -> bool {
    let said = |t: Option<&str>| t.is_some_and(|t| !t.trim().is_empty());
    nothing_this_period || (value.is_some() && said(source)) || said(no_data_reason)
}

pub fn clean(text: Option<String>) -> Result<Option<String>, ReportError> {
    let text = text.map(|t| t.trim().to_string()).filter(|t| !t.is_empty());
    if text.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
        return Err(ReportError::TooLong(MAX_TEXT));
    }
    Ok(text)
}

/// Whether a unit's report came in on time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Timeliness {
    OnTime,
    Late,
    Missing,
    /// Not submitted, but the due date has not passed.
    NotDue,
}

impl Timeliness {
    pub fn label_vi(self) -> &'static str {
        match self {
            Timeliness::OnTime => "Đúng hạn",
            Timeliness::Late => "Trễ hạn",
            Timeliness::Missing => "Chưa nộp (quá hạn)",
            Timeliness::NotDue => "Chưa đến hạn",
        }
    }
}

/// The last millisecond of `due` in Vietnam (UTC+7): a report sent at
/// 23:59 on the due day is on time.
pub fn end_of_day_ms(due: NaiveDate) -> i64 {
    let end = due.and_time(NaiveTime::MIN) + chrono::Duration::days(1);
    end.and_utc().timestamp_millis() - 7 * 3_600_000 - 1
}

/// The day in Vietnam (UTC+7) of an instant in epoch milliseconds: the
/// inverse of [`end_of_day_ms`], and what the clock calls today.
pub fn vietnam_date(ms: i64) -> NaiveDate {
    let vietnam = ms.saturating_add(7 * 3_600_000);
    chrono::DateTime::from_timestamp_millis(vietnam)
        .unwrap_or_default()
        .date_naive()
}

/// The first submission counts: a report returned for more detail was
/// still received when it was first sent.
pub fn timeliness(first_submitted_at: Option<i64>, due: NaiveDate, now_ms: i64) -> Timeliness {
    let deadline = end_of_day_ms(due);
    match first_submitted_at {
        Some(at) if at <= deadline => Timeliness::OnTime,
        Some(_) => Timeliness::Late,
        None if now_ms > deadline => Timeliness::Missing,
        None => Timeliness::NotDue,
    }
}

/// Counts of a round (or of many rounds up the tree).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Completeness {
    pub expected: i64,
    pub on_time: i64,
    pub late: i64,
    pub missing: i64,
    pub not_due: i64,
}

impl Completeness {
    pub fn add(&mut self, t: Timeliness) {
        self.expected += 1;
        match t {
            Timeliness::OnTime => self.on_time += 1,
            Timeliness::Late => self.late += 1,
            Timeliness::Missing => self.missing += 1,
            Timeliness::NotDue => self.not_due += 1,
        }
    }

    pub fn merge(&mut self, other: Completeness) {
        self.expected += other.expected;
        self.on_time += other.on_time;
        self.late += other.late;
        self.missing += other.missing;
        self.not_due += other.not_due;
    }

    /// Share of expected reports received (on time or late), in percent.
    pub fn received_rate(&self) -> f64 {
        rate(self.on_time + self.late, self.expected)
    }

    /// Share of expected reports received on time, in percent.
    pub fn on_time_rate(&self) -> f64 {
        rate(self.on_time, self.expected)
    }
}

fn rate(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        (part as f64) * 100.0 / (whole as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    /// Milliseconds of a Vietnam local time.
    fn vn(y: i32, m: u32, day: u32, h: u32, min: u32) -> i64 {
        d(y, m, day)
            .and_hms_opt(h, min, 0)
            .expect("time")
            .and_utc()
            .timestamp_millis()
            - 7 * 3_600_000
    }

    #[test]
    fn a_report_sent_before_midnight_of_the_due_day_is_on_time() {
        let due = d(2026, 7, 15);
        assert_eq!(
            timeliness(Some(vn(2026, 7, 15, 23, 59)), due, vn(2026, 7, 20, 0, 0)),
            Timeliness::OnTime
        );
        assert_eq!(
            timeliness(Some(vn(2026, 7, 16, 0, 1)), due, vn(2026, 7, 20, 0, 0)),
            Timeliness::Late
        );
        assert_eq!(
            timeliness(None, due, vn(2026, 7, 15, 12, 0)),
            Timeliness::NotDue
        );
        assert_eq!(
            timeliness(None, due, vn(2026, 7, 16, 8, 0)),
            Timeliness::Missing
        );
    }

    #[test]
    fn a_vietnamese_day_ends_at_its_last_millisecond() {
        let day = d(2026, 7, 15);
        assert_eq!(vietnam_date(end_of_day_ms(day)), day);
        assert_eq!(vietnam_date(end_of_day_ms(day) + 1), d(2026, 7, 16));
        assert_eq!(vietnam_date(vn(2026, 7, 15, 0, 0)), day);
    }

    #[test]
    fn a_report_moves_through_its_states() {
        use ReportAction::*;
        use ReportStatus::*;
        assert_eq!(Pending.after(Save), Ok(Draft));
        assert_eq!(Draft.after(Submit), Ok(Submitted));
        assert_eq!(Submitted.after(Save), Err(ReportError::Locked));
        assert_eq!(Submitted.after(Return), Ok(Returned));
        assert!(Returned.is_editable());
        assert_eq!(Returned.after(Save), Ok(Returned));
        assert_eq!(Returned.after(Submit), Ok(Submitted));
        assert_eq!(Submitted.after(Accept), Ok(Accepted));
        assert_eq!(Accepted.after(Submit), Err(ReportError::Locked));
        assert_eq!(Draft.after(Accept), Err(ReportError::NotSubmitted));
        assert!(!Accepted.is_editable());
    }

    #[test]
    fn a_done_task_is_complete_and_a_suspended_one_says_why() {
        let done = TaskUpdateDraft {
            status: Some(TaskStatus::Done),
            ..Default::default()
        }
        .validate()
        .expect("valid");
        assert_eq!(done.percent, Some(100));
        let suspended = TaskUpdateDraft {
            status: Some(TaskStatus::Suspended),
            ..Default::default()
        };
        assert_eq!(suspended.validate(), Err(ReportError::MissingSuspendReason));
        let too_much = TaskUpdateDraft {
            percent: Some(101),
            ..Default::default()
        };
        assert_eq!(too_much.validate(), Err(ReportError::BadPercent));
    }

    #[test]
    fn statuses_read_their_labels_without_diacritics() {
        assert_eq!(
            TaskStatus::parse_any("hoan thanh qua han"),
            Some(TaskStatus::DoneLate)
        );
        assert_eq!(
            TaskStatus::parse_any("Đang thực hiện"),
            Some(TaskStatus::InProgress)
        );
        assert_eq!(TaskStatus::parse_any("done"), Some(TaskStatus::Done));
        assert_eq!(TaskStatus::parse_any("xong"), None);
    }

    #[test]
    fn completeness_counts_and_rates() {
        let mut c = Completeness::default();
        for t in [
            Timeliness::OnTime,
            Timeliness::OnTime,
            Timeliness::Late,
            Timeliness::Missing,
        ] {
            c.add(t);
        }
        assert_eq!(c.expected, 4);
        assert!((c.received_rate() - 75.0).abs() < 1e-9);
        assert!((c.on_time_rate() - 50.0).abs() < 1e-9);
        assert_eq!(Completeness::default().received_rate(), 0.0);
    }
}
