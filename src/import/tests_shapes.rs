//! The shapes of real plans (issue 13), on a fictional commune, Hòa Bình:
//! a header block in a layout table, dated reporting duties, column
//! synonyms, groups on several levels, repeated and shifted header rows,
//! a target table with no value column, lead cells written as sentences,
//! units glued together, old-encoding letters. Read from text, from a
//! .docx built here (real Word tables: merged group rows, a repeated
//! header, one table per part, a table split across pages) and from an
//! .xlsx; the three must agree.

use std::io::Cursor;

use chrono::NaiveDate;
use docx_rs::{Docx, Paragraph, Run, Table, TableCell, TableRow};
use rust_xlsxwriter::{Format, Workbook};

use super::{ParsedPlan, parse_plan};
use crate::domain::goal::Comparator;
use crate::domain::period::PeriodKind;

const HEADER: [&str; 7] = [
    "TT",
    "Nhiệm vụ, giải pháp",
    "Đơn vị thực hiện",
    "Cơ quan/Đơn vị phối hợp",
    "Sản phẩm đầu ra",
    "Thời hạn",
    "Mức độ ưu tiên",
];

/// Task rows; a row of one cell is a group heading spanning the table.
const TASKS: &[&[&str]] = &[
    &["A. CHÍNH QUYỀN SỐ"],
    &["I", "Hạ tầng số", "", "", "", "", ""],
    &[
        "1",
        "Nâng cấp mạng nội bộ của UBND xã",
        "Văn phòng HĐND và UBND xã",
        "Phòng Kinh tế",
        "Mạng nội bộ được nâng cấp",
        "Quý II/2026",
        "Cao",
    ],
    &[
        "2",
        "Làm sạch dữ liệu dân cư",
        "Công an xã chủ trì hướng dẫn, đôn đốc; các thôn, tổ dân phố thực hiện",
        "",
        "Dữ liệu được làm sạch",
        "Năm 2026",
        "",
    ],
    &["II", "Kinh tế số", "", "", "", "", ""],
    &["3", "Thương mại điện tử", "", "", "", "", ""],
    &[
        "3.1",
        "Đưa sản phẩm OCOP lên sàn thương mại điện tử",
        "Hợp tác xã, hộ kinh doanh trên địa bàn",
        "Phòng Kinh tế",
        "Gian hàng trực tuyến",
        "2026 - 2027",
        "",
    ],
    &["3.2", "Du lịch", "", "", "", "", ""],
    &["a", "Số hóa điểm du lịch", "", "", "", "", ""],
    &[
        "-",
        "Số hóa thuyết minh điểm di tích cǜng như lễ hội định kǶ",
        "Phòng Văn hóa - Xã hội Trung tâm Phục vụ hành chính công",
        "Đoàn Thanh niên",
        "Mã QR thuyết minh",
        "Thường xuyên",
        "",
    ],
    &["B. XÃ HỘI SỐ"],
    &[
        "4",
        "Tổ chức Bình dân học vụ số cho người dân",
        "Phòng Văn hóa - Xã hội",
        "Các thôn; Hội Phụ nữ",
        "Lớp học",
        "Hằng năm",
        "",
    ],
];

const TARGET_HEADER: [&str; 3] = ["TT", "Chỉ tiêu", "Chủ trì"];

const TARGETS: &[&[&str]] = &[
    &["I. Kinh tế số"],
    &["1", "Kinh tế số chiếm 30% GRDP của xã", "Phòng Kinh tế"],
    &[
        "2",
        "Tỷ lệ hộ có tài khoản thanh toán điện tử đạt tối thiểu 55%",
        "Phòng Kinh tế",
    ],
    &["II. Chính quyền số"],
    &[
        "3",
        "Tỷ lệ hồ sơ xử lý trực tuyến đạt trên 70%",
        "Trung tâm Phục vụ hành chính công",
    ],
    &[
        "4",
        "Phủ sóng 4G đạt 99% thôn, bản",
        "Phòng Văn hóa - Xã hội",
    ],
    &[
        "5",
        "Mỗi năm có ít nhất 03 sáng kiến được công nhận",
        "Văn phòng HĐND và UBND xã thúc đẩy, theo dõi, báo cáo chỉ tiêu",
    ],
    &[
        "6",
        "Xã thuộc nhóm Top 15 của tỉnh về chỉ số chuyển đổi số",
        "Phòng Văn hóa - Xã hội",
    ],
];

