//! The three readers agree: a .docx and an .xlsx built in memory (with
//! merged cells and a table split in two) import to the same tasks as their
//! text twin. And bad input gives a clear error or warning, never a panic.

use std::io::{Cursor, Write};

use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow, VMergeType};
use rust_xlsxwriter::{Format, Workbook};

use super::{ImportError, ParsedPlan, parse_plan};

const HEADER: [&str; 5] = [
    "TT",
    "Nội dung",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian thực hiện",
];

const TEXT_TWIN: &str = "KẾ HOẠCH\n\nThử nghiệm nhập kế hoạch năm 2026\n\n\
TT\tNội dung\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian thực hiện\n\
I.\tNhóm một\t\t\t\n\
1\tViệc một\tUBND xã\tCông an xã; Phòng Văn hóa - Xã hội\tTháng 7/2025\n\
2\tViệc hai\tUBND xã\tCác cơ quan, đơn vị liên quan\tThường xuyên\n\
II.\tNhóm hai\t\t\t\n\
3\tViệc ba\tCông an xã\t\tNăm 2026\n";

fn parse(bytes: &[u8], name: &str) -> ParsedPlan {
    match parse_plan(bytes, Some(name)) {
        Ok(p) => p,
        Err(e) => panic!("{name}: {e}"),
    }
}

/// Tasks as JSON without line numbers, which differ between formats.
fn task_json(plan: &ParsedPlan) -> Vec<serde_json::Value> {
    plan.tasks
        .iter()
        .map(|t| {
            let mut v = serde_json::to_value(t).unwrap_or_default();
            if let Some(o) = v.as_object_mut() {
                o.remove("line");
            }
            v
        })
        .collect()
}

fn text_cell(s: &str) -> TableCell {
    TableCell::new().add_paragraph(Paragraph::new().add_run(Run::new().add_text(s)))
}

fn text_row(cells: &[&str]) -> TableRow {
    TableRow::new(cells.iter().map(|c| text_cell(c)).collect())
}

/// The twin as a .docx: group rows as one cell spanning four columns, the
/// lead of tasks 1–2 as a vertical merge, the table split in two with the
/// header repeated.
fn build_docx() -> Vec<u8> {
    let group = |numeral: &str, title: &str| {
        TableRow::new(vec![text_cell(numeral), text_cell(title).grid_span(4)])
    };
    let first = Table::new(vec![
        text_row(&HEADER),
        group("I.", "Nhóm một"),
        TableRow::new(vec![
            text_cell("1"),
            text_cell("Việc một"),
            text_cell("UBND xã").vertical_merge(VMergeType::Restart),
            text_cell("Công an xã; Phòng Văn hóa - Xã hội"),
            text_cell("Tháng 7/2025"),
        ]),
        TableRow::new(vec![
            text_cell("2"),
            text_cell("Việc hai"),
            TableCell::new()
                .add_paragraph(Paragraph::new())
                .vertical_merge(VMergeType::Continue),
            text_cell("Các cơ quan, đơn vị liên quan"),
            text_cell("Thường xuyên"),
        ]),
    ]);
    let second = Table::new(vec![
        text_row(&HEADER),
        group("II.", "Nhóm hai"),
        text_row(&["3", "Việc ba", "Công an xã", "", "Năm 2026"]),
    ]);
    let mut out = Cursor::new(Vec::new());
    let packed = Docx::new()
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text("KẾ HOẠCH").bold()))
        .add_paragraph(
            Paragraph::new().add_run(Run::new().add_text("Thử nghiệm nhập kế hoạch năm 2026")),
        )
        .add_table(first)
        .add_paragraph(Paragraph::new())
        .add_table(second)
        .build()
        .pack(&mut out);
    assert!(packed.is_ok(), "docx pack failed");
    out.into_inner()
}

