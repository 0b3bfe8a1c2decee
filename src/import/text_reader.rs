//! Reads a plain-text or Markdown export into blocks. Tables are lines with
//! tab-separated cells; a table stays open across blank lines because page
//! breaks in the exports leave blank lines inside one table.

use super::clean::{clean_text, one_line};
use super::model::{Block, Row};
use super::table::recognise;
use super::web_paste::{find_region, is_decoration, read_region};
use crate::domain::text::fold_vietnamese;

/// Splits the text into paragraphs and tables, one paragraph per line
/// (lines that a page or a web page broke mid-sentence are joined again).
pub fn read_text(text: &str) -> Vec<Block> {
    let wrapped = is_hard_wrapped(text);
    let pipe_lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty() && !l.contains('\t'))
        .collect();
    let mut regions = Vec::new();
    let mut from = 0;
    while let Some((s, e)) = find_region(&pipe_lines, from) {
        regions.push((
            pipe_lines[s].0,
            pipe_lines[e - 1].0,
            read_region(&pipe_lines[s..e]),
        ));
        from = e;
    }
    let mut regions = regions.into_iter().peekable();
    let mut reader = Reader {
        blocks: Vec::new(),
        table_open: false,
        last_line: 0,
        wrapped,
    };
    let all: Vec<&str> = text.lines().collect();
    for (index, raw) in all.iter().enumerate() {
        let line = index + 1;
        if let Some((start, end, _)) = regions.peek()
            && (*start..=*end).contains(&line)
        {
            if line == *end
                && let Some((_, _, blocks)) = regions.next()
            {
                reader.blocks.extend(blocks);
                reader.table_open = false;
                reader.last_line = 0;
            }
            continue;
        }
        let next_is_row = all[index + 1..]
            .iter()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.contains('\t'));
        reader.line(raw.trim_end_matches('\r'), line, next_is_row);
    }
    reader.blocks
}

/// A header row of another kind of table right after a table (a plan's
/// appendix often runs one table per part): a new table, unless it only
/// repeats the open table's header after a page break.
fn opens_new_table(rows: &[Row], row: &Row) -> bool {
    if recognise(std::slice::from_ref(row)).header_index.is_none() {
        return false;
    }
    let Some(h) = recognise(rows).header_index.and_then(|h| rows.get(h)) else {
        return false;
    };
    let header: Vec<String> = h.cells.iter().map(|c| fold_vietnamese(c)).collect();
    !row.cells
        .iter()
        .map(|c| fold_vietnamese(c))
        .filter(|c| !c.is_empty())
        .all(|c| header.contains(&c))
}

/// A line between two rows of a table that heads a group of them: written
/// in bold or in capitals, or numbered ("II. Chính quyền số"), and short.
fn is_group_line(raw: &str) -> bool {
    let t = raw.trim().trim_start_matches('#').trim();
    let bold = t.starts_with("**") && t.ends_with("**");
    let text = t.trim_matches('*').trim();
    let folded = fold_vietnamese(text);
    if folded.starts_with("phu luc") || folded.starts_with("phan ") {
        return false;
    }
    let numbered = super::groups::numeral(text, None).is_some_and(|(_, _, rest)| !rest.is_empty());
    text.chars().count() <= 120 && (bold || numbered || is_upper(text))
}

struct Reader {
    blocks: Vec<Block>,
    /// True while only blank lines followed the last table row.
    table_open: bool,
    /// Source line of the last paragraph line read, for adjacency.
    last_line: usize,
    wrapped: bool,
}

