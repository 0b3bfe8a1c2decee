//! Turns the blocks of any reader into a `ParsedPlan`: header, basis,
//! reporting regime, task tables, target tables, dossiers, and — only when
//! a plan has no task table or dossier — draft tasks from the narrative.

use super::header::{read_basis, read_header};
use super::model::{
    Adjustments, Block, ColumnReading, ImportWarning, ParsedPlan, ParsedTarget, ParsedTask, Row,
    RowOutcome, RowReading, TableReading,
};
use super::narrative::read_drafts;
use super::regime::read_reporting;
use super::sections::{Para, Section, find_section, paragraphs, roman_heading, sections};
use super::table::{
    Col, Layout, TableKind, is_empty_row, kind_of_roles, merge_split_tables,
    recognise as recognise_table,
};
use super::targets::read_target_table;
use super::tasks::{read_dossier, read_task_table};
use crate::domain::text::fold_vietnamese;

pub fn recognise(blocks: Vec<Block>, adjust: &Adjustments) -> ParsedPlan {
    let (blocks, layouts, table_ids) = flatten_layout_tables(merge_split_tables(blocks));
    let paras = paragraphs(&blocks);
    let secs = sections(&blocks);
    let mut warnings: Vec<ImportWarning> = Vec::new();
    let mut info = read_header(&paras, &mut warnings);
    info.basis = read_basis(&basis_paragraphs(
        &blocks,
        &paras,
        &secs,
        info.title.as_deref(),
    ));
    let regime_paras: Vec<&str> = match find_section(&secs, &["to chuc thuc hien"]) {
        Some(s) => in_range(&paras, s.start, s.end)
            .iter()
            .map(|p| p.text)
            .collect(),
        None => paras.iter().map(|p| p.text).collect(),
    };
    info.reporting = read_reporting(&regime_paras);
    // The plan's horizon: from its title, else from the first line that
    // names a period ("giai đoạn 2026 - 2030", "đến năm 2030"), such as an
    // appendix caption or a sheet title.
    let horizon = info
        .title
        .as_deref()
        .and_then(last_year)
        .or_else(|| {
            paras
                .iter()
                .filter(|p| {
                    let f = fold_vietnamese(p.text);
                    f.contains("giai doan") || f.contains("den nam")
                })
                .find_map(|p| last_year(p.text))
        })
        .or_else(|| info.date.map(|d| chrono::Datelike::year(&d)));

    let Tables {
        mut tasks,
        targets,
        readings,
    } = read_tables(&blocks, &table_ids, horizon, adjust, &mut warnings);
    let mut tables = layouts;
    tables.extend(readings);
    tables.sort_by_key(|t| t.index);
    if tasks.is_empty() {
        tasks = narrative_drafts(&blocks, &paras, &secs, &mut warnings);
    }
    if tasks.is_empty() && targets.is_empty() {
        warnings.push(ImportWarning {
            line: 1,
            message: "Không tìm thấy nhiệm vụ hay chỉ tiêu nào trong tệp".to_string(),
        });
    }
    warnings.sort_by_key(|w| w.line);
    ParsedPlan {
        plan: info,
        tasks,
        targets,
        warnings,
        unresolved_units: Vec::new(),
        tables,
    }
}

/// Whether a table only lays out the header block (issuer beside the
/// motto, number beside place and date) or the signature: no column
/// header, and a cell that only such blocks hold.
pub fn is_layout_table(rows: &[Row]) -> bool {
    if recognise_table(rows).header_index.is_some() {
        return false;
    }
    rows.iter().flat_map(|r| r.cells.iter()).any(|c| {
        let f = fold_vietnamese(c);
        f.contains("cong hoa xa hoi chu nghia")
            || f.contains("dang cong san viet nam")
            || f.starts_with("so:")
            || f.starts_with("noi nhan")
            || c.contains(", ngày")
    })
}

/// Layout tables read as paragraphs, one per non-empty cell (its lines
/// joined), so the header reader finds issuer, number and date in them.
/// Returns the blocks, the readings of the layout tables, and the index
/// (among all tables) of each table left.
fn flatten_layout_tables(blocks: Vec<Block>) -> (Vec<Block>, Vec<TableReading>, Vec<usize>) {
    let mut out = Vec::with_capacity(blocks.len());
    let mut layouts = Vec::new();
    let mut ids = Vec::new();
    let mut index = 0;
    for block in blocks {
        if let Block::Table { .. } = block {
            index += 1;
        }
        match block {
            Block::Table { rows, line } if is_layout_table(&rows) => {
                layouts.push(layout_reading(index - 1, &rows, line));
                // Column by column: the issuer's lines stay together, as in
                // a .docx where they share one cell.
                let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
                for col in 0..width {
                    for row in &rows {
                        let Some(cell) = row.cells.get(col) else {
                            continue;
                        };
                        let text = crate::domain::text::normalize_spaces(&cell.replace('\n', " "));
                        if !text.is_empty() {
                            out.push(Block::Paragraph {
                                text,
                                bold: false,
                                line: row.line,
                            });
                        }
                    }
                }
            }
            Block::Table { rows, line } => {
                ids.push(index - 1);
                out.push(Block::Table { rows, line });
            }
            other => out.push(other),
        }
    }
    (out, layouts, ids)
}

