//! Table structure: which column holds what (found by header words, in any
//! order), which kind of table it is, and the clean-up of rows that page
//! breaks damaged (repeated header rows, rows cut in two).

pub use super::model::Col;
use super::model::{Block, Row, RowOutcome, RowReading};
use crate::domain::text::fold_vietnamese;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    Tasks,
    Targets,
    Dossier,
    Other,
}

/// The recognised structure of one table.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    pub kind: TableKind,
    /// Column role per column index; `None` for columns not understood.
    pub cols: Vec<Option<Col>>,
    /// Index of the header row within the table's rows.
    pub header_index: Option<usize>,
}

impl Layout {
    pub fn find(&self, col: Col) -> Option<usize> {
        self.cols.iter().position(|c| *c == Some(col))
    }

    pub fn goal_columns(&self) -> Vec<(usize, i32)> {
        self.cols
            .iter()
            .enumerate()
            .filter_map(|(i, c)| match c {
                Some(Col::Goal(year)) => Some((i, *year)),
                _ => None,
            })
            .collect()
    }
}

/// Names the role of one header cell.
pub fn classify_header_cell(cell: &str) -> Option<Col> {
    let f = fold_vietnamese(cell);
    let f = f.trim_end_matches(['.', ':']).trim();
    if f.is_empty() {
        return None;
    }
    if matches!(f, "tt" | "stt" | "so tt" | "so thu tu" | "thu tu" | "muc") {
        return Some(Col::Ref);
    }
    if f.contains("phoi hop") && !f.contains("chu tri") {
        return Some(Col::Support);
    }
    let unit_word = f.starts_with("co quan") || f.starts_with("don vi");
    if f.contains("chu tri") || (unit_word && f.contains("thuc hien")) {
        return Some(Col::Lead);
    }
    if let Some(year) = year_in(f)
        && (f.contains("muc tieu")
            || f.contains("nam")
            || f.contains("chi tieu")
            || f == year.to_string())
    {
        return Some(Col::Goal(year));
    }
    if f.starts_with("chi tieu") || f.starts_with("ten chi tieu") {
        return Some(Col::Name);
    }
    if f.contains("don vi tinh") || f == "dvt" {
        return Some(Col::Unit);
    }
    if f.contains("ghi chu") {
        return Some(Col::Note);
    }
    if f.starts_with("tieu chi") {
        return Some(Col::Criterion);
    }
    if [
        "thoi gian",
        "thoi han",
        "tien do",
        "han hoan thanh",
        "moc thoi gian",
    ]
    .iter()
    .any(|w| f.starts_with(w))
    {
        return Some(Col::Deadline);
    }
    if f.contains("kinh phi") || f.contains("nguon von") {
        return Some(Col::Funding);
    }
    if f.contains("ket qua") || f.contains("san pham") {
        return Some(Col::Product);
    }
    if f.contains("co so phap ly") || f.starts_with("can cu") {
        return Some(Col::Basis);
    }
    if ["noi dung", "nhiem vu", "cong viec", "ten "]
        .iter()
        .any(|w| f.contains(w))
    {
        return Some(Col::Title);
    }
    None
}

/// A 4-digit year 2000–2099 standing as its own word.
fn year_in(folded: &str) -> Option<i32> {
    folded
        .split(|c: char| !c.is_ascii_digit())
        .filter(|w| w.len() == 4 && w.starts_with("20"))
        .find_map(|w| w.parse().ok())
}

/// The layout a header row implies, when it names enough known columns.
fn layout_of(cells: &[String]) -> Option<(TableKind, Vec<Option<Col>>)> {
    let cols: Vec<Option<Col>> = cells.iter().map(|c| classify_header_cell(c)).collect();
    match kind_of_roles(&cols) {
        TableKind::Other if cols.iter().filter(|c| c.is_some()).count() < 3 => None,
        kind => Some((kind, cols)),
    }
}

/// The kind of table its column roles make.
pub fn kind_of_roles(cols: &[Option<Col>]) -> TableKind {
    let has = |col: Col| cols.contains(&Some(col));
    let has_goal = cols.iter().any(|c| matches!(c, Some(Col::Goal(_))));
    if has(Col::Name) && (has(Col::Unit) || has_goal || has(Col::Lead)) {
        TableKind::Targets
    } else if has(Col::Title)
        && (has(Col::Lead) || has(Col::Support) || has(Col::Deadline) || has(Col::Product))
    {
        TableKind::Tasks
    } else if has(Col::Criterion) {
        TableKind::Dossier
    } else {
        TableKind::Other
    }
}

