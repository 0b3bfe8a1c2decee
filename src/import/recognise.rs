//! Turns the blocks of any reader into a `ParsedPlan`: header, basis,
//! reporting regime, task tables, target tables, dossiers, and — only when
//! a plan has no task table or dossier — draft tasks from the narrative.

use super::header::{read_basis, read_header};
use super::model::{Block, ImportWarning, ParsedPlan, ParsedTarget, ParsedTask, Row};
use super::narrative::read_drafts;
use super::regime::read_reporting;
use super::sections::{Para, Section, find_section, paragraphs, roman_heading, sections};
use super::table::{Col, TableKind, merge_split_tables, recognise as recognise_table};
use super::targets::read_target_table;
use super::tasks::{read_dossier, read_task_table};
use crate::domain::text::fold_vietnamese;

pub fn recognise(blocks: Vec<Block>) -> ParsedPlan {
    let blocks = merge_split_tables(flatten_layout_tables(blocks));
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
    let horizon = info
        .title
        .as_deref()
        .and_then(last_year)
        .or_else(|| info.date.map(|d| chrono::Datelike::year(&d)));

    let (mut tasks, targets) = read_tables(&blocks, horizon, &mut warnings);
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
fn flatten_layout_tables(blocks: Vec<Block>) -> Vec<Block> {
    let mut out = Vec::with_capacity(blocks.len());
    for block in blocks {
        match block {
            Block::Table { rows, .. } if is_layout_table(&rows) => {
                for row in rows {
                    for cell in &row.cells {
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
            other => out.push(other),
        }
    }
    out
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

/// The tasks and targets of every table, each table read by the kind its
/// header says it is; a table of no known kind is named in a warning.
fn read_tables(
    blocks: &[Block],
    horizon: Option<i32>,
    warnings: &mut Vec<ImportWarning>,
) -> (Vec<ParsedTask>, Vec<ParsedTarget>) {
    let mut tasks = Vec::new();
    let mut targets = Vec::new();
    let mut dossier_group: Vec<String> = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let Block::Table { rows, line } = block else {
            continue;
        };
        let layout = recognise_table(rows);
        match layout.kind {
            TableKind::Tasks => tasks.extend(read_task_table(rows, &layout, *line, warnings)),
            TableKind::Targets => {
                targets.extend(read_target_table(rows, &layout, horizon, warnings))
            }
            TableKind::Dossier => {
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
                if let Some(mut task) = read_dossier(&body, heading, *line, warnings) {
                    // Only the first dossier's heading names the appendix.
                    if task.group.is_empty() {
                        task.group = dossier_group.clone();
                    } else {
                        dossier_group = task.group.clone();
                    }
                    tasks.push(task);
                }
            }
            TableKind::Other => {
                let message = if layout.find(Col::Ref).is_some() || layout.find(Col::Lead).is_some()
                {
                    "Bảng không nhận dạng được (thiếu cột «Nội dung/Tên nhiệm vụ» hoặc «Chỉ tiêu»); đã bỏ qua"
                } else {
                    "Bảng không phải bảng nhiệm vụ hay chỉ tiêu; đã bỏ qua"
                };
                warnings.push(ImportWarning {
                    line: *line,
                    message: message.to_string(),
                });
            }
        }
    }
    (tasks, targets)
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
