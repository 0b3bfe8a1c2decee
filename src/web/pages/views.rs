//! Plain view models for templates: strings already formatted, so the
//! templates hold no logic beyond loops and conditions.

use chrono::NaiveDate;

use crate::domain::feedback::Feedback;
use crate::domain::goal::Comparator;
use crate::domain::plan::Plan;
use crate::domain::target::Target;
use crate::domain::task::{Task, UnitMention};
use crate::domain::unit::Unit;

pub struct PlanRow {
    pub id: i64,
    pub number: String,
    pub date: String,
    pub title: String,
    /// "20 nhiệm vụ · 5 hoàn thành (25%)", on the plan list.
    pub progress: String,
    pub overdue: i64,
}

impl PlanRow {
    pub fn from(plan: &Plan) -> PlanRow {
        PlanRow {
            id: plan.id,
            number: plan.number.clone().unwrap_or_else(|| "(chưa có số)".into()),
            date: plan
                .issued_on
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_default(),
            title: plan.title.clone(),
            progress: String::new(),
            overdue: 0,
        }
    }
}

/// Where a task stands, as the lists and the task page say it.
pub struct StandingView {
    /// Class and words of its badge (overdue, due soon, done).
    pub badge: Option<(&'static str, &'static str)>,
    /// The latest accepted status, in words.
    pub status: String,
    pub percent: String,
    pub result: String,
    pub evidence: String,
    /// Who reported it, for which period.
    pub source: String,
}

impl StandingView {
    pub fn from(s: &crate::actions::tasks::Standing) -> StandingView {
        let st = &s.standing;
        let cut = |t: &str| {
            if t.chars().count() > 160 {
                format!("{}…", t.chars().take(159).collect::<String>())
            } else {
                t.to_string()
            }
        };
        StandingView {
            badge: s.badge.map(|b| (b.class(), b.label_vi())),
            status: st
                .status
                .as_deref()
                .and_then(crate::domain::report::TaskStatus::parse)
                .map(|t| t.label_vi().to_string())
                .unwrap_or_else(|| "Chưa có báo cáo được tiếp nhận".into()),
            percent: st.percent.map(|p| format!("{p}%")).unwrap_or_default(),
            result: st.result.as_deref().map(cut).unwrap_or_default(),
            evidence: if st.evidence > 0 {
                format!("{} minh chứng", crate::web::labels::int(st.evidence))
            } else {
                String::new()
            },
            source: match (&st.reported_by, &st.period_key) {
                (Some(u), Some(k)) => format!("{u}, {}", crate::web::labels::period_key(k)),
                _ => String::new(),
            },
        }
    }
}

/// Puts each task's standing on its row.
pub fn attach_standings(rows: &mut [TaskRow], standings: &[crate::actions::tasks::Standing]) {
    for row in rows.iter_mut() {
        row.standing = standings
            .iter()
            .find(|s| s.standing.task_id == row.id)
            .map(StandingView::from);
    }
}

pub struct TaskRow {
    /// Set on the first task of a new group: the headings to print above it.
    pub headings: Vec<String>,
    pub id: i64,
    pub reference: String,
    pub title: String,
    pub lead: String,
    pub support: String,
    pub product: String,
    pub deadline: String,
    pub draft: bool,
    /// Which of the "6 rõ" it lacks, in short words; empty when none.
    pub six_clear_missing: String,
    pub standing: Option<StandingView>,
}

