//! A sheet of rows for onboarding (units and accounts): the first worksheet
//! of an `.xlsx` that holds anything, or a CSV file (UTF-8, with or
//! without a BOM; comma, semicolon or tab, whichever the first line uses;
//! quoted fields as RFC 4180). Pure: bytes in, numbered lines out, with
//! the same guards on size and zip bombs as a plan upload.

use std::io::Cursor;

use calamine::{Reader, Xlsx};

use super::archive::{self, OfficeKind};
use super::xlsx::cell_text;
use super::{ImportError, MAX_INPUT_BYTES};
use crate::domain::onboarding::SheetLine;

/// The lines of a sheet, numbered as a spreadsheet numbers its rows.
pub fn read_sheet(bytes: &[u8]) -> Result<Vec<SheetLine>, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::EmptyFile);
    }
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ImportError::TooLarge {
            size: bytes.len(),
            max: MAX_INPUT_BYTES,
        });
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let mut zip = archive::open(bytes, ImportError::CorruptXlsx)?;
        if archive::kind_of(&zip) != Some(OfficeKind::Xlsx) {
            return Err(ImportError::UnsupportedFormat);
        }
        archive::verify_all(&mut zip, ImportError::CorruptXlsx)?;
        return read_xlsx(bytes);
    }
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) if !text.contains('\0') => Ok(read_csv(text)),
        _ => Err(ImportError::UnsupportedFormat),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<SheetLine>, ImportError> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| ImportError::CorruptXlsx(e.to_string()))?;
    for name in book.sheet_names() {
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        if range.is_empty() {
            continue;
        }
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let pad = col0 as usize;
        let lines = range
            .rows()
            .enumerate()
            .map(|(i, r)| SheetLine {
                row: i + 1 + row0 as usize,
                cells: std::iter::repeat_n(String::new(), pad)
                    .chain(r.iter().map(cell_text))
                    .collect(),
            })
            .collect();
        return Ok(lines);
    }
    Err(ImportError::NoContent)
}

/// CSV as spreadsheets write it. A record is numbered by its position
/// (the header is 1), which is the row a spreadsheet shows it on.
pub fn read_csv(text: &str) -> Vec<SheetLine> {
    let delimiter = delimiter_of(text);
    let mut lines = Vec::new();
    let mut cells = Vec::new();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    cell.push('"');
                }
                '"' => quoted = false,
                c => cell.push(c),
            }
            continue;
        }
        match c {
            '"' if cell.trim().is_empty() => {
                cell.clear();
                quoted = true;
                any = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\r' | '\n' => {
                cells.push(std::mem::take(&mut cell));
                lines.push(SheetLine {
                    row: lines.len() + 1,
                    cells: std::mem::take(&mut cells),
                });
                any = false;
            }
            c if c == delimiter => {
                cells.push(std::mem::take(&mut cell));
                any = true;
            }
            c => {
                cell.push(c);
                any = true;
            }
        }
    }
    if any || !cell.is_empty() {
        cells.push(cell);
        lines.push(SheetLine {
            row: lines.len() + 1,
            cells,
        });
    }
    lines
}

/// The separator the first line uses most, outside quotes.
fn delimiter_of(text: &str) -> char {
    let mut counts = [(',', 0usize), (';', 0), ('\t', 0)];
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => quoted = !quoted,
            '\n' | '\r' if !quoted => break,
            c if !quoted => {
                for (d, n) in counts.iter_mut() {
                    if *d == c {
                        *n += 1;
                    }
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(_, n)| *n)
        .filter(|(_, n)| *n > 0)
        .map_or(',', |(d, _)| *d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(lines: &[SheetLine]) -> Vec<Vec<&str>> {
        lines
            .iter()
            .map(|l| l.cells.iter().map(String::as_str).collect())
            .collect()
    }

    #[test]
    fn csv_fields_may_be_quoted_hold_separators_quotes_and_line_breaks() {
        let text =
            "\u{feff}Đơn vị,Họ tên\r\n\"Phòng Văn hóa, Xã hội\",\"Lê \"\"Bé\"\"\nAn\"\r\nXã A,\n";
        let lines = read_sheet(text.as_bytes()).expect("csv");
        assert_eq!(
            cells(&lines),
            vec![
                vec!["Đơn vị", "Họ tên"],
                vec!["Phòng Văn hóa, Xã hội", "Lê \"Bé\"\nAn"],
                vec!["Xã A", ""],
            ]
        );
        assert_eq!(lines[2].row, 3);
    }

    #[test]
    fn a_semicolon_or_tab_separated_file_is_read_by_its_first_line() {
        let lines = read_csv("Đơn vị;Họ tên;Vai trò\nXã A;An;viewer");
        assert_eq!(cells(&lines)[1], vec!["Xã A", "An", "viewer"]);
        let lines = read_csv("Đơn vị\tHọ tên\nXã, A\tAn\n");
        assert_eq!(cells(&lines)[1], vec!["Xã, A", "An"]);
    }

    #[test]
    fn an_xlsx_is_read_from_its_first_worksheet_with_row_numbers() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "Đơn vị").expect("write");
        sheet.write_string(0, 1, "Họ tên").expect("write");
        sheet.write_string(3, 0, "Xã A").expect("write");
        sheet.write_number(3, 1, 42.0).expect("write");
        let bytes = book.save_to_buffer().expect("xlsx");
        let lines = read_sheet(&bytes).expect("read");
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[3].row, 4);
        assert_eq!(lines[3].cells, vec!["Xã A".to_string(), "42".to_string()]);
    }

    #[test]
    fn what_is_not_a_sheet_is_refused() {
        assert_eq!(read_sheet(b""), Err(ImportError::EmptyFile));
        assert_eq!(
            read_sheet(b"\xff\xfe\x00binary"),
            Err(ImportError::UnsupportedFormat)
        );
    }
}
