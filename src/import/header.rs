//! The plan header (number, place and date, issuer, title), the appendix
//! caption that often carries the number and date a draft header left
//! blank, and the basis documents cited in "Căn cứ …" / "Thực hiện …".

use chrono::NaiveDate;

use super::issuer::{Issuer, complete_with, issuer_of_cell};
use super::model::{BasisRef, ImportWarning, PlanInfo, non_empty};
use super::sections::{Para, roman_heading};
use crate::domain::text::fold_vietnamese;

/// Only the first paragraphs can be the header; later "Số" or "ngày"
/// belong to the body. A header block pasted from a web page spreads over
/// more paragraphs (issuer and motto lines, rules), hence the margin.
const HEADER_SPAN: usize = 14;

/// Reads number, date, place, issuer and title. The header block (issuer
/// and motto, then number and place-date) comes first; the appendix
/// caption and the body only fill what it left out.
pub fn read_header(paras: &[Para<'_>], warnings: &mut Vec<ImportWarning>) -> PlanInfo {
    let mut info = PlanInfo::default();
    let span = &paras[..paras.len().min(HEADER_SPAN)];
    let kind_at = span.iter().position(|p| kind_rest(p.text).is_some());
    let head_len = kind_at.unwrap_or_else(|| {
        span.iter()
            .position(|p| p.text.chars().count() > 150)
            .unwrap_or(span.len())
    });
    let head = &span[..head_len];
    let number_line_seen = read_number_place_date(head, &mut info, warnings);
    if let Some(i) = kind_at {
        info.title = title_after(&paras[i..]);
    }
    read_caption(paras, &mut info);
    let layout = layout_issuer(head);
    info.issuer = match layout {
        Some(l) if l.complete => Some(l.name),
        other => info
            .issuer
            .take()
            .or_else(|| issuer_from_body(paras, info.place.as_deref()))
            .or_else(|| other.map(|l| complete_issuer(l.name, &info, paras))),
    };
    if info.place.is_none() {
        // "Ban Thường vụ Đảng ủy xã Phong Quang" names the commune.
        info.place = info
            .issuer
            .as_deref()
            .and_then(|i| {
                i.split_once(" xã ")
                    .or_else(|| i.split_once(" phường "))
                    .or_else(|| i.split_once(" tỉnh "))
            })
            .map(|(_, p)| p.trim().to_string());
    }
    if info.number.is_none() && !number_line_seen {
        warnings.push(ImportWarning {
            line: 1,
            message: "Không tìm thấy số kế hoạch".to_string(),
        });
    }
    info
}

/// The number line ("Số: 217/KH-UBND") and the place-date line of the
/// header block. Returns whether a number line was seen, blank or not.
fn read_number_place_date(
    head: &[Para<'_>],
    info: &mut PlanInfo,
    warnings: &mut Vec<ImportWarning>,
) -> bool {
    let mut number_line_seen = false;
    for p in head {
        let folded = fold_vietnamese(p.text);
        if info.number.is_none() && (folded.starts_with("so:") || folded.starts_with("so ")) {
            number_line_seen = true;
            match document_number(p.text.get("Số".len()..).unwrap_or("")) {
                Some(n) => info.number = Some(n),
                None => warnings.push(ImportWarning {
                    line: p.line,
                    message: format!("Số kế hoạch để trống («{}»)", p.text),
                }),
            }
        } else if info.place.is_none()
            && let Some((place, date)) = place_and_date(p.text)
        {
            info.place = non_blank(place);
            match date {
                Some(d) => info.date = Some(d),
                None => warnings.push(ImportWarning {
                    line: p.line,
                    message: format!("Ngày ban hành chưa đầy đủ («{}»)", p.text),
                }),
            }
        }
    }
    number_line_seen
}

/// The issuer cell of the header block: the upper-case lines before the
/// motto, the number and the place-date line, read as one name.
fn layout_issuer(head: &[Para<'_>]) -> Option<Issuer> {
    let mut lines: Vec<&str> = Vec::new();
    for p in head {
        let folded = fold_vietnamese(p.text);
        if folded.starts_with("so:") || folded.starts_with("so ") || p.text.contains(", ngày") {
            break;
        }
        let letters = p.text.chars().filter(|c| c.is_alphabetic());
        if letters.clone().count() > 0 && letters.clone().all(char::is_uppercase) {
            lines.push(p.text);
        } else if !lines.is_empty() {
            break;
        }
        if folded.contains("cong hoa xa hoi") || folded.starts_with("dang cong san") {
            break;
        }
    }
    issuer_of_cell(&lines.join(" "))
}

/// A bare "Ủy ban nhân dân" completed with the level and place that the
/// title or the opening paragraphs name.
fn complete_issuer(bare: String, info: &PlanInfo, paras: &[Para<'_>]) -> String {
    let Some(place) = info.place.as_deref() else {
        return bare;
    };
    let mut texts: Vec<&str> = info.title.iter().map(String::as_str).collect();
    texts.extend(paras.iter().take(HEADER_SPAN * 2).map(|p| p.text));
    complete_with(&bare, place, &texts).unwrap_or(bare)
}

/// The rest of a line that opens the plan ("KẾ HOẠCH", "KẾ HOẠCH HÀNH
/// ĐỘNG …", "QUYẾT ĐỊNH", "CHƯƠNG TRÌNH"): `Some("")` when the title is on
/// the next lines.
fn kind_rest(text: &str) -> Option<String> {
    let t = text.trim_start_matches('#').trim();
    let rest = ["KẾ HOẠCH", "QUYẾT ĐỊNH", "CHƯƠNG TRÌNH"]
        .iter()
        .find_map(|k| t.strip_prefix(k))?;
    if rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    let rest = rest.trim_start();
    let rest = rest.strip_prefix("HÀNH ĐỘNG").unwrap_or(rest);
    Some(rest.trim().to_string())
}

/// The title: the rest of the kind line, or the lines after it — all the
/// upper-case lines of a title in capitals, or up to four lines of a title
/// in sentence case, stopping at the basis or the first section.
fn title_after(paras: &[Para<'_>]) -> Option<String> {
    let rest = kind_rest(paras.first()?.text)?;
    if !rest.is_empty() {
        return Some(rest);
    }
    let mut parts: Vec<&str> = Vec::new();
    let mut upper = false;
    for p in paras.iter().skip(1).take(10) {
        let t = p.text;
        let caps = t
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase);
        if parts.is_empty() {
            parts.push(t);
            upper = caps;
            continue;
        }
        let ends_section = roman_heading(t).is_some()
            || ["PHẦN", "Phần", "PHỤ LỤC", "Phụ lục"]
                .iter()
                .any(|w| t.starts_with(w));
        if ends_section || upper != caps {
            break;
        }
        let starts_body = [
            "Căn cứ",
            "Thực hiện",
            "Triển khai",
            "Theo đề nghị",
            "Nhằm",
            "Để ",
            "- ",
            "+ ",
        ]
        .iter()
        .any(|w| t.starts_with(w))
            || t.starts_with(|c: char| c.is_ascii_digit())
            || t.ends_with([':', ';', '.'])
            || t.chars().count() > 250;
        if !upper && (starts_body || parts.len() >= 4) {
            break;
        }
        parts.push(t);
    }
    non_empty(&parts.join(" "))
}

fn non_blank(s: &str) -> Option<String> {
    let t = s
        .trim()
        .trim_matches(|c: char| c == ',' || c.is_whitespace());
    (!t.is_empty()).then(|| t.to_string())
}

/// A document number such as `60-KH/ĐU`, `06/KH-UBND`, `193/2025/QH15`.
/// A blank number (`/KH-UBND`, `_____ /KH-UBND`) is `None`.
pub fn document_number(s: &str) -> Option<String> {
    let s = s.trim_start_matches([':', ' ']);
    let token = s.split_whitespace().next()?;
    let token = token.trim_end_matches([',', '.', ';', ':', ')']);
    let valid = token.starts_with(|c: char| c.is_ascii_digit())
        && (token.contains('/') || token.contains('-'));
    valid.then(|| token.to_string())
}

/// "Lâm Thao, ngày 23 tháng 01 năm 2026": place and (when the day is
/// written) the date.
fn place_and_date(text: &str) -> Option<(&str, Option<NaiveDate>)> {
    let at = text.find(", ngày")?;
    let (place, rest) = text.split_at(at);
    // A place is a short name; longer text is a citation with a date.
    if place.split_whitespace().count() > 5 || place.contains(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let rest = &rest[", ngày".len()..];
    if !rest.contains("tháng") || !rest.contains("năm") {
        return None;
    }
    Some((place, long_date(rest)))
}

/// "23 tháng 01 năm 2026" (day may be missing → None).
fn long_date(s: &str) -> Option<NaiveDate> {
    let (day, rest) = s.split_once("tháng")?;
    let (month, rest) = rest.split_once("năm")?;
    let year: String = rest
        .trim()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    let day: u32 = day.trim().parse().ok()?;
    let month: u32 = month.trim().parse().ok()?;
    NaiveDate::from_ymd_opt(year.parse().ok()?, month, day)
}

/// "22/12/2024" or "22-12-2024".
fn short_date(token: &str) -> Option<NaiveDate> {
    let token = token.trim_end_matches([',', '.', ';', ':', ')']);
    let parts: Vec<&str> = token.split(['/', '-', '.']).collect();
    if parts.len() != 3 {
        return None;
    }
    let day = parts[0].parse().ok()?;
    let month = parts[1].parse().ok()?;
    let year = parts[2].parse().ok()?;
    NaiveDate::from_ymd_opt(year, month, day)
}

/// A date at the start of `words` (after "ngày"): short or long form.
/// Returns the date and how many words it used.
fn date_at(words: &[&str]) -> Option<(NaiveDate, usize)> {
    let first = words.first()?;
    if let Some(d) = short_date(first) {
        return Some((d, 1));
    }
    if words.len() >= 5 && words[1] == "tháng" && words[3] == "năm" {
        let joined = words[..5].join(" ");
        return long_date(&joined).map(|d| (d, 5));
    }
    None
}

/// "(Ban hành kèm theo Kế hoạch số 60-KH/ĐU, ngày 15/01/2026 của Ban
/// Thường vụ Đảng ủy xã Phong Quang)" fills what the header left blank.
///
/// Body sentences also say "… tại Phụ lục kèm theo Kế hoạch này …", often
/// before the caption itself; such a match cites nothing, so the search
/// goes on until a match yields a number, a date or an issuer.
fn read_caption(paras: &[Para<'_>], info: &mut PlanInfo) {
    for p in paras {
        // One fold per paragraph keeps this cheap on long plans; the word
        // positions are only looked for where the phrase occurs at all.
        if !fold_vietnamese(p.text).contains("kem theo ke hoach") {
            continue;
        }
        let all: Vec<&str> = p.text.split_whitespace().collect();
        for pos in 0..all.len().saturating_sub(3) {
            if !fold_vietnamese(&all[pos..pos + 4].join(" ")).ends_with("kem theo ke hoach") {
                continue;
            }
            let cite = citation_tail(&all[pos + 4..]);
            if cite.number.is_none() && cite.date.is_none() && cite.issuer.is_none() {
                continue;
            }
            if info.number.is_none() {
                info.number = cite.number;
            }
            if info.date.is_none() {
                info.date = cite.date;
            }
            if info.issuer.is_none() {
                info.issuer = cite.issuer.map(|i| i.trim_end_matches(')').to_string());
            }
            return;
        }
    }
}

struct Tail {
    number: Option<String>,
    date: Option<NaiveDate>,
    issuer: Option<String>,
}

/// Reads "[số] NUMBER[,] [ngày DATE] [của ISSUER]" from the words after a
/// document type.
fn citation_tail(words: &[&str]) -> Tail {
    let mut i = 0;
    while i < words.len().min(4) && matches!(words[i], "số" | "hành" | "động" | "công" | "tác")
    {
        i += 1;
    }
    let number = words.get(i).and_then(|w| document_number(w));
    if number.is_some() {
        i += 1;
    }
    let mut date = None;
    if words
        .get(i)
        .is_some_and(|w| w.trim_end_matches(',') == "ngày")
        && let Some((d, used)) = date_at(&words[i + 1..])
    {
        date = Some(d);
        i += 1 + used;
    }
    let issuer = if words.get(i) == Some(&"của") {
        issuer_words(&words[i + 1..])
    } else {
        None
    };
    Tail {
        number,
        date,
        issuer,
    }
}

/// The issuer after "của": words up to a verb-like stop word or a comma.
fn issuer_words(words: &[&str]) -> Option<String> {
    const STOPS: &[&str] = &[
        "về", "thực", "triển", "sửa", "ban", "phê", "chương", "tại", "đối", "trên", "và", "(",
        "kế", "hành",
    ];
    let mut out: Vec<&str> = Vec::new();
    for (n, w) in words.iter().enumerate() {
        // "Ban" starts issuers ("Ban Thường vụ") but stops after a name.
        let lower = w.to_lowercase();
        // "hành" ends "… ban hành" but belongs to "Ban Chấp hành".
        let chap_hanh = lower == "hành" && n > 0 && words[n - 1].to_lowercase() == "chấp";
        if n > 0
            && STOPS.contains(&lower.as_str())
            && !w.starts_with(char::is_uppercase)
            && !chap_hanh
        {
            break;
        }
        if n >= 10 || w.starts_with('(') {
            break;
        }
        let trimmed = w.trim_end_matches([',', ';', '.', ')']);
        out.push(trimmed);
        if trimmed.len() != w.len() {
            break;
        }
    }
    let s = out.join(" ");
    (!s.is_empty()).then_some(s)
}

/// Document types that start a citation, as folded word pairs.
const DOC_TYPES: &[&str] = &[
    "nghi quyet",
    "ke hoach",
    "chuong trinh",
    "quyet dinh",
    "chi thi",
    "ket luan",
    "thong bao",
    "nghi dinh",
    "cong van",
    "huong dan",
    "quy dinh",
    "thong tu",
];

/// The first citation of a clause: "Kế hoạch số 06/KH-UBND ngày 10/01/2026
/// của UBND tỉnh Lạng Sơn về …".
pub fn first_citation(clause: &str) -> Option<BasisRef> {
    let words: Vec<&str> = clause.split_whitespace().collect();
    for i in 0..words.len().saturating_sub(2) {
        let pair = fold_vietnamese(&format!("{} {}", words[i], words[i + 1]));
        if !DOC_TYPES.contains(&pair.as_str()) {
            continue;
        }
        let tail = citation_tail(&words[i + 2..]);
        if let Some(number) = tail.number {
            let text = clause
                .trim()
                .trim_end_matches([';', '.', ','])
                .trim()
                .to_string();
            return Some(BasisRef {
                number,
                date: tail.date,
                issuer: tail.issuer,
                text,
            });
        }
    }
    None
}

/// Basis documents cited in the given paragraphs, one per clause, distinct
/// by number, in document order.
pub fn read_basis(paras: &[&str]) -> Vec<BasisRef> {
    let mut out: Vec<BasisRef> = Vec::new();
    for text in paras {
        let text = text
            .strip_prefix("Căn cứ")
            .or_else(|| text.strip_prefix("Thực hiện"))
            .unwrap_or(text);
        for clause in text.split(';') {
            if let Some(cite) = first_citation(clause)
                && !out.iter().any(|b| b.number == cite.number)
            {
                out.push(cite);
            }
        }
    }
    out
}

/// "UBND xã Quân Chu ban hành Kế hoạch …", "UBND xã xây dựng Kế hoạch",
/// or the signature block ("TM. ỦY BAN NHÂN DÂN").
fn issuer_from_body(paras: &[Para<'_>], place: Option<&str>) -> Option<String> {
    for p in paras {
        for verb in [" ban hành Kế hoạch", " xây dựng Kế hoạch"] {
            if let Some(pos) = p.text.find(verb) {
                let before = &p.text[..pos];
                let start = before.rfind([',', '.', ';']).map_or(0, |i| i + 1);
                let issuer = before[start..].trim();
                let words = issuer.split_whitespace().count();
                if (1..=8).contains(&words) && issuer.starts_with(char::is_uppercase) {
                    return Some(with_place(issuer, place));
                }
            }
        }
    }
    for p in paras {
        let folded = fold_vietnamese(p.text);
        if folded.starts_with("tm. uy ban nhan dan") || folded.starts_with("t/m uy ban nhan dan") {
            return Some(with_place("UBND xã", place));
        }
        if folded.starts_with("t/m ban thuong vu") || folded.starts_with("tm. ban thuong vu") {
            return Some(with_place("Ban Thường vụ Đảng ủy xã", place));
        }
        if ["t/m dang uy", "tm. dang uy", "tm dang uy"]
            .iter()
            .any(|s| folded.starts_with(s))
        {
            return Some(with_place("Đảng ủy xã", place));
        }
    }
    None
}

/// "UBND xã" + "Cao Lộc" → "UBND xã Cao Lộc".
fn with_place(issuer: &str, place: Option<&str>) -> String {
    match place {
        Some(place)
            if [" xã", " phường", " tỉnh", " thành phố"]
                .iter()
                .any(|l| issuer.ends_with(l)) =>
        {
            format!("{issuer} {place}")
        }
        _ => issuer.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_read_and_blank_numbers_are_none() {
        assert_eq!(document_number(": 60-KH/ĐU"), Some("60-KH/ĐU".into()));
        assert_eq!(document_number(" 08-KH/ĐU"), Some("08-KH/ĐU".into()));
        assert_eq!(document_number(": /KH-UBND"), None);
        assert_eq!(document_number("_____ /KH-UBND"), None);
    }

    #[test]
    fn a_blank_day_gives_no_date_but_keeps_the_place() {
        assert_eq!(
            place_and_date("Lâm Thao, ngày tháng 4 năm 2026"),
            Some(("Lâm Thao", None))
        );
        assert_eq!(
            place_and_date("Cao Lộc, ngày 23 tháng 01 năm 2026"),
            Some(("Cao Lộc", NaiveDate::from_ymd_opt(2026, 1, 23)))
        );
    }

    #[test]
    fn citations_give_number_date_and_issuer() {
        let b = read_basis(&[
            "Căn cứ Kế hoạch số 06/KH-UBND ngày 10/01/2026 của UBND tỉnh Lạng Sơn về việc triển khai.",
            "Chương trình hành động số 62-CTr/TU, ngày 23 tháng 01 năm 2025 của Ban Thường vụ Tỉnh ủy về thực hiện; Nghị quyết số 193/2025/QH15 của Quốc hội về thí điểm",
        ]);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].number, "06/KH-UBND");
        assert_eq!(b[0].date, NaiveDate::from_ymd_opt(2026, 1, 10));
        assert_eq!(b[0].issuer.as_deref(), Some("UBND tỉnh Lạng Sơn"));
        assert_eq!(b[1].number, "62-CTr/TU");
        assert_eq!(b[1].date, NaiveDate::from_ymd_opt(2025, 1, 23));
        assert_eq!(b[1].issuer.as_deref(), Some("Ban Thường vụ Tỉnh ủy"));
        assert_eq!(b[2].number, "193/2025/QH15");
        assert_eq!(b[2].date, None);
        assert_eq!(b[2].issuer.as_deref(), Some("Quốc hội"));
    }

    fn plan_of(text: &str) -> PlanInfo {
        crate::import::parse_plan(text.as_bytes(), Some("plan.txt"))
            .unwrap_or_else(|e| panic!("{e}"))
            .plan
    }

    #[test]
    fn a_body_sentence_citing_the_appendix_does_not_hide_the_real_caption() {
        let info = plan_of(
            "ỦY BAN NHÂN DÂN XÃ HÒA LẠC\n\
             Số: /KH-UBND\n\
             Hòa Lạc, ngày … tháng 02 năm 2026\n\
             KẾ HOẠCH\n\
             Thực hiện Nghị quyết số 57-NQ/TW năm 2026\n\
             I. TỔ CHỨC THỰC HIỆN\n\
             Phòng Kinh tế bố trí kinh phí thực hiện các nhiệm vụ tại Phụ lục kèm theo Kế hoạch này.\n\
             PHỤ LỤC\n\
             (Ban hành kèm theo Kế hoạch số 08/KH-UBND ngày 05/02/2026 của UBND xã Hòa Lạc)\n",
        );
        assert_eq!(info.number.as_deref(), Some("08/KH-UBND"));
        assert_eq!(info.date, NaiveDate::from_ymd_opt(2026, 2, 5));
        // The header block names the issuer, as written there.
        assert_eq!(info.issuer.as_deref(), Some("Ủy ban nhân dân xã Hòa Lạc"));
    }

    #[test]
    fn an_issuer_named_ban_chap_hanh_is_read_whole() {
        let words: Vec<&str> = "Ban Chấp hành Đảng bộ xã Đồng Tâm)"
            .split_whitespace()
            .collect();
        assert_eq!(
            issuer_words(&words).as_deref(),
            Some("Ban Chấp hành Đảng bộ xã Đồng Tâm")
        );
        // "ban hành" after a name still ends the issuer.
        let words: Vec<&str> = "UBND xã Hòa Lạc ban hành Kế hoạch"
            .split_whitespace()
            .collect();
        assert_eq!(issuer_words(&words).as_deref(), Some("UBND xã Hòa Lạc"));
    }

    #[test]
    fn the_caption_of_a_party_plan_names_the_executive_committee() {
        let info = plan_of(
            "BAN CHẤP HÀNH ĐẢNG BỘ XÃ ĐỒNG TÂM\n\
             Số 12-KH/ĐU\n\
             Đồng Tâm, ngày 15 tháng 01 năm 2026\n\
             KẾ HOẠCH\n\
             thực hiện Nghị quyết số 57-NQ/TW\n\
             I. NHIỆM VỤ, GIẢI PHÁP\n\
             Thực hiện các nhiệm vụ theo phân công tại Phụ lục kèm theo Kế hoạch này.\n\
             PHỤ LỤC\n\
             (Ban hành kèm theo Kế hoạch số 12-KH/ĐU, ngày 15/01/2026 của Ban Chấp hành Đảng bộ xã Đồng Tâm)\n",
        );
        assert_eq!(
            info.issuer.as_deref(),
            Some("Ban Chấp hành Đảng bộ xã Đồng Tâm")
        );
    }

    #[test]
    fn a_party_committee_signature_names_the_issuer() {
        for signature in ["**T/M ĐẢNG ỦY", "TM. ĐẢNG ỦY", "T/M ĐẢNG UỶ"] {
            let info = plan_of(&format!(
                "ĐẢNG BỘ XÃ ĐỒNG TÂM\n\
                 Số 12-KH/ĐU\n\
                 Đồng Tâm, ngày 15 tháng 01 năm 2026\n\
                 KẾ HOẠCH\n\
                 thực hiện Nghị quyết số 57-NQ/TW\n\
                 I. TỔ CHỨC THỰC HIỆN\n\
                 Văn phòng Đảng ủy theo dõi, đôn đốc.\n\
                 {signature}\n\
                 BÍ THƯ**\n"
            ));
            assert_eq!(
                info.issuer.as_deref(),
                Some("Đảng ủy xã Đồng Tâm"),
                "{signature}"
            );
        }
    }
}
