//! Spreadsheet exports: the report's two appendix tables as `.xlsx`, and
//! the per-period fill-in sheet that focal points complete and upload back
//! (read by [`parse_period_sheet`]).
//!
//! Period sheet layout, shared with the reader:
//! - cell A1 holds the period key (`2026-07`); column A is hidden, so the
//!   key and the record ids (`Mã`) travel with the file unseen;
//! - row 1 from B holds the plan title and period label;
//! - row 2 holds the headers, frozen; data starts on row 3.

use rust_xlsxwriter::{
    DataValidation, DataValidationRule, Format, FormatAlign, FormatBorder, Note, Workbook,
    Worksheet,
};

use super::ExportError;
use super::docx::{TARGET_HEADERS, TASK_HEADERS};
use super::model::{PeriodSheet, ReportDocument};
use super::{STATUS_LABELS, status_label};

pub use super::xlsx_read::{MAX_UPLOAD_BYTES, parse_period_sheet};

pub const TASK_SHEET: &str = "Nhiệm vụ";
pub const TARGET_SHEET: &str = "Chỉ tiêu";

/// Period sheet headers; the reader finds columns by these names.
pub const PERIOD_TASK_HEADERS: [&str; 8] = [
    "Mã",
    "TT",
    "Nhiệm vụ",
    "Đơn vị chủ trì",
    "Thời hạn",
    "Tình trạng",
    "Tiến độ (%)",
    "Kết quả",
];
pub const PERIOD_TARGET_HEADERS: [&str; 7] = [
    "Mã",
    "TT",
    "Chỉ tiêu",
    "Đơn vị tính",
    "Mục tiêu",
    "Kết quả kỳ báo cáo",
    "Nguồn số liệu",
];
/// First data row (0-based), after the title and header rows.
pub const FIRST_DATA_ROW: u32 = 2;

const TASK_COLUMN_WIDTHS: [f64; 8] = [6.0, 45.0, 22.0, 14.0, 18.0, 10.0, 35.0, 28.0];
const TARGET_COLUMN_WIDTHS: [f64; 8] = [6.0, 45.0, 12.0, 22.0, 12.0, 14.0, 14.0, 30.0];
const PERIOD_TASK_WIDTHS: [f64; 8] = [8.0, 6.0, 50.0, 22.0, 14.0, 20.0, 12.0, 45.0];
const PERIOD_TARGET_WIDTHS: [f64; 7] = [8.0, 6.0, 50.0, 12.0, 14.0, 16.0, 35.0];

pub(super) struct Formats {
    title: Format,
    header: Format,
    group: Format,
    text: Format,
    centre: Format,
}

impl Formats {
    pub(super) fn new() -> Self {
        let base = Format::new()
            .set_font_name("Times New Roman")
            .set_font_size(12)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter)
            .set_border(FormatBorder::Thin);
        Formats {
            title: Format::new()
                .set_font_name("Times New Roman")
                .set_font_size(13)
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: base
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color("D9D9D9"),
            group: base.clone().set_bold(),
            centre: base.clone().set_align(FormatAlign::Center),
            text: base,
        }
    }
}

pub(super) fn col(i: usize) -> u16 {
    // Column indexes here come from fixed arrays of at most eight entries.
    u16::try_from(i).unwrap_or(u16::MAX)
}

