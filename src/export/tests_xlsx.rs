//! The spreadsheets read back with calamine, the fill-in sheet's dropdown
//! found in its XML, and uploads parsed: a filled sheet round-trips, and
//! each kind of bad input refuses the whole file with a row-naming message.

use std::io::{Cursor, Read, Write};

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::Workbook;

use super::fixture;
use super::model::BulkRow;
use super::xlsx::{
    PERIOD_TARGET_HEADERS, PERIOD_TASK_HEADERS, parse_period_sheet, period_sheet_xlsx, report_xlsx,
};
use super::{BulkError, status_code, status_label};

fn sheets(bytes: &[u8]) -> Vec<(String, Vec<Vec<String>>)> {
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("an xlsx");
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let range = book.worksheet_range(&n).expect("sheet");
            let rows = range
                .rows()
                .map(|r| r.iter().map(Data::to_string).collect())
                .collect();
            (n, rows)
        })
        .collect()
}

fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
    let mut s = String::new();
    zip.by_name(name)
        .expect("part")
        .read_to_string(&mut s)
        .expect("utf-8");
    s
}

#[test]
fn report_workbook_has_both_appendix_tables() {
    let bytes = report_xlsx(&fixture::report()).expect("xlsx");
    let sheets = sheets(&bytes);
    assert_eq!(sheets[0].0, "Nhiệm vụ");
    assert_eq!(sheets[1].0, "Chỉ tiêu");
    let tasks = &sheets[0].1;
    assert_eq!(tasks[1], super::docx::TASK_HEADERS);
    assert_eq!(tasks[2][0], "I. HẠ TẦNG SỐ");
    assert_eq!(tasks[3][1], "Phủ sóng 4G tới 100% thôn");
    assert_eq!(tasks[5][4], "Đang thực hiện", "code shown as its label");
    assert_eq!(tasks.len(), 2 + 7);
    let targets = &sheets[1].1;
    assert_eq!(targets[1], super::docx::TARGET_HEADERS);
    assert_eq!(targets[2][5], "92,5");
    assert_eq!(targets[3][5], "3.215");
    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    assert!(xml.contains("state=\"frozen\""), "header frozen");
    assert!(xml.contains("<cols>"), "column widths set");
    let styles = part(&bytes, "xl/styles.xml");
    assert!(styles.contains("<b/>") && styles.contains("wrapText=\"1\""));
}

#[test]
fn period_sheet_carries_ids_period_key_and_a_status_dropdown() {
    let bytes = period_sheet_xlsx(&fixture::period_sheet()).expect("xlsx");
    let sheets = sheets(&bytes);
    let tasks = &sheets[0].1;
    assert_eq!(tasks[0][0], "2026-07");
    assert_eq!(
        tasks[0][1],
        "Kế hoạch số 21/KH-UBND xã Tân Phong — Tháng 7/2026"
    );
    assert_eq!(tasks[1], PERIOD_TASK_HEADERS);
    assert_eq!(tasks[2][0], "101");
    assert_eq!(tasks[2][5], "Đang thực hiện");
    assert_eq!(tasks[2][6], "60");
    let targets = &sheets[1].1;
    assert_eq!(targets[0][0], "2026-07");
    assert_eq!(targets[1], PERIOD_TARGET_HEADERS);
    assert_eq!(targets[3][0], "202");

    let xml = part(&bytes, "xl/worksheets/sheet1.xml");
    let list = xml
        .split("<dataValidation ")
        .find(|v| v.contains("type=\"list\""))
        .expect("a list validation");
    assert!(list.contains("sqref=\"F3:F5\""));
    for (label, _) in super::STATUS_LABELS {
        assert!(list.contains(label), "dropdown lacks {label}");
    }
    assert!(xml.contains("type=\"decimal\""), "percent limited to 0–100");
    assert!(xml.contains("hidden=\"1\""), "id column hidden");
    assert!(xml.contains("state=\"frozen\""));
}

#[test]
fn status_labels_match_without_case_or_diacritics() {
    assert_eq!(status_code("Hoàn thành"), Some("done"));
    assert_eq!(status_code("  hoan thanh qua han "), Some("done_late"));
    assert_eq!(status_code("ĐANG THỰC HIỆN"), Some("in_progress"));
    assert_eq!(status_code("tạm dừng"), Some("suspended"));
    assert_eq!(status_code("chua trien khai"), Some("not_started"));
    assert_eq!(status_code("Xong"), None);
    assert_eq!(status_label("done_late"), "Hoàn thành quá hạn");
    assert_eq!(status_label("other"), "other");
}

