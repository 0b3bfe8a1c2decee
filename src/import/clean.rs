//! Cleaning of cell and paragraph text: the exports we receive carry HTML
//! (`<i>`, `<sup>`, `<ul><li>`), Markdown emphasis and headings, and LaTeX
//! math (`$\geq 1,1$`). Recognition works on plain NFC text only.

use crate::domain::goal::clean_goal_text;
use crate::domain::text::{nfc, normalize_spaces};

/// Cleans one table cell or paragraph. Line structure that carries meaning
/// (list items, `<br>`) survives as `\n`; each line is space-normalised.
pub fn clean_text(raw: &str) -> String {
    let s = repair_old_encoding(&nfc(raw));
    let s = strip_html(&s);
    let s = decode_entities(&s);
    let lines: Vec<String> = s
        .split('\n')
        .map(|line| normalize_spaces(&strip_markdown(&strip_latex(line))))
        .filter(|line| !line.is_empty())
        .collect();
    lines.join("\n")
}

/// Letters that TCVN3/VNI conversions leave in place of a Vietnamese one,
/// and the letter meant. None of them is Vietnamese, so a word holding one
/// among otherwise Vietnamese letters is repaired.
const OLD_ENCODING: &[(char, char)] = &[('ǜ', 'ũ'), ('Ƕ', 'ỳ')];

fn is_vietnamese_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
            .contains(c.to_lowercase().next().unwrap_or(c))
}

/// Repairs `ǜ` (for `ũ`), `Ƕ` (for `ỳ`) … inside words whose other letters
/// are Vietnamese: "Phǜ" → "Phũ", "kƶ" stays (not a known artifact).
pub fn repair_old_encoding(s: &str) -> String {
    if !s
        .chars()
        .any(|c| OLD_ENCODING.iter().any(|(bad, _)| *bad == c))
    {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let letters_ok = word
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(|c| is_vietnamese_letter(c) || OLD_ENCODING.iter().any(|(bad, _)| *bad == c));
        if letters_ok {
            out.extend(word.chars().map(|c| {
                OLD_ENCODING
                    .iter()
                    .find(|(bad, _)| *bad == c)
                    .map_or(c, |(_, good)| *good)
            }));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// One-line form of a cleaned text, for titles and names.
pub fn one_line(s: &str) -> String {
    normalize_spaces(&s.replace('\n', " "))
}

/// Removes tags; block-level tags become line breaks so list items stay
/// apart, inline ones vanish. A `<sup>` footnote mark is dropped with its
/// content because it is a reference number, not text.
fn strip_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        let after = &rest[open..];
        let Some(close) = after.find('>') else {
            out.push_str(after);
            return out;
        };
        let tag = after[1..close].trim().to_ascii_lowercase();
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
            // Not a tag ("< 3"): keep the character.
            out.push('<');
            rest = &after[1..];
            continue;
        }
        rest = &after[close + 1..];
        match name.as_str() {
            "sup" if !tag.starts_with('/') => {
                if let Some(end) = rest.to_ascii_lowercase().find("</sup>") {
                    rest = &rest[end + "</sup>".len()..];
                }
            }
            "li" if !tag.starts_with('/') => out.push_str("\n- "),
            "br" | "p" | "div" | "ul" | "ol" | "li" | "tr" => out.push('\n'),
            _ => {}
        }
    }
    out.push_str(rest);
    out
}

fn decode_entities(s: &str) -> String {
    s.replace("&nbsp;", " ")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn strip_latex(s: &str) -> String {
    if s.contains('$') || s.contains('\\') {
        clean_goal_text(s)
    } else {
        s.to_string()
    }
}

/// Drops heading marks and emphasis. `**` becomes a space because exports
/// glue headings together ("Phụ lục I**MỤC TIÊU**"); single `*` around a
/// phrase is italics and simply goes.
fn strip_markdown(s: &str) -> String {
    let t = s.trim_start();
    let t = t.trim_start_matches('#');
    let t = t.replace("**", " ").replace("__", " ");
    let t = strip_single_stars(&t);
    // Markdown escapes such as `\.` or `\-`.
    t.replace("\\.", ".")
        .replace("\\-", "-")
        .replace("\\*", "*")
}

/// Removes `*` used as emphasis but keeps a lone `*` that stands for text.
fn strip_single_stars(s: &str) -> String {
    if s.trim() == "*" {
        return String::new();
    }
    s.replace('*', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_italics_and_lists_are_removed() {
        assert_eq!(
            clean_text("<i>Phát triển hạ tầng</i>"),
            "Phát triển hạ tầng"
        );
        assert_eq!(
            clean_text("<ul style=\"x\"><li>Một</li><li>Hai</li></ul>"),
            "- Một\n- Hai"
        );
        assert_eq!(
            clean_text("liên quan<sup>(1)</sup>. Tiếp"),
            "liên quan. Tiếp"
        );
    }

    #[test]
    fn markdown_emphasis_and_headings_are_removed() {
        assert_eq!(clean_text("## **II. MỤC TIÊU**"), "II. MỤC TIÊU");
        assert_eq!(
            clean_text("*(Chi tiết tại Phụ lục II)*"),
            "(Chi tiết tại Phụ lục II)"
        );
        assert_eq!(clean_text("Phụ lục I**MỤC TIÊU**"), "Phụ lục I MỤC TIÊU");
        assert_eq!(clean_text("*"), "");
    }

    #[test]
    fn latex_becomes_plain_symbols() {
        assert_eq!(
            clean_text("$\\geq 1,1$ và không thấp hơn"),
            "≥ 1,1 và không thấp hơn"
        );
    }

    #[test]
    fn letters_left_by_old_encodings_are_repaired_in_vietnamese_words() {
        assert_eq!(clean_text("Kỹ năng sǜ dụng"), "Kỹ năng sũ dụng");
        assert_eq!(clean_text("Phòng Kinh tế Ƕ"), "Phòng Kinh tế ỳ");
        assert_eq!(clean_text("thời kƶ"), "thời kƶ");
        assert_eq!(clean_text("ĐẦU TƯ Ƕ ŽǛ"), "ĐẦU TƯ ỳ ŽǛ");
    }

    #[test]
    fn text_is_nfc_and_a_lone_less_than_survives() {
        let decomposed = "ho\u{0061}\u{0301}";
        assert_eq!(clean_text(decomposed), "hoá");
        assert_eq!(clean_text("< 3"), "< 3");
    }
}