impl Reader {
    fn line(&mut self, raw: &str, line: usize, next_is_row: bool) {
        if raw.trim().is_empty() {
            return;
        }
        if self.table_open
            && next_is_row
            && !raw.contains('\t')
            && is_group_line(raw)
            && let Some(Block::Table { rows, .. }) = self.blocks.last_mut()
        {
            rows.push(Row {
                cells: vec![clean_text(raw)],
                line,
            });
            return;
        }
        if raw.contains('\t') {
            let cells: Vec<String> = raw.split('\t').map(clean_text).collect();
            let row = Row { cells, line };
            match self.blocks.last_mut() {
                Some(Block::Table { rows, .. })
                    if self.table_open && !opens_new_table(rows, &row) =>
                {
                    rows.push(row)
                }
                _ => self.blocks.push(Block::Table {
                    rows: vec![row],
                    line,
                }),
            }
            self.table_open = true;
            return;
        }
        self.table_open = false;
        if is_footnote(raw) || is_decoration(raw) {
            // Footnotes interrupt the body at page ends; dropping them lets
            // the sentence they cut join up again below.
            return;
        }
        let trimmed = raw.trim();
        let bold = trimmed
            .trim_start_matches('#')
            .trim_start()
            .starts_with("**")
            && trimmed.ends_with("**");
        let text = one_line(&clean_text(raw));
        if text.is_empty() {
            return;
        }
        let adjacent = self.last_line + 1 == line;
        self.last_line = line;
        if let Some(Block::Paragraph { text: prev, .. }) = self.blocks.last_mut()
            && continues(prev, &text, adjacent && self.wrapped)
        {
            prev.push(' ');
            prev.push_str(&text);
            return;
        }
        self.blocks.push(Block::Paragraph { text, bold, line });
    }
}

/// A footnote line starts with a superscript mark (`¹`, `<sup>(1)</sup>`).
fn is_footnote(raw: &str) -> bool {
    let t = raw.trim_start();
    t.starts_with("<sup>") || t.starts_with(['¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'])
}

/// A text saved from a web page keeps the page's line breaks: no blank
/// lines between paragraphs, and many lines that end mid-sentence.
fn is_hard_wrapped(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let blank = lines.iter().filter(|l| l.is_empty()).count();
    let cut = lines
        .windows(2)
        .filter(|w| {
            !w[0].is_empty()
                && !w[0].ends_with(['.', ':', ';', '!', '?', '|'])
                && w[1].starts_with(|c: char| c.is_lowercase() || c.is_ascii_digit())
                && !is_numbering(w[1])
        })
        .count();
    cut >= 2 && blank * 10 < lines.len()
}

/// The words that open a plan: a line holding one never joins another.
fn is_kind_line(text: &str) -> bool {
    let t = text.trim_start_matches('#').trim();
    matches!(
        t,
        "KẾ HOẠCH"
            | "KẾ HOẠCH HÀNH ĐỘNG"
            | "QUYẾT ĐỊNH"
            | "CHƯƠNG TRÌNH"
            | "CHƯƠNG TRÌNH HÀNH ĐỘNG"
    )
}

/// "1.", "1.1", "2)" or "a)" followed by a space: a numbered item.
fn is_numbering(text: &str) -> bool {
    let head: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let after = &text[head.len()..];
    let numbered =
        !head.is_empty() && head.len() <= 6 && (head.contains('.') || after.starts_with(')'));
    let lettered =
        text.len() > 2 && text.as_bytes()[1] == b')' && text.as_bytes()[0].is_ascii_lowercase();
    numbered || lettered
}

fn is_upper(text: &str) -> bool {
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    !letters.is_empty() && letters.iter().all(|c| c.is_uppercase())
}