/// The basis: "Căn cứ …"/"Thực hiện …" paragraphs before the first
/// section (not the title itself), and the body of a "CĂN CỨ" section.
fn basis_paragraphs<'a>(
    blocks: &[Block],
    paras: &[Para<'a>],
    secs: &[Section],
    title: Option<&str>,
) -> Vec<&'a str> {
    let first_section = secs
        .first()
        .map_or(blocks.len(), |s| s.start.saturating_sub(1));
    let is_title = |text: &str| title.is_some_and(|t| !t.is_empty() && text.ends_with(t));
    let mut out: Vec<&str> = paras
        .iter()
        .filter(|p| p.block < first_section && !is_title(p.text))
        .filter(|p| {
            ["Căn cứ", "Thực hiện", "Triển khai"]
                .iter()
                .any(|w| p.text.starts_with(w))
        })
        .map(|p| p.text)
        .collect();
    // "I. CĂN CỨ LẬP KẾ HOẠCH - Quyết định số …; - …": a portal that glued
    // the basis section onto its heading.
    out.extend(paras.iter().filter_map(|p| {
        let (_, rest) = p.text.split_once(". ")?;
        let numeral = &p.text[..p.text.len() - rest.len() - 2];
        let roman = !numeral.is_empty() && numeral.chars().all(|c| matches!(c, 'I' | 'V' | 'X'));
        (roman && fold_vietnamese(rest).starts_with("can cu ") && rest.contains(" - "))
            .then_some(rest)
    }));
    if let Some(s) = find_section(secs, &["can cu"]) {
        out.extend(in_range(paras, s.start, s.end).iter().map(|p| p.text));
    }
    out
}

/// What the tables of a plan gave.
#[derive(Default)]
struct Tables {
    tasks: Vec<ParsedTask>,
    targets: Vec<ParsedTarget>,
    readings: Vec<TableReading>,
}

/// The tasks and targets of every table, each table read by the kind its
/// header says it is (or as a person re-mapped it); a table of no known
/// kind is named in a warning, and every row is accounted for.
fn read_tables(
    blocks: &[Block],
    table_ids: &[usize],
    horizon: Option<i32>,
    adjust: &Adjustments,
    warnings: &mut Vec<ImportWarning>,
) -> Tables {
    let mut out = Tables::default();
    let mut dossier_group: Vec<String> = Vec::new();
    let tables = blocks.iter().enumerate().filter_map(|(i, b)| match b {
        Block::Table { rows, line } => Some((i, rows, *line)),
        Block::Paragraph { .. } => None,
    });
    for (k, (i, rows, line)) in tables.enumerate() {
        let index = table_ids.get(k).copied().unwrap_or(k);
        let (layout, chosen) = adjusted_layout(rows, index, adjust);
        let forced: Vec<usize> = adjust
            .group_rows
            .iter()
            .filter(|g| g.table == index)
            .map(|g| g.line)
            .collect();
        let mut reading = TableReading {
            index,
            line,
            kind: "other",
            columns: column_readings(rows, &layout, &chosen),
            group_levels: Vec::new(),
            rows: Vec::new(),
        };
        match layout.kind {
            TableKind::Tasks => {
                let t = read_task_table(rows, &layout, line, &forced, warnings);
                reading.kind = "tasks";
                reading.rows = offset(t.rows, out.tasks.len(), 0);
                reading.group_levels = t.group_levels;
                out.tasks.extend(t.items);
            }
            TableKind::Targets => {
                let t = read_target_table(rows, &layout, horizon, &forced, warnings);
                reading.kind = "targets";
                reading.rows = offset(t.rows, 0, out.targets.len());
                reading.group_levels = t.group_levels;
                out.targets.extend(t.items);
            }
            TableKind::Dossier => {
                reading.kind = "dossier";
                let heading = i
                    .checked_sub(1)
                    .and_then(|j| blocks.get(j))
                    .and_then(|b| match b {
                        Block::Paragraph { text, .. } => Some(text.as_str()),
                        Block::Table { .. } => None,
                    });
                let body: Vec<Row> = rows
                    .iter()
                    .enumerate()
                    .filter(|(k, _)| Some(*k) != layout.header_index)
                    .map(|(_, r)| r.clone())
                    .collect();
                let outcome = match read_dossier(&body, heading, line, warnings) {
                    Some(mut task) => {
                        // Only the first dossier's heading names the appendix.
                        if task.group.is_empty() {
                            task.group = dossier_group.clone();
                        } else {
                            dossier_group = task.group.clone();
                        }
                        out.tasks.push(task);
                        RowOutcome::Task {
                            index: out.tasks.len() - 1,
                        }
                    }
                    None => RowOutcome::Skipped {
                        reason: "Hồ sơ nhiệm vụ không có tên".to_string(),
                    },
                };
                reading.rows = rows
                    .iter()
                    .filter(|r| !is_empty_row(r))
                    .map(|r| RowReading {
                        line: r.line,
                        outcome: outcome.clone(),
                    })
                    .collect();
            }
            TableKind::Other => {
                let message = if layout.find(Col::Ref).is_some() || layout.find(Col::Lead).is_some()
                {
                    "Bảng không nhận dạng được (thiếu cột «Nội dung/Tên nhiệm vụ» hoặc «Chỉ tiêu»); đã bỏ qua"
                } else {
                    "Bảng không phải bảng nhiệm vụ hay chỉ tiêu; đã bỏ qua"
                };
                warnings.push(ImportWarning {
                    line,
                    message: message.to_string(),
                });
                reading.rows = rows
                    .iter()
                    .filter(|r| !is_empty_row(r))
                    .map(|r| RowReading {
                        line: r.line,
                        outcome: RowOutcome::Skipped {
                            reason: message.to_string(),
                        },
                    })
                    .collect();
            }
        }
        out.readings.push(reading);
    }
    out
}

