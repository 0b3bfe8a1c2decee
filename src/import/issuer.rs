//! The issuer as the header block prints it: in capitals, in the left cell
//! of the layout table, often over two lines (`ỦY BAN NHÂN DÂN` / `TỈNH
//! QUẢNG TRỊ`), sometimes under the parent body (`ĐẢNG BỘ TỈNH …` / `BAN
//! THƯỜNG VỤ TỈNH ỦY`, `UBND TỈNH …` / `SỞ …`). The issuer is the last
//! name of that cell, written the way the body writes it.

use crate::domain::text::fold_vietnamese;

/// Words that begin the name of a body, in lower case, longest first so
/// that "ban thường vụ" wins over "ban". Matching keeps the diacritics:
/// "PHONG QUANG" is a place, "PHÒNG" a department.
const HEADS: &[(&str, &str)] = &[
    ("ủy ban nhân dân", "Ủy ban nhân dân"),
    ("hội đồng nhân dân", "Hội đồng nhân dân"),
    ("ban thường vụ", "Ban Thường vụ"),
    ("ban chấp hành", "Ban Chấp hành"),
    ("ban chỉ đạo", "Ban Chỉ đạo"),
    ("văn phòng", "Văn phòng"),
    ("trung tâm", "Trung tâm"),
    ("công an", "Công an"),
    ("đảng ủy", "Đảng ủy"),
    ("đảng bộ", "Đảng bộ"),
    ("tỉnh ủy", "Tỉnh ủy"),
    ("thành ủy", "Thành ủy"),
    ("huyện ủy", "Huyện ủy"),
    ("ubnd", "UBND"),
    ("hđnd", "HĐND"),
    ("sở", "Sở"),
    ("ban", "Ban"),
    ("phòng", "Phòng"),
];

/// Administrative levels, written in lower case inside a name.
const LEVELS: &[(&str, &str)] = &[
    ("thành phố", "thành phố"),
    ("đặc khu", "đặc khu"),
    ("thị trấn", "thị trấn"),
    ("thị xã", "thị xã"),
    ("tỉnh", "tỉnh"),
    ("xã", "xã"),
    ("phường", "phường"),
    ("huyện", "huyện"),
];

/// Lower case with one spelling of the syllables written two ways
/// (`uỷ`/`ủy`, `hoá`/`hóa`), diacritics kept.
fn key(word: &str) -> String {
    crate::domain::text::nfc(&word.to_lowercase())
        .replace("uỷ", "ủy")
        .replace("oá", "óa")
        .replace("oà", "òa")
}

/// The head phrase starting at `words[i]`: its length in words and its
/// written form.
fn head_at(folded: &[String], i: usize) -> Option<(usize, &'static str)> {
    HEADS.iter().find_map(|(key, written)| {
        let parts: Vec<&str> = key.split(' ').collect();
        let fits = parts
            .iter()
            .enumerate()
            .all(|(k, p)| folded.get(i + k).is_some_and(|w| w == p));
        fits.then_some((parts.len(), *written))
    })
}

/// Splits the issuer cell into the names it holds; each name starts with a
/// head phrase that follows a name already complete (a head and at least
/// one more word), so "BAN THƯỜNG VỤ TỈNH ỦY" stays one name.
fn names(words: &[&str]) -> Vec<Vec<usize>> {
    let folded: Vec<String> = words.iter().map(|w| key(w)).collect();
    let mut out: Vec<Vec<usize>> = Vec::new();
    let mut i = 0;
    let mut head_end = 0;
    while i < words.len() {
        let starts_new = out.is_empty() || i > head_end;
        match head_at(&folded, i) {
            Some((len, _)) if starts_new => {
                out.push((i..i + len).collect());
                head_end = i + len;
                i += len;
            }
            _ => {
                match out.last_mut() {
                    Some(name) => name.push(i),
                    None => out.push(vec![i]),
                }
                i += 1;
            }
        }
    }
    out
}

/// Writes an upper-case name the way the body does: "ỦY BAN NHÂN DÂN TỈNH
/// QUẢNG TRỊ" → "Ủy ban nhân dân tỉnh Quảng Trị". A name not in capitals is
/// kept as written.
fn written(words: &[&str]) -> String {
    let text = words.join(" ");
    if text.chars().any(char::is_lowercase) {
        return text;
    }
    let folded: Vec<String> = words.iter().map(|w| key(w)).collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    // After the level ("tỉnh") every word belongs to the place name.
    let mut in_place = false;
    while i < words.len() {
        if in_place {
            out.push(proper(words[i]));
            i += 1;
            continue;
        }
        if let Some((len, form)) = head_at(&folded, i) {
            out.push(form.to_string());
            i += len;
            continue;
        }
        let level = LEVELS.iter().find(|(level_key, _)| {
            level_key
                .split(' ')
                .enumerate()
                .all(|(k, p)| folded.get(i + k).is_some_and(|w| w == p))
        });
        if let Some((level_key, form)) = level {
            out.push(form.to_string());
            i += level_key.split(' ').count();
            in_place = true;
            continue;
        }
        out.push(match folded[i].as_str() {
            "và" => "và".to_string(),
            _ => proper(words[i]),
        });
        i += 1;
    }
    out.join(" ")
}

