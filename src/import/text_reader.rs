//! Reads a plain-text or Markdown export into blocks. Tables are lines with
//! tab-separated cells; a table stays open across blank lines because page
//! breaks in the exports leave blank lines inside one table.

use super::clean::{clean_text, one_line};
use super::model::{Block, Row};

/// Splits the text into paragraphs and tables, one paragraph per line.
pub fn read_text(text: &str) -> Vec<Block> {
    let mut blocks: Vec<Block> = Vec::new();
    // True while only blank lines followed the last table row.
    let mut table_open = false;
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let raw = raw.trim_end_matches('\r');
        if raw.trim().is_empty() {
            continue;
        }
        if raw.contains('\t') {
            let cells: Vec<String> = raw.split('\t').map(clean_text).collect();
            let row = Row { cells, line };
            match blocks.last_mut() {
                Some(Block::Table { rows, .. }) if table_open => rows.push(row),
                _ => blocks.push(Block::Table {
                    rows: vec![row],
                    line,
                }),
            }
            table_open = true;
            continue;
        }
        table_open = false;
        if is_footnote(raw) {
            // Footnotes interrupt the body at page ends; dropping them lets
            // the sentence they cut join up again below.
            continue;
        }
        let trimmed = raw.trim();
        let bold = trimmed
            .trim_start_matches('#')
            .trim_start()
            .starts_with("**")
            && trimmed.ends_with("**");
        let text = one_line(&clean_text(raw));
        if text.is_empty() {
            continue;
        }
        if let Some(Block::Paragraph { text: prev, .. }) = blocks.last_mut()
            && continues(prev, &text)
        {
            prev.push(' ');
            prev.push_str(&text);
            continue;
        }
        blocks.push(Block::Paragraph { text, bold, line });
    }
    blocks
}

/// A footnote line starts with a superscript mark (`¹`, `<sup>(1)</sup>`).
fn is_footnote(raw: &str) -> bool {
    let t = raw.trim_start();
    t.starts_with("<sup>") || t.starts_with(['¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'])
}

/// Whether `next` is the rest of a sentence that a page break cut: the
/// previous line has no closing punctuation and the next one starts in lower
/// case (or with the date after a dangling "ngày").
fn continues(prev: &str, next: &str) -> bool {
    let prev = prev.trim_end();
    if prev.ends_with(['.', ':', ';', '!', '?']) {
        return false;
    }
    let first = next.chars().next().unwrap_or(' ');
    if first.is_lowercase() {
        return true;
    }
    first.is_ascii_digit() && (prev.ends_with("ngày") || prev.ends_with(','))
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
    fn bold_markdown_lines_are_noted() {
        let blocks = read_text("## **II. MỤC TIÊU**\nthường\n");
        assert!(matches!(&blocks[0], Block::Paragraph { bold: true, .. }));
    }
}
