//! Tasks from task tables (one row per task, group rows between them) and
//! from task dossiers (Phụ lục II of 003_…: one key/value table per task,
//! titled by the heading line above it).

use super::clean::one_line;
use super::model::{ImportWarning, ParsedTask, Row, non_empty};
use super::table::{Col, Layout, data_rows};
use super::units::split_units;
use crate::domain::deadline::Deadline;
use crate::domain::text::fold_vietnamese;

/// Group rows carry a Roman numeral ("I.", "II"), a letter ("A"), or the
/// whole heading in the reference cell ("I. Công tác lãnh đạo …").
pub fn group_label(reference: &str, title: &str) -> Option<String> {
    let r = reference.trim();
    let numeral_len = r
        .char_indices()
        .find(|(_, c)| !c.is_ascii_uppercase())
        .map_or(r.len(), |(i, _)| i);
    if numeral_len == 0 {
        return None;
    }
    let numeral = &r[..numeral_len];
    let is_roman = numeral.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L'));
    if !(is_roman || numeral.len() == 1) {
        return None;
    }
    let rest = r[numeral_len..]
        .trim_start_matches(['.', ')', '-', '–'])
        .trim();
    let mut text = rest.to_string();
    if !title.trim().is_empty() {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(title.trim());
    }
    if text.is_empty() {
        return Some(format!("{numeral}."));
    }
    Some(format!("{numeral}. {text}"))
}

fn cell<'a>(row: &'a Row, layout: &Layout, col: Col) -> &'a str {
    layout
        .find(col)
        .and_then(|i| row.cells.get(i))
        .map_or("", |s| s.as_str())
}

/// The tasks of one task table, with warnings for missing columns.
pub fn read_task_table(
    rows: &[Row],
    layout: &Layout,
    line: usize,
    warnings: &mut Vec<ImportWarning>,
) -> Vec<ParsedTask> {
    for (col, name) in [
        (Col::Lead, "Cơ quan chủ trì"),
        (Col::Deadline, "Thời gian thực hiện"),
    ] {
        if layout.find(col).is_none() {
            warnings.push(ImportWarning {
                line,
                message: format!("Bảng nhiệm vụ không có cột «{name}»; các ô tương ứng để trống"),
            });
        }
    }
    let data = data_rows(rows, layout);
    let mut tasks = Vec::new();
    let mut top: Option<String> = None;
    let mut sub: Option<String> = None;
    for (i, row) in data.iter().enumerate() {
        let reference = cell(row, layout, Col::Ref)
            .trim()
            .trim_end_matches('.')
            .to_string();
        let title = one_line(cell(row, layout, Col::Title));
        let others_empty = layout.cols.iter().enumerate().all(|(c, col)| {
            matches!(col, Some(Col::Ref) | Some(Col::Title))
                || row.cells.get(c).is_none_or(|v| v.trim().is_empty())
        });
        if others_empty && let Some(label) = group_label(&reference, &title) {
            top = Some(label);
            sub = None;
            continue;
        }
        let next_ref = data
            .get(i + 1)
            .map(|r| cell(r, layout, Col::Ref).trim().to_string())
            .unwrap_or_default();
        let is_number = !reference.is_empty() && reference.chars().all(|c| c.is_ascii_digit());
        if others_empty && is_number && next_ref.starts_with(&format!("{reference}.")) {
            sub = Some(format!("{reference}. {title}"));
            continue;
        }
        if title.is_empty() {
            warnings.push(ImportWarning {
                line: row.line,
                message: format!("Dòng nhiệm vụ {reference} không có nội dung; đã bỏ qua"),
            });
            continue;
        }
        let lead = split_units(cell(row, layout, Col::Lead));
        if lead.is_empty() && layout.find(Col::Lead).is_some() {
            warnings.push(ImportWarning {
                line: row.line,
                message: format!("Nhiệm vụ {reference} chưa có cơ quan chủ trì"),
            });
        }
        tasks.push(ParsedTask {
            reference: non_empty(&reference),
            group: top.iter().chain(sub.iter()).cloned().collect(),
            title,
            lead,
            support: split_units(cell(row, layout, Col::Support)),
            product: non_empty(&one_line(cell(row, layout, Col::Product))),
            deadline: Deadline::parse(&one_line(cell(row, layout, Col::Deadline))),
            funding: non_empty(&one_line(cell(row, layout, Col::Funding))),
            basis: non_empty(&one_line(cell(row, layout, Col::Basis))),
            draft: false,
            line: row.line,
        });
    }
    tasks
}

