//! Targets (KPIs) from target tables: name, unit of measure, lead unit and
//! one goal per year column; when a table has no value columns the goal is
//! read from the target's own sentence for the plan's horizon year.

use super::clean::one_line;
use super::groups::Path;
use super::model::{ImportWarning, ParsedTarget, Row, RowOutcome, RowReading, non_empty};
use super::table::{Col, Layout, data_rows};
use super::tasks::{TableOutput, unknown_columns, unknown_note, warn_unknown};
use super::units::split_lead_cell;
use crate::domain::goal::{Comparator, Goal, parse_number};

fn cell<'a>(row: &'a Row, layout: &Layout, col: Col) -> &'a str {
    layout
        .find(col)
        .and_then(|i| row.cells.get(i))
        .map_or("", |s| s.as_str())
}

pub fn read_target_table(
    rows: &[Row],
    layout: &Layout,
    horizon: Option<i32>,
    forced_groups: &[usize],
    warnings: &mut Vec<ImportWarning>,
) -> TableOutput<ParsedTarget> {
    let goal_cols = layout.goal_columns();
    let unknown = unknown_columns(rows, layout);
    warn_unknown(&unknown, rows.first().map_or(1, |r| r.line), warnings);
    let (data, mut readings) = data_rows(rows, layout);
    let mut targets = Vec::new();
    let mut path = Path::default();
    for row in &data {
        let forced = forced_groups.contains(&row.line);
        if let Some((label, level)) = path.group_of(row, layout, Col::Name, forced) {
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
        let name = one_line(cell(row, layout, Col::Name));
        if name.is_empty() {
            let reason = format!("Dòng chỉ tiêu {reference} không có tên; đã bỏ qua");
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
        let goals = row_goals(row, &goal_cols, &name, horizon, &reference, warnings);
        let lead_cell = split_lead_cell(cell(row, layout, Col::Lead));
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
            outcome: RowOutcome::Target {
                index: targets.len(),
            },
        });
        let mut lead = lead_cell.lead;
        lead.extend(lead_cell.support);
        targets.push(ParsedTarget {
            reference: non_empty(&reference),
            group: path.labels(),
            name,
            unit: non_empty(&one_line(cell(row, layout, Col::Unit))),
            lead,
            goals,
            note: non_empty(&note),
            line: row.line,
        });
    }
    readings.sort_by_key(|r| r.line);
    TableOutput {
        items: targets,
        rows: readings,
        group_levels: path.styles.iter().map(|s| s.name()).collect(),
    }
}

/// The goals of a target row: one per year column, or — in a table with no
/// value column — the goal its own sentence states, for the horizon year.
fn row_goals(
    row: &Row,
    goal_cols: &[(usize, i32)],
    name: &str,
    horizon: Option<i32>,
    reference: &str,
    warnings: &mut Vec<ImportWarning>,
) -> Vec<Goal> {
    let mut goals = Vec::new();
    for (col, year) in goal_cols {
        let text = row.cells.get(*col).map_or("", |s| s.as_str());
        if text.trim().is_empty() {
            continue;
        }
        match Goal::parse(&one_line(text), Some(*year)) {
            Some(goal) => goals.push(goal),
            None => warnings.push(ImportWarning {
                line: row.line,
                message: format!(
                    "Không đọc được giá trị mục tiêu năm {year} «{}» của chỉ tiêu {reference}",
                    one_line(text)
                ),
            }),
        }
    }
    if goal_cols.is_empty()
        && let Some(goal) = goal_in_sentence(name, horizon)
    {
        goals.push(goal);
    }
    if goals.is_empty() {
        warnings.push(ImportWarning {
            line: row.line,
            message: format!("Chỉ tiêu {reference} chưa có giá trị mục tiêu"),
        });
    }
    goals
}

/// The goal a target's sentence states: a percentage ("chiếm 30% GRDP",
/// "đạt trên 70%"), a rank ("Top 15"), or a count after "ít nhất", "tối
/// thiểu", "không dưới" ("mỗi năm có ít nhất 03 sáng kiến").
pub fn goal_in_sentence(sentence: &str, year: Option<i32>) -> Option<Goal> {
    if let Some(goal) = Goal::parse_in_sentence(sentence, year) {
        return Some(goal);
    }
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let number = |w: &str| parse_number(w.trim_end_matches([',', '.', ';', ')']));
    for (i, w) in words.iter().enumerate() {
        if w.eq_ignore_ascii_case("top")
            && let Some(value) = words.get(i + 1).and_then(|n| number(n))
        {
            return Some(Goal {
                year,
                op: Comparator::Top,
                value,
                text: format!("{w} {}", words[i + 1]),
            });
        }
    }
    let lower = sentence.to_lowercase();
    for (phrase, op) in [
        ("ít nhất", Comparator::Ge),
        ("tối thiểu", Comparator::Ge),
        ("không dưới", Comparator::Ge),
        ("không ít hơn", Comparator::Ge),
        ("trên", Comparator::Gt),
    ] {
        let Some(pos) = lower.find(&format!("{phrase} ")) else {
            continue;
        };
        let after = &lower[pos + phrase.len()..];
        let mut parts = after.split_whitespace();
        if let Some(value) = parts.next().and_then(number) {
            let unit = parts.next().unwrap_or("");
            return Some(Goal {
                year,
                op,
                value,
                text: format!(
                    "{phrase} {} {unit}",
                    after.split_whitespace().next().unwrap_or("")
                )
                .trim()
                .to_string(),
            });
        }
    }
    None
}
