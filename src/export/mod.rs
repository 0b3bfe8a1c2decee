//! Exports: the commune report as a Nghị định 30/2020/NĐ-CP `.docx`, the
//! same tables as `.xlsx`, and the per-period fill-in sheet with its upload
//! reader.
//!
//! Everything here is pure (data in, bytes out): the web layer fetches the
//! data, fills [`model`], and streams the bytes. Keeping I/O out means the
//! layout rules can be tested by reading the produced files back.

pub mod docx;
mod docx_party;
mod docx_review;
mod docx_xml;
pub mod exchange;
pub mod model;
pub mod xlsx;
mod xlsx_read;
mod xlsx_review;

#[cfg(test)]
mod fixture;
#[cfg(test)]
mod test_xml;
#[cfg(test)]
mod tests_docx;
#[cfg(test)]
mod tests_docx_party;
#[cfg(test)]
mod tests_review;
#[cfg(test)]
mod tests_xlsx;

pub use docx::report_docx;
pub use model::{
    BulkRow, DocumentFormat, PeriodSheet, ReportDocument, ReviewTables, ReviewTargetLine,
    ReviewTaskLine, Section, SheetTarget, SheetTask, TargetLine, TaskLine,
};
pub use xlsx::{parse_period_sheet, period_sheet_xlsx, report_xlsx};
pub use xlsx_read::{SheetText, read_sheets};
pub use xlsx_review::review_xlsx;

/// A file could not be produced. Only a library failure gets here: every
/// input value is laid out as text, so no user data can make export fail.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("Không ghi được tệp nén (.zip): {0}")]
    Zip(String),
    #[error("Không tạo được bảng tính (.xlsx): {0}")]
    Xlsx(String),
    #[error("Không ghi được tệp JSON: {0}")]
    Json(String),
}

impl From<zip::result::ZipError> for ExportError {
    fn from(e: zip::result::ZipError) -> Self {
        ExportError::Zip(e.to_string())
    }
}

impl From<std::io::Error> for ExportError {
    fn from(e: std::io::Error) -> Self {
        ExportError::Zip(e.to_string())
    }
}

impl From<rust_xlsxwriter::XlsxError> for ExportError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        ExportError::Xlsx(e.to_string())
    }
}

/// An uploaded period sheet was refused. The whole upload is refused on the
/// first problem, so a half-applied sheet never leaves the plan in a state
/// nobody entered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct BulkError {
    /// 1-based row in the sheet; 0 when the problem is the file itself.
    pub row: usize,
    /// Sheet name, empty when the problem is the file itself.
    pub sheet: String,
    /// Vietnamese, ready to show: `Dòng 7 (Nhiệm vụ): …`.
    pub message: String,
}

impl BulkError {
    /// A problem with the file as a whole (not an xlsx, too big, wrong period).
    pub(crate) fn file(message: impl Into<String>) -> Self {
        BulkError {
            row: 0,
            sheet: String::new(),
            message: message.into(),
        }
    }

    /// A problem in one row; the message names the row and sheet so the
    /// person can find it without knowing which field we store it in.
    pub(crate) fn at(row: usize, sheet: &str, detail: impl std::fmt::Display) -> Self {
        BulkError {
            row,
            sheet: sheet.to_string(),
            message: format!("Dòng {row} ({sheet}): {detail}"),
        }
    }
}

/// Task status labels as shown to people, with their stored codes.
pub const STATUS_LABELS: [(&str, &str); 5] = [
    ("Chưa triển khai", "not_started"),
    ("Đang thực hiện", "in_progress"),
    ("Hoàn thành", "done"),
    ("Hoàn thành quá hạn", "done_late"),
    ("Tạm dừng", "suspended"),
];

/// The code for a status label typed in any case, with or without
/// diacritics (`hoan thanh` → `done`); codes themselves are accepted too
/// because a sheet filled by a script may use them.
pub fn status_code(label: &str) -> Option<&'static str> {
    let folded = crate::domain::text::fold_vietnamese(label);
    STATUS_LABELS
        .iter()
        .find(|(l, c)| crate::domain::text::fold_vietnamese(l) == folded || *c == folded)
        .map(|(_, c)| *c)
}

/// The label for a stored status code; unknown codes pass through so a new
/// status shows up as its code rather than disappearing.
pub fn status_label(code: &str) -> &str {
    STATUS_LABELS
        .iter()
        .find(|(_, c)| *c == code)
        .map_or(code, |(l, _)| l)
}
