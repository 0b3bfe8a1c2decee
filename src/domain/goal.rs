//! Target goals ("chỉ tiêu"): a comparator and a number, parsed from the
//! value cells of a target table (`≥ 90`, `$\geq 1,1$`, `Top 20`, `100`) or
//! from a sentence of the narrative ("đạt tối thiểu 40%", "không quá 5%").
//!
//! Plans write goals loosely, so parsing is forgiving: LaTeX and Markdown
//! remnants are stripped, the decimal comma is accepted, and a bare number
//! means "at least" because that is how every seed plan uses it.

use serde::{Deserialize, Serialize};

/// How a measured figure is compared with the goal value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Comparator {
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "=")]
    Eq,
    /// A rank goal: "Top 20" is met by any rank from 1 to 20.
    #[serde(rename = "top")]
    Top,
}

/// Whether a bigger measured number is an improvement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    HigherIsBetter,
    LowerIsBetter,
}

/// One goal of a target, for one year (or for no particular year).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Goal {
    pub year: Option<i32>,
    pub op: Comparator,
    pub value: f64,
    /// The cleaned source text, kept so a person can see what was written.
    pub text: String,
}

/// Tolerance for `=` goals: figures are typed by people and often rounded.
const EQ_EPSILON: f64 = 1e-6;

impl Goal {
    /// Parses a goal cell. Returns `None` when the cell is empty or holds no
    /// number (a goal without a number cannot be checked).
    pub fn parse(text: &str, year: Option<i32>) -> Option<Goal> {
        let cleaned = clean_goal_text(text);
        if cleaned.is_empty() {
            return None;
        }
        let (start, end, value) = find_number(&cleaned)?;
        let before = cleaned[..start].to_lowercase();
        let after = cleaned[end..].to_lowercase();
        let op = operator_before(&before, true)
            .or_else(|| operator_after(&after))
            .unwrap_or(Comparator::Ge);
        Some(Goal {
            year,
            op,
            value,
            text: cleaned,
        })
    }

    /// Finds a goal inside a narrative sentence: the first percentage, with
    /// the comparator words right before it ("đạt tối thiểu 40%") or right
    /// after it ("đạt 98% trở lên"). Only percentages count, because bare
    /// numbers in sentences are mostly years, counts of documents or dates.
    pub fn parse_in_sentence(sentence: &str, year: Option<i32>) -> Option<Goal> {
        let cleaned = clean_goal_text(sentence);
        let mut offset = 0;
        while offset < cleaned.len() {
            let rest = &cleaned[offset..];
            let (start, end, value) = find_number(rest)?;
            let (abs_start, abs_end) = (offset + start, offset + end);
            let tail = &cleaned[abs_end..];
            let tail_trim = tail.trim_start();
            if let Some(after_pct) = tail_trim.strip_prefix('%') {
                let before = cleaned[..abs_start].to_lowercase();
                let after = after_pct.to_lowercase();
                let (op, phrase_start) = match operator_phrase_before(&before) {
                    // Lower-casing can change byte lengths; never cut outside the text.
                    Some((op, len)) => (op, abs_start.checked_sub(len).unwrap_or(abs_start)),
                    None => (operator_after(&after).unwrap_or(Comparator::Ge), abs_start),
                };
                let mut phrase_end = abs_end + (tail.len() - tail_trim.len()) + 1;
                let after_trim = after_pct.trim_start();
                for suffix in ["trở lên", "trở xuống"] {
                    if after_trim.to_lowercase().starts_with(suffix) {
                        let skipped = after_pct.len() - after_trim.len();
                        // Byte length of the suffix is the same in lower case.
                        phrase_end += skipped + suffix.len();
                    }
                }
                let text = cleaned
                    .get(phrase_start..phrase_end)
                    .unwrap_or(&cleaned[abs_start..abs_end])
                    .trim()
                    .to_string();
                return Some(Goal {
                    year,
                    op,
                    value,
                    text,
                });
            }
            offset = abs_end.max(offset + 1);
            while offset < cleaned.len() && !cleaned.is_char_boundary(offset) {
                offset += 1;
            }
        }
        None
    }