const BODY: &[&str] = &[
    "KẾ HOẠCH",
    "Chuyển đổi số xã Hòa Bình giai đoạn 2026 - 2030",
    "Căn cứ Kế hoạch số 15/KH-UBND ngày 10/01/2026 của UBND tỉnh Sơn Lâm về chuyển đổi số;",
    "I. TỔ CHỨC THỰC HIỆN",
    "Các phòng, ban định kỳ báo cáo kết quả thực hiện trước ngày 25/11 hằng năm; Phòng Văn hóa - Xã hội tổng hợp, báo cáo UBND xã trước ngày 05/12 hằng năm.",
    "Báo cáo sơ kết 6 tháng (trước ngày 15/6) và hằng năm (trước ngày 15/12).",
    "PHỤ LỤC I",
    "(Ban hành kèm theo Kế hoạch số: /KH-UBND ngày / /2025 của UBND xã Hòa Bình)",
];

/// The rows of the task table as printed: a page break repeats the header
/// (whole, then shifted by a lost first cell).
fn task_rows() -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = vec![HEADER.iter().map(|s| s.to_string()).collect()];
    for (i, r) in TASKS.iter().enumerate() {
        if i == 7 {
            rows.push(HEADER.iter().map(|s| s.to_string()).collect());
        }
        if i == 10 {
            rows.push(HEADER[1..].iter().map(|s| s.to_string()).collect());
        }
        rows.push(r.iter().map(|s| s.to_string()).collect());
    }
    rows
}

fn text_twin() -> String {
    let mut t = String::from(
        "ỦY BAN NHÂN DÂN\tCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nXÃ HÒA BÌNH\tĐộc lập - Tự do - Hạnh phúc\nSố: 217/KH-UBND\tHòa Bình, ngày 3 tháng 12 năm 2025\n\n",
    );
    for p in BODY {
        t.push_str(p);
        t.push_str("\n\n");
    }
    for r in task_rows() {
        if r.len() == 1 {
            t.push_str(&format!("**{}**\n", r[0]));
        } else {
            t.push_str(&r.join("\t"));
            t.push('\n');
        }
    }
    t.push_str("\nPHỤ LỤC II\n\n");
    t.push_str(&TARGET_HEADER.join("\t"));
    t.push('\n');
    for r in TARGETS {
        if r.len() == 1 {
            t.push_str(&format!("**{}**\n", r[0]));
        } else {
            t.push_str(&r.join("\t"));
            t.push('\n');
        }
    }
    t
}

fn cell(s: &str, bold: bool) -> TableCell {
    let mut cell = TableCell::new();
    for line in s.split('\n') {
        let run = Run::new().add_text(line);
        cell = cell.add_paragraph(Paragraph::new().add_run(if bold { run.bold() } else { run }));
    }
    cell
}

/// A Word table; a one-cell row becomes one bold cell spanning the table.
fn word_table(rows: &[Vec<String>], width: usize) -> Table {
    Table::new(
        rows.iter()
            .map(|r| {
                if r.len() == 1 {
                    TableRow::new(vec![cell(&r[0], true).grid_span(width)])
                } else {
                    TableRow::new(r.iter().map(|c| cell(c, false)).collect())
                }
            })
            .collect(),
    )
}

