//! Tasks from task tables (one row per task, group rows between them) and
//! from task dossiers (Phụ lục II of 003_…: one key/value table per task,
//! titled by the heading line above it).

use super::clean::one_line;
use super::groups::Path;
use super::model::{ImportWarning, ParsedTask, Row, RowOutcome, RowReading, non_empty};
use super::table::{Col, Layout, data_rows};
use super::units::{split_lead_cell, split_units};
use crate::domain::deadline::Deadline;
use crate::domain::text::fold_vietnamese;

fn cell<'a>(row: &'a Row, layout: &Layout, col: Col) -> &'a str {
    layout
        .find(col)
        .and_then(|i| row.cells.get(i))
        .map_or("", |s| s.as_str())
}

/// The rows of one table and what became of them.
pub struct TableOutput<T> {
    pub items: Vec<T>,
    pub rows: Vec<RowReading>,
    pub group_levels: Vec<String>,
}

/// Columns not understood, by index, with the name a note gives them.
pub fn unknown_columns(rows: &[Row], layout: &Layout) -> Vec<(usize, String)> {
    let header = layout.header_index.and_then(|i| rows.get(i));
    layout
        .cols
        .iter()
        .enumerate()
        .filter(|(_, c)| c.is_none())
        .map(|(i, _)| {
            let name = header
                .and_then(|h| h.cells.get(i))
                .map(|c| one_line(c))
                .filter(|c| !c.is_empty())
                .unwrap_or_else(|| format!("Cột {}", i + 1));
            (i, name)
        })
        .collect()
}

/// "Ghi chú: …; Cột 7: …" from the cells of columns not understood.
pub fn unknown_note(row: &Row, unknown: &[(usize, String)]) -> Option<String> {
    let parts: Vec<String> = unknown
        .iter()
        .filter_map(|(i, name)| {
            let text = one_line(row.cells.get(*i)?);
            (!text.is_empty()).then(|| format!("{name}: {text}"))
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// The tasks of one task table, with warnings for missing columns.
/// `forced_groups` are the lines a person marked as group rows.
pub fn read_task_table(
    rows: &[Row],
    layout: &Layout,
    line: usize,
    forced_groups: &[usize],
    warnings: &mut Vec<ImportWarning>,
) -> TableOutput<ParsedTask> {
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
    let unknown = unknown_columns(rows, layout);
    warn_unknown(&unknown, line, warnings);
    let (data, mut readings) = data_rows(rows, layout);
    let mut tasks = Vec::new();
    let mut path = Path::default();
    for row in &data {
        let forced = forced_groups.contains(&row.line);
        if let Some((label, level)) = path.group_of(row, layout, Col::Title, forced) {
            readings.push(RowReading {
                line: row.line,
                outcome: RowOutcome::Group { label, level },
            });
            continue;
        }
        let reference = cell(row, layout, Col::Ref)
            .trim()
            .trim_end_matches('.')
            .to_string();
        path.close_for_item(&reference);
        let title = one_line(cell(row, layout, Col::Title));
        if title.is_empty() {
            let reason = format!("Dòng nhiệm vụ {reference} không có nội dung; đã bỏ qua");
            warnings.push(ImportWarning {
                line: row.line,
                message: reason.clone(),
            });
            readings.push(RowReading {
                line: row.line,
                outcome: RowOutcome::Skipped { reason },
            });
            continue;
        }
        let lead_cell = split_lead_cell(cell(row, layout, Col::Lead));
        if lead_cell.lead.is_empty() && layout.find(Col::Lead).is_some() {
            warnings.push(ImportWarning {
                line: row.line,
                message: format!("Nhiệm vụ {reference} chưa có cơ quan chủ trì"),
            });
        }
        let mut support = lead_cell.support;
        support.extend(split_units(cell(row, layout, Col::Support)));
        let note = [
            non_empty(&one_line(cell(row, layout, Col::Note))),
            lead_cell.note,
            unknown_note(row, &unknown),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join("; ");
        readings.push(RowReading {
            line: row.line,
            outcome: RowOutcome::Task { index: tasks.len() },
        });
        tasks.push(ParsedTask {
            reference: non_empty(&reference),
            group: path.labels(),
            title,
            lead: lead_cell.lead,
            support,
            product: non_empty(&one_line(cell(row, layout, Col::Product))),
            deadline: Deadline::parse(&one_line(cell(row, layout, Col::Deadline))),
            funding: non_empty(&one_line(cell(row, layout, Col::Funding))),
            basis: non_empty(&one_line(cell(row, layout, Col::Basis))),
            note: non_empty(&note),
            draft: false,
            line: row.line,
        });
    }
    readings.sort_by_key(|r| r.line);
    TableOutput {
        items: tasks,
        rows: readings,
        group_levels: path.styles.iter().map(|s| s.name()).collect(),
    }
}

/// One warning per column not understood: its cells are kept in notes.
pub fn warn_unknown(unknown: &[(usize, String)], line: usize, warnings: &mut Vec<ImportWarning>) {
    for (_, name) in unknown {
        warnings.push(ImportWarning {
            line,
            message: format!(
                "Cột «{name}» không nhận dạng được; nội dung giữ lại trong ghi chú, có thể chọn lại vai trò của cột"
            ),
        });
    }
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
        note: None,
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
