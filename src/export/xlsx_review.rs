//! A review (giao ban quý, sơ kết, tổng kết) as `.xlsx`: the same two
//! tables as its `.docx` appendices, one sheet each, a column a period.

use rust_xlsxwriter::Workbook;

use super::ExportError;
use super::model::ReportDocument;
use super::xlsx::{
    FIRST_DATA_ROW, Formats, TARGET_SHEET, TASK_SHEET, group_row, row_num, sheet_head, write_row,
};

/// The review's tables; a report that is not a review gives its usual
/// appendix sheets.
pub fn review_xlsx(doc: &ReportDocument) -> Result<Vec<u8>, ExportError> {
    let Some(review) = &doc.review else {
        return super::report_xlsx(doc);
    };
    let f = Formats::new();
    let mut book = Workbook::new();
    let periods = review.columns.len();

    let ws = book.add_worksheet();
    ws.set_name(TASK_SHEET)?;
    let mut headers = vec!["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"];
    headers.extend(review.columns.iter().map(String::as_str));
    headers.extend(["Tình trạng cuối kỳ", "Hoàn thành trong kỳ"]);
    let mut widths = vec![6.0, 45.0, 22.0, 14.0];
    widths.extend(std::iter::repeat_n(16.0, periods));
    widths.extend([24.0, 16.0]);
    sheet_head(ws, &f, 0, &doc.tasks_title, &headers, &widths)?;
    let mut centred = vec![true, false, false, true];
    centred.extend(std::iter::repeat_n(true, periods));
    centred.extend([false, true]);
    let mut r = FIRST_DATA_ROW;
    for t in &review.tasks {
        match t.group.as_deref() {
            Some(group) if t.title.trim().is_empty() => {
                group_row(ws, &f, r, headers.len(), &t.reference, group)?;
            }
            _ => {
                let mut values: Vec<&str> = vec![&t.reference, &t.title, &t.lead, &t.deadline];
                values.extend(t.cells.iter().map(String::as_str));
                values.extend([t.last.as_str(), t.completed_in.as_str()]);
                write_row(ws, &f, r, &values, &centred)?;
            }
        }
        r += 1;
    }
    let mut totals: Vec<&str> = vec!["", "Số nhiệm vụ hoàn thành trong kỳ", "", ""];
    totals.extend(review.completed.iter().map(String::as_str));
    totals.extend(["", review.completed_total.as_str()]);
    write_row(ws, &f, r, &totals, &centred)?;

    let ws = book.add_worksheet();
    ws.set_name(TARGET_SHEET)?;
    let mut headers = vec!["TT", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu"];
    headers.extend(review.columns.iter().map(String::as_str));
    headers.extend([review.span.as_str(), "Đánh giá"]);
    let mut widths = vec![6.0, 45.0, 12.0, 12.0];
    widths.extend(std::iter::repeat_n(14.0, periods));
    widths.extend([24.0, 16.0]);
    sheet_head(ws, &f, 0, &doc.targets_title, &headers, &widths)?;
    let mut centred = vec![true, false, true, true];
    centred.extend(std::iter::repeat_n(true, periods + 2));
    for (i, t) in review.targets.iter().enumerate() {
        let r = FIRST_DATA_ROW + row_num(i);
        match t.group.as_deref() {
            Some(group) if t.name.trim().is_empty() => {
                group_row(ws, &f, r, headers.len(), &t.reference, group)?;
            }
            _ => {
                let mut values: Vec<&str> = vec![&t.reference, &t.name, &t.measure_unit, &t.goal];
                values.extend(t.cells.iter().map(String::as_str));
                values.extend([t.total.as_str(), t.assessment.as_str()]);
                write_row(ws, &f, r, &values, &centred)?;
            }
        }
    }
    Ok(book.save_to_buffer()?)
}