/// "QUẢNG" → "Quảng", "RỊA-VŨNG" → "Rịa-Vũng".
fn proper(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    let mut start = true;
    for c in word.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = c == '-';
    }
    out
}

/// The issuer of a header cell (its lines joined), cut before the national
/// or Party motto when a paste glued them together. `None` when the cell
/// names no body.
pub fn issuer_of_cell(cell: &str) -> Option<Issuer> {
    let all_words: Vec<&str> = cell.split_whitespace().collect();
    let folded: Vec<String> = all_words.iter().map(|w| fold_vietnamese(w)).collect();
    let motto = [
        &["cong", "hoa"][..],
        &["dang", "cong", "san"],
        &["doc", "lap"],
    ];
    let cut = (0..all_words.len())
        .find(|&i| {
            motto.iter().any(|m| {
                m.iter()
                    .enumerate()
                    .all(|(k, w)| folded.get(i + k).is_some_and(|f| f == w))
            })
        })
        .unwrap_or(all_words.len());
    let words: Vec<&str> = all_words[..cut]
        .iter()
        .copied()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .collect();
    let all = names(&words);
    let last = all.last()?;
    let name_words: Vec<&str> = last.iter().map(|&i| words[i]).collect();
    let folded_words: Vec<String> = name_words.iter().map(|w| key(w)).collect();
    let (head_len, head) = head_at(&folded_words, 0)?;
    // "ĐẢNG BỘ XÃ …" is the parent body of a Party header; alone it does not
    // say which committee issued the plan.
    if head == "Đảng bộ" {
        return None;
    }
    Some(Issuer {
        name: written(&name_words),
        complete: name_words.len() > head_len,
    })
}

/// An issuer read from the layout; `complete` is false for a bare "Ủy ban
/// nhân dân" whose level and place the page lost.
#[derive(Debug, Clone, PartialEq)]
pub struct Issuer {
    pub name: String,
    pub complete: bool,
}

/// Completes a bare issuer with the level and place that the title or body
/// name together ("… trên địa bàn tỉnh Nghệ An" with place "Nghệ An").
pub fn complete_with(issuer: &str, place: &str, texts: &[&str]) -> Option<String> {
    let place_key = fold_vietnamese(place);
    for text in texts {
        let folded = fold_vietnamese(text);
        for (level_key, form) in LEVELS {
            if folded.contains(&format!("{} {place_key}", fold_vietnamese(level_key))) {
                return Some(format!("{issuer} {form} {place}"));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(cell: &str) -> Option<(String, bool)> {
        issuer_of_cell(cell).map(|i| (i.name, i.complete))
    }

    #[test]
    fn an_issuer_over_two_lines_is_one_name_in_body_case() {
        assert_eq!(
            name("ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ"),
            Some(("Ủy ban nhân dân tỉnh Quảng Trị".into(), true))
        );
        assert_eq!(
            name("ỦY BAN NHÂN DÂN XÃ TỊNH TRÀ"),
            Some(("Ủy ban nhân dân xã Tịnh Trà".into(), true))
        );
        assert_eq!(
            name("ỦY BAN NHÂN DÂN TỈNH BÀ RỊA-VŨNG TÀU"),
            Some(("Ủy ban nhân dân tỉnh Bà Rịa-Vũng Tàu".into(), true))
        );
        assert_eq!(
            name("ỦY BAN NHÂN DÂN"),
            Some(("Ủy ban nhân dân".into(), false))
        );
    }

    #[test]
    fn the_parent_body_above_the_issuer_is_left_out() {
        assert_eq!(
            name("ĐẢNG BỘ TỈNH QUẢNG TRỊ BAN THƯỜNG VỤ TỈNH ỦY *"),
            Some(("Ban Thường vụ Tỉnh ủy".into(), true))
        );
        assert_eq!(name("ĐẢNG BỘ XÃ ĐỒNG TÂM"), None);
        assert_eq!(
            name("UBND TỈNH QUẢNG TRỊ SỞ KHOA HỌC VÀ CÔNG NGHỆ"),
            Some(("Sở Khoa Học và Công Nghệ".into(), true))
        );
        assert_eq!(
            name("ĐẢNG ỦY XÃ PHONG QUANG"),
            Some(("Đảng ủy xã Phong Quang".into(), true))
        );
        assert_eq!(
            name("UBND tỉnh Quảng Trị"),
            Some(("UBND tỉnh Quảng Trị".into(), true))
        );
    }

    #[test]
    fn a_motto_glued_to_the_issuer_is_cut_off() {
        assert_eq!(
            name("ỦY BAN NHÂN DÂN TỈNH X CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
            Some(("Ủy ban nhân dân tỉnh X".into(), true))
        );
        assert_eq!(name("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), None);
    }

    #[test]
    fn a_bare_issuer_is_completed_from_the_title() {
        assert_eq!(
            complete_with(
                "Ủy ban nhân dân",
                "Nghệ An",
                &["KẾ HOẠCH TRIỂN KHAI … TRÊN ĐỊA BÀN TỈNH NGHỆ AN"]
            )
            .as_deref(),
            Some("Ủy ban nhân dân tỉnh Nghệ An")
        );
    }
}
