//! Targets (KPIs) from target tables: name, unit of measure, lead unit and
//! one goal per year column; when a table has no value columns the goal is
//! read from the target's own sentence for the plan's horizon year.

use super::clean::one_line;
use super::model::{ImportWarning, ParsedTarget, Row, non_empty};
use super::table::{Col, Layout, data_rows};
use super::tasks::group_label;
use super::units::split_units;
use crate::domain::goal::Goal;

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
    warnings: &mut Vec<ImportWarning>,
) -> Vec<ParsedTarget> {
    let goal_cols = layout.goal_columns();
    let mut targets = Vec::new();
    let mut group: Option<String> = None;
    for row in data_rows(rows, layout) {
        let reference = cell(&row, layout, Col::Ref)
            .trim()
            .trim_end_matches('.')
            .to_string();
        let name = one_line(cell(&row, layout, Col::Name));
        let others_empty = layout.cols.iter().enumerate().all(|(c, col)| {
            matches!(col, Some(Col::Ref) | Some(Col::Name))
                || row.cells.get(c).is_none_or(|v| v.trim().is_empty())
        });
        if others_empty && let Some(label) = group_label(&reference, &name) {
            group = Some(label);
            continue;
        }
        if name.is_empty() {
            warnings.push(ImportWarning {
                line: row.line,
                message: format!("Dòng chỉ tiêu {reference} không có tên; đã bỏ qua"),
            });
            continue;
        }
        let mut goals = Vec::new();
        for (col, year) in &goal_cols {
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
            && let Some(goal) = Goal::parse_in_sentence(&name, horizon)
        {
            goals.push(goal);
        }
        if goals.is_empty() {
            warnings.push(ImportWarning {
                line: row.line,
                message: format!("Chỉ tiêu {reference} chưa có giá trị mục tiêu"),
            });
        }
        targets.push(ParsedTarget {
            reference: non_empty(&reference),
            group: group.iter().cloned().collect(),
            name,
            unit: non_empty(&one_line(cell(&row, layout, Col::Unit))),
            lead: split_units(cell(&row, layout, Col::Lead)),
            goals,
            note: non_empty(&one_line(cell(&row, layout, Col::Note))),
            line: row.line,
        });
    }
    targets
}
