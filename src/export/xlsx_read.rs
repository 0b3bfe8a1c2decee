//! Reading an uploaded period sheet back into updates.
//!
//! The upload is untrusted and applied all-or-nothing: the file's size and
//! zip container are checked before calamine unzips it, the period key in
//! A1 must match, and every row is validated before any row is returned,
//! so the first bad row refuses the whole sheet with a message naming it.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use zip::ZipArchive;

use super::model::BulkRow;
use super::xlsx::{FIRST_DATA_ROW, TARGET_SHEET, TASK_SHEET};
use super::{BulkError, status_code};
use crate::domain::goal::parse_number;
use crate::domain::text::fold_vietnamese;

/// Largest upload accepted; a period sheet for a commune is a few dozen KB.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;
/// Largest total size once unzipped, and the largest ratio for a big part:
/// above either the file is treated as a zip bomb.
const MAX_UNZIPPED: u64 = 50 * 1024 * 1024;
const MAX_RATIO: u64 = 100;
const RATIO_MIN_SIZE: u64 = 1024 * 1024;

const NOT_XLSX: &str = "Tệp tải lên không phải là bảng tính Excel (.xlsx). \
Hãy dùng đúng tệp mẫu đã tải về và lưu dưới dạng .xlsx.";

/// Reads the sheet made by [`super::xlsx::period_sheet_xlsx`] and filled by
/// a person. Rows with nothing to update are skipped; anything else must
/// be valid or the whole upload is refused.
pub fn parse_period_sheet(
    bytes: &[u8],
    expected_period_key: &str,
) -> Result<Vec<BulkRow>, BulkError> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(BulkError::file(format!(
            "Tệp lớn hơn {} MB, không nhận.",
            MAX_UPLOAD_BYTES / 1024 / 1024
        )));
    }
    check_zip(bytes)?;
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| BulkError::file(NOT_XLSX))?;
    let names = book.sheet_names();

    let mut rows = Vec::new();
    let mut data_rows = 0;
    let mut found_any = false;
    for wanted in [TASK_SHEET, TARGET_SHEET] {
        let Some(name) = names
            .iter()
            .find(|n| fold_vietnamese(n) == fold_vietnamese(wanted))
        else {
            continue;
        };
        found_any = true;
        let range = book
            .worksheet_range(name)
            .map_err(|_| BulkError::file(NOT_XLSX))?;
        let sheet = SheetReader::new(wanted, &range, expected_period_key)?;
        data_rows += sheet.read(&mut rows)?;
    }
    if !found_any {
        return Err(BulkError::file(format!(
            "Không thấy trang «{TASK_SHEET}» hay «{TARGET_SHEET}» trong tệp. \
             Hãy dùng đúng tệp mẫu của kỳ báo cáo."
        )));
    }
    if data_rows == 0 {
        return Err(BulkError::file(
            "Bảng tính trống: không có dòng dữ liệu nào.",
        ));
    }
    check_duplicates(&rows)?;
    Ok(rows)
}

/// Refuses what is not a zip with a workbook in it, and zip bombs: the
/// declared sizes first, then every part is inflated under a cap, because
/// declared sizes can lie and calamine trusts them.
fn check_zip(bytes: &[u8]) -> Result<(), BulkError> {
    let bomb = || BulkError::file("Tệp nén bất thường (dung lượng giải nén quá lớn), không nhận.");
    let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(|_| BulkError::file(NOT_XLSX))?;
    if zip.index_for_name("xl/workbook.xml").is_none() {
        return Err(BulkError::file(NOT_XLSX));
    }
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| BulkError::file(NOT_XLSX))?;
        declared = declared.saturating_add(entry.size());
        let ratio = entry.size() / entry.compressed_size().max(1);
        if declared > MAX_UNZIPPED || (entry.size() >= RATIO_MIN_SIZE && ratio > MAX_RATIO) {
            return Err(bomb());
        }
    }
    let mut budget = MAX_UNZIPPED;
    let mut sink = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| BulkError::file(NOT_XLSX))?;
        sink.clear();
        let read = entry
            .take(budget.saturating_add(1))
            .read_to_end(&mut sink)
            .map_err(|_| BulkError::file(NOT_XLSX))?;
        let read = read as u64;
        if read > budget {
            return Err(bomb());
        }
        budget -= read;
    }
    Ok(())
}

