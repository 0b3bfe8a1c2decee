//! Vietnamese text folding: the one place that decides when two pieces of
//! text "mean the same" for matching and search.
//!
//! The seed plans spell the same syllable two correct ways (`hoá`/`hóa`,
//! `uỷ`/`ủy`), mix dash characters and spacing in unit names, and users
//! search without diacritics. Every comparison in the app goes through
//! [`fold_vietnamese`] so those variants never diverge in different places.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Returns `s` in Unicode NFC, the form we store and display.
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// Collapses whitespace runs (including NBSP, tabs, newlines) to one space
/// and trims, in NFC; case and diacritics are kept because the result is
/// still meant to be shown to people.
pub fn normalize_spaces(s: &str) -> String {
    let normalized: String = s.nfc().filter(|&c| !is_invisible(c)).collect();
    let mut out = String::with_capacity(normalized.len());
    for word in normalized.split(char::is_whitespace) {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Folds text for matching: NFC-equivalent input, lower case, no
/// diacritics (`đ` → `d`), every dash variant as `-` with exactly one space
/// on each side, whitespace runs as one space, trimmed.
///
/// Tone placement (`hoá`/`hóa`) stops mattering because all marks are
/// dropped; dashes get fixed spacing because `Văn hoá-Xã hội` and
/// `Văn hóa - Xã hội` name the same unit.
pub fn fold_vietnamese(s: &str) -> String {
    let mut raw = String::with_capacity(s.len());
    // NFD puts every mark in its own code point, so dropping combining marks
    // strips all diacritics whatever form the input came in.
    for c in s.nfd() {
        for lower in c.to_lowercase() {
            if is_combining_mark(lower) || is_invisible(lower) {
                continue;
            }
            if lower == 'đ' {
                raw.push('d');
            } else if is_dash(lower) {
                raw.push_str(" - ");
            } else if lower.is_whitespace() {
                raw.push(' ');
            } else {
                raw.push(lower);
            }
        }
    }
    let mut out = String::with_capacity(raw.len());
    for word in raw.split(' ') {
        if word.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Folded substring search: `chuyen doi so` finds `Chuyển đổi số`.
/// An empty (or all-whitespace) query matches everything, which is what a
/// cleared search box should do.
pub fn fold_matches(haystack: &str, query: &str) -> bool {
    let query = fold_vietnamese(query);
    query.is_empty() || fold_vietnamese(haystack).contains(&query)
}

/// Dash-like characters that appear (or could appear) between words in the
/// seeds: hyphen-minus, Unicode hyphens, figure/en/em dashes, minus signs.
fn is_dash(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{2010}'
            | '\u{2011}'
            | '\u{2012}'
            | '\u{2013}'
            | '\u{2014}'
            | '\u{2015}'
            | '\u{2212}'
            | '\u{FE58}'
            | '\u{FE63}'
            | '\u{FF0D}'
    )
}

/// Zero-width characters that sneak in from copy-pasted documents; they are
/// dropped so that text which looks identical also compares identical.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// The form stored and compared for search: folded, with punctuation
/// (dashes, commas, slashes) turned into spaces, so `van hoa xa hoi` finds
/// `Phòng Văn hóa - Xã hội` and `chuyen doi so` finds `chuyển đổi số`.
pub fn search_key(s: &str) -> String {
    let folded = fold_vietnamese(s);
    let spaced: String = folded
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text with its first letter in lower case, to put a label inside a
/// sentence (`Tháng 7/2026` → `tháng 7/2026`).
pub fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn search_keys_ignore_punctuation() {
        assert_eq!(
            super::search_key("Phòng Văn hóa - Xã hội"),
            "phong van hoa xa hoi"
        );
        assert_eq!(
            super::search_key(" chuyển đổi số, ĐỔI MỚI "),
            "chuyen doi so doi moi"
        );
    }

    use super::*;

    #[test]
    fn both_tone_placements_fold_equal() {
        assert_eq!(fold_vietnamese("hoá"), fold_vietnamese("hóa"));
        assert_eq!(fold_vietnamese("uỷ"), fold_vietnamese("ủy"));
        assert_eq!(fold_vietnamese("thuỷ"), fold_vietnamese("thủy"));
        assert_eq!(fold_vietnamese("hoá"), "hoa");
        assert_eq!(fold_vietnamese("Ủy ban"), "uy ban");
    }

    #[test]
    fn unit_name_variants_fold_to_the_same_string() {
        let expected = "phong van hoa - xa hoi";
        for name in [
            "Phòng Văn hóa - Xã hội",
            "phòng Văn hoá – Xã hội",
            "Phòng Văn hoá-Xã hội",
            "Phòng  Văn hoá —Xã hội",
            "Phòng\u{00A0}Văn hóa\u{2011}Xã\thội\n",
            "  PHÒNG VĂN HÓA − XÃ HỘI  ",
        ] {
            assert_eq!(fold_vietnamese(name), expected, "{name:?}");
        }
    }

    #[test]
    fn the_spec_example_folds_to_van_hoa_xa_hoi() {
        assert_eq!(fold_vietnamese("Văn hóa - Xã hội"), "van hoa - xa hoi");
        assert_eq!(fold_vietnamese("Văn hoá – Xã hội"), "van hoa - xa hoi");
        assert_eq!(fold_vietnamese("Văn hoá-Xã hội"), "van hoa - xa hoi");
    }

    #[test]
    fn decomposed_input_folds_like_composed_input() {
        let composed = nfc("Chuyển đổi số Đảng ủy hoá");
        let decomposed: String = composed.nfd().collect();
        assert_ne!(composed, decomposed);
        assert_eq!(fold_vietnamese(&composed), fold_vietnamese(&decomposed));
        assert_eq!(nfc(&decomposed), composed);
    }

    #[test]
    fn d_with_stroke_folds_to_plain_d() {
        assert_eq!(fold_vietnamese("Đảng ủy"), "dang uy");
        assert_eq!(fold_vietnamese("đổi"), "doi");
    }

    #[test]
    fn ampersand_and_other_punctuation_are_kept() {
        assert_eq!(fold_vietnamese("Trường TH&THCS"), "truong th&thcs");
        assert_eq!(fold_vietnamese("57-NQ/TW"), "57 - nq/tw");
    }

    #[test]
    fn search_without_diacritics_finds_vietnamese_text() {
        assert!(fold_matches("Đẩy mạnh chuyển đổi số", "chuyen doi so"));
        assert!(fold_matches("Đảng ủy xã", "d"));
        assert!(fold_matches("Phòng Văn hóa – Xã hội", "van hoa-xa hoi"));
        assert!(fold_matches("Ủy ban nhân dân", "UỶ BAN"));
        assert!(!fold_matches("Phòng Kinh tế", "van hoa"));
    }

    #[test]
    fn empty_query_matches_everything() {
        assert!(fold_matches("bất kỳ", ""));
        assert!(fold_matches("", "  "));
        assert!(!fold_matches("", "a"));
    }

    #[test]
    fn normalize_spaces_keeps_case_and_diacritics() {
        assert_eq!(
            normalize_spaces("  Thường\u{00A0}\u{00A0}xuyên\t\n Hoá "),
            "Thường xuyên Hoá"
        );
        assert_eq!(normalize_spaces(""), "");
        assert_eq!(normalize_spaces("a\u{200B}b"), "ab");
    }

    #[test]
    fn normalize_spaces_composes_to_nfc() {
        let decomposed: String = "Đột xuất".nfd().collect();
        assert_eq!(normalize_spaces(&decomposed), nfc("Đột xuất"));
    }
}

/// The most characters any one text value may hold when it comes in (a
/// form field, a JSON string, a query parameter). Fields with a smaller
/// maximum of their own check it in their rules; README "Hardening" lists
/// them all.
pub const MAX_FIELD_CHARS: usize = 10_000;

/// The refusal said when `label` is longer than [`MAX_FIELD_CHARS`].
pub fn too_long_message(label: &str) -> String {
    format!("{label} quá dài (tối đa 10.000 ký tự)")
}

/// The first control character of `s` that text may not hold: every
/// C0/C1 control (NUL, escape, backspace…) but tab, line feed and carriage
/// return. PostgreSQL cannot store NUL at all, and the others are never
/// typed by a person; text carrying them is refused where it enters.
pub fn forbidden_control(s: &str) -> Option<char> {
    s.chars()
        .find(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The refusal said when `label` holds a forbidden control character.
pub fn control_message(label: &str, c: char) -> String {
    format!(
        "{label} chứa ký tự điều khiển không được phép (U+{:04X}); hãy xóa ký tự đó rồi gửi lại",
        c as u32
    )
}

#[cfg(test)]
mod control_tests {
    use super::forbidden_control;

    #[test]
    fn only_tab_and_line_breaks_pass_among_controls() {
        assert_eq!(forbidden_control("Kết quả\tđạt\r\n100%"), None);
        assert_eq!(forbidden_control("a\u{0}b"), Some('\u{0}'));
        assert_eq!(forbidden_control("\u{1b}[31m"), Some('\u{1b}'));
        assert_eq!(forbidden_control("x\u{7f}"), Some('\u{7f}'));
        assert_eq!(forbidden_control("x\u{85}"), Some('\u{85}'));
        assert_eq!(forbidden_control("Xã Đông Hòa — 2026"), None);
    }
}