/// One task from a dossier table. `heading` is the paragraph above it
/// ("Nhiệm vụ 1: Thực hiện nhiệm vụ khoa học, công nghệ").
pub fn read_dossier(
    rows: &[Row],
    heading: Option<&str>,
    line: usize,
    warnings: &mut Vec<ImportWarning>,
) -> Option<ParsedTask> {
    let mut task = ParsedTask {
        reference: None,
        group: Vec::new(),
        title: String::new(),
        lead: Vec::new(),
        support: Vec::new(),
        product: None,
        deadline: Deadline::parse(""),
        funding: None,
        basis: None,
        draft: false,
        line,
    };
    if let Some(h) = heading {
        let (group, reference, title) = split_dossier_heading(h);
        task.group = group.into_iter().collect();
        task.reference = reference;
        task.title = title;
    }
    for row in rows {
        let (Some(key), Some(value)) = (row.cells.first(), row.cells.get(1)) else {
            continue;
        };
        let key = fold_vietnamese(key);
        let key = key.trim_end_matches([':', '.']);
        let text = one_line(value);
        match key {
            "co so phap ly" | "can cu" => task.basis = non_empty(&text),
            "quy mo va san pham du kien" | "san pham du kien" | "san pham" | "ket qua" => {
                task.product = non_empty(&text)
            }
            "thoi gian thuc hien" | "thoi gian" | "thoi han" => {
                task.deadline = Deadline::parse(&text)
            }
            "nguon kinh phi" | "kinh phi" => task.funding = non_empty(&text),
            "co quan chu tri" | "don vi chu tri" => task.lead = split_units(value),
            "co quan phoi hop" | "don vi phoi hop" => task.support = split_units(value),
            "ten nhiem vu" | "noi dung" if task.title.is_empty() => task.title = text,
            _ => {}
        }
    }
    if task.title.is_empty() {
        warnings.push(ImportWarning {
            line,
            message: "Hồ sơ nhiệm vụ không có tên (không thấy dòng «Nhiệm vụ …» phía trên bảng)"
                .to_string(),
        });
        return None;
    }
    if task.lead.is_empty() {
        warnings.push(ImportWarning {
            line,
            message: format!("Nhiệm vụ «{}» chưa có cơ quan chủ trì", task.title),
        });
    }
    Some(task)
}

/// "PHỤ LỤC II: HỒ SƠ … Nhiệm vụ 1: Thực hiện …" → (appendix, "1", title).
/// Some plans number the heading before the word instead: "1. Nhiệm vụ:
/// Lắp đặt …" reads the same way.
fn split_dossier_heading(h: &str) -> (Option<String>, Option<String>, String) {
    let Some(pos) = h.find("Nhiệm vụ") else {
        return (None, None, h.trim().to_string());
    };
    let rest = &h[pos + "Nhiệm vụ".len()..];
    if let Some(rest) = rest.strip_prefix(' ') {
        let number: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        let after = rest[number.len()..].trim_start_matches([':', '.', ' ', '-', '–']);
        let number = number.trim_end_matches('.');
        if !number.is_empty() {
            return (
                non_empty(&h[..pos]),
                Some(number.to_string()),
                after.trim().to_string(),
            );
        }
    }
    if let Some(after) = rest.trim_start().strip_prefix(':')
        && let Some((start, number)) = number_before(&h[..pos])
    {
        return (
            non_empty(&h[..start]),
            Some(number.to_string()),
            after.trim().to_string(),
        );
    }
    (non_empty(&h[..pos]), None, h[pos..].trim().to_string())
}