/// The twin as an .xlsx: a title row above the header, group titles merged
/// across four columns, the lead of tasks 1–2 merged vertically.
fn build_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let fmt = Format::new();
    let mut ok = sheet
        .write_string(0, 0, "Thử nghiệm nhập kế hoạch năm 2026")
        .is_ok();
    for (c, h) in HEADER.iter().enumerate() {
        ok &= sheet.write_string(1, c as u16, *h).is_ok();
    }
    ok &= sheet.write_string(2, 0, "I.").is_ok();
    ok &= sheet.merge_range(2, 1, 2, 4, "Nhóm một", &fmt).is_ok();
    for (c, v) in [
        "1",
        "Việc một",
        "",
        "Công an xã; Phòng Văn hóa - Xã hội",
        "Tháng 7/2025",
    ]
    .iter()
    .enumerate()
    {
        if !v.is_empty() {
            ok &= sheet.write_string(3, c as u16, *v).is_ok();
        }
    }
    ok &= sheet.merge_range(3, 2, 4, 2, "UBND xã", &fmt).is_ok();
    for (c, v) in [
        "2",
        "Việc hai",
        "",
        "Các cơ quan, đơn vị liên quan",
        "Thường xuyên",
    ]
    .iter()
    .enumerate()
    {
        if !v.is_empty() {
            ok &= sheet.write_string(4, c as u16, *v).is_ok();
        }
    }
    ok &= sheet.write_string(5, 0, "II.").is_ok();
    ok &= sheet.merge_range(5, 1, 5, 4, "Nhóm hai", &fmt).is_ok();
    for (c, v) in ["3", "Việc ba", "Công an xã", "", "Năm 2026"]
        .iter()
        .enumerate()
    {
        if !v.is_empty() {
            ok &= sheet.write_string(6, c as u16, *v).is_ok();
        }
    }
    assert!(ok, "xlsx writing failed");
    book.save_to_buffer().unwrap_or_default()
}

#[test]
fn the_text_twin_reads_three_tasks_in_two_groups() {
    let plan = parse(TEXT_TWIN.as_bytes(), "ke-hoach.txt");
    assert_eq!(plan.tasks.len(), 3);
    assert_eq!(plan.tasks[0].group, ["I. Nhóm một"]);
    assert_eq!(plan.tasks[2].group, ["II. Nhóm hai"]);
    assert_eq!(
        plan.tasks[0].support,
        ["Công an xã", "Phòng Văn hóa - Xã hội"]
    );
    assert_eq!(
        plan.plan.title.as_deref(),
        Some("Thử nghiệm nhập kế hoạch năm 2026")
    );
}

#[test]
fn a_docx_with_merged_cells_and_a_split_table_matches_its_text_twin() {
    let text = parse(TEXT_TWIN.as_bytes(), "ke-hoach.txt");
    let docx = parse(&build_docx(), "ke-hoach.docx");
    assert_eq!(task_json(&docx), task_json(&text));
    assert_eq!(docx.plan.title, text.plan.title);
}

#[test]
fn an_xlsx_with_merged_cells_matches_its_text_twin() {
    let text = parse(TEXT_TWIN.as_bytes(), "ke-hoach.txt");
    let xlsx = parse(&build_xlsx(), "ke-hoach.xlsx");
    assert_eq!(task_json(&xlsx), task_json(&text));
}

fn error_of(bytes: &[u8], name: &str) -> ImportError {
    match parse_plan(bytes, Some(name)) {
        Ok(_) => panic!("{name} should be refused"),
        Err(e) => e,
    }
}

#[test]
fn an_empty_file_is_refused() {
    let e = error_of(b"", "rong.txt");
    assert_eq!(e.code(), "empty_file");
    assert_eq!(e.to_string(), "Tệp rỗng");
}

#[test]
fn a_binary_file_is_an_unsupported_format() {
    let bytes: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let e = error_of(&bytes, "anh.png");
    assert_eq!(e.code(), "unsupported_format");
    assert!(e.to_string().contains(".docx, .xlsx"));
}

#[test]
fn a_truncated_docx_is_reported_as_corrupt() {
    let bytes = build_docx();
    let e = error_of(&bytes[..bytes.len() / 2], "ke-hoach.docx");
    assert_eq!(e.code(), "corrupt_docx");
    let e = error_of(b"PK\x03\x04rubbish", "ke-hoach.docx");
    assert_eq!(e.code(), "corrupt_docx");
    let e = error_of(b"PK\x03\x04rubbish", "bang.xlsx");
    assert_eq!(e.code(), "corrupt_xlsx");
}

