//! Text pasted from a legal-document web page: tables come out as cells on
//! their own lines, with `|` marking where cells or rows end. Three layouts
//! are met in practice and all are read here:
//!
//! - a line holding only `|` closes a row, each line before it is a cell
//!   (header cells often in `**bold**`); the header block of some sites uses
//!   the same marks between cells that run over several lines;
//! - a line ending in ` |` closes a cell that may run over several lines,
//!   and a line holding only `|` separates rows;
//! - one row a line, cells between pipes (`A | B |`, or Markdown `| A | B |`).
//!
//! A region whose first rows name task or target columns becomes a table;
//! any other region (the two-column header block: issuer and motto, number
//! and date) becomes paragraphs, one per cell, its broken lines joined.

use super::clean::{clean_text, one_line};
use super::model::{Block, Row};
use super::table::{TableKind, recognise};

/// Lines a cell or a row may span between two pipe marks.
const MAX_GAP: usize = 14;

/// One source line as the web-paste reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub enum PipeLine<'a> {
    /// A line holding only `|`.
    Mark,
    /// A line ending in `|`: the cells it closes (one, or several when the
    /// line is a whole row `A | B |`).
    CellEnd(Vec<&'a str>),
    Text(&'a str),
}

/// Classifies a trimmed, non-blank line.
pub fn pipe_line(line: &str) -> PipeLine<'_> {
    if line == "|" {
        return PipeLine::Mark;
    }
    if let Some(body) = line.strip_suffix('|') {
        let body = body.strip_prefix('|').unwrap_or(body);
        return PipeLine::CellEnd(body.split('|').map(str::trim).collect());
    }
    PipeLine::Text(line)
}

/// Whether a line only draws: a rule under the issuer (`-------`), a
/// Markdown table separator, or an empty image (`![]()`).
pub fn is_decoration(line: &str) -> bool {
    let t = line.trim().trim_matches('|').trim();
    let rule = t.len() >= 3
        && t.chars()
            .all(|c| matches!(c, '-' | '_' | '=' | ':' | '|' | ' '));
    rule || (t.starts_with("![") && t.ends_with(')'))
}

/// A pipe region found in a list of (line number, trimmed text) lines:
/// `start..end` indices into that list.
pub fn find_region(lines: &[(usize, &str)], from: usize) -> Option<(usize, usize)> {
    let first =
        (from..lines.len()).find(|&i| !matches!(pipe_line(lines[i].1), PipeLine::Text(_)))?;
    let mut last = first;
    let mut i = first + 1;
    while i < lines.len() && i - last <= MAX_GAP {
        if !matches!(pipe_line(lines[i].1), PipeLine::Text(_)) {
            last = i;
        }
        i += 1;
    }
    // Header cells in bold just above the first mark belong to the region.
    let mut start = first;
    if matches!(pipe_line(lines[first].1), PipeLine::Mark) {
        while start > from && is_bold_cell(lines[start - 1].1) {
            start -= 1;
        }
    }
    Some((start, last + 1))
}

fn is_bold_cell(line: &str) -> bool {
    line.starts_with("**") && line.ends_with("**") && line.len() > 4
}

/// Reads the lines of one region into blocks.
pub fn read_region(lines: &[(usize, &str)]) -> Vec<Block> {
    let cell_ends = lines
        .iter()
        .any(|(_, l)| matches!(pipe_line(l), PipeLine::CellEnd(_)));
    let rows = if cell_ends {
        rows_by_cell_ends(lines)
    } else {
        rows_by_marks(lines)
    };
    let rows: Vec<Row> = rows.into_iter().filter(|r| !r.cells.is_empty()).collect();
    let layout = recognise(&rows);
    let is_table = layout.header_index.is_some()
        && matches!(
            layout.kind,
            TableKind::Tasks | TableKind::Targets | TableKind::Dossier
        );
    if is_table {
        let line = rows.first().map_or(1, |r| r.line);
        return vec![Block::Table { rows, line }];
    }
    layout_paragraphs(rows, cell_ends)
}

/// The header block: one paragraph per cell, or per row when each line of
/// a row is a piece of one cell broken by the page (`Tiền` / `Giang, ngày`).
fn layout_paragraphs(rows: Vec<Row>, cell_ends: bool) -> Vec<Block> {
    let mut out = Vec::new();
    for row in rows {
        let texts: Vec<String> = if cell_ends {
            row.cells
        } else {
            vec![row.cells.join(" ")]
        };
        for text in texts {
            let text = one_line(&text);
            if !text.is_empty() {
                out.push(Block::Paragraph {
                    text,
                    bold: false,
                    line: row.line,
                });
            }
        }
    }
    out
}

/// Rows separated by `|` lines, one cell a line.
fn rows_by_marks(lines: &[(usize, &str)]) -> Vec<Row> {
    let mut rows = Vec::new();
    let mut current = Row {
        cells: Vec::new(),
        line: 0,
    };
    for (line, text) in lines {
        if is_decoration(text) {
            continue;
        }
        match pipe_line(text) {
            PipeLine::Mark => rows.push(std::mem::replace(
                &mut current,
                Row {
                    cells: Vec::new(),
                    line: 0,
                },
            )),
            PipeLine::Text(t) => push_cell(&mut current, *line, t),
            PipeLine::CellEnd(cells) => {
                for c in cells {
                    push_cell(&mut current, *line, c);
                }
            }
        }
    }
    rows.push(current);
    rows
}