    /// True when `measured` satisfies the goal. For `Top N` the measured
    /// figure is a rank, where 1 is best.
    pub fn is_met_by(&self, measured: f64) -> bool {
        if !measured.is_finite() {
            return false;
        }
        match self.op {
            Comparator::Ge => measured >= self.value,
            Comparator::Gt => measured > self.value,
            Comparator::Le => measured <= self.value,
            Comparator::Lt => measured < self.value,
            Comparator::Eq => (measured - self.value).abs() <= EQ_EPSILON,
            Comparator::Top => measured >= 1.0 && measured <= self.value,
        }
    }

    /// Which way progress goes; a rank improves as its number falls.
    pub fn direction(&self) -> Direction {
        match self.op {
            Comparator::Le | Comparator::Lt | Comparator::Top => Direction::LowerIsBetter,
            Comparator::Ge | Comparator::Gt | Comparator::Eq => Direction::HigherIsBetter,
        }
    }
}

/// Removes LaTeX math, Markdown emphasis and stray spaces from a goal cell:
/// `$\geq 1,1$` becomes `≥ 1,1`.
pub fn clean_goal_text(text: &str) -> String {
    let mut s = text.to_string();
    // Longest commands first so `\geq` is not read as `\ge` + `q`.
    for (from, to) in [
        ("\\geqslant", "≥"),
        ("\\leqslant", "≤"),
        ("\\geq", "≥"),
        ("\\leq", "≤"),
        ("\\ge", "≥"),
        ("\\le", "≤"),
        ("\\gt", ">"),
        ("\\lt", "<"),
        ("\\%", "%"),
        ("\\,", " "),
        ("$", ""),
        ("**", ""),
        ("⩾", "≥"),
        ("⩽", "≤"),
    ] {
        s = s.replace(from, to);
    }
    s = s.replace(['*', '\u{a0}'], " ");
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Reads a number written with a decimal comma or point: `1,1` → 1.1,
/// `0.79` → 0.79, `01` → 1. A point followed by exactly three digits after a
/// non-zero integer part is a Vietnamese thousands separator (`1.000` →
/// 1000); several separators of one kind are thousands too (`1.000.000`).
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim().trim_end_matches('%').trim();
    let (negative, body) = match t.strip_prefix('-').or_else(|| t.strip_prefix('−')) {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t.strip_prefix('+').unwrap_or(t).trim_start()),
    };
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        || !body.starts_with(|c: char| c.is_ascii_digit())
        || !body.ends_with(|c: char| c.is_ascii_digit())
    {
        return None;
    }
    let normalised = normalise_separators(body)?;
    let value: f64 = normalised.parse().ok()?;
    Some(if negative { -value } else { value })
}

/// Turns a digits-and-separators token into a Rust float literal.
fn normalise_separators(body: &str) -> Option<String> {
    let points = body.matches('.').count();
    let commas = body.matches(',').count();
    match (points, commas) {
        (0, 0) => Some(body.to_string()),
        (p, c) if p > 0 && c > 0 => {
            // Both kinds: the last one is the decimal separator.
            let last_point = body.rfind('.')?;
            let last_comma = body.rfind(',')?;
            let (thousands, decimal) = if last_point > last_comma {
                (',', '.')
            } else {
                ('.', ',')
            };
            if body.matches(decimal).count() > 1 {
                return None;
            }
            Some(body.replace(thousands, "").replace(decimal, "."))
        }
        (p, 0) if p > 1 => Some(body.replace('.', "")),
        (0, c) if c > 1 => Some(body.replace(',', "")),
        (1, 0) => {
            let (int, frac) = body.split_once('.')?;
            let thousands = frac.len() == 3 && !int.trim_start_matches('0').is_empty();
            Some(if thousands {
                format!("{int}{frac}")
            } else {
                body.to_string()
            })
        }
        _ => Some(body.replace(',', ".")),
    }
}