pub(super) fn row_num(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

/// Title row, header row (frozen) and column widths.
pub(super) fn sheet_head(
    ws: &mut Worksheet,
    f: &Formats,
    first_col: u16,
    title: &str,
    headers: &[&str],
    widths: &[f64],
) -> Result<(), ExportError> {
    let last = col(headers.len() - 1);
    if last > first_col {
        ws.merge_range(0, first_col, 0, last, title, &f.title)?;
    } else {
        ws.write_string_with_format(0, first_col, title, &f.title)?;
    }
    ws.set_row_height(0, 36)?;
    for (i, (h, w)) in headers.iter().zip(widths).enumerate() {
        ws.write_string_with_format(1, col(i), *h, &f.header)?;
        ws.set_column_width(col(i), *w)?;
    }
    ws.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    Ok(())
}

/// A group heading row merged across the table.
pub(super) fn group_row(
    ws: &mut Worksheet,
    f: &Formats,
    r: u32,
    width: usize,
    reference: &str,
    group: &str,
) -> Result<(), ExportError> {
    let reference = reference.trim().trim_end_matches('.');
    let text = if reference.is_empty() {
        group.to_string()
    } else {
        format!("{reference}. {group}")
    };
    ws.merge_range(r, 0, r, col(width - 1), &text, &f.group)?;
    Ok(())
}

pub(super) fn write_row(
    ws: &mut Worksheet,
    f: &Formats,
    r: u32,
    values: &[&str],
    centred: &[bool],
) -> Result<(), ExportError> {
    for (i, (v, c)) in values.iter().zip(centred).enumerate() {
        let format = if *c { &f.centre } else { &f.text };
        ws.write_string_with_format(r, col(i), *v, format)?;
    }
    Ok(())
}

/// The report's appendix tables, one per sheet, same columns as the .docx.
pub fn report_xlsx(doc: &ReportDocument) -> Result<Vec<u8>, ExportError> {
    let f = Formats::new();
    let mut book = Workbook::new();

    let ws = book.add_worksheet();
    ws.set_name(TASK_SHEET)?;
    sheet_head(
        ws,
        &f,
        0,
        &doc.tasks_title,
        &TASK_HEADERS,
        &TASK_COLUMN_WIDTHS,
    )?;
    let centred = [true, false, false, true, true, true, false, false];
    for (i, t) in doc.tasks.iter().enumerate() {
        let r = FIRST_DATA_ROW + row_num(i);
        match t.group.as_deref() {
            Some(group) if t.title.trim().is_empty() => {
                group_row(ws, &f, r, TASK_HEADERS.len(), &t.reference, group)?;
            }
            _ => write_row(
                ws,
                &f,
                r,
                &[
                    &t.reference,
                    &t.title,
                    &t.lead,
                    &t.deadline,
                    status_label(&t.status),
                    &t.progress,
                    &t.result,
                    &t.evidence,
                ],
                &centred,
            )?,
        }
    }

    let ws = book.add_worksheet();
    ws.set_name(TARGET_SHEET)?;
    sheet_head(
        ws,
        &f,
        0,
        &doc.targets_title,
        &TARGET_HEADERS,
        &TARGET_COLUMN_WIDTHS,
    )?;
    let centred = [true, false, true, false, true, true, true, false];
    for (i, t) in doc.targets.iter().enumerate() {
        let r = FIRST_DATA_ROW + row_num(i);
        match t.group.as_deref() {
            Some(group) if t.name.trim().is_empty() => {
                group_row(ws, &f, r, TARGET_HEADERS.len(), &t.reference, group)?;
            }
            _ => write_row(
                ws,
                &f,
                r,
                &[
                    &t.reference,
                    &t.name,
                    &t.measure_unit,
                    &t.lead,
                    &t.goal,
                    &t.value,
                    &t.assessment,
                    &t.source,
                ],
                &centred,
            )?,
        }
    }
    Ok(book.save_to_buffer()?)
}

/// Hidden column A with the period key in A1 and a note saying why, so an
/// upload can be matched to its period and a person knows not to touch it.
fn period_key_cell(ws: &mut Worksheet, sheet: &PeriodSheet) -> Result<(), ExportError> {
    ws.write_string(0, 0, &sheet.period_key)?;
    ws.set_column_hidden(0)?;
    let note = Note::new(format!(
        "Kỳ báo cáo: {} ({}). Không sửa cột A (mã kỳ và mã bản ghi, đang ẩn); \
         không thêm hay xoá cột.",
        sheet.period_label, sheet.period_key
    ))
    .set_author("Theo Dõi");
    ws.insert_note(0, 1, &note)?;
    Ok(())
}

/// The fill-in sheet for one period: current values pre-filled, a dropdown
/// of the five status labels, and 0–100 checking on the percent column.
pub fn period_sheet_xlsx(sheet: &PeriodSheet) -> Result<Vec<u8>, ExportError> {
    let f = Formats::new();
    let title = format!(
        "{} — {}",
        sheet.plan_title.trim(),
        sheet.period_label.trim()
    );
    let mut book = Workbook::new();

    let ws = book.add_worksheet();
    ws.set_name(TASK_SHEET)?;
    sheet_head(ws, &f, 1, &title, &PERIOD_TASK_HEADERS, &PERIOD_TASK_WIDTHS)?;
    period_key_cell(ws, sheet)?;
    for (i, t) in sheet.tasks.iter().enumerate() {
        let r = FIRST_DATA_ROW + row_num(i);
        // Exact f64 for any i64 a database id will reach.
        ws.write_number_with_format(r, 0, t.id as f64, &f.centre)?;
        for (c, v) in [
            (1, &t.reference),
            (2, &t.title),
            (3, &t.lead),
            (4, &t.deadline),
        ] {
            let format = if c == 2 || c == 3 { &f.text } else { &f.centre };
            ws.write_string_with_format(r, c, v.as_str(), format)?;
        }
        let status = if t.status.trim().is_empty() {
            ""
        } else {
            status_label(&t.status)
        };
        ws.write_string_with_format(r, 5, status, &f.centre)?;
        match t.percent {
            Some(p) => ws.write_number_with_format(r, 6, f64::from(p), &f.centre)?,
            None => ws.write_blank(r, 6, &f.centre)?,
        };
        ws.write_string_with_format(r, 7, &t.result, &f.text)?;
    }
    if !sheet.tasks.is_empty() {
        let last = FIRST_DATA_ROW + row_num(sheet.tasks.len()) - 1;
        let labels: Vec<&str> = STATUS_LABELS.iter().map(|(l, _)| *l).collect();
        let status = DataValidation::new()
            .allow_list_strings(&labels)?
            .set_error_title("Tình trạng không hợp lệ")?
            .set_error_message("Chọn một tình trạng trong danh sách.")?;
        ws.add_data_validation(FIRST_DATA_ROW, 5, last, 5, &status)?;
        let percent = DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(0.0, 100.0))
            .set_error_title("Tiến độ không hợp lệ")?
            .set_error_message("Tiến độ là số từ 0 đến 100.")?;
        ws.add_data_validation(FIRST_DATA_ROW, 6, last, 6, &percent)?;
    }

    let ws = book.add_worksheet();
    ws.set_name(TARGET_SHEET)?;
    sheet_head(
        ws,
        &f,
        1,
        &title,
        &PERIOD_TARGET_HEADERS,
        &PERIOD_TARGET_WIDTHS,
    )?;
    period_key_cell(ws, sheet)?;
    for (i, t) in sheet.targets.iter().enumerate() {
        let r = FIRST_DATA_ROW + row_num(i);
        ws.write_number_with_format(r, 0, t.id as f64, &f.centre)?;
        ws.write_string_with_format(r, 1, &t.reference, &f.centre)?;
        ws.write_string_with_format(r, 2, &t.name, &f.text)?;
        ws.write_string_with_format(r, 3, &t.measure_unit, &f.centre)?;
        ws.write_string_with_format(r, 4, &t.goal, &f.centre)?;
        match t.value {
            Some(v) => ws.write_number_with_format(r, 5, v, &f.centre)?,
            None => ws.write_blank(r, 5, &f.centre)?,
        };
        ws.write_string_with_format(r, 6, &t.source, &f.text)?;
    }
    Ok(book.save_to_buffer()?)
}