fn push_cell(row: &mut Row, line: usize, text: &str) {
    if row.cells.is_empty() {
        row.line = line;
    }
    row.cells.push(clean_text(text));
}

/// Cells closed by a trailing `|`, rows separated by `|` lines; a line that
/// is a whole row (`A | B |`) stands alone.
fn rows_by_cell_ends(lines: &[(usize, &str)]) -> Vec<Row> {
    let mut rows: Vec<Row> = Vec::new();
    let mut row = Row {
        cells: Vec::new(),
        line: 0,
    };
    let mut pending: Vec<&str> = Vec::new();
    let mut pending_line = 0;
    for (line, text) in lines {
        if is_decoration(text) {
            continue;
        }
        match pipe_line(text) {
            PipeLine::Mark => {
                flush_pending(&mut row, &mut pending, pending_line);
                if !row.cells.is_empty() {
                    rows.push(std::mem::replace(
                        &mut row,
                        Row {
                            cells: Vec::new(),
                            line: 0,
                        },
                    ));
                }
            }
            PipeLine::Text(t) => {
                if pending.is_empty() {
                    pending_line = *line;
                }
                pending.push(t);
            }
            PipeLine::CellEnd(cells) if cells.len() > 1 && pending.is_empty() => {
                if !row.cells.is_empty() {
                    rows.push(std::mem::replace(
                        &mut row,
                        Row {
                            cells: Vec::new(),
                            line: 0,
                        },
                    ));
                }
                let cells = cells.iter().map(|c| clean_text(c)).collect();
                rows.push(Row { cells, line: *line });
            }
            PipeLine::CellEnd(cells) => {
                if pending.is_empty() {
                    pending_line = *line;
                }
                let mut cells = cells.into_iter();
                if let Some(first) = cells.next() {
                    pending.push(first);
                }
                flush_pending(&mut row, &mut pending, pending_line);
                for c in cells {
                    push_cell(&mut row, *line, c);
                }
            }
        }
    }
    flush_pending(&mut row, &mut pending, pending_line);
    rows.push(row);
    rows
}

fn flush_pending(row: &mut Row, pending: &mut Vec<&str>, line: usize) {
    if pending.is_empty() {
        return;
    }
    let joined = pending.join(" ");
    pending.clear();
    push_cell(row, line, &joined);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<(usize, &str)> {
        text.lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.trim()))
            .filter(|(_, l)| !l.is_empty())
            .collect()
    }

    fn texts(blocks: &[Block]) -> Vec<String> {
        blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph { text, .. } => text.clone(),
                Block::Table { rows, .. } => format!("table:{}", rows.len()),
            })
            .collect()
    }

    #[test]
    fn a_header_block_with_cells_closed_by_pipes_gives_one_paragraph_a_cell() {
        let l = lines(
            "|\nỦY BAN NHÂN DÂN |\nCỘNG HÒA XÃ HỘI\nCHỦ NGHĨA VIỆT NAM |\n|\nSố: 186/KH-UBND |\nBắc Ninh, ngày 29 tháng 12 năm 2025 |",
        );
        let (s, e) = find_region(&l, 0).unwrap_or((0, 0));
        assert_eq!(
            texts(&read_region(&l[s..e])),
            [
                "ỦY BAN NHÂN DÂN",
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Số: 186/KH-UBND",
                "Bắc Ninh, ngày 29 tháng 12 năm 2025"
            ]
        );
    }

    #[test]
    fn cells_broken_over_lines_between_marks_are_joined() {
        let l = lines("-------\n|\nSố: 383/KH-UBND\n|\nTiền\nGiang, ngày 07 tháng 12 năm 2022\n|");
        let (s, e) = find_region(&l, 0).unwrap_or((0, 0));
        assert_eq!(
            texts(&read_region(&l[s..e])),
            ["Số: 383/KH-UBND", "Tiền Giang, ngày 07 tháng 12 năm 2022"]
        );
    }

    #[test]
    fn a_task_table_with_bold_header_cells_and_row_marks_is_a_table() {
        let l = lines(
            "Căn cứ\n**TT**\n**Nội dung**\n**Cơ quan chủ trì**\n|\n1\nViệc một\nPhòng Kinh tế\n|\n2\nViệc hai\nCông an xã\n|\nSau bảng",
        );
        let (s, e) = find_region(&l, 0).unwrap_or((0, 0));
        assert_eq!(s, 1);
        let blocks = read_region(&l[s..e]);
        assert_eq!(texts(&blocks), ["table:3"]);
        if let Block::Table { rows, .. } = &blocks[0] {
            assert_eq!(rows[1].cells, ["1", "Việc một", "Phòng Kinh tế"]);
        }
    }

    #[test]
    fn one_row_a_line_between_pipes_is_read() {
        let l =
            lines("| TT | Nội dung | Cơ quan chủ trì |\n|---|---|---|\n| 1 | Việc một | UBND xã |");
        let (s, e) = find_region(&l, 0).unwrap_or((0, 0));
        let blocks = read_region(&l[s..e]);
        assert_eq!(texts(&blocks), ["table:2"]);
    }
}
