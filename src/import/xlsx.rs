//! Reads each worksheet that has a recognisable header row (task or target
//! table) into blocks: the rows above the header become paragraphs
//! (titles, captions), the rest one table. Vertically merged cells repeat
//! their value down, like vMerge in .docx.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};

use super::ImportError;
use super::clean::{clean_text, one_line};
use super::model::{Block, Row};
use super::table::{TableKind, recognise};

pub(super) fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "Có" } else { "Không" }.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(dt) => dt.to_string(),
        Data::Error(_) => String::new(),
    }
}

/// Every worksheet with a recognisable header row gives its blocks, in
/// sheet order (a plan often keeps tasks and targets on separate sheets).
pub fn read_xlsx(bytes: &[u8]) -> Result<Vec<Block>, ImportError> {
    let mut book: Xlsx<_> =
        Xlsx::new(Cursor::new(bytes)).map_err(|e| ImportError::CorruptXlsx(e.to_string()))?;
    let names = book.sheet_names();
    let mut all = Vec::new();
    for name in names {
        let Ok(range) = book.worksheet_range(&name) else {
            continue;
        };
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let mut grid: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect();
        // Merged regions are optional information; a failure only loses them.
        for dims in book.merge_cells_by_sheet_name(&name).unwrap_or_default() {
            fill_merge(&mut grid, dims.start, dims.end, (row0, col0));
        }
        let rows: Vec<Row> = grid
            .into_iter()
            .enumerate()
            .map(|(i, cells)| Row {
                cells: cells.iter().map(|c| clean_text(c)).collect(),
                line: i + 1 + row0 as usize,
            })
            .collect();
        let Some(header) = rows.iter().position(|r| {
            let layout = recognise(std::slice::from_ref(r));
            matches!(layout.kind, TableKind::Tasks | TableKind::Targets)
        }) else {
            continue;
        };
        let mut blocks = Vec::new();
        for row in &rows[..header] {
            let text = one_line(
                &row.cells
                    .iter()
                    .filter(|c| !c.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" "),
            );
            if !text.is_empty() {
                blocks.push(Block::Paragraph {
                    text,
                    bold: false,
                    line: row.line,
                });
            }
        }
        let table: Vec<Row> = rows[header..].to_vec();
        let line = table.first().map_or(1, |r| r.line);
        blocks.push(Block::Table { rows: table, line });
        all.extend(blocks);
    }
    if all.is_empty() {
        return Err(ImportError::NoContent);
    }
    Ok(all)
}

/// Repeats the top-left value of a vertical merge down its first column.
/// Horizontal-only merges are left alone: a group heading spanning the
/// table must stay in one cell for group rows to be recognised.
fn fill_merge(grid: &mut [Vec<String>], start: (u32, u32), end: (u32, u32), origin: (u32, u32)) {
    if end.0 <= start.0 {
        return;
    }
    let (Some(r0), Some(c)) = (
        start.0.checked_sub(origin.0).map(|v| v as usize),
        start.1.checked_sub(origin.1).map(|v| v as usize),
    ) else {
        return;
    };
    let Some(value) = grid.get(r0).and_then(|r| r.get(c)).cloned() else {
        return;
    };
    let last = (end.0 - origin.0) as usize;
    for row in grid.iter_mut().take(last + 1).skip(r0 + 1) {
        if let Some(cell) = row.get_mut(c)
            && cell.is_empty()
        {
            *cell = value.clone();
        }
    }
}