/// Row outcomes of one table point into that table's items; shift them to
/// the plan's task and target lists.
fn offset(rows: Vec<RowReading>, tasks: usize, targets: usize) -> Vec<RowReading> {
    rows.into_iter()
        .map(|mut r| {
            match &mut r.outcome {
                RowOutcome::Task { index } => *index += tasks,
                RowOutcome::Target { index } => *index += targets,
                _ => {}
            }
            r
        })
        .collect()
}

/// The table's layout with a person's column choices applied; the kind is
/// decided again from the chosen roles.
fn adjusted_layout(rows: &[Row], index: usize, adjust: &Adjustments) -> (Layout, Vec<usize>) {
    let mut layout = recognise_table(rows);
    let choices: Vec<_> = adjust.columns.iter().filter(|c| c.table == index).collect();
    if choices.is_empty() {
        return (layout, Vec::new());
    }
    let width = rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
    layout.cols.resize(width, None);
    let mut chosen = Vec::new();
    for c in choices {
        if let Some(slot) = layout.cols.get_mut(c.column) {
            *slot = c.role;
            chosen.push(c.column);
        }
    }
    layout.header_index = layout.header_index.or(Some(0));
    layout.kind = kind_of_roles(&layout.cols);
    (layout, chosen)
}

fn column_readings(rows: &[Row], layout: &Layout, chosen: &[usize]) -> Vec<ColumnReading> {
    let header = layout.header_index.and_then(|i| rows.get(i));
    layout
        .cols
        .iter()
        .enumerate()
        .map(|(index, role)| ColumnReading {
            index,
            header: header
                .and_then(|h| h.cells.get(index))
                .map(|c| crate::domain::text::normalize_spaces(&c.replace('\n', " ")))
                .unwrap_or_default(),
            role: *role,
            chosen: chosen.contains(&index),
        })
        .collect()
}

/// The rows of a layout table, recorded before it is read as paragraphs.
fn layout_reading(index: usize, rows: &[Row], line: usize) -> TableReading {
    TableReading {
        index,
        line,
        kind: "layout",
        columns: Vec::new(),
        group_levels: Vec::new(),
        rows: rows
            .iter()
            .filter(|r| !is_empty_row(r))
            .map(|r| RowReading {
                line: r.line,
                outcome: RowOutcome::Layout,
            })
            .collect(),
    }
}

/// A plan without a task table: draft tasks proposed from its "Nhiệm vụ
/// (và giải pháp)" section, with a warning that they need confirming.
fn narrative_drafts(
    blocks: &[Block],
    paras: &[Para<'_>],
    secs: &[Section],
    warnings: &mut Vec<ImportWarning>,
) -> Vec<ParsedTask> {
    let Some(s) = find_section(secs, &["nhiem vu"])
        .filter(|s| s.key.contains("giai phap"))
        .or_else(|| find_section(secs, &["nhiem vu"]))
    else {
        return Vec::new();
    };
    let body: Vec<Para<'_>> = in_range(paras, s.start, s.end)
        .into_iter()
        .filter(|p| roman_heading(p.text).is_none())
        .collect();
    let tasks = read_drafts(&body);
    if !tasks.is_empty() {
        warnings.push(ImportWarning {
            line: blocks.get(s.start).map_or(1, Block::line),
            message: format!(
                "Kế hoạch không có bảng nhiệm vụ: {} nhiệm vụ được đề xuất từ mục «{}», cần xác nhận cơ quan chủ trì và thời hạn",
                tasks.len(),
                s.heading
            ),
        });
    }
    tasks
}

fn in_range<'a>(paras: &[Para<'a>], start: usize, end: usize) -> Vec<Para<'a>> {
    paras
        .iter()
        .filter(|p| p.block >= start && p.block < end)
        .copied()
        .collect()
}

/// The last year 2000–2099 written in a text ("… năm 2026" → 2026).
fn last_year(text: &str) -> Option<i32> {
    let folded = fold_vietnamese(text);
    folded
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4 && w.starts_with("20"))
        .filter_map(|w| w.parse().ok())
        .next_back()
}
