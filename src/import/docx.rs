//! Reads word/document.xml of a .docx into blocks: body paragraphs (with
//! whether all their text is bold) and tables. Horizontally merged cells
//! (`w:gridSpan`) keep their text in the first grid column; a vertical
//! merge continuation (`w:vMerge`) repeats the cell above, as a reader of
//! the printed table would.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::ImportError;
use super::clean::{clean_text, one_line};
use super::model::{Block, Row};

#[derive(Default)]
struct Cell {
    paragraphs: Vec<String>,
    span: usize,
    /// `Some(true)` starts a vertical merge, `Some(false)` continues one.
    vmerge: Option<bool>,
}

#[derive(Default)]
struct Table {
    rows: Vec<Vec<Cell>>,
    row: Option<Vec<Cell>>,
    cell: Option<Cell>,
}

#[derive(Default)]
struct State {
    blocks: Vec<Block>,
    tables: Vec<Table>,
    /// Local names of the open elements.
    stack: Vec<String>,
    para: String,
    /// Whether the paragraph has text in a bold run / a non-bold run.
    bold_text: bool,
    plain_text: bool,
    run_bold: bool,
    /// Running index of paragraphs and table rows, used as "line".
    counter: usize,
}

fn val(e: &BytesStart<'_>) -> Option<String> {
    e.try_get_attribute("w:val")
        .ok()
        .flatten()
        .map(|a| a.value.to_string())
}

fn local(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_string()
}

impl State {
    fn parent(&self) -> Option<&str> {
        self.stack.last().map(String::as_str)
    }

    /// Handles a start tag or an empty element.
    fn open(&mut self, e: &BytesStart<'_>) {
        let name = local(e);
        match name.as_str() {
            "tbl" => self.tables.push(Table::default()),
            "tr" => {
                if let Some(t) = self.tables.last_mut() {
                    t.row = Some(Vec::new());
                }
            }
            "tc" => {
                if let Some(t) = self.tables.last_mut() {
                    t.cell = Some(Cell {
                        span: 1,
                        ..Cell::default()
                    });
                }
            }
            "gridSpan" if self.parent() == Some("tcPr") => {
                let span = val(e).and_then(|v| v.parse().ok()).unwrap_or(1usize);
                if let Some(c) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    c.span = span.clamp(1, 64);
                }
            }
            "vMerge" if self.parent() == Some("tcPr") => {
                let restart = val(e).as_deref() == Some("restart");
                if let Some(c) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
                    c.vmerge = Some(restart);
                }
            }
            "r" => self.run_bold = false,
            "b" if self.parent() == Some("rPr")
                && self.stack.iter().rev().nth(1).map(String::as_str) == Some("r") =>
            {
                self.run_bold = !matches!(val(e).as_deref(), Some("0" | "false" | "off"));
            }
            "tab" if self.parent() == Some("r") => self.para.push(' '),
            "br" | "cr" if self.parent() == Some("r") => self.para.push('\n'),
            _ => {}
        }
    }

    fn close(&mut self, name: &str) {
        match name {
            "p" => self.end_paragraph(),
            "tc" => {
                if let Some(t) = self.tables.last_mut()
                    && let (Some(cell), Some(row)) = (t.cell.take(), t.row.as_mut())
                {
                    row.push(cell);
                }
            }
            "tr" => {
                if let Some(t) = self.tables.last_mut()
                    && let Some(row) = t.row.take()
                {
                    t.rows.push(row);
                }
            }
            "tbl" => self.end_table(),
            _ => {}
        }
    }

    fn text(&mut self, s: &str) {
        if self.parent() != Some("t") || s.is_empty() {
            return;
        }
        self.para.push_str(s);
        if !s.trim().is_empty() {
            if self.run_bold {
                self.bold_text = true;
            } else {
                self.plain_text = true;
            }
        }
    }

    fn end_paragraph(&mut self) {
        let text = std::mem::take(&mut self.para);
        let bold = self.bold_text && !self.plain_text;
        self.bold_text = false;
        self.plain_text = false;
        if let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
            cell.paragraphs.push(text);
            return;
        }
        let text = one_line(&clean_text(&text));
        if text.is_empty() {
            return;
        }
        self.counter += 1;
        self.blocks.push(Block::Paragraph {
            text,
            bold,
            line: self.counter,
        });
    }

    fn end_table(&mut self) {
        let Some(table) = self.tables.pop() else {
            return;
        };
        let grid = to_grid(table.rows);
        if let Some(cell) = self.tables.last_mut().and_then(|t| t.cell.as_mut()) {
            // A table inside a cell: keep its text, row by row.
            for row in grid {
                let joined: Vec<String> =
                    row.into_iter().filter(|c| !c.trim().is_empty()).collect();
                cell.paragraphs.push(joined.join("; "));
            }
            return;
        }
        let mut rows = Vec::new();
        for cells in grid {
            self.counter += 1;
            rows.push(Row {
                cells: cells.iter().map(|c| clean_text(c)).collect(),
                line: self.counter,
            });
        }
        if let Some(first) = rows.first() {
            let line = first.line;
            self.blocks.push(Block::Table { rows, line });
        }
    }
}

/// Lays cells out on the grid: spans padded with empty cells, vertical
/// merge continuations filled from the row above.
fn to_grid(rows: Vec<Vec<Cell>>) -> Vec<Vec<String>> {
    let mut grid: Vec<Vec<String>> = Vec::new();
    for row in rows {
        let mut out: Vec<String> = Vec::new();
        for cell in row {
            let col = out.len();
            let text = if cell.vmerge == Some(false) {
                grid.last()
                    .and_then(|above| above.get(col))
                    .cloned()
                    .unwrap_or_default()
            } else {
                cell.paragraphs.join("\n")
            };
            out.push(text);
            for _ in 1..cell.span {
                out.push(String::new());
            }
        }
        grid.push(out);
    }
    grid
}

/// Parses the main document part.
pub fn read_document_xml(xml: &[u8]) -> Result<Vec<Block>, ImportError> {
    let text = std::str::from_utf8(xml)
        .map_err(|_| ImportError::CorruptDocx("word/document.xml không phải UTF-8".to_string()))?;
    let mut reader = Reader::from_str(text);
    let mut state = State::default();
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) => {
                state.open(&e);
                state.stack.push(local(&e));
            }
            Ok(Event::Empty(e)) => {
                state.open(&e);
                let name = local(&e);
                if name == "p" {
                    state.end_paragraph();
                }
            }
            Ok(Event::End(e)) => {
                let name = e.local_name().as_ref().to_string();
                state.close(&name);
                state.stack.pop();
            }
            Ok(Event::Text(t)) => {
                let s = t.into_inner();
                state.text(&s);
            }
            Ok(Event::GeneralRef(r)) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.into_inner().as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let Some(c) = ch {
                    state.text(&c.to_string());
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                return Err(ImportError::CorruptDocx(format!(
                    "lỗi XML ở vị trí {}: {e}",
                    reader.buffer_position()
                )));
            }
        }
    }
    Ok(state.blocks)
}
