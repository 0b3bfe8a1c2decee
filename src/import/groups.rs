//! Group rows of task and target tables, on several levels: `A`/`B`, then
//! `I`/`II`, then `1`/`2`, then `1.1`/`5.2`, then `a`/`b`. A group row is
//! one cell spanning the table (the heading lands in the first column) or
//! a number cell and a title cell, with no lead, support, time or product.
//! Each row below takes the path of the groups above it.

use super::model::{Col, Row};
use super::table::Layout;

/// A numbering style, outermost first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Style {
    /// A group row without a number: a heading of its own.
    Unnumbered,
    UpperLetter,
    Roman,
    Arabic,
    /// `1.1` (depth 2), `1.1.1` (depth 3).
    Dotted(usize),
    LowerLetter,
}

impl Style {
    pub fn name(self) -> String {
        match self {
            Style::Unnumbered => "—".to_string(),
            Style::UpperLetter => "A".to_string(),
            Style::Roman => "I".to_string(),
            Style::Arabic => "1".to_string(),
            Style::Dotted(depth) => vec!["1"; depth].join("."),
            Style::LowerLetter => "a".to_string(),
        }
    }
}

/// Splits a reference cell into its numeral and any heading text glued to
/// it ("I. Công tác lãnh đạo", "1.2)", "a)"). `prev_letter` is the last
/// upper-case letter seen, to read `I` after `H` as a letter.
pub fn numeral(reference: &str, prev_letter: Option<char>) -> Option<(Style, String, String)> {
    let r = reference.trim();
    let head_len = r
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '.'))
        .map_or(r.len(), |(i, _)| i);
    let head = r[..head_len].trim_end_matches('.');
    let rest = r[head_len..]
        .trim_start_matches(['.', ')', '-', '–', ':'])
        .trim();
    let style = style_of(head, prev_letter)?;
    // "1 Việc" with text after a bare number is a sentence, not a numeral.
    if head_len < r.len() && !r[head_len..].starts_with(['.', ')', ' ', '-', '–', ':']) {
        return None;
    }
    Some((style, head.to_string(), rest.to_string()))
}

fn style_of(head: &str, prev_letter: Option<char>) -> Option<Style> {
    if head.is_empty() {
        return None;
    }
    if head.chars().all(|c| c.is_ascii_digit() || c == '.')
        && head.starts_with(|c: char| c.is_ascii_digit())
    {
        let depth = head.split('.').filter(|p| !p.is_empty()).count();
        return Some(if depth <= 1 {
            Style::Arabic
        } else {
            Style::Dotted(depth)
        });
    }
    let roman = head.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L'));
    let mut chars = head.chars();
    let (first, second) = (chars.next()?, chars.next());
    if second.is_none() && first.is_ascii_lowercase() {
        return Some(Style::LowerLetter);
    }
    if second.is_none() && first.is_ascii_uppercase() {
        // "I" after "H" (or "V" after "U") continues the letters.
        let follows = prev_letter.is_some_and(|p| (p as u8).wrapping_add(1) == first as u8);
        return Some(if roman && !follows {
            Style::Roman
        } else {
            Style::UpperLetter
        });
    }
    roman.then_some(Style::Roman)
}

/// The group path while reading a table.
#[derive(Debug, Default)]
pub struct Path {
    levels: Vec<(Style, String)>,
    prev_letter: Option<char>,
    pub styles: Vec<Style>,
}

impl Path {
    /// The labels of the open groups, outermost first.
    pub fn labels(&self) -> Vec<String> {
        self.levels.iter().map(|(_, l)| l.clone()).collect()
    }

    /// Opens a group; returns its label and depth (0 = outermost).
    pub fn open(&mut self, style: Style, label: String) -> (String, usize) {
        while self.levels.last().is_some_and(|(s, _)| *s >= style) {
            self.levels.pop();
        }
        if !self.styles.contains(&style) {
            self.styles.push(style);
            self.styles.sort();
        }
        self.levels.push((style, label.clone()));
        (label, self.levels.len() - 1)
    }

