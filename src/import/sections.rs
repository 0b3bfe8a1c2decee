//! The body's top-level sections ("I. MỤC ĐÍCH, YÊU CẦU", "III. NHIỆM VỤ
//! VÀ GIẢI PHÁP", "IV. TỔ CHỨC THỰC HIỆN" …), so each recogniser reads only
//! the part of the plan it is about.

use super::model::Block;
use crate::domain::text::fold_vietnamese;

/// A paragraph with its position among the blocks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Para<'a> {
    pub text: &'a str,
    pub line: usize,
    pub bold: bool,
    pub block: usize,
}

pub fn paragraphs(blocks: &[Block]) -> Vec<Para<'_>> {
    blocks
        .iter()
        .enumerate()
        .filter_map(|(block, b)| match b {
            Block::Paragraph { text, bold, line } => Some(Para {
                text,
                line: *line,
                bold: *bold,
                block,
            }),
            Block::Table { .. } => None,
        })
        .collect()
}

/// A top-level section: its heading and the block range of its body.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: String,
    /// Folded heading, for matching ("nhiem vu va giai phap").
    pub key: String,
    pub start: usize,
    pub end: usize,
}

/// "II. MỤC TIÊU", "I- MỤC ĐÍCH": a Roman numeral, a separator and an
/// upper-case title. Returns the numeral and the title.
pub fn roman_heading(text: &str) -> Option<(&str, &str)> {
    let numeral_len = text
        .char_indices()
        .find(|(_, c)| !matches!(c, 'I' | 'V' | 'X'))
        .map_or(text.len(), |(i, _)| i);
    if numeral_len == 0 {
        return None;
    }
    let rest = &text[numeral_len..];
    let title = rest
        .strip_prefix(". ")
        .or_else(|| rest.strip_prefix("- "))
        .or_else(|| rest.strip_prefix("– "))
        .or_else(|| rest.strip_prefix('.'))?
        .trim();
    let letters: Vec<char> = title.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    (!letters.is_empty() && upper * 10 >= letters.len() * 7)
        .then_some((&text[..numeral_len], title))
}

/// Where the body ends: the recipients list or the first appendix.
pub fn is_body_end(text: &str) -> bool {
    let f = fold_vietnamese(text);
    f.starts_with("noi nhan") || f.starts_with("phu luc")
}

pub fn sections(blocks: &[Block]) -> Vec<Section> {
    let mut out: Vec<Section> = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let Block::Paragraph { text, .. } = block else {
            continue;
        };
        if is_body_end(text) {
            if let Some(last) = out.last_mut()
                && last.end == usize::MAX
            {
                last.end = i;
            }
            continue;
        }
        if roman_heading(text).is_some() {
            if let Some(last) = out.last_mut()
                && last.end == usize::MAX
            {
                last.end = i;
            }
            out.push(Section {
                heading: text.clone(),
                key: fold_vietnamese(text),
                start: i + 1,
                end: usize::MAX,
            });
        }
    }
    if let Some(last) = out.last_mut()
        && last.end == usize::MAX
    {
        last.end = blocks.len();
    }
    out
}

/// The first section whose folded heading contains all the given words.
pub fn find_section<'a>(sections: &'a [Section], words: &[&str]) -> Option<&'a Section> {
    sections
        .iter()
        .find(|s| words.iter().all(|w| s.key.contains(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_headings_need_an_upper_case_title() {
        assert_eq!(roman_heading("II. MỤC TIÊU"), Some(("II", "MỤC TIÊU")));
        assert_eq!(
            roman_heading("I- MỤC ĐÍCH, YÊU CẦU"),
            Some(("I", "MỤC ĐÍCH, YÊU CẦU"))
        );
        assert_eq!(roman_heading("I. Công tác lãnh đạo"), None);
        assert_eq!(roman_heading("Ít nhất"), None);
    }
}