/// Dossier row keys ("Cơ sở pháp lý", "Thời gian thực hiện" …), folded.
pub const DOSSIER_KEYS: &[&str] = &[
    "co so phap ly",
    "tinh cap thiet",
    "quy mo va san pham du kien",
    "san pham du kien",
    "quy mo",
    "thoi gian thuc hien",
    "thoi gian",
    "nguon kinh phi",
    "kinh phi",
    "co quan chu tri",
    "don vi chu tri",
    "co quan phoi hop",
    "don vi phoi hop",
    "muc tieu",
    "noi dung",
    "ten nhiem vu",
];

pub fn is_dossier_key(cell: &str) -> bool {
    let f = fold_vietnamese(cell);
    let f = f.trim_end_matches([':', '.']);
    DOSSIER_KEYS.contains(&f)
}

/// Recognises a table: its header among the first rows, or dossier rows.
pub fn recognise(rows: &[Row]) -> Layout {
    for (i, row) in rows.iter().take(3).enumerate() {
        if let Some((kind, cols)) = layout_of(&row.cells) {
            return Layout {
                kind,
                cols,
                header_index: Some(i),
            };
        }
    }
    let keyed = rows
        .iter()
        .filter(|r| r.cells.first().is_some_and(|c| is_dossier_key(c)))
        .count();
    let kind = if keyed >= 2 {
        TableKind::Dossier
    } else {
        TableKind::Other
    };
    Layout {
        kind,
        cols: Vec::new(),
        header_index: None,
    }
}

/// The data rows of a table: header repeats and column-number rows dropped,
/// rows padded to the header width, and rows cut by a page break (empty
/// reference cell, or the same reference repeated by a vertical merge)
/// joined to the row above cell by cell. Every row left out is recorded
/// with what it was.
pub fn data_rows(rows: &[Row], layout: &Layout) -> (Vec<Row>, Vec<RowReading>) {
    let Some(header_index) = layout.header_index else {
        return (rows.to_vec(), Vec::new());
    };
    let mut readings = Vec::new();
    for row in &rows[..=header_index] {
        if !is_empty_row(row) {
            readings.push(reading(row.line, RowOutcome::Header));
        }
    }
    let header = &rows[header_index];
    let header_cells: Vec<String> = header
        .cells
        .iter()
        .map(|c| fold_vietnamese(c))
        .filter(|c| !c.is_empty())
        .collect();
    let width = header.cells.len();
    let ref_col = layout.find(Col::Ref);
    let mut out: Vec<Row> = Vec::new();
    for row in &rows[header_index + 1..] {
        if is_empty_row(row) {
            continue;
        }
        if repeats_header(&row.cells, &header_cells) {
            readings.push(reading(row.line, RowOutcome::RepeatedHeader));
            continue;
        }
        if is_numbering_row(&row.cells) {
            readings.push(reading(row.line, RowOutcome::ColumnNumbers));
            continue;
        }
        let mut cells = row.cells.clone();
        cells.resize(width.max(cells.len()), String::new());
        let reference = ref_col.map(|i| cells[i].trim().to_string());
        // An empty reference is a row cut by a page break (its pieces are
        // syllables: join with a space); a repeated one is a vertical merge
        // (separate entries: join with a line break so unit lists split).
        let separator = match (&reference, out.last(), ref_col) {
            (Some(r), Some(_), Some(_)) if r.is_empty() => Some(" "),
            (Some(r), Some(prev), Some(i)) if *r == prev.cells[i].trim() => Some("\n"),
            _ => None,
        };
        if let (Some(separator), Some(prev)) = (separator, out.last_mut()) {
            merge_into(&mut prev.cells, &cells, separator);
            readings.push(reading(
                row.line,
                RowOutcome::JoinedTo { to_line: prev.line },
            ));
            continue;
        }
        out.push(Row {
            cells,
            line: row.line,
        });
    }
    (out, readings)
}

fn reading(line: usize, outcome: RowOutcome) -> RowReading {
    RowReading { line, outcome }
}

pub fn is_empty_row(row: &Row) -> bool {
    row.cells.iter().all(|c| c.trim().is_empty())
}

/// The header again after a page break, whole or in part, maybe shifted by
/// a lost first cell: at least two cells, every one a header cell.
fn repeats_header(cells: &[String], header: &[String]) -> bool {
    let filled: Vec<String> = cells
        .iter()
        .map(|c| fold_vietnamese(c))
        .filter(|c| !c.is_empty())
        .collect();
    filled.len() >= 2.min(header.len())
        && !filled.is_empty()
        && filled.iter().all(|c| header.contains(c))
}