fn build_docx() -> Vec<u8> {
    let layout = Table::new(vec![
        TableRow::new(vec![
            cell("ỦY BAN NHÂN DÂN\nXÃ HÒA BÌNH", true),
            cell(
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc",
                true,
            ),
        ]),
        TableRow::new(vec![
            cell("Số: 217/KH-UBND", false),
            cell("Hòa Bình, ngày 3 tháng 12 năm 2025", false),
        ]),
    ]);
    let mut docx = Docx::new().add_table(layout);
    for p in BODY {
        docx = docx.add_paragraph(Paragraph::new().add_run(Run::new().add_text(*p)));
    }
    // The task table split across pages: two Word tables back to back,
    // the second opening with the repeated header.
    let rows = task_rows();
    let split = 8;
    docx = docx
        .add_table(word_table(&rows[..split], 7))
        .add_table(word_table(&rows[split..], 7));
    docx = docx.add_paragraph(Paragraph::new().add_run(Run::new().add_text("PHỤ LỤC II")));
    let mut targets: Vec<Vec<String>> = vec![TARGET_HEADER.iter().map(|s| s.to_string()).collect()];
    targets.extend(
        TARGETS
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect()),
    );
    docx = docx.add_table(word_table(&targets, 3));
    let mut out = Cursor::new(Vec::new());
    assert!(docx.build().pack(&mut out).is_ok(), "docx pack failed");
    out.into_inner()
}

/// Tasks on one sheet, targets on another; group rows merged across.
fn build_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let fmt = Format::new();
    let mut ok = true;
    let mut sheets: Vec<(Vec<Vec<String>>, u16)> = vec![(task_rows(), 7)];
    let mut targets: Vec<Vec<String>> = vec![TARGET_HEADER.iter().map(|s| s.to_string()).collect()];
    targets.extend(
        TARGETS
            .iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect()),
    );
    sheets.push((targets, 3));
    for (rows, width) in sheets {
        let sheet = book.add_worksheet();
        ok &= sheet.write_string(0, 0, BODY[1]).is_ok();
        for (i, r) in rows.iter().enumerate() {
            let row = i as u32 + 1;
            if r.len() == 1 {
                ok &= sheet
                    .merge_range(row, 0, row, width - 1, &r[0], &fmt)
                    .is_ok();
                continue;
            }
            for (c, v) in r.iter().enumerate() {
                if !v.is_empty() {
                    ok &= sheet.write_string(row, c as u16, v).is_ok();
                }
            }
        }
    }
    assert!(ok, "xlsx writing failed");
    book.save_to_buffer().unwrap_or_default()
}