/// One record updated twice in the same upload is almost certainly a
/// copy-paste slip; refusing it beats silently keeping the last one.
fn check_duplicates(rows: &[BulkRow]) -> Result<(), BulkError> {
    let mut seen: HashMap<(bool, i64), usize> = HashMap::new();
    for r in rows {
        let (key, row, sheet) = match r {
            BulkRow::Task { id, row, .. } => ((true, *id), *row, TASK_SHEET),
            BulkRow::Target { id, row, .. } => ((false, *id), *row, TARGET_SHEET),
        };
        if let Some(first) = seen.insert(key, row) {
            return Err(BulkError::at(
                row,
                sheet,
                format!(
                    "Mã {} đã có ở dòng {first}; mỗi mã chỉ được một dòng",
                    key.1
                ),
            ));
        }
    }
    Ok(())
}

/// The columns of one sheet, found by header name so a person moving a
/// visible column does not break the upload.
struct SheetReader<'a> {
    sheet: &'static str,
    range: &'a Range<Data>,
    columns: Vec<Option<u32>>,
}

const TASK_COLUMNS: [&str; 4] = ["Mã", "Tình trạng", "Tiến độ", "Kết quả"];
const TARGET_COLUMNS: [&str; 3] = ["Mã", "Kết quả kỳ báo cáo", "Nguồn số liệu"];

impl<'a> SheetReader<'a> {
    fn new(
        sheet: &'static str,
        range: &'a Range<Data>,
        expected_period_key: &str,
    ) -> Result<Self, BulkError> {
        let Some((_, last_col)) = range.end().filter(|_| !range.is_empty()) else {
            return Err(BulkError::at(1, sheet, "trang trống, không có dữ liệu"));
        };
        let key = text(range.get_value((0, 0)));
        if key.is_empty() {
            return Err(BulkError::at(
                1,
                sheet,
                "không có mã kỳ báo cáo ở ô A1; hãy dùng tệp mẫu tải về cho kỳ này",
            ));
        }
        if key != expected_period_key.trim() {
            return Err(BulkError::at(
                1,
                sheet,
                format!(
                    "tệp này là của kỳ {key}, không phải kỳ {}; hãy tải mẫu của đúng kỳ",
                    expected_period_key.trim()
                ),
            ));
        }
        let headers: Vec<(u32, String)> = (0..=last_col)
            .map(|c| (c, fold_vietnamese(&text(range.get_value((1, c))))))
            .collect();
        let wanted: &[&str] = if sheet == TASK_SHEET {
            &TASK_COLUMNS
        } else {
            &TARGET_COLUMNS
        };
        let mut columns = Vec::new();
        for name in wanted {
            let folded = fold_vietnamese(name);
            // "Kết quả" must not pick up "Kết quả kỳ báo cáo" and vice
            // versa: exact match first, then a prefix (`Tiến độ (%)`).
            let found = headers
                .iter()
                .find(|(_, h)| *h == folded)
                .or_else(|| headers.iter().find(|(_, h)| h.starts_with(&folded)))
                .map(|(c, _)| *c);
            if found.is_none() && *name == "Mã" {
                return Err(BulkError::at(
                    2,
                    sheet,
                    "thiếu cột «Mã»; không xoá cột A của mẫu",
                ));
            }
            columns.push(found);
        }
        Ok(SheetReader {
            sheet,
            range,
            columns,
        })
    }