/// Joins a continuation row into the row above: syllables cut by the page
/// break are separate words in Vietnamese, so one space is always right.
fn merge_into(prev: &mut Vec<String>, next: &[String], separator: &str) {
    if prev.len() < next.len() {
        prev.resize(next.len(), String::new());
    }
    for (p, n) in prev.iter_mut().zip(next) {
        let n = n.trim();
        if n.is_empty() || p.trim() == n {
            continue;
        }
        if p.trim().is_empty() {
            *p = n.to_string();
        } else {
            p.push_str(separator);
            p.push_str(n);
        }
    }
}

/// Rows "1 | 2 | 3 | 4" under a header number its columns; they are no data.
fn is_numbering_row(cells: &[String]) -> bool {
    let non_empty: Vec<&str> = cells
        .iter()
        .map(|c| c.trim())
        .filter(|c| !c.is_empty())
        .collect();
    non_empty.len() >= 3
        && non_empty
            .iter()
            .enumerate()
            .all(|(i, c)| c.trim_start_matches('(').trim_end_matches(')') == (i + 1).to_string())
}

/// Joins tables that follow each other directly (a table split across pages
/// in a .docx) when the second repeats the header or has the same width.
pub fn merge_split_tables(blocks: Vec<Block>) -> Vec<Block> {
    let mut out: Vec<Block> = Vec::new();
    for block in blocks {
        if let (Some(Block::Table { rows: prev, .. }), Block::Table { rows: next, .. }) =
            (out.last_mut(), &block)
        {
            let same_width = match (prev.first(), next.first()) {
                (Some(a), Some(b)) => a.cells.len() == b.cells.len(),
                _ => false,
            };
            if same_width {
                prev.extend(next.iter().cloned());
                continue;
            }
        }
        out.push(block);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(lines: &[&str]) -> Vec<Row> {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| Row {
                cells: l.split('\t').map(str::to_string).collect(),
                line: i + 1,
            })
            .collect()
    }

    #[test]
    fn columns_are_found_by_header_words_in_any_order() {
        let t = rows(&[
            "Thời gian hoàn thành\tCơ quan phối hợp\tTT\tTên nhiệm vụ\tCơ quan chủ trì thực hiện\tKết quả",
        ]);
        let layout = recognise(&t);
        assert_eq!(layout.kind, TableKind::Tasks);
        assert_eq!(layout.find(Col::Deadline), Some(0));
        assert_eq!(layout.find(Col::Support), Some(1));
        assert_eq!(layout.find(Col::Ref), Some(2));
        assert_eq!(layout.find(Col::Title), Some(3));
        assert_eq!(layout.find(Col::Lead), Some(4));
        assert_eq!(layout.find(Col::Product), Some(5));
    }

    #[test]
    fn target_tables_have_goal_columns_per_year() {
        let t = rows(&[
            "TT\tChỉ tiêu cụ thể\tĐơn vị tính\tCơ quan chủ trì\tMục tiêu năm 2026\tMục tiêu hết năm 2030\tGhi chú",
        ]);
        let layout = recognise(&t);
        assert_eq!(layout.kind, TableKind::Targets);
        assert_eq!(layout.goal_columns(), vec![(4, 2026), (5, 2030)]);
        assert_eq!(layout.find(Col::Note), Some(6));
    }

    #[test]
    fn repeated_headers_are_dropped_and_cut_rows_joined() {
        let t = rows(&[
            "TT\tTên nhiệm vụ\tCơ quan chủ trì",
            "4\tPhối hợp đánh giá chuyển\tPhòng Nội vụ",
            "TT\tTên nhiệm vụ\tCơ quan chủ trì",
            "\tđổi số của cơ quan\t",
            "5\tKhác\tUBND xã",
        ]);
        let layout = recognise(&t);
        let (data, _) = data_rows(&t, &layout);
        assert_eq!(data.len(), 2);
        assert_eq!(
            data[0].cells[1],
            "Phối hợp đánh giá chuyển đổi số của cơ quan"
        );
        assert_eq!(data[0].line, 2);
    }

    #[test]
    fn a_vertically_merged_reference_does_not_duplicate_text() {
        let t = rows(&[
            "TT\tNội dung\tCơ quan chủ trì",
            "1\tViệc A\tPhòng Kinh tế",
            "1\tViệc A\tCông an xã",
        ]);
        let (data, _) = data_rows(&t, &recognise(&t));
        assert_eq!(data.len(), 1);
        assert_eq!(data[0].cells[1], "Việc A");
        assert_eq!(data[0].cells[2], "Phòng Kinh tế\nCông an xã");
    }

    #[test]
    fn dossier_tables_are_recognised_by_their_keys() {
        let t = rows(&["Cơ sở pháp lý\tNQ 57", "Thời gian thực hiện\tNăm 2026"]);
        assert_eq!(recognise(&t).kind, TableKind::Dossier);
    }
}