fn parse(bytes: &[u8], name: &str) -> ParsedPlan {
    parse_plan(bytes, Some(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Tasks and targets as JSON without line numbers, which differ by format.
fn items_json(plan: &ParsedPlan) -> Vec<serde_json::Value> {
    let tasks = plan
        .tasks
        .iter()
        .map(|t| serde_json::to_value(t).unwrap_or_default());
    let targets = plan
        .targets
        .iter()
        .map(|t| serde_json::to_value(t).unwrap_or_default());
    tasks
        .chain(targets)
        .map(|mut v| {
            if let Some(o) = v.as_object_mut() {
                o.remove("line");
            }
            v
        })
        .collect()
}

#[test]
fn the_header_block_gives_number_place_date_and_the_whole_issuer() {
    for (plan, what) in [
        (parse(text_twin().as_bytes(), "hb.txt"), "text"),
        (parse(&build_docx(), "hb.docx"), "docx"),
    ] {
        let p = &plan.plan;
        assert_eq!(p.number.as_deref(), Some("217/KH-UBND"), "{what}");
        assert_eq!(p.date, NaiveDate::from_ymd_opt(2025, 12, 3), "{what}");
        assert_eq!(p.place.as_deref(), Some("Hòa Bình"), "{what}");
        assert_eq!(
            p.issuer.as_deref(),
            Some("Ủy ban nhân dân xã Hòa Bình"),
            "{what}"
        );
        // The caption with blanks does not override or add anything.
        assert_eq!(p.basis.len(), 1, "{what}");
    }
}

#[test]
fn dated_reporting_duties_are_read_per_period() {
    let plan = parse(text_twin().as_bytes(), "hb.txt");
    let r = &plan.plan.reporting;
    assert_eq!(r.periods, [PeriodKind::HalfYearly, PeriodKind::Yearly]);
    let dates: Vec<(PeriodKind, u32, Option<u32>, bool)> = r
        .deadlines
        .iter()
        .map(|d| (d.period, d.day, d.month, d.consolidating))
        .collect();
    assert_eq!(
        dates,
        [
            (PeriodKind::Yearly, 25, Some(11), false),
            (PeriodKind::Yearly, 5, Some(12), true),
            (PeriodKind::HalfYearly, 15, Some(6), false),
            (PeriodKind::Yearly, 15, Some(12), false),
        ]
    );
}

#[test]
fn task_columns_by_synonym_groups_on_five_levels_and_header_repeats_skipped() {
    let plan = parse(text_twin().as_bytes(), "hb.txt");
    let refs: Vec<&str> = plan
        .tasks
        .iter()
        .filter_map(|t| t.reference.as_deref())
        .collect();
    assert_eq!(refs, ["1", "2", "3.1", "-", "4"]);
    assert_eq!(plan.tasks[0].group, ["A. CHÍNH QUYỀN SỐ", "I. Hạ tầng số"]);
    assert_eq!(
        plan.tasks[3].group,
        [
            "A. CHÍNH QUYỀN SỐ",
            "II. Kinh tế số",
            "3. Thương mại điện tử",
            "3.2. Du lịch",
            "a. Số hóa điểm du lịch"
        ]
    );
    assert_eq!(plan.tasks[4].group, ["B. XÃ HỘI SỐ"]);
    let t1 = &plan.tasks[0];
    assert_eq!(t1.lead, ["Văn phòng HĐND và UBND xã"]);
    assert_eq!(t1.support, ["Phòng Kinh tế"]);
    assert_eq!(t1.product.as_deref(), Some("Mạng nội bộ được nâng cấp"));
    assert_eq!(t1.deadline.text(), "Quý II/2026");
    // The column not understood is kept, and named in a warning.
    assert_eq!(t1.note.as_deref(), Some("Mức độ ưu tiên: Cao"));
    assert!(
        plan.warnings
            .iter()
            .any(|w| w.message.contains("«Mức độ ưu tiên»"))
    );
    let tables = &plan.tables;
    let tasks_table = tables
        .iter()
        .find(|t| t.kind == "tasks")
        .map(|t| t.group_levels.clone());
    assert_eq!(tasks_table.unwrap_or_default(), ["A", "I", "1", "1.1", "a"]);
}

#[test]
fn lead_sentences_glued_units_and_leads_outside_the_tree() {
    let plan = parse(text_twin().as_bytes(), "hb.txt");
    let t2 = &plan.tasks[1];
    assert_eq!(t2.lead, ["Công an xã"]);
    assert_eq!(t2.support, ["các thôn, tổ dân phố"]);
    assert_eq!(
        t2.note.as_deref(),
        Some("chủ trì hướng dẫn, đôn đốc; thực hiện")
    );
    assert_eq!(
        plan.tasks[3].lead,
        [
            "Phòng Văn hóa - Xã hội",
            "Trung tâm Phục vụ hành chính công"
        ]
    );
    assert_eq!(
        plan.tasks[2].lead,
        ["Hợp tác xã, hộ kinh doanh trên địa bàn"]
    );
    let directory = vec![super::UnitEntry {
        id: 1,
        name: "Phòng Kinh tế".into(),
        aliases: vec![],
    }];
    let unresolved = super::resolve_units(&plan, &directory).unresolved();
    assert!(unresolved.contains(&"Hợp tác xã, hộ kinh doanh trên địa bàn".to_string()));
    // Old-encoding letters repaired.
    assert!(plan.tasks[3].title.contains("cũng như lễ hội định kỳ"));
}

#[test]
fn targets_without_value_columns_take_the_goal_of_their_sentence_for_the_horizon() {
    let plan = parse(text_twin().as_bytes(), "hb.txt");
    let t = &plan.targets;
    assert_eq!(t.len(), 6);
    assert_eq!(t[0].group, ["I. Kinh tế số"]);
    assert_eq!(t[2].group, ["II. Chính quyền số"]);
    let goals: Vec<(Option<i32>, Comparator, f64)> = t
        .iter()
        .map(|x| {
            x.goals
                .first()
                .map_or((None, Comparator::Eq, 0.0), |g| (g.year, g.op, g.value))
        })
        .collect();
    assert_eq!(
        goals,
        [
            (Some(2030), Comparator::Ge, 30.0),
            (Some(2030), Comparator::Ge, 55.0),
            (Some(2030), Comparator::Gt, 70.0),
            (Some(2030), Comparator::Ge, 99.0),
            (Some(2030), Comparator::Ge, 3.0),
            (Some(2030), Comparator::Top, 15.0),
        ]
    );
    assert_eq!(t[4].lead, ["Văn phòng HĐND và UBND xã"]);
    assert_eq!(
        t[4].note.as_deref(),
        Some("thúc đẩy, theo dõi, báo cáo chỉ tiêu")
    );
}

#[test]
fn the_docx_and_xlsx_twins_read_as_the_text() {
    let text = parse(text_twin().as_bytes(), "hb.txt");
    let docx = parse(&build_docx(), "hb.docx");
    assert_eq!(items_json(&docx), items_json(&text));
    let xlsx = parse(&build_xlsx(), "hb.xlsx");
    for (x, t) in items_json(&xlsx).iter().zip(items_json(&text).iter()) {
        assert_eq!(x, t);
    }
    assert_eq!(
        xlsx.tasks.len() + xlsx.targets.len(),
        text.tasks.len() + text.targets.len()
    );
}

#[test]
fn text_pasted_from_a_web_page_reads_as_the_same_tables() {
    let mut web = String::from(
        "ỦY BAN NHÂN DÂN\nXÃ HÒA BÌNH\n-------\n|\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n|\nSố: 217/KH-UBND\n|\nHòa\nBình, ngày 3 tháng 12 năm 2025\n|\n",
    );
    for p in BODY {
        web.push_str(p);
        web.push('\n');
    }
    for (i, r) in task_rows().iter().enumerate() {
        for c in r {
            if i == 0 {
                web.push_str(&format!("**{c}**\n"));
            } else {
                web.push_str(&format!("{c}\n"));
            }
        }
        web.push_str("|\n");
    }
    let plan = parse(web.as_bytes(), "web.txt");
    let text = parse(text_twin().as_bytes(), "hb.txt");
    assert_eq!(plan.plan.number, text.plan.number);
    assert_eq!(plan.plan.date, text.plan.date);
    assert_eq!(plan.plan.issuer, text.plan.issuer);
    let titles = |p: &ParsedPlan| p.tasks.iter().map(|t| t.title.clone()).collect::<Vec<_>>();
    assert_eq!(titles(&plan), titles(&text));
    assert_eq!(plan.tasks[3].group, text.tasks[3].group);
}

/// Rule 11 of issue 13: every non-empty row of every table of a file ends
/// as a task, a target, a group, or a row read and named with a reason.
fn assert_no_row_lost(bytes: &[u8], name: &str) {
    let blocks = super::read_blocks(bytes, Some(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let plan = parse(bytes, name);
    let read: Vec<&super::RowReading> = plan.tables.iter().flat_map(|t| t.rows.iter()).collect();
    for block in &blocks {
        let super::Block::Table { rows, .. } = block else {
            continue;
        };
        for row in rows
            .iter()
            .filter(|r| r.cells.iter().any(|c| !c.trim().is_empty()))
        {
            let outcome = read
                .iter()
                .find(|r| r.line == row.line)
                .map(|r| &r.outcome)
                .unwrap_or_else(|| {
                    panic!("{name}: row at line {} vanished: {:?}", row.line, row.cells)
                });
            match outcome {
                // A dossier's rows all make its one task.
                super::RowOutcome::Task { index } => {
                    assert!(plan.tasks.get(*index).is_some(), "{name}")
                }
                super::RowOutcome::Target { index } => {
                    assert_eq!(
                        plan.targets.get(*index).map(|t| t.line),
                        Some(row.line),
                        "{name}"
                    )
                }
                super::RowOutcome::Skipped { reason } => {
                    assert!(!reason.is_empty(), "{name}");
                }
                _ => {}
            }
        }
    }
}

#[test]
fn no_table_row_of_the_seeds_demo_or_fixtures_vanishes() {
    let seeds = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    for entry in std::fs::read_dir(&seeds).into_iter().flatten().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        assert_no_row_lost(&bytes, &entry.file_name().to_string_lossy());
    }
    let demo = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/demo/plans");
    for entry in std::fs::read_dir(&demo).into_iter().flatten().flatten() {
        let bytes = std::fs::read(entry.path()).unwrap_or_default();
        assert_no_row_lost(&bytes, &entry.file_name().to_string_lossy());
    }
    assert_no_row_lost(text_twin().as_bytes(), "hb.txt");
    assert_no_row_lost(&build_docx(), "hb.docx");
    assert_no_row_lost(&build_xlsx(), "hb.xlsx");
}

#[test]
fn the_preview_says_how_each_table_was_read() {
    let plan = parse(text_twin().as_bytes(), "hb.txt");
    let kinds: Vec<&str> = plan.tables.iter().map(|t| t.kind).collect();
    assert_eq!(kinds, ["layout", "tasks", "targets"]);
    let tasks = &plan.tables[1];
    let roles: Vec<Option<super::ColumnRole>> = tasks.columns.iter().map(|c| c.role).collect();
    use super::ColumnRole as R;
    assert_eq!(
        roles,
        [
            Some(R::Ref),
            Some(R::Title),
            Some(R::Lead),
            Some(R::Support),
            Some(R::Product),
            Some(R::Deadline),
            None
        ]
    );
    let outcomes: Vec<&str> = tasks
        .rows
        .iter()
        .map(|r| match &r.outcome {
            super::RowOutcome::Header => "header",
            super::RowOutcome::RepeatedHeader => "repeat",
            super::RowOutcome::Group { .. } => "group",
            super::RowOutcome::Task { .. } => "task",
            _ => "other",
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            "header", "group", "group", "task", "task", "group", "group", "task", "repeat",
            "group", "group", "task", "repeat", "group", "task"
        ]
    );
    let json = serde_json::to_value(&plan.tables[1]).unwrap_or_default();
    assert_eq!(json["columns"][2]["role"], "lead");
    assert_eq!(json["rows"][1]["as"], "group");
}

#[test]
fn a_person_can_remap_a_column_and_mark_a_row_as_a_group() {
    use super::{Adjustments, ColumnChoice, ColumnRole, RowChoice};
    let text = text_twin();
    let plan = parse(text.as_bytes(), "hb.txt");
    let table = plan.tables[1].index;
    // "Mức độ ưu tiên" read as a note column, and task 4's row as a group.
    let line_of_4 = plan.tasks[4].line;
    let adjust = Adjustments {
        columns: vec![ColumnChoice {
            table,
            column: 6,
            role: Some(ColumnRole::Note),
        }],
        group_rows: vec![RowChoice {
            table,
            line: line_of_4,
        }],
    };
    let again = super::parse_plan_with(text.as_bytes(), Some("hb.txt"), &adjust)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again.tasks.len(), plan.tasks.len() - 1);
    assert_eq!(again.tasks[0].note.as_deref(), Some("Cao"));
    assert!(again.tables[1].columns[6].chosen);
    assert!(
        !again
            .warnings
            .iter()
            .any(|w| w.message.contains("«Mức độ ưu tiên»"))
    );
    let json = serde_json::to_string(&adjust).unwrap_or_default();
    let back: Adjustments = serde_json::from_str(&json).unwrap_or_default();
    assert_eq!(back, adjust);
}