/// Whether `next` is the rest of a sentence that a page break cut: the
/// previous line has no closing punctuation and the next one starts in lower
/// case (or with the date after a dangling "ngày"). In a hard-wrapped text
/// (`wrapped`, and the lines adjacent) a long line also goes on into the next
/// one, unless that one starts an item of its own.
fn continues(prev: &str, next: &str, wrapped: bool) -> bool {
    let prev = prev.trim_end();
    if prev.ends_with(['.', ':', ';', '!', '?']) || is_kind_line(prev) || is_kind_line(next) {
        return false;
    }
    let first = next.chars().next().unwrap_or(' ');
    if first.is_lowercase() {
        return true;
    }
    if first.is_ascii_digit() && (prev.ends_with("ngày") || prev.ends_with(',')) {
        return true;
    }
    if !wrapped || next.starts_with(['-', '+', '•', '(']) || is_numbering(next) {
        return false;
    }
    if first.is_ascii_digit() {
        return true;
    }
    // Upper-case lines (issuer, title) are joined by the header reader,
    // which knows where they stop.
    !is_upper(prev) && !is_upper(next) && (prev.chars().count() >= 50 || prev.ends_with('-'))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn tab_lines_form_one_table_across_blank_lines() {
        let blocks = read_text("Tiêu đề\n\nTT\tNội dung\n1\tA\n\n2\tB\nSau bảng\n");
        assert_eq!(texts(&blocks), ["Tiêu đề", "table:3", "Sau bảng"]);
        assert_eq!(blocks[1].line(), 3);
    }

    #[test]
    fn a_sentence_cut_by_a_page_break_is_joined() {
        let blocks = read_text("- Tham gia đào\n\ntạo trực tuyến.\n\nMới\n");
        assert_eq!(texts(&blocks), ["- Tham gia đào tạo trực tuyến.", "Mới"]);
    }

    #[test]
    fn footnotes_are_skipped() {
        let blocks = read_text("- tại các cơ\n\n¹ Nghị quyết số 1\n\nquan nhà nước.\n");
        assert_eq!(texts(&blocks), ["- tại các cơ quan nhà nước."]);
    }

    #[test]
    fn a_hard_wrapped_page_is_joined_back_into_sentences() {
        let blocks = read_text(
            "Căn cứ Nghị quyết số\n50/NQ-CP ngày 17 tháng 4 năm 2020 của Chính phủ ban hành Chương trình của Bộ\nChính trị về một số chủ trương;\nCăn cứ Quyết định số\n127/QĐ-TTg ngày 26/01/2021 của Thủ tướng Chính phủ ban hành\nChiến lược quốc gia.\nI. MỤC TIÊU\n1. Mục tiêu chung\n",
        );
        assert_eq!(
            texts(&blocks),
            [
                "Căn cứ Nghị quyết số 50/NQ-CP ngày 17 tháng 4 năm 2020 của Chính phủ ban hành Chương trình của Bộ Chính trị về một số chủ trương;",
                "Căn cứ Quyết định số 127/QĐ-TTg ngày 26/01/2021 của Thủ tướng Chính phủ ban hành Chiến lược quốc gia.",
                "I. MỤC TIÊU",
                "1. Mục tiêu chung"
            ]
        );
    }

    #[test]
    fn a_web_header_block_becomes_paragraphs_and_the_title_stays_apart() {
        let blocks = read_text(
            "ỦY\nBAN NHÂN DÂN\nTỈNH TIỀN GIANG\n-------\n|\nCỘNG\nHÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n|\nSố: 383/KH-UBND\n|\nTiền\nGiang, ngày 07 tháng 12 năm 2022\n|\nKẾ HOẠCH\nTHỰC HIỆN CHƯƠNG TRÌNH\nCHUYỂN ĐỔI SỐ\n",
        );
        assert_eq!(
            texts(&blocks),
            [
                "ỦY",
                "BAN NHÂN DÂN",
                "TỈNH TIỀN GIANG",
                "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                "Số: 383/KH-UBND",
                "Tiền Giang, ngày 07 tháng 12 năm 2022",
                "KẾ HOẠCH",
                "THỰC HIỆN CHƯƠNG TRÌNH",
                "CHUYỂN ĐỔI SỐ"
            ]
        );
    }

    #[test]
    fn bold_markdown_lines_are_noted() {
        let blocks = read_text("## **II. MỤC TIÊU**\nthường\n");
        assert!(matches!(&blocks[0], Block::Paragraph { bold: true, .. }));
    }
}