    fn cell(&self, row: u32, which: usize) -> Option<&'a Data> {
        let col = self.columns.get(which).copied().flatten()?;
        self.range.get_value((row, col))
    }

    /// Validates every data row into `out`; returns how many rows held
    /// anything at all (an all-blank sheet is refused by the caller).
    fn read(&self, out: &mut Vec<BulkRow>) -> Result<usize, BulkError> {
        let (last_row, last_col) = self.range.end().unwrap_or((0, 0));
        let mut non_blank = 0;
        for r in FIRST_DATA_ROW..=last_row {
            if (0..=last_col).all(|c| text(self.range.get_value((r, c))).is_empty()) {
                continue;
            }
            non_blank += 1;
            let row = r as usize + 1;
            let parsed = if self.sheet == TASK_SHEET {
                self.task(r, row)?
            } else {
                self.target(r, row)?
            };
            out.extend(parsed);
        }
        Ok(non_blank)
    }

    fn id(&self, r: u32, row: usize) -> Result<i64, BulkError> {
        let bad = || {
            BulkError::at(
                row,
                self.sheet,
                "thiếu Mã (cột A, đang ẩn) hoặc Mã không hợp lệ; không thêm dòng mới vào mẫu",
            )
        };
        match self.cell(r, 0) {
            Some(Data::Int(i)) if *i > 0 => Ok(*i),
            Some(Data::Float(f)) if f.fract() == 0.0 && *f > 0.0 && *f < 9.0e15 => Ok(*f as i64),
            Some(Data::String(s)) => s
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|i| *i > 0)
                .ok_or_else(bad),
            _ => Err(bad()),
        }
    }

    fn task(&self, r: u32, row: usize) -> Result<Option<BulkRow>, BulkError> {
        let status_text = text(self.cell(r, 1));
        let percent_cell = self.cell(r, 2);
        let result = text(self.cell(r, 3));
        if status_text.is_empty() && text(percent_cell).is_empty() && result.is_empty() {
            return Ok(None);
        }
        let id = self.id(r, row)?;
        if status_text.is_empty() {
            return Err(BulkError::at(row, self.sheet, "chưa chọn Tình trạng"));
        }
        let Some(status) = status_code(&status_text) else {
            return Err(BulkError::at(
                row,
                self.sheet,
                format!(
                    "Tình trạng «{status_text}» không có trong danh sách (Chưa triển khai, \
                     Đang thực hiện, Hoàn thành, Hoàn thành quá hạn, Tạm dừng)"
                ),
            ));
        };
        let percent = match number(percent_cell) {
            Ok(None) => None,
            Ok(Some(p)) if (0.0..=100.0).contains(&p) => Some(p.round() as u8),
            _ => {
                return Err(BulkError::at(
                    row,
                    self.sheet,
                    "Tiến độ phải là số từ 0 đến 100",
                ));
            }
        };
        Ok(Some(BulkRow::Task {
            row,
            id,
            status: status.to_string(),
            percent,
            result,
        }))
    }

    fn target(&self, r: u32, row: usize) -> Result<Option<BulkRow>, BulkError> {
        let value_cell = self.cell(r, 1);
        let source = text(self.cell(r, 2));
        if text(value_cell).is_empty() && source.is_empty() {
            return Ok(None);
        }
        let id = self.id(r, row)?;
        let value = number(value_cell).map_err(|shown| {
            BulkError::at(
                row,
                self.sheet,
                format!("Kết quả kỳ báo cáo «{shown}» không phải là số"),
            )
        })?;
        Ok(Some(BulkRow::Target {
            row,
            id,
            value,
            source,
        }))
    }
}

/// A cell as trimmed text; numbers print without a spurious `.0`.
fn text(cell: Option<&Data>) -> String {
    match cell {
        None | Some(Data::Empty) => String::new(),
        Some(Data::String(s)) => s.trim().to_string(),
        Some(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1.0e15 => format!("{}", *f as i64),
        Some(other) => other.to_string().trim().to_string(),
    }
}

/// A cell as a number: blank is `None`; text may use a decimal comma
/// (`92,5`). Anything else is refused with the text as shown.
fn number(cell: Option<&Data>) -> Result<Option<f64>, String> {
    match cell {
        None | Some(Data::Empty) => Ok(None),
        Some(Data::Int(i)) => Ok(Some(*i as f64)),
        Some(Data::Float(f)) if f.is_finite() => Ok(Some(*f)),
        Some(Data::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Data::String(s)) => parse_number(s)
            .filter(|v| v.is_finite())
            .map(Some)
            .ok_or_else(|| s.trim().to_string()),
        Some(other) => Err(other.to_string()),
    }
}

/// A sheet read back as text: its name and its rows (headers first), each
/// cell as [`text`] gives it, trailing empty cells dropped.
pub type SheetText = (String, Vec<Vec<String>>);

/// Every sheet of a workbook as rows of text, in the workbook's order, with
/// the same zip checks as an upload: how an export
/// ([`super::exchange::XlsxSink`]) is read back.
pub fn read_sheets(bytes: &[u8]) -> Result<Vec<SheetText>, BulkError> {
    check_zip(bytes)?;
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| BulkError::file(NOT_XLSX))?;
    let mut sheets = Vec::new();
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|_| BulkError::file(NOT_XLSX))?;
        let rows = range
            .rows()
            .map(|row| {
                let mut cells: Vec<String> = row.iter().map(|c| text(Some(c))).collect();
                while cells.last().is_some_and(String::is_empty) {
                    cells.pop();
                }
                cells
            })
            .collect();
        sheets.push((name, rows));
    }
    Ok(sheets)
}
