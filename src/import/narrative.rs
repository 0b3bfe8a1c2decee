//! Candidate tasks from the narrative "Nhiệm vụ và giải pháp" section, for
//! plans that have no task table (000_…, 001_…). Every candidate is a
//! draft: its lead unit and deadline are unknown until a person sets them.

use super::model::{ParsedTask, non_empty};
use super::sections::Para;
use crate::domain::deadline::Deadline;

/// "1.", "1.1.", "5.1", "(1)": the numbering of a sub-heading, and its depth.
fn numbering(text: &str) -> Option<(String, usize, &str)> {
    if let Some(rest) = text.strip_prefix('(') {
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        let after = rest[digits.len()..].strip_prefix(')')?;
        if digits.is_empty() {
            return None;
        }
        return Some((digits, 1, after.trim()));
    }
    let head: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    if !head.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    let after = &text[head.len()..];
    // "1.1 Text" and "1. Text" are numbered; "2025 - 2030" or "100%" are not.
    if !after.starts_with(' ') || (!head.contains('.') && head.len() > 2) {
        return None;
    }
    let number = head.trim_end_matches('.').to_string();
    let depth = number.split('.').count();
    Some((number, depth, after.trim()))
}

/// An aside such as "(Nhiệm vụ thường xuyên)" or "(Chi tiết tại Phụ lục II)".
fn is_aside(text: &str) -> bool {
    text.starts_with('(') && text.ends_with(')')
}

/// Draft tasks from the section body: each bullet or plain paragraph under
/// a numbered heading is a candidate; a numbered heading with nothing under
/// it (or one written as a full sentence) is a candidate itself.
pub fn read_drafts(paras: &[Para<'_>]) -> Vec<ParsedTask> {
    let mut tasks = Vec::new();
    // Path of numbered headings: (depth, label).
    let mut path: Vec<(usize, String)> = Vec::new();
    // A heading waiting to learn whether it has children.
    let mut pending: Option<(String, String, usize, Vec<String>, usize)> = None;
    for p in paras {
        let text = p.text.trim();
        if text.is_empty() || is_aside(text) {
            continue;
        }
        if let Some((number, depth, title)) = numbering(text) {
            // A deeper heading makes the pending one a group; a sibling or
            // a shallower one shows the pending heading had no children.
            if let Some((number, title, line, group, d)) = pending.take()
                && depth <= d
            {
                tasks.push(draft(Some(number), group, title, line));
            }
            while path.last().is_some_and(|(d, _)| *d >= depth) {
                path.pop();
            }
            let group: Vec<String> = path.iter().map(|(_, l)| l.clone()).collect();
            let title = title.trim_end_matches(':').trim().to_string();
            if title.ends_with('.') {
                // A numbered sentence is a task in its own right.
                tasks.push(draft(Some(number.clone()), group, title.clone(), p.line));
            } else {
                pending = Some((number.clone(), title.clone(), p.line, group, depth));
            }
            path.push((depth, format!("{number}. {title}")));
            continue;
        }
        pending = None;
        let title = text
            .strip_prefix("- ")
            .or_else(|| text.strip_prefix("+ "))
            .or_else(|| text.strip_prefix("• "))
            .unwrap_or(text)
            .trim();
        if title.is_empty() {
            continue;
        }
        let group = path.iter().map(|(_, l)| l.clone()).collect();
        tasks.push(draft(None, group, title.to_string(), p.line));
    }
    if let Some((number, title, line, group, _)) = pending.take() {
        tasks.push(draft(Some(number), group, title, line));
    }
    tasks
}

fn draft(reference: Option<String>, group: Vec<String>, title: String, line: usize) -> ParsedTask {
    ParsedTask {
        reference: reference.and_then(|r| non_empty(&r)),
        group,
        title,
        lead: Vec::new(),
        support: Vec::new(),
        product: None,
        deadline: Deadline::parse(""),
        funding: None,
        basis: None,
        note: None,
        draft: true,
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paras(texts: &[&'static str]) -> Vec<Para<'static>> {
        texts
            .iter()
            .enumerate()
            .map(|(i, t)| Para {
                text: t,
                line: i + 1,
                bold: false,
                block: i,
            })
            .collect()
    }

    #[test]
    fn bullets_under_numbered_headings_become_drafts() {
        let p = paras(&[
            "1. Công tác lãnh đạo",
            "- Tổ chức triển khai.",
            "- Đẩy mạnh tuyên truyền.",
            "5. Về chuyển đổi số",
            "5.1. Hạ tầng kỹ thuật:",
            "- Rà soát hạ tầng.",
            "7. Hợp tác quốc tế",
            "(Chi tiết tại Phụ lục II)",
        ]);
        let tasks = read_drafts(&p);
        let titles: Vec<&str> = tasks.iter().map(|t| t.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Tổ chức triển khai.",
                "Đẩy mạnh tuyên truyền.",
                "Rà soát hạ tầng.",
                "Hợp tác quốc tế"
            ]
        );
        assert_eq!(
            tasks[2].group,
            ["5. Về chuyển đổi số", "5.1. Hạ tầng kỹ thuật"]
        );
        assert_eq!(tasks[3].reference.as_deref(), Some("7"));
        assert!(tasks.iter().all(|t| t.draft && t.lead.is_empty()));
    }

    #[test]
    fn years_and_percentages_are_not_numbering() {
        assert_eq!(numbering("2025 - 2030 là giai đoạn"), None);
        assert_eq!(numbering("100% hồ sơ"), None);
        assert_eq!(numbering("(1) Về hạ tầng số").map(|n| n.1), Some(1));
        assert_eq!(
            numbering("1.2 Phát triển").map(|n| n.0),
            Some("1.2".to_string())
        );
    }
}