/// A cell of a test upload.
#[derive(Clone, Copy)]
enum C<'a> {
    N(f64),
    S(&'a str),
    E,
}
use C::{E, N, S};

/// An upload in the period-sheet layout, as a person's spreadsheet program
/// would save it after filling cells.
fn upload(key: &str, tasks: &[[C<'_>; 8]], targets: &[[C<'_>; 7]]) -> Vec<u8> {
    let mut book = Workbook::new();
    let task_rows: Vec<&[C<'_>]> = tasks.iter().map(|r| &r[..]).collect();
    let target_rows: Vec<&[C<'_>]> = targets.iter().map(|r| &r[..]).collect();
    fill(&mut book, key, "Nhiệm vụ", &PERIOD_TASK_HEADERS, &task_rows);
    fill(
        &mut book,
        key,
        "Chỉ tiêu",
        &PERIOD_TARGET_HEADERS,
        &target_rows,
    );
    book.save_to_buffer().expect("xlsx")
}

fn fill(book: &mut Workbook, key: &str, name: &str, headers: &[&str], rows: &[&[C<'_>]]) {
    let ws = book.add_worksheet();
    ws.set_name(name).expect("name");
    ws.write_string(0, 0, key).expect("key");
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(1, c as u16, *h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 2, c as u16);
            match cell {
                N(n) => ws.write_number(r, c, *n).map(|_| ()),
                S(s) => ws.write_string(r, c, *s).map(|_| ()),
                E => Ok(()),
            }
            .expect("cell");
        }
    }
}

fn task<'a>(id: C<'a>, status: C<'a>, percent: C<'a>, result: C<'a>) -> [C<'a>; 8] {
    [
        id,
        S("1"),
        S("Nhiệm vụ"),
        S("Công an xã"),
        E,
        status,
        percent,
        result,
    ]
}

fn target<'a>(id: C<'a>, value: C<'a>, source: C<'a>) -> [C<'a>; 7] {
    [id, S("1"), S("Chỉ tiêu"), S("%"), S("≥ 90"), value, source]
}

fn refused(bytes: &[u8]) -> BulkError {
    match parse_period_sheet(bytes, "2026-07") {
        Err(e) => e,
        Ok(rows) => panic!("accepted: {rows:?}"),
    }
}

#[test]
fn the_exported_sheet_uploads_unchanged_as_its_prefilled_rows() {
    let bytes = period_sheet_xlsx(&fixture::period_sheet()).expect("xlsx");
    let rows = parse_period_sheet(&bytes, "2026-07").expect("accepted");
    assert_eq!(
        rows,
        vec![BulkRow::Task {
            row: 3,
            id: 101,
            status: "in_progress".into(),
            percent: Some(60),
            result: String::new(),
        }]
    );
}

#[test]
fn a_filled_sheet_round_trips_to_bulk_rows() {
    let bytes = upload(
        "2026-07",
        &[
            task(
                N(101.0),
                S("Hoàn thành"),
                N(100.0),
                S("Đã phủ sóng 12/12 thôn"),
            ),
            task(N(102.0), E, E, E),
            task(S("103"), S("dang thuc hien"), S("45%"), E),
            task(N(104.0), S("Tạm dừng"), E, S("Chờ kinh phí")),
        ],
        &[
            target(N(201.0), S("92,5"), S("Cổng dịch vụ công")),
            target(N(202.0), N(81.0), E),
            target(N(203.0), E, E),
        ],
    );
    let rows = parse_period_sheet(&bytes, "2026-07").expect("accepted");
    let task = |row, id, status: &str, percent, result: &str| BulkRow::Task {
        row,
        id,
        status: status.into(),
        percent,
        result: result.into(),
    };
    let target = |row, id, value, source: &str| BulkRow::Target {
        row,
        id,
        value,
        source: source.into(),
    };
    assert_eq!(
        rows,
        vec![
            task(3, 101, "done", Some(100), "Đã phủ sóng 12/12 thôn"),
            task(5, 103, "in_progress", Some(45), ""),
            task(6, 104, "suspended", None, "Chờ kinh phí"),
            target(3, 201, Some(92.5), "Cổng dịch vụ công"),
            target(4, 202, Some(81.0), ""),
        ]
    );
}