#[test]
fn a_zip_bomb_is_refused() {
    let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let zeros = vec![0u8; 8 * 1024 * 1024];
    let written =
        writer.start_file("word/document.xml", options).is_ok() && writer.write_all(&zeros).is_ok();
    assert!(written);
    let bytes = match writer.finish() {
        Ok(c) => c.into_inner(),
        Err(e) => panic!("zip: {e}"),
    };
    assert!(
        bytes.len() < 200 * 1024,
        "the bomb should be small: {}",
        bytes.len()
    );
    let e = error_of(&bytes, "bom.docx");
    assert_eq!(e.code(), "zip_bomb");
    assert!(e.to_string().contains("zip bomb"));
}

#[test]
fn a_file_over_the_size_limit_is_refused() {
    let bytes = vec![b'a'; super::MAX_INPUT_BYTES + 1];
    assert_eq!(error_of(&bytes, "lon.txt").code(), "too_large");
}

#[test]
fn a_task_table_without_a_lead_column_warns_and_still_imports() {
    let text = "TT\tNội dung\tThời gian thực hiện\n1\tViệc một\tNăm 2026\n";
    let plan = parse(text.as_bytes(), "thieu-cot.txt");
    assert_eq!(plan.tasks.len(), 1);
    assert!(plan.tasks[0].lead.is_empty());
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.message.contains("Cơ quan chủ trì")),
        "{:?}",
        plan.warnings
    );
}

#[test]
fn a_table_without_a_title_column_is_skipped_with_a_warning() {
    let text =
        "TT\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian thực hiện\n1\tUBND xã\t\tNăm 2026\n";
    let plan = parse(text.as_bytes(), "thieu-cot.txt");
    assert!(plan.tasks.is_empty());
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.message.contains("không nhận dạng được"))
    );
}

#[test]
fn ragged_and_odd_text_never_panics() {
    for text in [
        "\t\t\t\n\t",
        "TT\tNội dung\tCơ quan chủ trì\n\t\tmột\n",
        "Số:\n, ngày tháng năm\nKẾ HOẠCH",
        "I. \nII.\n1.\n- \n(",
        "TT\tChỉ tiêu\tĐơn vị tính\tMục tiêu năm 2026\nA\t\t\t\n1\tX\t%\t≥ abc\n",
        "Tiêu chí\tNội dung chi tiết\nCơ sở pháp lý\tX\nThời gian thực hiện\tNăm 2026\n",
    ] {
        let _ = parse_plan(text.as_bytes(), None);
    }
}

#[test]
fn pseudo_random_text_never_panics() {
    let alphabet: Vec<char> = "\t\n .,;:-–()$\\<>/%*#0123456789IVXAaĐđƯươàáảãạİ≥≤TtNnCcHhKkgSsố"
        .chars()
        .collect();
    let words = [
        "TT",
        "Nội dung",
        "Cơ quan chủ trì",
        "Chỉ tiêu",
        "Đơn vị tính",
        "Mục tiêu năm 2026",
        "Số:",
        ", ngày ",
        "tháng",
        "năm",
        "KẾ HOẠCH",
        "Căn cứ Kế hoạch số",
        "Tiêu chí",
        "Thời gian thực hiện",
        "trước ngày",
        "hằng tháng",
        "báo cáo",
        "III. NHIỆM VỤ VÀ GIẢI PHÁP",
        "<li>",
        "$\\geq",
        "Top",
        "Nhiệm vụ 1:",
    ];
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..300 {
        let mut text = String::new();
        for _ in 0..(next() % 200) {
            let r = next();
            if r % 3 == 0 {
                text.push_str(words[(r / 3) as usize % words.len()]);
            } else {
                text.push(alphabet[(r / 3) as usize % alphabet.len()]);
            }
        }
        let _ = parse_plan(text.as_bytes(), None);
    }
}

#[test]
fn damaged_office_files_give_errors_not_panics() {
    for original in [build_docx(), build_xlsx()] {
        for step in [7usize, 13, 101, 997] {
            let mut bytes = original.clone();
            for i in (40..bytes.len()).step_by(step) {
                bytes[i] ^= 0x5a;
            }
            let _ = parse_plan(&bytes, Some("hong.docx"));
            let _ = parse_plan(&bytes[..bytes.len() * 3 / 4], Some("hong.xlsx"));
        }
    }
}