/// Finds the first number token: byte start, byte end and its value. A
/// separator counts only when a digit follows it, so "40%, và" stops at 40.
fn find_number(s: &str) -> Option<(usize, usize, f64)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            let mut end = i;
            while end < bytes.len() {
                let b = bytes[end];
                let separator_then_digit = (b == b'.' || b == b',')
                    && bytes.get(end + 1).is_some_and(|n| n.is_ascii_digit());
                if !(b.is_ascii_digit() || separator_then_digit) {
                    break;
                }
                end += 1;
            }
            if let Some(value) = parse_number(&s[start..end]) {
                return Some((start, end, value));
            }
            i = end;
        } else {
            i += 1;
        }
    }
    None
}

/// Comparator words that may stand right before a number, longest first so
/// "không thấp hơn" wins over "hơn". Keys are lower case.
const BEFORE_WORDS: &[(&str, Comparator)] = &[
    ("không thấp hơn", Comparator::Ge),
    ("không ít hơn", Comparator::Ge),
    ("không dưới", Comparator::Ge),
    ("không vượt quá", Comparator::Le),
    ("không cao hơn", Comparator::Le),
    ("không quá", Comparator::Le),
    ("không trên", Comparator::Le),
    ("tối thiểu", Comparator::Ge),
    ("ít nhất", Comparator::Ge),
    ("tối đa", Comparator::Le),
    ("thấp hơn", Comparator::Lt),
    ("nhiều hơn", Comparator::Gt),
    ("cao hơn", Comparator::Gt),
    ("vượt", Comparator::Gt),
    ("trên", Comparator::Gt),
    ("hơn", Comparator::Gt),
    ("dưới", Comparator::Lt),
    ("top", Comparator::Top),
    ("thứ", Comparator::Top),
    ("từ", Comparator::Ge),
    (">=", Comparator::Ge),
    ("=>", Comparator::Ge),
    ("<=", Comparator::Le),
    ("=<", Comparator::Le),
    ("≥", Comparator::Ge),
    ("≤", Comparator::Le),
    (">", Comparator::Gt),
    ("<", Comparator::Lt),
    ("=", Comparator::Eq),
];

/// The comparator written right before a number. In a cell (`whole_prefix`)
/// the whole prefix is examined, since the cell is about one goal only.
fn operator_before(before: &str, whole_prefix: bool) -> Option<Comparator> {
    if let Some((op, _)) = operator_phrase_before(before) {
        return Some(op);
    }
    if whole_prefix {
        let t = before.trim();
        for (word, op) in BEFORE_WORDS {
            if t.starts_with(word) {
                return Some(*op);
            }
        }
    }
    None
}

/// The comparator phrase ending right before a number, and its byte length
/// (including the spaces between it and the number).
fn operator_phrase_before(before: &str) -> Option<(Comparator, usize)> {
    let trimmed = before.trim_end();
    let spaces = before.len() - trimmed.len();
    for (word, op) in BEFORE_WORDS {
        if let Some(head) = trimmed.strip_suffix(word) {
            // A word must start at a word boundary ("thứ" not inside "thứ tự").
            let is_symbol = !word.starts_with(|c: char| c.is_alphabetic());
            if is_symbol || head.is_empty() || head.ends_with(|c: char| !c.is_alphanumeric()) {
                return Some((*op, word.len() + spaces));
            }
        }
    }
    None
}