#[test]
fn one_bad_percent_refuses_the_whole_sheet_naming_its_row() {
    let bytes = upload(
        "2026-07",
        &[
            task(N(101.0), S("Hoàn thành"), N(100.0), E),
            task(N(102.0), S("Đang thực hiện"), N(150.0), E),
            task(N(103.0), S("Hoàn thành"), N(100.0), E),
        ],
        &[target(N(201.0), N(95.0), E)],
    );
    let e = refused(&bytes);
    assert_eq!(e.row, 4);
    assert_eq!(e.sheet, "Nhiệm vụ");
    assert_eq!(
        e.message,
        "Dòng 4 (Nhiệm vụ): Tiến độ phải là số từ 0 đến 100"
    );
}

#[test]
fn bad_cells_are_named_by_row_and_sheet() {
    // (task rows, target rows, row named, sheet named, text in message)
    type Case<'a> = (Vec<[C<'a>; 8]>, Vec<[C<'a>; 7]>, usize, &'a str, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (
            vec![task(N(1.0), S("Xong rồi"), E, E)],
            vec![],
            3,
            "Nhiệm vụ",
            "Xong rồi",
        ),
        (
            vec![task(E, S("Hoàn thành"), E, E)],
            vec![],
            3,
            "Nhiệm vụ",
            "thiếu Mã",
        ),
        (
            vec![task(N(1.0), E, N(50.0), E)],
            vec![],
            3,
            "Nhiệm vụ",
            "Tình trạng",
        ),
        (
            vec![task(N(1.0), S("Hoàn thành"), S("nhiều"), E)],
            vec![],
            3,
            "Nhiệm vụ",
            "Tiến độ",
        ),
        (
            vec![task(N(1.0), S("Hoàn thành"), N(-1.0), E)],
            vec![],
            3,
            "Nhiệm vụ",
            "Tiến độ",
        ),
        (
            vec![],
            vec![target(N(1.0), E, E), target(N(2.0), S("khoảng 90"), E)],
            4,
            "Chỉ tiêu",
            "«khoảng 90» không phải là số",
        ),
        (
            vec![],
            vec![target(S("abc"), N(1.0), E)],
            3,
            "Chỉ tiêu",
            "thiếu Mã",
        ),
        (
            vec![],
            vec![target(N(1.0), N(1.0), E), target(N(1.0), N(2.0), E)],
            4,
            "Chỉ tiêu",
            "Mã 1 đã có ở dòng 3",
        ),
    ];
    for (tasks, targets, row, sheet, needle) in cases {
        let e = refused(&upload("2026-07", &tasks, &targets));
        assert_eq!((e.row, e.sheet.as_str()), (row, sheet), "{}", e.message);
        assert!(e.message.starts_with(&format!("Dòng {row} ({sheet}): ")));
        assert!(e.message.contains(needle), "{}", e.message);
    }
}

#[test]
fn a_sheet_for_another_period_is_refused() {
    let bytes = upload("2026-06", &[task(N(1.0), S("Hoàn thành"), E, E)], &[]);
    let e = refused(&bytes);
    assert!(
        e.message.contains("2026-06") && e.message.contains("2026-07"),
        "{}",
        e.message
    );
    let e = refused(&upload("", &[task(N(1.0), S("Hoàn thành"), E, E)], &[]));
    assert!(e.message.contains("A1"), "{}", e.message);
}

#[test]
fn empty_or_foreign_files_are_refused() {
    let e = refused(&upload("2026-07", &[], &[]));
    assert!(e.message.contains("trống"), "{}", e.message);
    assert_eq!(e.row, 0);

    let e = refused(b"TT;Nhiem vu\n1;abc\n");
    assert!(e.message.contains(".xlsx"), "{}", e.message);
    let docx = super::report_docx(&fixture::report()).expect("docx");
    assert!(refused(&docx).message.contains(".xlsx"));

    let mut other = Workbook::new();
    other
        .add_worksheet()
        .set_name("Trang tính 1")
        .expect("name");
    let e = refused(&other.save_to_buffer().expect("xlsx"));
    assert!(e.message.contains("Nhiệm vụ"), "{}", e.message);
}

#[test]
fn oversized_uploads_and_zip_bombs_are_refused_before_reading() {
    let big = vec![0u8; super::xlsx::MAX_UPLOAD_BYTES + 1];
    assert!(refused(&big).message.contains("10 MB"));

    // 20 MB of zeros deflate to about 20 KB: a ratio no real sheet has.
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("xl/workbook.xml", options).expect("entry");
    zip.write_all(&vec![b' '; 20 * 1024 * 1024]).expect("write");
    let bomb = zip.finish().expect("zip").into_inner();
    assert!(bomb.len() < 1024 * 1024);
    assert!(refused(&bomb).message.contains("bất thường"));
}