/// The item number ending `prefix` ("… 1. ", "2) ", "1.2."): its byte start
/// and the number without trailing dots. It must stand as a word of its own
/// so that a year or a document number is never taken for it.
fn number_before(prefix: &str) -> Option<(usize, &str)> {
    let trimmed = prefix.trim_end();
    let body = trimmed.strip_suffix(')').unwrap_or(trimmed);
    let start = body
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit() || *c == '.')
        .last()
        .map_or(body.len(), |(i, _)| i);
    let token = &body[start..];
    let number = token.trim_end_matches('.');
    let own_word = start == 0 || body[..start].ends_with(char::is_whitespace);
    (own_word && number.starts_with(|c: char| c.is_ascii_digit())).then_some((start, number))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_rows_are_labelled_with_their_numbering() {
        assert_eq!(
            group_label("I.", "Nâng cao nhận thức"),
            Some("I. Nâng cao nhận thức".into())
        );
        assert_eq!(group_label("II", "Đề xuất"), Some("II. Đề xuất".into()));
        assert_eq!(
            group_label("I. Công tác lãnh đạo, chỉ đạo", ""),
            Some("I. Công tác lãnh đạo, chỉ đạo".into())
        );
        assert_eq!(
            group_label("A", "Phát triển hạ tầng"),
            Some("A. Phát triển hạ tầng".into())
        );
        assert_eq!(group_label("1", "Về hạ tầng số"), None);
    }

    #[test]
    fn dossier_headings_give_the_number_and_title() {
        let (group, reference, title) = split_dossier_heading(
            "PHỤ LỤC II: HỒ SƠ THUYẾT MINH TỪNG NHIỆM VỤ NĂM 2026 Nhiệm vụ 1: Thực hiện nhiệm vụ khoa học, công nghệ",
        );
        assert_eq!(
            group.as_deref(),
            Some("PHỤ LỤC II: HỒ SƠ THUYẾT MINH TỪNG NHIỆM VỤ NĂM 2026")
        );
        assert_eq!(reference.as_deref(), Some("1"));
        assert_eq!(title, "Thực hiện nhiệm vụ khoa học, công nghệ");
    }

    #[test]
    fn dossier_headings_numbered_before_the_word_nhiem_vu_give_the_number_and_title() {
        let (group, reference, title) =
            split_dossier_heading("1. Nhiệm vụ: Lắp đặt điểm truy cập Internet công cộng");
        assert_eq!(group, None);
        assert_eq!(reference.as_deref(), Some("1"));
        assert_eq!(title, "Lắp đặt điểm truy cập Internet công cộng");
        let (group, reference, title) = split_dossier_heading(
            "PHỤ LỤC II: HỒ SƠ NHIỆM VỤ 2) Nhiệm vụ : Số hóa hồ sơ, tài liệu",
        );
        assert_eq!(group.as_deref(), Some("PHỤ LỤC II: HỒ SƠ NHIỆM VỤ"));
        assert_eq!(reference.as_deref(), Some("2"));
        assert_eq!(title, "Số hóa hồ sơ, tài liệu");
    }

    #[test]
    fn a_dossier_under_a_numbered_heading_is_imported_with_its_number() {
        let plan = crate::import::parse_plan(
            "KẾ HOẠCH\n\
             PHỤ LỤC: HỒ SƠ THUYẾT MINH NHIỆM VỤ\n\
             1. Nhiệm vụ: Lắp đặt điểm truy cập Internet\n\
             Tiêu chí\tNội dung chi tiết\n\
             Thời gian thực hiện\tNăm 2026\n\
             Nguồn kinh phí\tNgân sách xã\n"
                .as_bytes(),
            None,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.tasks.len(), 1);
        assert_eq!(plan.tasks[0].reference.as_deref(), Some("1"));
        assert_eq!(plan.tasks[0].title, "Lắp đặt điểm truy cập Internet");
        assert_eq!(plan.tasks[0].funding.as_deref(), Some("Ngân sách xã"));
    }
}