/// The comparator written after the number ("98% trở lên").
fn operator_after(after: &str) -> Option<Comparator> {
    let t = after.trim_start().trim_start_matches('%').trim_start();
    if t.starts_with("trở lên") {
        Some(Comparator::Ge)
    } else if t.starts_with("trở xuống") {
        Some(Comparator::Le)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goal(text: &str) -> Goal {
        match Goal::parse(text, Some(2026)) {
            Some(g) => g,
            None => panic!("no goal parsed from {text:?}"),
        }
    }

    fn check(text: &str, op: Comparator, value: f64) {
        let g = goal(text);
        assert_eq!(g.op, op, "op of {text:?}");
        assert!(
            (g.value - value).abs() < 1e-12,
            "value of {text:?}: {}",
            g.value
        );
    }

    #[test]
    fn every_goal_form_of_the_target_table_is_parsed() {
        check("100", Comparator::Ge, 100.0);
        check("70", Comparator::Ge, 70.0);
        check(
            "$\\geq 1,1$ và không thấp hơn chỉ tiêu tỉnh giao",
            Comparator::Ge,
            1.1,
        );
        check("$\\geq 1,5$", Comparator::Ge, 1.5);
        check("≥ 2", Comparator::Ge, 2.0);
        check("≥ 3", Comparator::Ge, 3.0);
        check("≥ 90", Comparator::Ge, 90.0);
        check("≥ 45", Comparator::Ge, 45.0);
        check("Top 20", Comparator::Top, 20.0);
        check("Top 10", Comparator::Top, 10.0);
        check("10", Comparator::Ge, 10.0);
        check("≥ 20", Comparator::Ge, 20.0);
        check("≥ 0.79", Comparator::Ge, 0.79);
        check("> 0.8", Comparator::Gt, 0.8);
        check("0", Comparator::Ge, 0.0);
        check("2", Comparator::Ge, 2.0);
        check("≥ 0.725", Comparator::Ge, 0.725);
        check("≥ 0.75", Comparator::Ge, 0.75);
        check("95", Comparator::Ge, 95.0);
        check("80", Comparator::Ge, 80.0);
    }

    #[test]
    fn common_written_forms_are_parsed() {
        check(">=80", Comparator::Ge, 80.0);
        check("≤ 5", Comparator::Le, 5.0);
        check("< 3", Comparator::Lt, 3.0);
        check("Tối thiểu 80%", Comparator::Ge, 80.0);
        check("Trên 60%", Comparator::Gt, 60.0);
        check("Đạt 100%", Comparator::Ge, 100.0);
        check("= 1", Comparator::Eq, 1.0);
        check("Thứ 15", Comparator::Top, 15.0);
        check("98% trở lên", Comparator::Ge, 98.0);
        check("Không quá 5%", Comparator::Le, 5.0);
        check("$\\leq 4$", Comparator::Le, 4.0);
        check("$\\ge 7$", Comparator::Ge, 7.0);
    }

    #[test]
    fn latex_is_removed_from_the_kept_text() {
        let g = goal("$\\geq 1,1$ và không thấp hơn chỉ tiêu tỉnh giao");
        assert_eq!(g.text, "≥ 1,1 và không thấp hơn chỉ tiêu tỉnh giao");
        assert_eq!(g.year, Some(2026));
    }

    #[test]
    fn empty_or_numberless_cells_have_no_goal() {
        assert_eq!(Goal::parse("", None), None);
        assert_eq!(Goal::parse("   ", None), None);
        assert_eq!(Goal::parse("Hoàn thành", None), None);
        assert_eq!(Goal::parse("$$", None), None);
    }

    #[test]
    fn goals_are_found_inside_sentences() {
        let cases = [
            (
                "Tỷ lệ doanh nghiệp đạt tối thiểu 40%",
                Comparator::Ge,
                40.0,
                "tối thiểu 40%",
            ),
            ("Kinh tế số chiếm 45% GRDP", Comparator::Ge, 45.0, "45%"),
            (
                "tỷ lệ dân số đạt trên 60%.",
                Comparator::Gt,
                60.0,
                "trên 60%",
            ),
            (
                "hài lòng đạt 98% trở lên",
                Comparator::Ge,
                98.0,
                "98% trở lên",
            ),
            (
                "tỷ lệ hồ sơ trễ hạn không quá 5%",
                Comparator::Le,
                5.0,
                "không quá 5%",
            ),
            ("tỷ lệ lỗi dưới 10%", Comparator::Lt, 10.0, "dưới 10%"),
            (
                "chi ngân sách đạt tối thiểu 1,1% và không thấp hơn",
                Comparator::Ge,
                1.1,
                "tối thiểu 1,1%",
            ),
        ];
        for (sentence, op, value, text) in cases {
            let g = Goal::parse_in_sentence(sentence, Some(2030));
            let Some(g) = g else {
                panic!("no goal in {sentence:?}");
            };
            assert_eq!(g.op, op, "{sentence}");
            assert!((g.value - value).abs() < 1e-12, "{sentence}");
            assert_eq!(g.text, text, "{sentence}");
            assert_eq!(g.year, Some(2030));
        }
    }

    #[test]
    fn sentences_without_a_percentage_have_no_goal() {
        assert_eq!(
            Goal::parse_in_sentence("giai đoạn 2026 - 2030, tầm nhìn 2045", None),
            None
        );
        assert_eq!(Goal::parse_in_sentence("", None), None);
    }

    #[test]
    fn numbers_accept_the_decimal_comma_and_point() {
        assert_eq!(parse_number("1,1"), Some(1.1));
        assert_eq!(parse_number("0,725"), Some(0.725));
        assert_eq!(parse_number("0.725"), Some(0.725));
        assert_eq!(parse_number("0.79"), Some(0.79));
        assert_eq!(parse_number("01"), Some(1.0));
        assert_eq!(parse_number("1.000"), Some(1000.0));
        assert_eq!(parse_number("1.000.000"), Some(1_000_000.0));
        assert_eq!(parse_number("1.234,5"), Some(1234.5));
        assert_eq!(parse_number("95%"), Some(95.0));
        assert_eq!(parse_number("-2,5"), Some(-2.5));
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_number("1,"), None);
        assert_eq!(parse_number("1,2,3,4"), Some(1234.0));
    }

    #[test]
    fn each_comparator_checks_a_measured_figure() {
        let g = |op, value| Goal {
            year: None,
            op,
            value,
            text: String::new(),
        };
        assert!(g(Comparator::Ge, 1.1).is_met_by(1.1));
        assert!(!g(Comparator::Ge, 1.1).is_met_by(1.09));
        assert!(g(Comparator::Gt, 0.8).is_met_by(0.81));
        assert!(!g(Comparator::Gt, 0.8).is_met_by(0.8));
        assert!(g(Comparator::Le, 5.0).is_met_by(5.0));
        assert!(!g(Comparator::Le, 5.0).is_met_by(5.1));
        assert!(g(Comparator::Lt, 3.0).is_met_by(2.9));
        assert!(!g(Comparator::Lt, 3.0).is_met_by(3.0));
        assert!(g(Comparator::Eq, 1.0).is_met_by(1.000_000_1));
        assert!(!g(Comparator::Eq, 1.0).is_met_by(1.01));
        assert!(g(Comparator::Top, 20.0).is_met_by(1.0));
        assert!(g(Comparator::Top, 20.0).is_met_by(20.0));
        assert!(!g(Comparator::Top, 20.0).is_met_by(21.0));
        assert!(!g(Comparator::Top, 20.0).is_met_by(0.0));
        assert!(!g(Comparator::Ge, 1.0).is_met_by(f64::NAN));
        // Decimal comma goals compare as numbers.
        assert!(goal("$\\geq 1,1$").is_met_by(1.2));
        assert!(!goal("$\\geq 1,1$").is_met_by(1.0));
    }

    #[test]
    fn ranks_and_ceilings_prefer_lower_numbers() {
        assert_eq!(goal("Top 20").direction(), Direction::LowerIsBetter);
        assert_eq!(goal("≤ 5").direction(), Direction::LowerIsBetter);
        assert_eq!(goal("< 3").direction(), Direction::LowerIsBetter);
        assert_eq!(goal("≥ 90").direction(), Direction::HigherIsBetter);
        assert_eq!(goal("= 1").direction(), Direction::HigherIsBetter);
    }

    #[test]
    fn goals_serialise_with_symbolic_comparators() {
        let json = serde_json::to_string(&goal("Top 20")).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"year":2026,"op":"top","value":20.0,"text":"Top 20"}"#
        );
        let json = serde_json::to_string(&goal("≥ 90")).unwrap_or_default();
        assert!(json.contains(r#""op":">=""#), "{json}");
    }
}