    /// A numbered item ("4" after the groups "3" and "3.2") closes the
    /// groups of its own level and below.
    pub fn close_for_item(&mut self, reference: &str) {
        if let Some((style, _, rest)) = numeral(reference, self.prev_letter)
            && rest.is_empty()
        {
            while self.levels.last().is_some_and(|(s, _)| *s >= style) {
                self.levels.pop();
            }
        }
    }

    pub fn prev_letter(&self) -> Option<char> {
        self.prev_letter
    }

    fn note_letter(&mut self, style: Style, numeral: &str) {
        if style == Style::UpperLetter {
            self.prev_letter = numeral.chars().next();
        }
    }

    /// Reads a row as a group heading, if it is one: no cell filled beyond
    /// the reference and the title (or name) column, and a numeral, or a
    /// heading alone in the first column. `forced` is a person's choice.
    pub fn group_of(
        &mut self,
        row: &Row,
        layout: &Layout,
        title_col: Col,
        forced: bool,
    ) -> Option<(String, usize)> {
        let cell = |col: Col| {
            layout
                .find(col)
                .and_then(|i| row.cells.get(i))
                .map_or("", |s| s.trim())
        };
        let reference = cell(Col::Ref);
        let title = super::clean::one_line(cell(title_col));
        let others_empty = layout.cols.iter().enumerate().all(|(c, col)| {
            matches!(col, Some(Col::Ref))
                || *col == Some(title_col)
                || row.cells.get(c).is_none_or(|v| v.trim().is_empty())
        });
        if !(others_empty || forced) {
            return None;
        }
        let parsed = numeral(reference, self.prev_letter());
        let (style, numeral_text, rest) = match parsed {
            Some(p) => p,
            // A heading spanning the table: text only in the first column.
            None if reference.chars().filter(|c| c.is_alphabetic()).count() > 3
                && title.is_empty() =>
            {
                (Style::Unnumbered, String::new(), reference.to_string())
            }
            None if forced => (
                Style::Unnumbered,
                String::new(),
                format!("{reference} {title}").trim().to_string(),
            ),
            None => return None,
        };
        self.note_letter(style, &numeral_text);
        let text = [rest.as_str(), title.as_str()]
            .iter()
            .filter(|t| !t.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let label = match (numeral_text.is_empty(), text.is_empty()) {
            (true, _) => text,
            (false, true) => format!("{numeral_text}."),
            (false, false) => format!("{numeral_text}. {text}"),
        };
        Some(self.open(style, label))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numerals_have_styles_by_depth() {
        let s = |r: &str| numeral(r, None).map(|n| n.0);
        assert_eq!(s("A"), Some(Style::UpperLetter));
        assert_eq!(s("II"), Some(Style::Roman));
        assert_eq!(s("I."), Some(Style::Roman));
        assert_eq!(s("3"), Some(Style::Arabic));
        assert_eq!(s("5.2"), Some(Style::Dotted(2)));
        assert_eq!(s("1.1."), Some(Style::Dotted(2)));
        assert_eq!(s("a)"), Some(Style::LowerLetter));
        assert_eq!(s("Việc"), None);
        assert_eq!(
            numeral("I", Some('H')).map(|n| n.0),
            Some(Style::UpperLetter)
        );
        assert_eq!(
            numeral("I. Công tác lãnh đạo", None).map(|n| n.2),
            Some("Công tác lãnh đạo".to_string())
        );
    }

    #[test]
    fn a_deeper_group_nests_and_a_shallower_one_closes_the_path() {
        let mut p = Path::default();
        p.open(Style::UpperLetter, "A. Kinh tế".into());
        p.open(Style::Roman, "I. Nông nghiệp".into());
        p.open(Style::Dotted(2), "3.2. Du lịch".into());
        assert_eq!(p.labels(), ["A. Kinh tế", "I. Nông nghiệp", "3.2. Du lịch"]);
        p.open(Style::Roman, "II. Dịch vụ".into());
        assert_eq!(p.labels(), ["A. Kinh tế", "II. Dịch vụ"]);
        p.open(Style::UpperLetter, "B. Xã hội".into());
        assert_eq!(p.labels(), ["B. Xã hội"]);
    }
}
