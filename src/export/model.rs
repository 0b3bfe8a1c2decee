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
