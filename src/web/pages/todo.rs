//! "Việc cần làm" as the home page lists it: one section per kind of
//! work, each item linking to the page that does it. A new kind is one
//! more function pushing one more section.

use chrono::NaiveDate;

use crate::actions::todo::Todo;
use crate::domain::extension::ExtensionRequest;
use crate::domain::reminder::Escalation;
use crate::domain::round::{Round, UnitReport};
use crate::web::labels::{self, round_label};

use super::views::mentions;

pub struct TodoItem {
    pub text: String,
    pub detail: String,
    pub link: String,
    /// Past its due date.
    pub late: bool,
}

pub struct TodoSection {
    /// A class naming the kind (`fill`, `returned`, `review`, …).
    pub kind: &'static str,
    pub title: String,
    pub items: Vec<TodoItem>,
    /// The page listing all of them, when more exist than are shown.
    pub more: Option<(String, String)>,
}

/// The sections of a person's to-do list, in the order of their day.
/// A task still late after three reminders: whether its unit explained.
fn escalated_item(e: &Escalation) -> TodoItem {
    let name = match &e.task_reference {
        Some(r) => format!("{r}. {}", e.task_title),
        None => e.task_title.clone(),
    };
    TodoItem {
        text: name,
        detail: format!(
            "Chủ trì: {} · Hạn {} · Đã nhắc {} lần · {}",
            e.lead_unit_name,
            labels::date(e.due_on),
            e.reminders,
            if e.explanation.is_some() {
                "Đã giải trình"
            } else {
                "Chưa giải trình"
            }
        ),
        link: format!("/tasks/{}#escalations", e.task_id),
        late: e.explanation.is_none(),
    }
}

/// A request for more time or a changed product, waiting for a decision.
fn extension_item(x: &ExtensionRequest) -> TodoItem {
    TodoItem {
        text: match &x.task_reference {
            Some(r) => format!("{r}. {}", x.task_title),
            None => x.task_title.clone(),
        },
        detail: format!(
            "{} đề nghị{} · {}",
            x.asked_by,
            x.deadline_asked
                .as_ref()
                .map(|d| format!(" gia hạn đến {d}"))
                .unwrap_or_else(|| " điều chỉnh sản phẩm".into()),
            labels::date_time(x.asked_at)
        ),
        link: format!("/tasks/{}#extensions", x.task_id),
        late: false,
    }
}

pub fn sections(todo: &Todo, today: NaiveDate, unit_id: i64, at_level: bool) -> Vec<TodoSection> {
    let mut out = Vec::new();
    let reports = |kind, title: &str, list: Vec<TodoItem>| TodoSection {
        kind,
        title: format!("{title} ({})", list.len()),
        items: list,
        more: None,
    };
    if !todo.returned.is_empty() {
        let items = todo
            .returned
            .iter()
            .map(|(round, r, comments)| TodoItem {
                text: report_text(round, r),
                detail: format!(
                    "{} cần sửa · Hạn nộp {}",
                    comments_text(*comments),
                    labels::date(round.unit_due_on)
                ),
                link: format!("/reports/{}", r.id),
                late: round.unit_due_on < today,
            })
            .collect();
        out.push(reports("returned", "Báo cáo bị trả lại", items));
    }
    if !todo.to_fill.is_empty() {
        let items = todo
            .to_fill
            .iter()
            .map(|(round, r)| TodoItem {
                text: report_text(round, r),
                detail: format!(
                    "{} · Hạn nộp {}{}",
                    labels::report_status(r.status.as_str()),
                    labels::date(round.unit_due_on),
                    if round.unit_due_on < today {
                        " (đã quá hạn)"
                    } else {
                        ""
                    }
                ),
                link: format!("/reports/{}", r.id),
                late: round.unit_due_on < today,
            })
            .collect();
        out.push(reports("fill", "Báo cáo cần nhập và gửi", items));
    }
    if !todo.to_review.is_empty() {
        let items = todo
            .to_review
            .iter()
            .map(|(round, r)| TodoItem {
                text: report_text(round, r),
                detail: r
                    .submitted_at
                    .map(|t| format!("Gửi lúc {}", labels::date_time(t)))
                    .unwrap_or_default(),
                link: format!("/reports/{}", r.id),
                late: false,
            })
            .collect();
        out.push(reports("review", "Báo cáo chờ xem xét", items));
    }
    if !todo.to_consolidate.is_empty() {
        let items = rounds(&todo.to_consolidate, today, "Hạn tổng hợp");
        out.push(reports("consolidate", "Kỳ báo cáo cần tổng hợp", items));
    }
    if !todo.to_approve.is_empty() {
        let items = rounds(&todo.to_approve, today, "Hạn gửi báo cáo tổng hợp");
        out.push(reports("approve", "Báo cáo tổng hợp chờ phê duyệt", items));
    }
    if !todo.escalated.is_empty() {
        let items = todo.escalated.iter().map(escalated_item).collect();
        out.push(reports("escalated", "Nhiệm vụ báo cáo lãnh đạo", items));
    }
    if !todo.extensions.is_empty() {
        let items = todo.extensions.iter().map(extension_item).collect();
        out.push(reports(
            "extensions",
            "Đề nghị gia hạn, điều chỉnh chờ xem xét",
            items,
        ));
    }
    if !todo.overdue.items.is_empty() {
        out.push(overdue(todo, unit_id, at_level));
    }
    if !todo.warnings.is_empty() {
        let items = todo
            .warnings
            .iter()
            .map(|n| TodoItem {
                text: n.message.clone(),
                detail: labels::date_time(n.created_at),
                link: n.link.clone().unwrap_or_else(|| "/".into()),
                late: false,
            })
            .collect();
        out.push(reports("notices", "Cảnh báo chưa đọc", items));
    }
    out
}

fn report_text(round: &Round, r: &UnitReport) -> String {
    format!("{} — {}", round_label(round), r.unit_name)
}

fn comments_text(n: i64) -> String {
    if n == 0 {
        "Ý kiến chung".into()
    } else {
        format!("{} ý kiến", labels::int(n))
    }
}

fn rounds(list: &[Round], today: NaiveDate, due_words: &str) -> Vec<TodoItem> {
    list.iter()
        .map(|round| TodoItem {
            text: format!("{} — {}", round_label(round), round.plan_title),
            detail: format!("{due_words} {}", labels::date(round.consolidated_due_on)),
            link: format!("/rounds/{}", round.id),
            late: round.consolidated_due_on < today,
        })
        .collect()
}

fn overdue(todo: &Todo, unit_id: i64, at_level: bool) -> TodoSection {
    let o = &todo.overdue;
    let all = if at_level {
        "/tasks?state=overdue".to_string()
    } else {
        format!("/tasks?state=overdue&unit_id={unit_id}")
    };
    TodoSection {
        kind: "overdue",
        title: format!("Nhiệm vụ quá hạn ({})", labels::int(o.total)),
        items: o
            .items
            .iter()
            .map(|t| TodoItem {
                text: format!(
                    "{}{}",
                    t.reference
                        .as_deref()
                        .map(|r| format!("{r}. "))
                        .unwrap_or_default(),
                    t.title
                ),
                detail: format!(
                    "Chủ trì: {} · Thời hạn: {}",
                    mentions(&t.lead),
                    t.deadline.label_vi()
                ),
                link: format!("/tasks/{}", t.id),
                late: true,
            })
            .collect(),
        more: (o.total > i64::try_from(o.items.len()).unwrap_or(0)).then(|| {
            (
                all,
                format!("Xem cả {} nhiệm vụ quá hạn", labels::int(o.total)),
            )
        }),
    }
}
