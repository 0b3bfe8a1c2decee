//! The appendices of a review (giao ban quý, sơ kết, tổng kết) in the
//! `.docx`: tasks and targets with a column a period and one for the whole
//! span, on the landscape pages the consolidated report's appendices use.
//! The period columns share what the fixed columns leave of the width.

use super::docx::{data_row, group_row, header_row};
use super::docx_xml::{LANDSCAPE_WIDTH, table_start};
use super::model::{ReportDocument, ReviewTables};

/// TT, task, lead, deadline; then the periods; then last status and the
/// period of completion.
const TASK_FIXED: [u32; 4] = [600, 3000, 1700, 1100];
const TASK_TAIL: [u32; 2] = [1800, 1200];
/// TT, target, unit, goal; then the periods; then the span and assessment.
const TARGET_FIXED: [u32; 4] = [600, 3200, 1000, 1100];
const TARGET_TAIL: [u32; 2] = [1700, 1100];

/// The review's two appendices with their titles; a table with no rows
/// is left out.
pub(super) fn appendices(doc: &ReportDocument, review: &ReviewTables) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if !review.tasks.is_empty() {
        out.push((doc.tasks_title.clone(), task_table(review)));
    }
    if !review.targets.is_empty() {
        out.push((doc.targets_title.clone(), target_table(review)));
    }
    out
}

/// Fixed columns, one equal share of the rest a period, then the tail.
fn widths(fixed: &[u32], periods: usize, tail: &[u32]) -> Vec<u32> {
    let used: u32 = fixed.iter().chain(tail).sum();
    let n = u32::try_from(periods.max(1)).unwrap_or(1);
    let share = LANDSCAPE_WIDTH.saturating_sub(used) / n;
    let mut w = fixed.to_vec();
    w.extend(std::iter::repeat_n(share, periods));
    w.extend_from_slice(tail);
    w
}

fn headers<'a>(fixed: &[&'a str], review: &'a ReviewTables, tail: &[&'a str]) -> Vec<&'a str> {
    let mut h = fixed.to_vec();
    h.extend(review.columns.iter().map(String::as_str));
    h.extend_from_slice(tail);
    h
}

fn task_table(review: &ReviewTables) -> String {
    let widths = widths(&TASK_FIXED, review.columns.len(), &TASK_TAIL);
    let headers = headers(
        &["TT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời hạn"],
        review,
        &["Tình trạng cuối kỳ", "Hoàn thành trong kỳ"],
    );
    let mut centred = vec![true, false, false, true];
    centred.extend(std::iter::repeat_n(true, review.columns.len()));
    centred.extend([false, true]);
    let mut s = table_start(&widths, true);
    s.push_str(&header_row(&headers, &widths));
    for t in &review.tasks {
        match t.group.as_deref() {
            Some(group) if t.title.trim().is_empty() => {
                s.push_str(&group_row(&t.reference, group, &widths));
            }
            _ => {
                let mut values: Vec<&str> = vec![&t.reference, &t.title, &t.lead, &t.deadline];
                values.extend(t.cells.iter().map(String::as_str));
                values.extend([t.last.as_str(), t.completed_in.as_str()]);
                s.push_str(&data_row(&values, &centred, &widths));
            }
        }
    }
    let mut totals: Vec<&str> = vec!["", "Số nhiệm vụ hoàn thành trong kỳ", "", ""];
    totals.extend(review.completed.iter().map(String::as_str));
    totals.extend(["", review.completed_total.as_str()]);
    s.push_str(&data_row(&totals, &centred, &widths));
    s.push_str("</w:tbl>");
    s
}

fn target_table(review: &ReviewTables) -> String {
    let widths = widths(&TARGET_FIXED, review.columns.len(), &TARGET_TAIL);
    let headers = headers(
        &["TT", "Chỉ tiêu", "Đơn vị tính", "Mục tiêu"],
        review,
        &[review.span.as_str(), "Đánh giá"],
    );
    let mut centred = vec![true, false, true, true];
    centred.extend(std::iter::repeat_n(true, review.columns.len()));
    centred.extend([true, true]);
    let mut s = table_start(&widths, true);
    s.push_str(&header_row(&headers, &widths));
    for t in &review.targets {
        match t.group.as_deref() {
            Some(group) if t.name.trim().is_empty() => {
                s.push_str(&group_row(&t.reference, group, &widths));
            }
            _ => {
                let mut values: Vec<&str> = vec![&t.reference, &t.name, &t.measure_unit, &t.goal];
                values.extend(t.cells.iter().map(String::as_str));
                values.extend([t.total.as_str(), t.assessment.as_str()]);
                s.push_str(&data_row(&values, &centred, &widths));
            }
        }
    }
    s.push_str("</w:tbl>");
    s
}