pub fn mentions(list: &[UnitMention]) -> String {
    list.iter()
        .map(|m| m.name.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

pub fn task_rows(tasks: &[Task]) -> Vec<TaskRow> {
    let mut previous: Vec<String> = Vec::new();
    tasks
        .iter()
        .map(|t| {
            // Print only the headings that differ from the task above.
            let common = previous
                .iter()
                .zip(&t.group_path)
                .take_while(|(a, b)| a == b)
                .count();
            let headings = t.group_path[common..].to_vec();
            previous = t.group_path.clone();
            TaskRow {
                headings,
                id: t.id,
                reference: t.reference.clone().unwrap_or_default(),
                title: t.title.clone(),
                lead: mentions(&t.lead),
                support: mentions(&t.support),
                product: t.product.clone().unwrap_or_default(),
                deadline: t.deadline.label_vi(),
                draft: t.draft,
                six_clear_missing: crate::domain::six_clear::missing_of_task(t)
                    .into_iter()
                    .map(|c| c.short_vi())
                    .collect::<Vec<_>>()
                    .join(", "),
                standing: None,
            }
        })
        .collect()
}

pub struct TargetRow {
    pub headings: Vec<String>,
    pub id: i64,
    pub reference: String,
    pub name: String,
    pub measure_unit: String,
    pub lead: String,
    pub goals: Vec<(String, String)>,
    pub note: String,
}

pub fn goal_label(op: Comparator, value: f64) -> String {
    let number = crate::web::labels::number(value, 4);
    match op {
        Comparator::Ge => format!("≥ {number}"),
        Comparator::Gt => format!("> {number}"),
        Comparator::Le => format!("≤ {number}"),
        Comparator::Lt => format!("< {number}"),
        Comparator::Eq => format!("= {number}"),
        Comparator::Top => format!("Top {number}"),
    }
}

/// A number as typed back into a form: the decimal comma, no thousands
/// dots (so it reads back as it was). Pages show numbers with
/// [`crate::web::labels::number`].
pub fn format_number(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e15 {
        format!("{}", value as i64)
    } else {
        format!("{value}").replace('.', ",")
    }
}

pub fn target_rows(targets: &[Target]) -> Vec<TargetRow> {
    let mut previous: Vec<String> = Vec::new();
    targets
        .iter()
        .map(|t| {
            let common = previous
                .iter()
                .zip(&t.group_path)
                .take_while(|(a, b)| a == b)
                .count();
            let headings = t.group_path[common..].to_vec();
            previous = t.group_path.clone();
            TargetRow {
                headings,
                id: t.id,
                reference: t.reference.clone().unwrap_or_default(),
                name: t.name.clone(),
                measure_unit: t.measure_unit.clone().unwrap_or_default(),
                lead: mentions(&t.lead),
                goals: t
                    .goals
                    .iter()
                    .map(|g| {
                        let year = g.year.map(|y| y.to_string()).unwrap_or_default();
                        (year, goal_label(g.op, g.value))
                    })
                    .collect(),
                note: t.note.clone().unwrap_or_default(),
            }
        })
        .collect()
}

pub struct UnitRow {
    pub id: i64,
    pub depth: usize,
    pub name: String,
    pub kind: &'static str,
    pub side: &'static str,
    pub aliases: String,
}

/// Units in tree order with their depth below the first one.
pub fn unit_rows(units: &[Unit]) -> Vec<UnitRow> {
    let base = units
        .iter()
        .map(|u| u.path.matches('/').count())
        .min()
        .unwrap_or(0);
    units
        .iter()
        .map(|u| UnitRow {
            id: u.id,
            depth: u.path.matches('/').count().saturating_sub(base),
            name: u.name.clone(),
            kind: u.kind.label_vi(),
            side: u.side.label_vi(),
            aliases: u.aliases.join(", "),
        })
        .collect()
}

/// Options for a unit picker: id, indented name, selected.
pub struct UnitOption {
    pub id: i64,
    pub label: String,
    pub selected: bool,
}

pub fn unit_options(units: &[Unit], selected: &[i64]) -> Vec<UnitOption> {
    unit_rows(units)
        .into_iter()
        .map(|r| UnitOption {
            id: r.id,
            label: format!("{}{}", "— ".repeat(r.depth), r.name),
            selected: selected.contains(&r.id),
        })
        .collect()
}

/// One option of a `<select>`.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// A day as Vietnamese pages write it, `23/01/2026`.
pub fn day(d: NaiveDate) -> String {
    d.format("%d/%m/%Y").to_string()
}

/// The person's rating of an answer, as staff and the person read it.
pub fn rating_label(f: &Feedback) -> Option<String> {
    f.satisfied.map(|s| {
        if s {
            "Hài lòng".to_string()
        } else {
            format!(
                "Chưa hài lòng: {}",
                f.rating_reason.clone().unwrap_or_default()
            )
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_use_the_decimal_comma() {
        assert_eq!(format_number(1.1), "1,1");
        assert_eq!(format_number(100.0), "100");
        assert_eq!(goal_label(Comparator::Top, 20.0), "Top 20");
        assert_eq!(goal_label(Comparator::Ge, 0.725), "≥ 0,725");
    }
}
