//! What an export needs, already in words: the store and the reporting
//! rules fill these; the writers only lay them out.

use chrono::NaiveDate;

/// Which rules lay a document out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFormat {
    /// Nghị định 30/2020/NĐ-CP: documents of a People's Committee.
    State,
    /// Hướng dẫn 36-HD/VPTW: documents of a Party committee.
    Party,
}

/// The commune's consolidated periodic report (Báo cáo), laid out under
/// Nghị định 30/2020/NĐ-CP, with its task and target tables as appendices.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDocument {
    /// The state's layout (Nghị định 30/2020, a UBND) or the Party's
    /// (Hướng dẫn 36-HD/VPTW, a Đảng ủy).
    pub format: DocumentFormat,
    /// Direct parent body, upper case, not bold (e.g. none for a UBND xã).
    pub parent_body: Option<String>,
    /// Issuing body, upper case: `ỦY BAN NHÂN DÂN XÃ TÂN PHONG`.
    pub issuer: String,
    /// The number, when one has been given; the symbol is fixed (`BC-UBND`).
    pub number: Option<String>,
    pub symbol: String,
    /// Place name for the date line: `Tân Phong`.
    pub place: String,
    pub date: NaiveDate,
    /// Trích yếu: `Kết quả thực hiện Kế hoạch số 21/KH-UBND … tháng 7 năm 2026`.
    pub summary: String,
    /// `Kính gửi:` addressees; may be empty.
    pub addressees: Vec<String>,
    /// Body sections in order.
    pub sections: Vec<Section>,
    /// `Nơi nhận:` entries without the dash and final punctuation; the last
    /// one is the archive line, e.g. `Lưu: VT, VHXH`.
    pub recipients: Vec<String>,
    /// `TM. ỦY BAN NHÂN DÂN`.
    pub signer_authority: String,
    /// `CHỦ TỊCH`, or `KT. CHỦ TỊCH` then `PHÓ CHỦ TỊCH` as two lines.
    pub signer_titles: Vec<String>,
    pub signer_name: String,
    /// Appendix I: task results; Appendix II: target figures.
    pub tasks: Vec<TaskLine>,
    pub targets: Vec<TargetLine>,
    /// Title of each appendix, upper case.
    pub tasks_title: String,
    pub targets_title: String,
    /// A review over several periods (giao ban quý, sơ kết, tổng kết): its
    /// appendices hold a column a period instead of `tasks` and `targets`.
    pub review: Option<ReviewTables>,
}

/// The appendices of a review: each task and target with a cell a period
/// and the span's total.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewTables {
    /// The periods' names, one a column: `Quý I/2026`, `Năm 2027`.
    pub columns: Vec<String>,
    /// The span's column heading: `Cả giai đoạn 2026 - 2030`.
    pub span: String,
    pub tasks: Vec<ReviewTaskLine>,
    /// Tasks completed in each period, and over the span (their sum).
    pub completed: Vec<String>,
    pub completed_total: String,
    pub targets: Vec<ReviewTargetLine>,
}

/// A task of a review. A row with only `group` set is a group heading.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewTaskLine {
    pub group: Option<String>,
    pub reference: String,
    pub title: String,
    pub lead: String,
    pub deadline: String,
    /// `Hoàn thành (100%)`, `Đang thực hiện (40%)`, `Chưa có báo cáo`.
    pub cells: Vec<String>,
    /// The latest status over the span, and its result.
    pub last: String,
    /// The period in which it was completed: `Quý II/2026`, or empty.
    pub completed_in: String,
}

/// A target of a review. A row with only `group` set is a group heading.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewTargetLine {
    pub group: Option<String>,
    pub reference: String,
    pub name: String,
    pub measure_unit: String,
    /// The goal of the span's last year.
    pub goal: String,
    /// `92,5`, `Không phát sinh`, `Chưa có số liệu`.
    pub cells: Vec<String>,
    /// `Cộng: 25 (thiếu Năm 2028)`, `Mới nhất: 90`, `Chưa có số liệu`.
    pub total: String,
    pub assessment: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// `I. KẾT QUẢ THỰC HIỆN` (upper case, bold) or `1. Về hạ tầng số` (bold).
    pub heading: String,
    pub paragraphs: Vec<String>,
}

/// One row of the task appendix. A row with only `group` set is a group
/// heading row spanning the table.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskLine {
    pub group: Option<String>,
    pub reference: String,
    pub title: String,
    pub lead: String,
    pub deadline: String,
    /// `Đang thực hiện`, `Hoàn thành`, …
    pub status: String,
    /// `60%`, or empty.
    pub progress: String,
    pub result: String,
    /// Evidence in words: file names, document numbers, links.
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TargetLine {
    pub group: Option<String>,
    pub reference: String,
    pub name: String,
    pub measure_unit: String,
    pub lead: String,
    /// `≥ 90`, `Top 20`.
    pub goal: String,
    /// The measured value as written (`92,5`), or empty.
    pub value: String,
    /// `Đạt`, `Chưa đạt`, `Chưa có số liệu`.
    pub assessment: String,
    pub source: String,
}

/// A list of tasks or targets for a period, exported to `.xlsx` for a focal
/// point to fill and upload back. Each row carries the record's id so the
/// upload finds it again whatever the person does to the order.
#[derive(Debug, Clone, PartialEq)]
pub struct PeriodSheet {
    pub plan_title: String,
    /// `2026-07` (the period key) and its label `Tháng 7/2026`.
    pub period_key: String,
    pub period_label: String,
    pub tasks: Vec<SheetTask>,
    pub targets: Vec<SheetTarget>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SheetTask {
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub lead: String,
    pub deadline: String,
    /// Current values, pre-filled (may be empty).
    pub status: String,
    pub percent: Option<u8>,
    pub result: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SheetTarget {
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub measure_unit: String,
    pub goal: String,
    pub value: Option<f64>,
    pub source: String,
}

/// One row read back from an uploaded period sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum BulkRow {
    Task {
        /// 1-based row number in the sheet, for messages.
        row: usize,
        id: i64,
        /// One of the status codes: `not_started`, `in_progress`, `done`,
        /// `done_late`, `suspended`.
        status: String,
        percent: Option<u8>,
        result: String,
    },
    Target {
        row: usize,
        id: i64,
        value: Option<f64>,
        source: String,
    },
}
